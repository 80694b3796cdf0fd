"""The write-up on the advisor's tablet: the walk-around sheet (R-RC-1..3), the odometer change a service
manager confirms, complaint and diagnosis with the knowledge base (R-RC-4, R-KB-1), findings the customer
accepts or declines, and the order's fields (R-RC-5..7). Use cases `f(uow, …)`; the rules are plain
functions in walk_around.py and domain.py.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contracts import knowledge
from kit.errors import DomainError, NotFound

from . import domain, walk_around
from .models import Finding, OdometerChange, Order, Visit, WalkAround, WriteUp

PAY_TYPES = ("customer", "warranty", "internal")
FIRST_SERVICE_WORDS = ("首保", "首次保养", "first service")


def visit_of(session, visit_id: str) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("Visit not found", field="visit_id")
    return visit


def order_of_visit(session, visit_id: str) -> Order | None:
    return session.scalars(sa.select(Order).filter_by(visit_id=visit_id)).first()


def refuse_if_signed(session, visit_id: str) -> None:
    order = order_of_visit(session, visit_id)
    if order is not None and order.status != "draft":
        raise DomainError(
            "The order is signed; changes go through additional work with the customer's consent", code="order_signed"
        )


def sheet_of(uow, visit: Visit) -> WalkAround:
    row = uow.session.get(WalkAround, visit.visit_id)
    if row is None:
        words = (visit.complaint or "").lower()
        row = WalkAround(
            visit_id=visit.visit_id,
            covers={},
            sheet=walk_around.empty_sheet(),
            first_service=any(w.lower() in words for w in FIRST_SERVICE_WORDS),
            updated_at=uow.clock(),
        )
        uow.session.add(row)
    return row


def write_up_of(uow, visit: Visit) -> WriteUp:
    row = uow.session.get(WriteUp, visit.visit_id)
    if row is None:
        row = WriteUp(
            visit_id=visit.visit_id,
            customer_words=visit.complaint or "",
            concern="",
            cause="",
            correction="",
            symptom_codes=[],
            jobs=[],
            pay_type="customer",
            updated_at=uow.clock(),
        )
        uow.session.add(row)
    return row


# --- mileage and the odometer change (R-RC-2) ------------------------------------------------------------


def last_mileage(session, vin: str) -> int | None:
    """The highest reading reception recorded for this car since its last confirmed odometer change."""
    changed = session.scalar(sa.select(sa.func.max(OdometerChange.confirmed_at)).where(OdometerChange.vin == vin))
    from .models import MileageReading

    query = sa.select(sa.func.max(MileageReading.mileage_km)).where(MileageReading.vin == vin)
    if changed is not None:
        query = query.where(MileageReading.read_at > changed)
    return session.scalar(query)


def set_mileage(uow, visit: Visit, mileage_km: int) -> WalkAround:
    """R-RC-2: a reading lower than the last one is refused naming mileage_km, unless a service manager has
    confirmed an odometer change for this car."""
    if mileage_km is None or isinstance(mileage_km, bool) or int(mileage_km) < 0:
        raise DomainError("Enter the mileage shown on the odometer", field="mileage_km", code="required")
    domain.check_mileage(int(mileage_km), last_mileage(uow.session, visit.vehicle["vin"]))
    row = sheet_of(uow, visit)
    row.sheet = {**row.sheet, "mileage_km": int(mileage_km)}
    row.updated_at = uow.clock()
    return row


def confirm_odometer_change(uow, visit_id: str, cmd: dict) -> OdometerChange:
    """The service manager (their own permission) confirms the odometer was changed: who, when, why."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    reason = (cmd.get("reason") or "").strip()
    if not reason:
        raise DomainError("Say why the odometer reads lower (e.g. instrument cluster replaced)", field="reason")
    change = OdometerChange(
        visit_id=visit_id,
        vin=visit.vehicle["vin"],
        previous_km=last_mileage(uow.session, visit.vehicle["vin"]),
        reason=reason,
        confirmed_by=uow.actor_id,
        confirmed_at=uow.clock(),
    )
    uow.session.add(change)
    uow.session.flush()
    return change


def odometer_changes(session, visit_id: str) -> list[dict]:
    rows = session.scalars(sa.select(OdometerChange).filter_by(visit_id=visit_id).order_by(OdometerChange.id))
    return [
        {
            "previous_km": c.previous_km,
            "reason": c.reason,
            "confirmed_by": c.confirmed_by,
            "confirmed_at": c.confirmed_at,
        }
        for c in rows
    ]


# --- the walk-around sheet (R-RC-1..3) ----------------------------------------------------------------------


def fit_covers(uow, visit_id: str, cmd: dict, bays: tuple[str, ...] = walk_around.PRE_INSPECTION_BAYS) -> WalkAround:
    """R-RC-1: seat, steering wheel and floor covers fitted in front of the customer, each with its time."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    if not cmd.get("customer_present"):
        raise DomainError(
            "Covers are fitted in front of the customer: confirm the customer is watching",
            field="customer_present",
            code="customer_absent",
        )
    chosen = [name for name in walk_around.COVERS if cmd.get(name)]
    if not chosen:
        raise DomainError("Tick the covers you have fitted", field="covers", code="required")
    if visit.pre_inspection_started_at is None:  # R-RC-2/8: the walk-around is on a pre-inspection bay
        from .handlers import start_pre_inspection

        start_pre_inspection(uow, visit.visit_id, cmd.get("bay") or None, bays)  # a free bay (the first, unnamed)
    row = sheet_of(uow, visit)
    now = uow.clock().isoformat()
    row.covers = {**row.covers, **{name: row.covers.get(name) or now for name in chosen}}
    row.covers_by = uow.actor_id
    row.updated_at = uow.clock()
    return row


def record_walk_around(uow, visit_id: str, cmd: dict) -> WalkAround:
    """Fill in the sheet as the walk-around goes (any subset of its fields at a time)."""
    session = uow.session
    visit = visit_of(session, visit_id)
    refuse_if_signed(session, visit_id)
    row = sheet_of(uow, visit)
    sheet = dict(row.sheet)
    if cmd.get("vin") is not None:
        sheet["vin"] = walk_around.read_vin(cmd["vin"], visit.vehicle.get("vin", ""))
    if cmd.get("fuel_eighths") is not None:
        sheet["fuel_eighths"] = walk_around.fuel(cmd["fuel_eighths"])
    checks = dict(sheet.get("checks") or {})
    for name, item in (cmd.get("checks") or {}).items():
        if item and item.get("state"):
            checks[name] = walk_around.check_item(name, item["state"], item.get("note", ""))
    sheet["checks"] = checks
    if cmd.get("valuables") is not None:
        sheet["valuables"] = walk_around.valuables(cmd["valuables"].get("left"), cmd["valuables"].get("note", ""))
    if cmd.get("first_service") is not None:
        row.first_service = bool(cmd["first_service"])
    row.sheet = sheet
    if cmd.get("mileage_km") is not None:
        set_mileage(uow, visit, cmd["mileage_km"])
    if row.completed_at is not None and walk_around.missing(row.covers, row.sheet, row.first_service):
        row.completed_at, row.completed_by = None, None  # e.g. marked a first service: underbody now needed
    row.updated_at = uow.clock()
    _refresh_draft(uow, visit)
    return row


def mark_damage(uow, visit_id: str, cmd: dict) -> WalkAround:
    """Damage marked on the car diagram: its zone and kind (scratch, dent, crack …)."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = sheet_of(uow, visit)
    mark = walk_around.damage(cmd.get("zone") or "", cmd.get("kind") or "", cmd.get("note") or "")
    row.sheet = {**row.sheet, "damages": [*row.sheet.get("damages", []), mark]}
    row.updated_at = uow.clock()
    return row


def remove_damage(uow, visit_id: str, index: int) -> WalkAround:
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = sheet_of(uow, visit)
    damages = list(row.sheet.get("damages", []))
    if not 0 <= index < len(damages):
        raise NotFound("Damage mark not found", field="damage")
    del damages[index]
    row.sheet = {**row.sheet, "damages": damages}
    row.updated_at = uow.clock()
    return row


def complete_walk_around(uow, visit_id: str) -> WalkAround:
    """R-RC-1..3: complete only with every item; a first service needs the underbody check."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = sheet_of(uow, visit)
    walk_around.require_complete(row.covers, row.sheet, row.first_service)
    row.completed_at, row.completed_by, row.updated_at = uow.clock(), uow.actor_id, uow.clock()
    if visit.on_bay is not None:  # R-RC-8: the walk-around is done, the car leaves its pre-inspection bay
        visit.on_bay, visit.pre_inspection_left_at = None, uow.clock()
    return row


def require_walk_around_complete(session, visit_id: str) -> WalkAround:
    row = session.get(WalkAround, visit_id)
    if row is None or row.completed_at is None:
        raise DomainError(
            "The walk-around sheet must be complete before the order is signed",
            field="walk_around",
            code="walk_around_incomplete",
        )
    return row


def walk_around_view(session, visit_id: str) -> dict:
    row = session.get(WalkAround, visit_id)
    visit = session.get(Visit, visit_id)
    covers = row.covers if row else {}
    sheet = row.sheet if row else walk_around.empty_sheet()
    first_service = row.first_service if row else False
    return {
        "visit_id": visit_id,
        "covers": covers,
        "covers_by": row.covers_by if row else None,
        **sheet,
        "first_service": first_service,
        "missing": walk_around.missing(covers, sheet, first_service),
        "completed_at": row.completed_at if row else None,
        "completed_by": row.completed_by if row else None,
        "last_mileage_km": last_mileage(session, visit.vehicle["vin"]) if visit else None,
        "odometer_changes": odometer_changes(session, visit_id),
    }


def walk_around_summary(session, visit_id: str) -> dict:
    """What the signed order carries of the sheet (R-RC-1..3)."""
    row = require_walk_around_complete(session, visit_id)
    changes = odometer_changes(session, visit_id)
    return {
        "completed_at": row.completed_at,
        "completed_by": row.completed_by,
        "covers": dict(row.covers),
        "vin_read": row.sheet["vin"],
        "fuel_eighths": row.sheet["fuel_eighths"],
        "checks": dict(row.sheet["checks"]),
        "valuables": dict(row.sheet["valuables"]),
        "damages": list(row.sheet.get("damages", [])),
        "first_service": row.first_service,
        "odometer_change": changes[-1] if changes else None,
    }


# --- complaint, diagnosis and the knowledge base (R-RC-4, R-KB-1) -----------------------------------------


def record_diagnosis(uow, visit_id: str, cmd: dict) -> WriteUp:
    """The customer's own words, kept apart from the advisor's diagnosis (concern / cause / correction)."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = write_up_of(uow, visit)
    known = {s.code for s in knowledge.symptoms()}
    codes = [c for c in (cmd.get("symptom_codes") or []) if c]
    for code in codes:
        if code not in known:
            raise DomainError("Unknown symptom {code}", field="symptom_codes", code="symptom_unknown")
    for name in ("customer_words", "concern", "cause", "correction"):
        if cmd.get(name) is not None:
            setattr(row, name, cmd[name].strip())
    if cmd.get("symptom_codes") is not None:
        row.symptom_codes = codes
    if not row.customer_words:
        raise DomainError("Write down the customer's own words", field="customer_words", code="required")
    row.updated_at = uow.clock()
    _refresh_draft(uow, visit)
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
    from .handlers import current_price_book

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


def _requested(lines: list[dict]) -> list[dict]:
    out = []
    for line in lines:
        quantity = line.get("quantity")
        out.append(
            {
                "kind": line["kind"],
                "code": line["code"].strip().upper(),
                "quantity": None if quantity in (None, "") else str(quantity),
            }
        )
    return out


def _priced(jobs: list[dict], book) -> list[dict]:
    return domain.price_lines(
        [{**j, "quantity": None if j.get("quantity") is None else Decimal(str(j["quantity"]))} for j in jobs], book
    )


def add_jobs(uow, visit_id: str, cmd: dict) -> WriteUp:
    """Jobs for the order: explicit lines, or a knowledge-base suggestion's jobs and parts."""
    from .handlers import current_price_book

    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = write_up_of(uow, visit)
    new = symptom_jobs(cmd["symptom"]) if cmd.get("symptom") else _requested(cmd.get("lines") or [])
    if not new:
        raise DomainError("The order needs at least one repair item", field="lines")
    _priced(new, current_price_book(uow.session))  # refused here, naming the line, if not on the list
    have = {(j["kind"], j["code"]) for j in row.jobs}
    row.jobs = [*row.jobs, *(j for j in new if (j["kind"], j["code"]) not in have)]
    if cmd.get("symptom") and cmd["symptom"] not in row.symptom_codes:
        row.symptom_codes = [*row.symptom_codes, cmd["symptom"]]
    row.updated_at = uow.clock()
    _refresh_draft(uow, visit)
    return row


def remove_job(uow, visit_id: str, index: int) -> WriteUp:
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = write_up_of(uow, visit)
    if not 0 <= index < len(row.jobs):
        raise NotFound("Repair item not found", field="lines")
    row.jobs = [j for i, j in enumerate(row.jobs) if i != index]
    row.updated_at = uow.clock()
    _refresh_draft(uow, visit)
    return row


# --- findings the customer had not noticed (R-RC-4) -------------------------------------------------------


def propose_finding(uow, visit_id: str, cmd: dict) -> Finding:
    from .handlers import current_price_book

    visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    description = (cmd.get("description") or "").strip()
    if not description:
        raise DomainError("Describe what you found", field="description", code="required")
    jobs = symptom_jobs(cmd["symptom"]) if cmd.get("symptom") else _requested(cmd.get("lines") or [])
    if not jobs:
        raise DomainError("The order needs at least one repair item", field="lines")
    _priced(jobs, current_price_book(uow.session))
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
    _refresh_draft(uow, visit)
    return finding


def findings(session, visit_id: str) -> list[dict]:
    from .handlers import current_price_book

    book = current_price_book(session)
    out = []
    for f in session.scalars(sa.select(Finding).filter_by(visit_id=visit_id).order_by(Finding.id)):
        try:
            lines = _priced(f.jobs, book)
        except DomainError:
            lines = []
        total = sum((line["amount"] for line in lines), Decimal("0"))
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


# --- the order's fields (R-RC-5..7) and its body --------------------------------------------------------------


def set_order_fields(uow, visit: Visit, cmd: dict) -> WriteUp:
    """Pay type, key tag (unique among open visits), the customer waits or leaves, the jobs."""
    row = write_up_of(uow, visit)
    if cmd.get("lines") is not None:
        row.jobs = _requested(cmd["lines"])
    if cmd.get("pay_type") is not None:
        if cmd["pay_type"] not in PAY_TYPES:
            raise DomainError("Choose who pays: customer, warranty or internal", field="pay_type")
        row.pay_type = cmd["pay_type"]
    if cmd.get("key_tag") is not None:
        tag = cmd["key_tag"].strip().upper()
        if not tag:
            raise DomainError("Enter the key tag number", field="key_tag", code="required")
        holder = uow.session.scalars(
            sa.select(WriteUp).where(WriteUp.open_key_tag == tag, WriteUp.visit_id != visit.visit_id)
        ).first()
        if holder is not None:
            raise DomainError(
                "Key tag {tag} is on another car still in the workshop", field="key_tag", code="key_tag_taken", tag=tag
            )
        row.key_tag = row.open_key_tag = tag
    if cmd.get("customer_waits") is not None:
        row.customer_waits = bool(cmd["customer_waits"])
    row.updated_at = uow.clock()
    try:
        uow.session.flush()
    except IntegrityError:  # another advisor gave the same tag a moment ago: the unique index decided
        if cmd.get("key_tag") is None:
            raise
        raise DomainError(
            "Key tag {tag} is on another car still in the workshop", field="key_tag", code="key_tag_taken", tag=tag
        ) from None
    return row


def compose_body(uow, visit: Visit, order: Order | None, promise: dict) -> dict:
    """The order body (R-RC-5): jobs and accepted findings priced from the published list, totals, the
    diagnosis, declined findings, pay type, key tag, waiting, and the promise with where it came from."""
    from .handlers import current_price_book

    session = uow.session
    row = write_up_of(uow, visit)
    book = current_price_book(session)
    if book is None:
        domain.price_lines([], None)  # raises no_price_list
    accepted = session.scalars(
        sa.select(Finding).filter_by(visit_id=visit.visit_id, status="accepted").order_by(Finding.id)
    ).all()
    jobs = [*row.jobs]
    for f in accepted:
        jobs += [j for j in f.jobs if (j["kind"], j["code"]) not in {(x["kind"], x["code"]) for x in jobs}]
    lines = _priced(jobs, book)
    declined, noted = [], []
    for f in session.scalars(
        sa.select(Finding).where(Finding.visit_id == visit.visit_id, Finding.status != "proposed").order_by(Finding.id)
    ):
        priced = _priced(f.jobs, book)
        amount = sum((line["amount"] for line in priced), Decimal("0"))
        noted.append({"description": f.description, "status": f.status, "amount": amount})
        if f.status == "declined":
            declined += [{k: v for k, v in line.items() if k != "line_no"} for line in priced]
    subtotal, vat, total = domain.totals(lines, book.vat_rate)
    sheet = sheet_of(uow, visit)
    mileage = sheet.sheet.get("mileage_km")
    if mileage is None:
        raise DomainError("Enter the mileage shown on the odometer", field="mileage_km", code="required")
    return {
        "order_id": order.order_id if order else None,
        "version": 1,
        "visit_id": visit.visit_id,
        "dealer_id": uow.dealer_id,
        "appointment_id": visit.appointment_id,
        "customer": visit.customer,
        "vehicle": {k: visit.vehicle[k] for k in ("vin", "plate", "model") if k in visit.vehicle},
        "mileage_km": mileage,
        "advisor_id": visit.advisor_id,
        "price_list_version": book.version,
        "lines": lines,
        "subtotal": subtotal,
        "vat_rate": book.vat_rate,
        "vat": vat,
        "total": total,
        "promised_at": promise["promised_at"],
        # additive fields (issue #5): consumers that do not know them still verify and load the body
        "promise_source": promise["source"],
        "promise_note": promise.get("note", ""),
        "pay_type": row.pay_type,
        "key_tag": row.key_tag,
        "customer_waits": row.customer_waits,
        "complaint": {
            "customer_words": row.customer_words,
            "concern": row.concern,
            "cause": row.cause,
            "correction": row.correction,
            "symptom_codes": list(row.symptom_codes),
            "findings": noted,
        },
        **({"declined_lines": declined} if declined else {}),  # R-RC-4: recorded as declined, not quoted
    }


def _refresh_draft(uow, visit: Visit) -> None:
    """A draft already written follows the write-up (diagnosis, findings, mileage), keeping its promise."""
    import json

    from kit.web import JSONEncoder

    order = order_of_visit(uow.session, visit.visit_id)
    if order is None or order.status != "draft":
        return
    uow.session.flush()
    promise = {
        "promised_at": order.draft["promised_at"],
        "source": order.draft.get("promise_source") or "manual",
        "note": order.draft.get("promise_note", ""),
    }
    try:
        body = compose_body(uow, visit, order, promise)
    except DomainError:
        return  # e.g. every job removed: the draft stays until the advisor writes the order again
    order.draft, order.updated_at = json.loads(json.dumps(body, cls=JSONEncoder)), uow.clock()


def require_ready_to_sign(session, order: Order) -> dict:
    """R-RC-1..7 before the first signature: a complete walk-around, every finding decided, the key tag and
    whether the customer waits. Returns the walk-around summary for the signed body."""
    summary = walk_around_summary(session, order.visit_id)
    pending = session.scalars(sa.select(Finding).filter_by(visit_id=order.visit_id, status="proposed")).first()
    if pending is not None:
        raise DomainError(
            "The customer has not yet accepted or declined every finding", field="findings", code="finding_pending"
        )
    row = session.get(WriteUp, order.visit_id)
    if row is None or not row.key_tag:
        raise DomainError("Enter the key tag number", field="key_tag", code="required")
    if row.customer_waits is None:
        raise DomainError("Does the customer wait in the lounge or leave?", field="customer_waits", code="required")
    return summary


def write_up_view(session, visit_id: str) -> dict | None:
    row = session.get(WriteUp, visit_id)
    visit = session.get(Visit, visit_id)
    if visit is None:
        return None
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


def close_visit_for_order(session, order_id: str, now) -> None:
    """The car has left (vehicle_delivered): its key tag is free for another car."""
    order = session.get(Order, order_id)
    if order is None:
        return
    row = session.get(WriteUp, order.visit_id)
    if row is not None and row.closed_at is None:
        row.closed_at, row.open_key_tag = now, None


def labour_hours(session, visit_id: str, lines: list[dict] | None = None) -> Decimal | None:
    """The standard hours the order would hold (its jobs, or `lines`, plus accepted findings), to ask the
    workshop for a promise before the order is written; None while they cannot be priced."""
    from .handlers import current_price_book

    row = session.get(WriteUp, visit_id)
    jobs = _requested(lines) if lines is not None else list(row.jobs if row else [])
    for f in session.scalars(sa.select(Finding).filter_by(visit_id=visit_id, status="accepted")):
        jobs += [j for j in f.jobs if (j["kind"], j["code"]) not in {(x["kind"], x["code"]) for x in jobs}]
    try:
        priced = _priced(jobs, current_price_book(session))
    except DomainError:
        return None
    return sum((line["quantity"] for line in priced if line["kind"] == "labour"), Decimal("0"))


def close_visit(uow, event) -> None:
    """vehicle_delivered -> the car has left the dealership: its key tag may go on another car (R-RC-7)."""
    close_visit_for_order(uow.session, event.payload["order_id"], uow.clock())
