"""Demo visits for `make run`: once the line is healthy, drive a few cars through its public JSON API so that
every department page shows work at its own stage (issue 17, part 9).

The demo seed gives appointments for tomorrow and a customer file; this driver adds, signed in as the demo
staff, what only the line itself can make:
  - two appointments later today (reception's "booked arrivals today"), when today still has free slots;
  - walk-ins written up, their orders signed by the customer, then left at different stages:
    two waiting for dispatch, one in repair, one waiting for the quality check, one ready for pick-up with
    its invoice to settle, and one paid and delivered, so follow-up has a call to make.

It runs only on a line whose reception has no visit yet (a new demo database), and never raises: a step that
is refused or times out is logged and the next car is driven.

    .venv/bin/python scripts/demo_visits.py      # against a running line (ports from SERVICE_PORTS)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from contracts import names
from services.staff.seed import DEMO_PASSWORD

Url = Callable[[str, str], str]  # (service, path) -> absolute URL, e.g. kit.line.Line.url

ADVISORS = ("A001", "A002")
DISPATCHER, QC_INSPECTOR, CASHIER, BOOKING_CLERK, MANAGER = "D001", "Q001", "C001", "B001", "M001"
SIGNATURE_PNG = (  # a 1x1 PNG standing in for the customer's signature on the tablet
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)
WALK_AROUND_CHECKS = ("tyres", "lights", "glass", "interior", "oil_dipstick", "coolant", "brake_fluid")

OIL_SERVICE = [
    {"kind": "labour", "code": "LAB-OIL"},
    {"kind": "part", "code": "P-OIL-5W30", "quantity": "1"},
    {"kind": "part", "code": "P-FILTER-OIL", "quantity": "1"},
]
BRAKES = [
    {"kind": "labour", "code": "LAB-BRAKE-DISC"},
    {"kind": "part", "code": "P-DISC-F", "quantity": "2"},
    {"kind": "part", "code": "P-PAD-F", "quantity": "1"},
]
BRAKE_FLUID = [{"kind": "labour", "code": "LAB-BRAKE-FLUID"}, {"kind": "part", "code": "P-DOT4", "quantity": "1"}]
THROTTLE = [{"kind": "labour", "code": "LAB-THROTTLE"}, {"kind": "labour", "code": "LAB-INSPECT"}]
WHEELS = [
    {"kind": "labour", "code": "LAB-BALANCE"},
    {"kind": "labour", "code": "LAB-ALIGN"},
    {"kind": "part", "code": "P-WEIGHT", "quantity": "4"},
]

# The stage each demo car is left at, in the order they are driven (the furthest first: it takes longest).
DELIVERED, READY, AT_QC, IN_REPAIR, WAITING_DISPATCH = "delivered", "ready", "at_qc", "in_repair", "waiting_dispatch"


@dataclass
class DemoCar:
    customer: str
    mobile: str
    vin: str
    plate: str
    model: str
    advisor_id: str
    complaint: str
    lines: list
    mileage_km: int
    stage: str
    technician_id: str = ""
    bay_id: str = ""


# technicians by skill (services/workshop/seed.py): T001 mechanical and quick service, T002 mechanical and electrical
CARS = [
    DemoCar("刘洋", "13811380101", "LSVAM418XRS892776", "沪A·7Q215", "帕萨特", "A001",
            "到期保养", OIL_SERVICE, 42310, DELIVERED, "T001", "B4"),
    DemoCar("陈静", "13911390102", "LFV2A21K0NA284886", "沪B·3F806", "速腾", "A002",
            "高速时方向盘抖动，车辆跑偏", WHEELS, 61870, READY, "T001", "B5"),
    DemoCar("杨帆", "13611360103", "LSGPC52U9RS151718", "沪C·9H332", "朗逸", "A001",
            "刹车时有异响", BRAKES, 55020, AT_QC, "T002", "B3"),
    DemoCar("赵磊", "13711370104", "LVSHCAMB5RB317045", "沪D·2K579", "福克斯", "A002",
            "冷车启动怠速抖动", THROTTLE, 38400, IN_REPAIR, "T001", "B1"),
    DemoCar("黄丽", "13511350105", "LSVNV4184PB645345", "沪A·5D901", "途观", "A001",
            "制动液两年未换", BRAKE_FLUID, 47760, WAITING_DISPATCH),
    DemoCar("周杰", "13311330106", "LFV3A23C6RC045041", "沪E·6G118", "迈腾", "A002",
            "到期保养", OIL_SERVICE, 29950, WAITING_DISPATCH),
]  # fmt: skip

# Booked for later today (reception's "booked arrivals today"): name, mobile, VIN, plate, model, complaint,
# planned labour and parts (put on the appointment shelf for the parts counter to pick)
TODAY = [
    ("吴刚", "13211320107", "LHGCR2660NB532716", "沪F·1J640", "雅阁", "制动踏板发软", ["LAB-BRAKE-FLUID"],
     [("P-DOT4", "1")]),
    ("郑敏", "13011300108", "LBV5S3106RB233105", "沪A·8M247", "宝马3系", "到期保养", ["LAB-OIL"],
     [("P-OIL-5W30", "1"), ("P-FILTER-OIL", "1")]),
]  # fmt: skip


class Refused(Exception):
    """A step the line refused or did not answer in time: the car is left where it got to."""


class Api:
    """The line's JSON API as the demo staff use it, each call signed in as someone."""

    def __init__(self, url: Url, timeout: float = 30.0):
        self.url, self.timeout = url, timeout
        self._tokens: dict[str, str] = {}

    def token(self, staff_id: str) -> str:
        if staff_id not in self._tokens:
            answer = self._send("POST", names.STAFF, "/api/login", {"staff_id": staff_id, "password": DEMO_PASSWORD})
            self._tokens[staff_id] = answer["token"]
        return self._tokens[staff_id]

    def get(self, service: str, path: str, as_: str = MANAGER):
        return self._send("GET", service, path, None, as_)

    def post(self, service: str, path: str, body: dict, as_: str):
        return self._send("POST", service, path, body, as_)

    def _send(self, method: str, service: str, path: str, body, as_: str | None = None):
        headers = {"Authorization": f"Bearer {self.token(as_)}"} if as_ else {}
        try:
            response = requests.request(method, self.url(service, path), json=body, headers=headers, timeout=15)
        except requests.RequestException as exc:
            raise Refused(f"{method} {service}{path}: {exc}") from exc
        if response.status_code >= 300:
            raise Refused(f"{method} {service}{path} -> {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else None

    def eventually(self, probe: Callable[[], object], what: str):
        """Poll `probe` (a bounded wait for the line's events to arrive) until it answers something truthy."""
        deadline, last = time.monotonic() + self.timeout, None
        while time.monotonic() < deadline:
            try:
                answer = probe()
            except Refused as exc:
                answer, last = None, exc
            if answer:
                return answer
            time.sleep(0.2)
        raise Refused(f"timed out after {self.timeout:.0f}s waiting for {what}; last: {last}")


def drive(url: Url, log: Callable[[str], None] = print, timeout: float = 30.0, tz: str = "Asia/Shanghai") -> dict:
    """Drive the demo cars; returns what it left where: {stage: [plate, …], "booked_today": [plate, …]}.
    Does nothing (returns {}) when reception already has visits: the demo ran before, or people work on it."""
    api = Api(url, timeout)
    try:
        if api.get(names.RECEPTION, "/api/visits")["visits"]:
            log("demo visits: reception already has visits; nothing added")
            return {}
    except (Refused, KeyError, ValueError) as exc:
        log(f"demo visits: the line does not answer ({exc}); nothing added")
        return {}
    done: dict[str, list[str]] = {}
    done["booked_today"] = _book_today(api, ZoneInfo(tz), log)
    for car in CARS:
        try:
            _drive_car(api, car)
        except Exception as exc:  # noqa: BLE001 - a refused or odd answer stops this car, not make run
            log(f"demo visits: {car.plate} stopped before {car.stage}: {exc.__class__.__name__}: {exc}")
            continue
        done.setdefault(car.stage, []).append(car.plate)
    log("demo visits: " + "; ".join(f"{stage} {', '.join(plates)}" for stage, plates in done.items() if plates))
    return done


def _book_today(api: Api, tz: ZoneInfo, log) -> list[str]:
    """R-BK-3: the next free reception slots of today (none after closing time: then nothing is booked)."""
    today = datetime.now(tz).date()
    booked = []
    try:
        slots = api.get(names.BOOKING, f"/api/slots?advisor_id=A002&date={today.isoformat()}")["slots"]
    except (Refused, KeyError, ValueError) as exc:
        log(f"demo visits: no free slots today ({exc})")
        return booked
    soon = datetime.now(UTC) + timedelta(minutes=30)  # not one the customer could not reach any more
    slots = [s for s in slots if datetime.fromisoformat(s) >= soon][::2]
    for (name, mobile, vin, plate, model, complaint, labour, parts), starts_at in zip(TODAY, slots, strict=False):
        body = {
            "customer": {"name": name, "mobile": mobile},
            "vehicle": {"plate": plate, "model": model},
            "vin": vin,
            "starts_at": starts_at,
            "advisor_id": "A002",
            "complaint": complaint,
            "planned_labour": labour,
            "planned_parts": [{"part_no": part_no, "quantity": quantity} for part_no, quantity in parts],
        }
        try:
            api.post(names.BOOKING, "/api/appointments", body, as_=BOOKING_CLERK)
        except Exception as exc:  # noqa: BLE001 - the next one may still be booked
            log(f"demo visits: {plate} not booked for today: {exc}")
            continue
        booked.append(plate)
    return booked


def _drive_car(api: Api, car: DemoCar) -> None:
    """One walk-in from check-in to its stage, each step by the staff member whose job it is."""
    advisor = car.advisor_id
    walk_in = {
        "customer": {"name": car.customer, "mobile": car.mobile},
        "vehicle": {"vin": car.vin, "plate": car.plate, "model": car.model},
        "advisor_id": advisor,
        "complaint": car.complaint,
    }
    visit_id = api.post(names.RECEPTION, "/api/visits", walk_in, as_=advisor)["visit_id"]
    sheet = f"/api/visits/{visit_id}/walk-around"
    covers = {"seat": True, "steering_wheel": True, "floor": True, "customer_present": True}
    api.post(names.RECEPTION, sheet + "/covers", covers, as_=advisor)
    checks = {name: {"state": "ok"} for name in WALK_AROUND_CHECKS}
    api.post(
        names.RECEPTION,
        sheet,
        {
            "vin": car.vin,
            "mileage_km": car.mileage_km,
            "fuel_eighths": 4,
            "checks": checks,
            "valuables": {"left": False},
        },
        as_=advisor,
    )
    api.post(names.RECEPTION, sheet + "/complete", {}, as_=advisor)
    order = {
        "lines": car.lines,
        "mileage_km": car.mileage_km,
        "key_tag": f"K-{car.plate[-3:]}",
        "customer_waits": car.stage in (READY, DELIVERED),
    }
    order_id = api.eventually(lambda: _write_order(api, visit_id, order, advisor), "the order written")
    api.post(names.RECEPTION, f"/api/orders/{order_id}/sign", {"customer_signature": SIGNATURE_PNG}, as_=advisor)
    work_order = f"/api/work-orders/{order_id}"
    api.eventually(lambda: api.get(names.WORKSHOP, work_order), "the work order in the workshop")
    if car.stage == WAITING_DISPATCH:
        return
    dispatch = {"technician_id": car.technician_id, "bay_id": car.bay_id}
    jobs = api.post(names.WORKSHOP, work_order + "/dispatch", dispatch, as_=DISPATCHER)["jobs"]
    if car.stage == IN_REPAIR:
        return
    for job in jobs:  # R-WS-6: the self-check, the repair report and the technician's signature
        finish = f"{work_order}/jobs/{job['line_no']}/finish"
        done = {
            "self_check": {key: True for key in job["self_check_items"]},
            "report": {"concern": "按委托书作业", "cause": "定期保养/维修", "correction": "已完工自检"},
            "signature": SIGNATURE_PNG,
        }
        api.post(names.WORKSHOP, finish, done, as_=car.technician_id)
    if car.stage == AT_QC:
        return
    # R-QC-1..4: every item of the order's standard OK, the road test where needed, washed, parked on F1
    standard = api.get(names.WORKSHOP, work_order)["inspection"]
    items = {i["key"]: {"state": "ok", **({"measured_mm": "6.5"} if i["limit_mm"] else {})} for i in standard["items"]}
    passed = {"items": items, "findings": "路试正常", "washed": True, "finished_bay": "F1"}
    if standard["road_test"]:
        passed["road_test"] = {
            "km_out": car.mileage_km,
            "km_back": car.mileage_km + 5,
            "technician_id": car.technician_id,
        }
    # R-QC-1: the check waits until the parts counter has issued every requested part
    api.eventually(lambda: api.post(names.WORKSHOP, work_order + "/quality-check", passed, as_=QC_INSPECTOR), "QC")
    invoice = api.eventually(
        lambda: (i := api.get(names.BILLING, f"/api/invoices/by-order/{order_id}")) and i["status"] == "ready" and i,
        "the invoice ready to settle",
    )
    if car.stage == READY:
        return
    # R-BL-2..6: the advisor who received the car goes through the delivery checklist, then the customer pays
    delivery = api.get(names.BILLING, f"/api/deliveries/{order_id}")
    checklist = {
        "checks": dict.fromkeys(
            ("work_explained", "bill_explained", "wear_told", "covers_removed", "copies_handed"), True
        ),
        "fates": {str(p["line_no"]): "scrapped" for p in delivery["old_parts"]},
        "waiver_signature": SIGNATURE_PNG if delivery["safety_declined"] else None,
    }
    api.post(names.BILLING, f"/api/deliveries/{order_id}", checklist, as_=advisor)
    pay = {"amount": invoice["total"], "method": "wechat"}
    api.post(names.BILLING, f"/api/invoices/{invoice['invoice_id']}/pay", pay, as_=CASHIER)
    api.eventually(lambda: api.get(names.FOLLOWUP, f"/api/calls?order_id={order_id}")["calls"], "the follow-up call")


def _write_order(api: Api, visit_id: str, order: dict, advisor: str) -> str | None:
    """The order priced from reception's copy of the price list; the promise by hand when the workshop does
    not answer (R-RC-5). None while reception has no price list yet (polled)."""
    path = f"/api/visits/{visit_id}/order"
    try:
        return api.post(names.RECEPTION, path, order, as_=advisor)["order_id"]
    except Refused as exc:
        if "promise_needed" not in str(exc):
            return None
    promised = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
    by_hand = {**order, "promised_at": promised, "promise_note": "车间未答复，电话确认"}
    return api.post(names.RECEPTION, path, by_hand, as_=advisor)["order_id"]


def main() -> int:
    from kit.config import Settings

    settings = Settings.load()
    ports = settings.ports  # SERVICE_PORTS, else the defaults
    drive(lambda service, path: f"http://127.0.0.1:{ports[service]}{path}", tz=settings.dealer_timezone)
    return 0


if __name__ == "__main__":
    sys.exit(main())
