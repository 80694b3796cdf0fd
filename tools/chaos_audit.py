"""After the drill: each visit's trail read from the services' own databases, hop by hop.

- lost: a hop whose cause is recorded upstream but whose effect never appeared downstream (the appointment
  booked but never expected at reception or reserved at the parts counter, an order signed but no work order,
  a car ready but no invoice, an invoice paid but no follow-up call or service history);
- doubled: a visit holding more of something than the visit driven before any disruption (the reference):
  parts reservations, parts issued, payments, work orders, invoices, follow-up calls, service history;
- stuck: a visit the staff could not take to its end (a step that never became possible), or any message in a
  dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from contracts import names

# (name, service, SQL counting one visit's rows; :a appointment, :o order, :i invoice)
COUNTS: tuple[tuple[str, str, str], ...] = (
    ("expected_arrivals", names.RECEPTION, "SELECT count(*) FROM expected_arrivals WHERE appointment_id = :a"),
    ("reservations", names.PARTS, "SELECT count(*) FROM reservations WHERE appointment_id = :a"),
    ("capacity_holds", names.WORKSHOP, "SELECT count(*) FROM capacity_holds WHERE appointment_id = :a"),
    ("orders_signed", names.RECEPTION, "SELECT count(*) FROM orders WHERE order_id = :o AND status = 'signed'"),
    ("work_orders", names.WORKSHOP, "SELECT count(*) FROM work_orders WHERE order_id = :o"),
    ("signed_quotes", names.BILLING, "SELECT count(*) FROM signed_quotes WHERE order_id = :o"),
    ("parts_requests", names.PARTS, "SELECT count(*) FROM issue_requests WHERE order_id = :o"),
    ("parts_issued", names.PARTS, "SELECT count(*) FROM issue_lines WHERE order_id = :o"),
    ("parts_received", names.WORKSHOP, "SELECT count(*) FROM parts_received WHERE order_id = :o"),
    ("billed_issues", names.BILLING, "SELECT count(*) FROM parts_issues WHERE order_id = :o"),
    ("quality_passed", names.WORKSHOP, "SELECT count(*) FROM quality_checks WHERE order_id = :o AND passed"),
    ("invoices", names.BILLING, "SELECT count(*) FROM invoices WHERE order_id = :o"),
    ("payments", names.BILLING, "SELECT count(*) FROM payments WHERE invoice_id = :i"),
    ("paid", names.BILLING, "SELECT count(*) FROM invoices WHERE invoice_id = :i AND status = 'paid'"),
    ("follow_up_calls", names.FOLLOWUP, "SELECT count(*) FROM follow_up_calls WHERE order_id = :o"),
    ("service_history", names.BOOKING, "SELECT count(*) FROM service_records WHERE order_id = :o"),
)
# (cause, effect): once the cause is there, the effect must be
HOPS: tuple[tuple[str, str], ...] = (
    ("booked", "expected_arrivals"),
    ("booked", "reservations"),
    ("orders_signed", "work_orders"),
    ("orders_signed", "signed_quotes"),
    ("parts_requests", "parts_issued"),
    ("parts_issued", "parts_received"),
    ("parts_issued", "billed_issues"),
    ("quality_passed", "invoices"),
    ("paid", "follow_up_calls"),
    ("paid", "service_history"),
)


@dataclass
class Trail:
    visit: dict  # appointment_id, order_id, invoice_id, completed, step, error
    counts: dict[str, int]

    def missing(self) -> list[str]:
        have = {**self.counts, "booked": 1 if self.visit.get("appointment_id") else 0}
        return [f"{cause}->{effect}" for cause, effect in HOPS if have[cause] and not have[effect]]

    def doubled(self, reference: dict[str, int]) -> list[str]:
        return [f"{name}: {n} (one visit: {reference[name]})" for name, n in self.counts.items() if n > reference[name]]


def trail(engine_of: Callable[[str], sa.Engine], visit: dict) -> Trail:
    params = {
        "a": visit.get("appointment_id") or "",
        "o": visit.get("order_id") or "",
        "i": visit.get("invoice_id") or "",
    }
    counts = {}
    for name, service, sql in COUNTS:
        with engine_of(service).connect() as conn:
            counts[name] = conn.execute(sa.text(sql), params).scalar_one()
    return Trail(visit, counts)


@dataclass
class Verdict:
    visits: int
    completed: int
    lost: list[Trail]
    doubled: list[tuple[Trail, list[str]]]
    stuck: list[dict]
    dead_letters: dict[str, int]

    @property
    def ok(self) -> bool:
        return not (self.lost or self.doubled or self.stuck or any(self.dead_letters.values()))


def audit(engine_of, reference: dict, visits: list[dict], dead_letters: dict[str, int]) -> Verdict:
    baseline = trail(engine_of, reference).counts
    trails = [trail(engine_of, v) for v in visits]
    doubled = [(t, d) for t in trails if (d := t.doubled(baseline))]
    return Verdict(
        visits=len(visits),
        completed=sum(1 for v in visits if v["completed"]),
        lost=[t for t in trails if t.missing()],
        doubled=doubled,
        stuck=[v for v in visits if not v["completed"]],
        dead_letters=dead_letters,
    )
