"""The sales system's export of new-car hand-overs (CSV or XLSX) read into hand-over commands (R-CR-1, R-CR-2).

The first row names the columns, in Chinese or English: 姓名/name, 手机/mobile, 车架号/vin, 车牌/plate, 车型/model,
交车时间/handed_over_at (local time, "2026-12-02 15:00"), 销售顾问/salesperson, 销售经理/sales_manager,
生日/birthday, 城市/city. Every row is checked before any is stored: a bad row refuses the whole file,
naming the row and the field."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate

from contracts.validators import check_mobile
from kit.config import Settings
from kit.errors import DomainError
from kit.i18n import N_

MAX_ROWS = 2000
# the sales system's Chinese column names (English ones are taken as they are)
COLUMNS = {
    "姓名": "name",
    "手机": "mobile",
    "车架号": "vin",
    "车牌": "plate",
    "车型": "model",
    "交车时间": "handed_over_at",
    "销售顾问": "salesperson",
    "销售经理": "sales_manager",
    "生日": "birthday",
    "城市": "city",
}


class Handover(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    mobile = fields.String(required=True, validate=validate.Length(min=1, max=20))
    vin = fields.String(load_default="", validate=validate.Length(max=17))
    plate = fields.String(load_default="", validate=validate.Length(max=16))
    model = fields.String(load_default="", validate=validate.Length(max=60))
    handed_over_at = fields.AwareDateTime(required=True)
    salesperson = fields.String(required=True, validate=validate.Length(min=1, max=40))
    sales_manager = fields.String(required=True, validate=validate.Length(min=1, max=40))
    birthday = fields.Date(load_default=None, allow_none=True)
    city = fields.String(load_default="", validate=validate.Length(max=40))


def load_handover(raw: dict) -> dict:
    cmd = Handover().load(raw)
    cmd["mobile"] = check_mobile(cmd["mobile"], field="mobile")
    return cmd


def read_rows(filename: str, data: bytes) -> list[dict]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception:  # noqa: BLE001 - any unreadable file is the same refusal
            raise DomainError(N_("The file cannot be read as CSV or XLSX"), field="file") from None
        table = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    elif filename.lower().endswith(".csv"):
        try:
            table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        except UnicodeDecodeError:
            raise DomainError(N_("The file cannot be read as CSV or XLSX"), field="file") from None
    else:
        raise DomainError(N_("The file cannot be read as CSV or XLSX"), field="file")
    if not table:
        raise DomainError(N_("The file has no rows"), field="file")
    header = [COLUMNS.get(str(h).strip(), str(h).strip()) for h in table[0]]
    rows = [dict(zip(header, r, strict=False)) for r in table[1:] if any(str(v).strip() for v in r)]
    if not rows or len(rows) > MAX_ROWS:
        raise DomainError(N_("The file has no rows"), field="file")
    return rows


def commands(filename: str, data: bytes) -> list[dict]:
    """Every row as a hand-over command; the first bad row refuses the file (row and field named)."""
    tz = Settings.load().tz
    out = []
    for number, row in enumerate(read_rows(filename, data), start=2):
        raw = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k in Handover().fields}
        at = raw.get("handed_over_at")
        if isinstance(at, datetime):
            raw["handed_over_at"] = at.replace(tzinfo=at.tzinfo or tz).isoformat()
        elif isinstance(at, str) and at:
            try:
                parsed = datetime.fromisoformat(at)
                raw["handed_over_at"] = parsed.replace(tzinfo=parsed.tzinfo or tz).isoformat()
            except ValueError:
                pass
        if isinstance(raw.get("birthday"), datetime):
            raw["birthday"] = raw["birthday"].date().isoformat()
        raw = {k: v for k, v in raw.items() if v not in ("", None) or k in ("name", "mobile")}
        try:
            out.append(load_handover({k: str(v) if k == "mobile" else v for k, v in raw.items()}))
        except ValidationError as exc:
            field, messages = next(iter(exc.messages.items()))
            raise DomainError(
                N_("Row {row}, {column}: {message}"), field="file", row=number, column=field, message=messages[0]
            ) from None
        except DomainError as exc:
            raise DomainError(
                N_("Row {row}, {column}: {message}"), field="file", row=number, column=exc.field, message=exc.message
            ) from None
    return out
