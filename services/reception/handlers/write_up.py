"""The write-up on the advisor's tablet: complaint and diagnosis with the knowledge base (R-RC-4, R-KB-1),
jobs, findings the customer accepts or declines, and the order's fields (R-RC-5..7). Use cases `f(uow, …)`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contracts import knowledge
from contracts.repair_order import RepairOrder
from kit.errors import DomainError, NotFound

from ..models import Finding, Order, Visit, WriteUp
from . import arrivals
from .drafts import priced_lines, refresh_draft, requested_lines
from .prices import current_price_book
from .visits import (
    HeldVisit,
    HeldWriteUp,
    inserted,
    new_write_up,
    refuse_if_signed,
    rows_of,
    saved,
    visit_of,
    write_up_of,
)
from .walk_around import walk_around_view


def record_diagnosis(uow, visit_id: str, cmd: dict) -> HeldWriteUp:
    """The customer's own words, kept apart from the advisor's diagnosis (concern / cause / correction)."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = write_up_of(uow, visit)
    known = {s.code for s in knowledge.symptoms()}
    codes = [c for c in (cmd.get("symptom_codes") or []) if c]
    for code in codes:
        if code not in known:
            raise DomainError("Unknown symptom {code}", field="symptom_codes", code="symptom_unknown")
    changes = {
        name: cmd[name].strip()
        for name in ("customer_words", "concern", "cause", "correction")
        if cmd.get(name) is not None
    }
    if cmd.get("symptom_codes") is not None:
        changes["symptom_codes"] = codes
    if not changes.get("customer_words", row.customer_words):
        raise DomainError("Write down the customer's own words", field="customer_words", code="required")
    changes["updated_at"] = uow.clock()
    saved(uow.session, row, changes)
    refresh_draft(uow, visit)
    return row


def symptom_jobs(code: str) -> list[dict]:
    symptom = next((s for s in knowledge.symptoms() if s.code == code), None)
    if symptom is None:
        raise DomainError("Unknown symptom {code}", field="symptom", code="symptom_unknown")
    return [{"kind": "labour", "code": c, "quantity": None} for c in symptom.jobs] + [
        {"kind": "part", "code": no, "quantity": str(qty)} for no, qty in symptom.parts.items()
    ]


def suggestions(session, visit_id: str, words: str | None = None, locale: str = "zh_CN") -> list[dict]:
    """Known symptoms the customer's words describe, each priced from reception's price-list copy."""
    if words is None:
        row = session.get(WriteUp, visit_id)
        visit = session.get(Visit, visit_id)
        words = row.customer_words if row else (visit.complaint if visit else "")
    book = current_price_book(session)
    out = []
    for symptom in knowledge.suggest(words or ""):
        lang = "zh_CN" if locale.startswith("zh") else "en"
        item = {
            "code": symptom.code,
            "name": symptom.name[lang],
            "causes": list(symptom.causes[lang]),
            "advice": symptom.advice[lang],
            "jobs": list(symptom.jobs),
            "parts": {no: str(q) for no, q in symptom.parts.items()},
            "estimate": None,
        }
        if book is not None:
            e = knowledge.estimate(symptom, book)
            item["estimate"] = {
                "price_list_version": e.price_list_version,
                "hours": e.hours,
                "net": e.net,
                "vat": e.vat,
                "gross": e.gross,
                "unpriced": list(e.unpriced),
            }
        out.append(item)
    return out


def add_jobs(uow, visit_id: str, cmd: dict) -> HeldWriteUp:
    """Jobs for the order: explicit lines, or a knowledge-base suggestion's jobs and parts."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = write_up_of(uow, visit)
    new = symptom_jobs(cmd["symptom"]) if cmd.get("symptom") else requested_lines(cmd.get("lines") or [])
    if not new:
        raise DomainError("The order needs at least one repair item", field="lines")
    priced_lines(new, current_price_book(uow.session))  # refused here, naming the line, if not on the list
    have = {(j["kind"], j["code"]) for j in row.jobs}
    changes = {"jobs": [*row.jobs, *(j for j in new if (j["kind"], j["code"]) not in have)]}
    if cmd.get("symptom") and cmd["symptom"] not in row.symptom_codes:
        changes["symptom_codes"] = [*row.symptom_codes, cmd["symptom"]]
    changes["updated_at"] = uow.clock()
    saved(uow.session, row, changes)
    refresh_draft(uow, visit)
    return row


def remove_job(uow, visit_id: str, index: int) -> HeldWriteUp:
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = write_up_of(uow, visit)
    if not 0 <= index < len(row.jobs):
        raise NotFound("Repair item not found", field="lines")
    saved(uow.session, row, {"jobs": [j for i, j in enumerate(row.jobs) if i != index], "updated_at": uow.clock()})
    refresh_draft(uow, visit)
    return row


def propose_finding(uow, visit_id: str, cmd: dict) -> Finding:
    visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    description = (cmd.get("description") or "").strip()
    if not description:
        raise DomainError("Describe what you found", field="description", code="required")
    jobs = symptom_jobs(cmd["symptom"]) if cmd.get("symptom") else requested_lines(cmd.get("lines") or [])
    if not jobs:
        raise DomainError("The order needs at least one repair item", field="lines")
    priced_lines(jobs, current_price_book(uow.session))
    finding = Finding(
        visit_id=visit_id,
        description=description,
        jobs=jobs,
        status="proposed",
        proposed_by=uow.actor_id,
        proposed_at=uow.clock(),
    )
    uow.session.add(finding)
    uow.session.flush()
    rows_of(uow.session, visit_id).has_findings = True
    return finding


def decide_finding(uow, visit_id: str, finding_id: int, accepted: bool) -> Finding:
    """The customer accepts (the lines join the order) or declines (recorded as declined, not quoted)."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    finding = uow.session.get(Finding, finding_id)
    if finding is None or finding.visit_id != visit_id:
        raise NotFound("Finding not found", field="finding_id")
    finding.status = "accepted" if accepted else "declined"
    finding.decided_at, finding.recorded_by = uow.clock(), uow.actor_id
    uow.session.flush()
    refresh_draft(uow, visit)
    return finding


def findings(session, visit_id: str) -> list[dict]:
    book = current_price_book(session)
    out = []
    for f in session.scalars(sa.select(Finding).filter_by(visit_id=visit_id).order_by(Finding.id)):
        try:
            lines = priced_lines(f.jobs, book)
        except DomainError:
            lines = []
        total = RepairOrder.of_lines(lines).net()
        out.append(
            {
                "id": f.id,
                "description": f.description,
                "jobs": f.jobs,
                "lines": lines,
                "amount": total,
                "status": f.status,
                "proposed_by": f.proposed_by,
                "proposed_at": f.proposed_at,
                "decided_at": f.decided_at,
                "recorded_by": f.recorded_by,
            }
        )
    return out


PAY_TYPES = ("customer", "warranty", "internal")


def set_order_fields(uow, visit: HeldVisit, cmd: dict) -> HeldWriteUp:
    """Pay type, key tag (unique among open visits), the customer waits or leaves, the jobs."""
    jobs = requested_lines(cmd["lines"]) if cmd.get("lines") is not None else None
    if cmd.get("pay_type") is not None and cmd["pay_type"] not in PAY_TYPES:
        raise DomainError("Choose who pays: customer, warranty or internal", field="pay_type")
    tag = None
    if cmd.get("key_tag") is not None:
        tag = cmd["key_tag"].strip().upper()
        if not tag:
            raise DomainError("Enter the key tag number", field="key_tag", code="required")
    fields = {"updated_at": uow.clock()}
    if jobs is not None:
        fields["jobs"] = jobs
    if cmd.get("pay_type") is not None:
        fields["pay_type"] = cmd["pay_type"]
    if tag is not None:
        fields["key_tag"] = fields["open_key_tag"] = tag
    if cmd.get("customer_waits") is not None:
        fields["customer_waits"] = bool(cmd["customer_waits"])
    rows = rows_of(uow.session, visit.visit_id)
    try:
        if rows.write_up is None:  # a new row is written once, with its fields (a statement built once)
            rows.write_up = inserted(uow.session, HeldWriteUp, {**new_write_up(uow, visit), **fields})
            return rows.write_up
        row = saved(uow.session, rows.write_up, fields)
    except IntegrityError:  # the tag is on another open visit (R-RC-7): the unique index decides, no query first
        if cmd.get("key_tag") is None:
            raise
        raise DomainError(
            "Key tag {tag} is on another car still in the workshop", field="key_tag", code="key_tag_taken", tag=tag
        ) from None
    return row


def write_up_view(session, visit_id: str) -> dict | None:
    rows = rows_of(session, visit_id)
    if rows is None:
        return None
    row, visit = rows.write_up, rows.visit
    return {
        "customer_words": row.customer_words if row else (visit.complaint or ""),
        "concern": row.concern if row else "",
        "cause": row.cause if row else "",
        "correction": row.correction if row else "",
        "symptom_codes": row.symptom_codes if row else [],
        "jobs": row.jobs if row else [],
        "pay_type": row.pay_type if row else "customer",
        "key_tag": row.key_tag if row else None,
        "customer_waits": row.customer_waits if row else None,
    }


_WRITE_UPS = WriteUp.__table__
_CLOSE_VISIT_OF_ORDER = (  # built once, one Core statement: the open write-up of the order's visit is closed
    sa.update(_WRITE_UPS)
    .where(
        _WRITE_UPS.c.visit_id
        == sa.select(Order.__table__.c.visit_id)
        .where(Order.__table__.c.order_id == sa.bindparam("order_id"))
        .scalar_subquery(),
        _WRITE_UPS.c.closed_at.is_(None),
    )
    .values(closed_at=sa.bindparam("now"), open_key_tag=None)
)


def close_visit_for_order(session, order_id: str, now) -> None:
    """The car has left (vehicle_delivered): its key tag is free for another car."""
    session.connection().execute(_CLOSE_VISIT_OF_ORDER, {"order_id": order_id, "now": now})


def close_visit(uow, event) -> None:
    """vehicle_delivered -> the car has left the dealership: its key tag may go on another car (R-RC-7)."""
    close_visit_for_order(uow.session, event.payload["order_id"], uow.clock())


def write_up_data(session, visit_id: str, locale: str = "zh_CN") -> dict | None:
    """What the write-up page and GET /api/visits/<id>/write-up show."""
    visit = arrivals.visit(session, visit_id)
    if visit is None:
        return None
    book = current_price_book(session)
    view = write_up_view(session, visit_id)
    jobs = []
    for job in view["jobs"]:
        try:
            [line] = priced_lines([job], book)
        except DomainError:
            line = {**job, "description": "", "amount": None}
        jobs.append(line)
    return {
        "visit": visit,
        "sheet": walk_around_view(session, visit_id),
        "write_up": view,
        "jobs": jobs,
        "findings": findings(session, visit_id),
        "suggestions": suggestions(session, visit_id, None, locale),
        "price_book": (
            {
                "version": book.version,
                "labour": [{"code": c, "name": n, "hours": h} for c, (n, h) in sorted(book.labour.items())],
                "parts": [{"code": c, "name": n, "price": p} for c, (n, p) in sorted(book.parts.items())],
            }
            if book
            else None
        ),
    }
