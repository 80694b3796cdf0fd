"""One visit driven through the line's public HTTP interfaces, step by step (e2e tests and the benchmark)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kit.line import Line

from .factories import ORDER_LINES, SIGNATURE_PNG, make_booking
from .http import call, eventually


@dataclass
class Visit:
    line: Line
    booking: dict = field(default_factory=make_booking)
    appointment_id: str = ""
    visit_id: str = ""
    order_id: str = ""
    invoice_id: str = ""
    timeout: float = 30.0

    def url(self, service: str, path: str) -> str:
        return self.line.url(service, path)

    def book(self) -> dict:
        appointment = call("POST", self.url("booking", "/api/appointments"), self.booking, expect=201)
        self.appointment_id, self.visit_id = appointment["appointment_id"], appointment["visit_id"]
        return appointment

    def wait_parts_reserved(self) -> dict:
        return eventually(
            lambda: (
                (a := call("GET", self.url("booking", f"/api/appointments/{self.appointment_id}")))["parts_status"]
                != "pending"
                and a
            ),
            self.timeout,
            what="parts reservation answer",
        )

    def check_in(self) -> dict:
        eventually(
            lambda: any(
                a["appointment_id"] == self.appointment_id
                for a in call("GET", self.url("reception", "/api/expected-arrivals"))["expected_arrivals"]
            ),
            self.timeout,
            what="reception to expect the car",
        )
        return call(
            "POST",
            self.url("reception", "/api/visits"),
            {"appointment_id": self.appointment_id, "staff_id": "A001"},
            expect=201,
        )

    def write_and_sign_order(self, lines=ORDER_LINES, mileage_km: int = 35210) -> dict:
        eventually(
            lambda: call("GET", self.url("billing", "/api/price-list"))["price_list"], self.timeout, what="price list"
        )
        order = eventually(
            lambda: (
                (
                    r := _post(
                        self.url("reception", f"/api/visits/{self.visit_id}/order"),
                        {"lines": lines, "mileage_km": mileage_km},
                    )
                )
                and r
            ),
            self.timeout,
            what="order written (reception holds the price list)",
        )
        self.order_id = order["order_id"]
        return call(
            "POST",
            self.url("reception", f"/api/orders/{self.order_id}/sign"),
            {"customer_signature": SIGNATURE_PNG, "advisor_id": self.booking["advisor_id"]},
            expect=200,
        )

    def work_order(self) -> dict:
        return eventually(
            lambda: _get(self.url("workshop", f"/api/work-orders/{self.order_id}")),
            self.timeout,
            what="work order in the workshop",
        )

    def dispatch(self, technician_id: str = "T001", bay_id: str = "B1") -> dict:
        self.work_order()
        return call(
            "POST",
            self.url("workshop", f"/api/work-orders/{self.order_id}/dispatch"),
            {"technician_id": technician_id, "bay_id": bay_id, "dispatcher_id": "D001"},
            expect=200,
        )

    def finish_jobs(self) -> dict:
        work_order = self.work_order()
        for job in work_order["jobs"]:
            work_order = call(
                "POST",
                self.url("workshop", f"/api/work-orders/{self.order_id}/jobs/{job['line_no']}/finish"),
                {"report": "已完工自检", "technician_id": "T001"},
                expect=200,
            )
        return work_order

    def pass_quality_check(self) -> dict:
        # QC waits until the parts counter has issued every requested part (R-QC-1).
        return eventually(
            lambda: _post(
                self.url("workshop", f"/api/work-orders/{self.order_id}/quality-check"),
                {"passed": True, "findings": "路试正常", "inspector_id": "Q001"},
                ok=200,
            ),
            self.timeout,
            what="quality check pass",
        )

    def invoice(self, status: str = "ready") -> dict:
        invoice = eventually(
            lambda: (
                (i := _get(self.url("billing", f"/api/invoices/by-order/{self.order_id}")))
                and i["status"] == status
                and i
            ),
            self.timeout,
            what=f"invoice {status}",
        )
        self.invoice_id = invoice["invoice_id"]
        return invoice

    def pay(self, amount: str, method: str = "wechat") -> dict:
        return call(
            "POST",
            self.url("billing", f"/api/invoices/{self.invoice_id}/pay"),
            {"amount": amount, "method": method, "cashier_id": "C001"},
            expect=200,
        )

    def follow_up_call(self) -> dict:
        return eventually(
            lambda: next(
                (c for c in call("GET", self.url("followup", "/api/calls"))["calls"] if c["order_id"] == self.order_id),
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
        self.pay(invoice["total"])
        return self.follow_up_call()


def _get(url: str):
    import requests

    response = requests.get(url, timeout=15)
    return response.json() if response.status_code == 200 else None


def _post(url: str, body: dict, ok: int = 201):
    import requests

    response = requests.post(url, json=body, timeout=15)
    return response.json() if response.status_code == ok else None
