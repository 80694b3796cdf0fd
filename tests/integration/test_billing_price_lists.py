"""The price list's versions on a real database: a clerk prepares one from the maker's CSV or XLSX file, the
service manager (another person) publishes it (price_list_published), both versions stay readable and compare."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from contracts import names
from kit.errors import DomainError
from services.billing import seed as billing_seed
from services.billing.domain import price_lists
from services.billing.handlers import prices
from services.billing.web.prices import rows_of_file
from tests.support.db import service_work

WHEN = datetime(2027, 1, 1, tzinfo=UTC)


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_price_file_is_read_from_csv_in_utf8_or_gbk_and_from_xlsx():
    rows = [["part_no", "name", "unit_price"], ["P-OIL-5W30", "机油", "278.00"]]
    as_csv = "part_no,name,unit_price\nP-OIL-5W30,机油,278.00\n"
    assert rows_of_file("prices.csv", as_csv.encode("utf-8-sig")) == rows
    assert rows_of_file("prices.csv", as_csv.encode("gbk")) == rows
    assert price_lists.parts_from_rows(rows_of_file("prices.xlsx", xlsx(rows)))[0]["unit_price"] == Decimal("278.00")
    with pytest.raises(DomainError) as exc:
        rows_of_file("prices.xlsx", b"not a workbook")
    assert exc.value.field == "file"


def test_a_version_prepared_by_a_clerk_is_published_by_the_manager_and_compared(tmp_path):
    work = service_work("billing", tmp_path)
    billing_seed.reference_data(work)
    parts = price_lists.parts_from_rows([["零件号", "名称", "零售价"], ["P-OIL-5W30", "机油 5W-30 4L", "278.00"]])
    cmd = {"version": "2027.01-1", "effective_from": WHEN, "labour_rate": "320.00", "vat_rate": "0.13"}
    work.run(prices.prepare_version, cmd, parts, actor_id="C001")
    with pytest.raises(DomainError) as exc:
        work.run(prices.prepare_version, cmd, parts, actor_id="C001")
    assert exc.value.field == "version"
    with pytest.raises(DomainError) as exc:
        work.run(prices.publish_version, "2027.01-1", actor_id="C001")
    assert exc.value.code == "same_person"
    work.run(prices.publish_version, "2027.01-1", actor_id="M001")
    assert [(v["version"], v["status"]) for v in work.read(prices.versions)] == [
        ("2027.01-1", "published"),
        ("2026.11-1", "published"),
    ]
    diff = work.read(prices.compare, "2026.11-1", "2027.01-1")
    assert diff["labour_rate"] == (Decimal("300.00"), Decimal("320.00"))
    assert diff["parts"]["changed"] == [
        {"part_no": "P-OIL-5W30", "name": "机油 5W-30 4L", "before": Decimal("268.00"), "after": Decimal("278.00")}
    ]
    assert len(diff["parts"]["removed"]) == 5  # the new file holds one part only
    table = work.session_factory().info["metadata"].tables["outbox"]
    bodies = work.read(lambda s: [json.loads(r.body) for r in s.execute(sa.select(table)).all()])
    published = [b["payload"]["version"] for b in bodies if b["event_type"] == names.PRICE_LIST_PUBLISHED]
    assert published == ["2026.11-1", "2027.01-1"]
