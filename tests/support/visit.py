"""One visit driven through the line's public HTTP interfaces, step by step, each step by the staff
member whose job it is (e2e tests and the benchmark)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from contracts import names
from tools.line import Line

from .factories import ORDER_LINES, SIGNATURE_PNG, make_booking
from .http import Client, eventually

BOOKING_CLERK, DISPATCHER, TECHNICIAN, QC_INSPECTOR, CASHIER = "B001", "D001", "T001", "Q001", "C001"
# every item of the walk-around sheet but the first service's underbody (R-RC-2, R-KB-1a)
DELIVERY_CHECKS = ("work_explained", "bill_explained", "wear_told", "covers_removed", "copies_handed")  # R-BL-2..6
WALK_AROUND_CHECKS = ("tyres", "lights", "glass", "interior", "oil_dipstick", "coolant", "brake_fluid")


def finish_body(job: dict) -> dict:
    """What finishing a job takes (R-WS-6): its kind's self-check ticked, the report, the technician's signature."""
    return {
        "self_check": {key: True for key in job["self_check_items"]},
        "report": {"concern": "怠速抖动", "cause": "节气门积碳", "correction": "清洗节气门，怠速平稳"},
        "signature": SIGNATURE_PNG,
    }


def inspection_body(work_order: dict, fail: dict | None = None) -> dict:
    """The QC inspector's record to the order's standard: all OK (or `fail`: {item: (line_no, cause)})."""
    items = {}
    for item in work_order["inspection"]["items"]:
        items[item["key"]] = {"state": "ok", **({"measured_mm": "6.5"} if item["limit_mm"] else {})}
    for key, (line_no, cause) in (fail or {}).items():
        items[key] = {**items[key], "state": "fail", "line_no": line_no, "cause": cause}
    technician = next(j["technician_id"] for j in work_order["jobs"] if j["technician_id"])
    body = {"items": items, "findings": "路试正常", "washed": True, "finished_bay": "F1"}
    if work_order["inspection"]["road_test"]:
        body["road_test"] = {"km_out": 35210, "km_back": 35216, "technician_id": technician}
    return body


@dataclass
class Visit:
    line: Line
    booking: dict = field(default_factory=make_booking)
    client: Client | None = None
    appointment_id: str = ""
    visit_id: str = ""
    order_id: str = ""
    invoice_id: str = ""
    timeout: float = 30.0

    def __post_init__(self):
        self.client = self.client or Client(self.line)

    @property
    def advisor(self) -> str:
        return self.booking["advisor_id"]

    def book(self) -> dict:
        appointment = self.client.post(names.BOOKING, "/api/appointments", self.booking, as_=BOOKING_CLERK, expect=201)
        self.appointment_id, self.visit_id = appointment["appointment_id"], appointment["visit_id"]
        return appointment

    def wait_parts_reserved(self) -> dict:
        path = f"/api/appointments/{self.appointment_id}"
        return eventually(
            lambda: (a := self.client.get(names.BOOKING, path))["parts_status"] != "pending" and a,
            self.timeout,
            what="parts reservation answer",
        )

    def check_in(self) -> dict:
        eventually(
            lambda: any(
                a["appointment_id"] == self.appointment_id
                for a in self.client.get(
                    names.RECEPTION, f"/api/expected-arrivals?appointment_id={self.appointment_id}"
                )["expected_arrivals"]
            ),
            self.timeout,
            what="reception to expect the car",
        )
        return self.client.post(
            names.RECEPTION, "/api/visits", {"appointment_id": self.appointment_id}, as_=self.advisor, expect=201
        )

    def walk_around(self, mileage_km: int = 35210) -> dict:
        """The walk-around sheet with the customer (R-RC-1..3): covers, VIN, mileage, fuel, checks, complete."""
        path = f"/api/visits/{self.visit_id}/walk-around"
        covers = {"seat": True, "steering_wheel": True, "floor": True, "customer_present": True}
        self.client.post(names.RECEPTION, path + "/covers", covers, as_=self.advisor, expect=200)
        checks = {name: {"state": "ok"} for name in WALK_AROUND_CHECKS}
        sheet = {
            "vin": self.booking["vin"],
            "mileage_km": mileage_km,
            "fuel_eighths": 5,
            "checks": checks,
            "valuables": {"left": False},
        }
        self.client.post(names.RECEPTION, path, sheet, as_=self.advisor, expect=200)
        return self.client.post(names.RECEPTION, path + "/complete", {}, as_=self.advisor, expect=200)

    def write_order(self, lines=ORDER_LINES, mileage_km: int = 35210, **fields) -> dict:
        """The order with its key tag and the customer's choice (R-RC-5..7); the promise from the workshop's
        load, or by hand with a note when the workshop does not answer."""
        body = {
            "lines": lines,
            "mileage_km": mileage_km,
            "key_tag": f"K-{random.randrange(10**7)}",
            "customer_waits": True,
            **fields,
        }
        path = f"/api/visits/{self.visit_id}/order"

        def attempt():
            response = self.client.request("POST", names.RECEPTION, path, body, as_=self.advisor)
            if response.status_code == 422 and response.json()["error"]["code"] == "promise_needed":
                promised = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
                by_hand = {**body, "promised_at": promised, "promise_note": "车间未答复，电话确认"}
                response = self.client.request("POST", names.RECEPTION, path, by_hand, as_=self.advisor)
            return response.json() if response.status_code == 201 else None

        return eventually(attempt, self.timeout, what="order written (reception holds the price list)")

    def write_and_sign_order(self, lines=ORDER_LINES, mileage_km: int = 35210) -> dict:
        self.walk_around(mileage_km)
        order = self.write_order(lines, mileage_km)
        self.order_id = order["order_id"]
        return self.client.post(
            names.RECEPTION,
            f"/api/orders/{self.order_id}/sign",
            {"customer_signature": SIGNATURE_PNG},
            as_=self.advisor,
            expect=200,
        )

    def work_order(self) -> dict:
        return eventually(
            lambda: self.client.get_if(names.WORKSHOP, f"/api/work-orders/{self.order_id}"),
            self.timeout,
            what="work order in the workshop",
        )

    def dispatch(self, technician_id: str = TECHNICIAN, bay_id: str = "B1") -> dict:
        self.work_order()
        return self.client.post(
            names.WORKSHOP,
            f"/api/work-orders/{self.order_id}/dispatch",
            {"technician_id": technician_id, "bay_id": bay_id},
            as_=DISPATCHER,
            expect=200,
        )

    def finish_jobs(self) -> dict:
        """R-WS-6: each job finished by its technician with the self-check, the repair report and the signature."""
        work_order = self.work_order()
        for job in work_order["jobs"]:
            work_order = self.client.post(
                names.WORKSHOP,
                f"/api/work-orders/{self.order_id}/jobs/{job['line_no']}/finish",
                finish_body(job),
                as_=job["technician_id"] or TECHNICIAN,
                expect=200,
            )
        return work_order

    def pass_quality_check(self, **overrides) -> dict:
        """R-QC-1..4: every item of the order's inspection standard OK, the road test where needed, washed and
        parked on F1. The check waits until the parts counter has issued every requested part."""
        return eventually(
            lambda: self.client.post_if(
                names.WORKSHOP,
                f"/api/work-orders/{self.order_id}/quality-check",
                {**inspection_body(self.work_order()), **overrides},
                as_=QC_INSPECTOR,
                ok=200,
            ),
            self.timeout,
            what="quality check pass",
        )

    def invoice(self, status: str = "ready") -> dict:
        path = f"/api/invoices/by-order/{self.order_id}"
        invoice = eventually(
            lambda: (i := self.client.get_if(names.BILLING, path, as_=CASHIER)) and i["status"] == status and i,
            self.timeout,
            what=f"invoice {status}",
        )
        self.invoice_id = invoice["invoice_id"]
        return invoice

    def deliver(self, *, fate: str = "scrapped", as_: str | None = None, **fields) -> dict:
        """R-BL-2..6: the delivery checklist on the advisor's tablet (every step ticked, each old part's fate,
        the waiver signed when safety work was declined); then the customer pays."""
        view = self.client.get(names.BILLING, f"/api/deliveries/{self.order_id}", as_=self.advisor)
        body = {
            "checks": dict.fromkeys(DELIVERY_CHECKS, True),
            "fates": {str(p["line_no"]): fate for p in view["old_parts"]},
            "waiver_signature": SIGNATURE_PNG if view["safety_declined"] else None,
            **fields,
        }
        return self.client.post(
            names.BILLING, f"/api/deliveries/{self.order_id}", body, as_=as_ or self.advisor, expect=201
        )

    def pay(self, amount: str, method: str = "wechat") -> dict:
        return self.client.post(
            names.BILLING,
            f"/api/invoices/{self.invoice_id}/pay",
            {"amount": amount, "method": method},
            as_=CASHIER,
            expect=200,
        )

    def follow_up_call(self) -> dict:
        return eventually(
            lambda: next(
                (
                    c
                    for c in self.client.get(names.FOLLOWUP, f"/api/calls?order_id={self.order_id}")["calls"]
                    if c["order_id"] == self.order_id
                ),
                None,
            ),
            self.timeout,
            what="follow-up call scheduled",
        )

    def through_to_delivery(self) -> dict:
        """Every step, booking call to follow-up; returns the scheduled call."""
        self.book()
        self.wait_parts_reserved()
        self.check_in()
        self.write_and_sign_order()
        self.dispatch()
        self.finish_jobs()
        self.pass_quality_check()
        invoice = self.invoice()
        self.deliver()
        self.pay(invoice["total"])
        return self.follow_up_call()
