"""Reception's use cases: expected arrivals, check-in, writing, pricing and signing the order."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contracts import Envelope, names
from contracts.events import OrderSchema
from contracts.validators import check_mobile, check_vin
from kit import price_list, signatures
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.web import JSONEncoder

from . import domain, incidents, pre_inspection, write_up
from .models import (
    CancelledAppointment,
    CongestionIncident,
    ExpectedArrival,
    MileageReading,
    Order,
    OrderVersion,
    PriceListCopy,
    Visit,
)


def take_price_list(uow, event: Envelope) -> None:
    """price_list_published -> the local copy reception prices orders from (works while billing is down)."""
    price_list.take(uow, event, PriceListCopy)


def expect_arrival(uow, event: Envelope) -> None:
    """appointment_booked -> the car is expected; the booked advisor will receive it (R-BK-5)."""
    a = event.raw_payload
    if uow.session.get(CancelledAppointment, a["appointment_id"]):
        return
    uow.session.add(
        ExpectedArrival(
            appointment_id=a["appointment_id"],
            visit_id=a["visit_id"],
            plate=normal_plate(a["vehicle"]["plate"]),
            customer=a["customer"],
            vehicle=a["vehicle"],
            starts_at=event.payload["starts_at"],
            advisor_id=a["advisor_id"],
            complaint=a.get("complaint", ""),
            planned_labour=a.get("planned_labour", []),
            planned_parts=a.get("planned_parts", []),
        )
    )


def forget_arrival(uow, event: Envelope) -> None:
    """appointment_cancelled -> the car is no longer expected (unless it has already arrived)."""
    appointment_id = event.payload["appointment_id"]
    if uow.session.get(CancelledAppointment, appointment_id) is None:
        uow.session.add(CancelledAppointment(appointment_id=appointment_id, cancelled_at=uow.clock()))
    arrival = uow.session.get(ExpectedArrival, appointment_id)
    if arrival is not None and not arrival.arrived:
        uow.session.delete(arrival)


def move_arrival(uow, event: Envelope) -> None:
    """appointment_rescheduled -> the car is expected at its new time, by the advisor now named (R-BK-5)."""
    arrival = uow.session.get(ExpectedArrival, event.payload["appointment_id"])
    if arrival is not None and not arrival.arrived:
        arrival.starts_at, arrival.advisor_id = event.payload["starts_at"], event.payload["advisor_id"]


def drop_arrival(uow, event: Envelope) -> None:
    """appointment_no_show -> the car is no longer expected (as for a cancellation)."""
    forget_arrival(uow, event)


def normal_plate(plate: str) -> str:
    """A plate as booking writes it: upper case, without spaces or the middle dot."""
    return "".join(ch for ch in (plate or "").upper() if ch not in " \t·.-")


SHANGHAI = ZoneInfo("Asia/Shanghai")


def check_in(uow, cmd: dict, tz: ZoneInfo = SHANGHAI) -> Visit:
    """A booked arrival (by appointment id or plate) or a walk-in (customer, vehicle, advisor). The car waits
    in the pre-inspection area with a queue ticket 叫号牌, the day's next number (R-RC-8)."""
    session = uow.session
    arrival = None
    if cmd.get("appointment_id"):
        arrival = session.get(ExpectedArrival, cmd["appointment_id"])
        if arrival is None:
            raise NotFound(
                "Appointment not found (it may not have reached reception yet, try again shortly)",
                field="appointment_id",
            )
    elif cmd.get("plate") and not cmd.get("vehicle"):
        # R-BK-5: the booked car by its plate ("沪A·12345", "沪a 12345" alike); the nearest appointment first
        now = uow.clock()
        candidates = session.scalars(
            sa.select(ExpectedArrival).filter_by(plate=normal_plate(cmd["plate"]), arrived=False)
        ).all()
        arrival = min(candidates, key=lambda a: abs((a.starts_at - now).total_seconds()), default=None)
        if arrival is None:
            raise NotFound("This plate has no appointment today; check it in as a walk-in", field="plate")
    if arrival is not None:
        if arrival.arrived:
            raise DomainError(
                "This appointment has already been checked in", field="appointment_id", code="already_checked_in"
            )
        arrival.arrived = True
        visit = Visit(
            visit_id=arrival.visit_id,
            appointment_id=arrival.appointment_id,
            plate=arrival.plate,
            customer=arrival.customer,
            vehicle=arrival.vehicle,
            advisor_id=arrival.advisor_id,
            complaint=arrival.complaint,
        )
    else:
        for key in ("customer", "vehicle", "advisor_id"):
            if not cmd.get(key):
                raise DomainError(
                    "A walk-in needs the customer, the vehicle and the service advisor", field=key, code="required"
                )
        vehicle = {
            **cmd["vehicle"],
            "vin": check_vin(cmd["vehicle"].get("vin", ""), field="vehicle.vin"),
            "plate": normal_plate(cmd["vehicle"]["plate"]),
        }
        customer = {**cmd["customer"], "mobile": check_mobile(cmd["customer"].get("mobile", ""))}
        visit = Visit(
            visit_id=str(uuid.uuid4()),
            plate=vehicle["plate"],
            customer=customer,
            vehicle=vehicle,
            advisor_id=cmd["advisor_id"],
            complaint=cmd.get("complaint", ""),
        )
    visit.checked_in_at = uow.clock()
    visit.checked_in_by = uow.actor_id
    visit.ticket_day = pre_inspection.ticket_day(visit.checked_in_at, tz)
    visit.ticket_no = next_ticket(session, visit.ticket_day)
    session.add(visit)
    session.flush()
    watch_pre_inspection(uow)  # R-RC-8: the fourth waiting car raises the alert at once
    return visit


def next_ticket(session, day) -> int:
    """The day's next queue ticket number (R-RC-8). Two check-ins at the same moment may both read the same
    number: the unique (day, number) index refuses the second, and `checked_in` runs it again."""
    last = session.scalar(sa.select(sa.func.max(Visit.ticket_no)).where(Visit.ticket_day == day))
    return (last or 0) + 1


TICKET_ATTEMPTS = 5


def checked_in(work, cmd: dict, *, actor_id: str | None, tz: ZoneInfo = SHANGHAI) -> Visit:
    """Check a car in through `work` (kit.uow.Work), settling a queue ticket race: when another advisor took
    the same number a moment ago the unique index decided, and this check-in runs again with the next one."""
    for _attempt in range(TICKET_ATTEMPTS - 1):
        try:
            return work.run(check_in, cmd, tz, actor_id=actor_id)
        except IntegrityError:
            continue  # everything of the attempt was rolled back; a booked arrival still not arrived
    return work.run(check_in, cmd, tz, actor_id=actor_id)


def watch_pre_inspection(uow) -> CongestionIncident | None:
    """R-RC-8: raise an incident (and alert the manager) when the area becomes congested; close it when
    it clears. Runs after every check-in and take-over, and on a timer for the 20-minute rule."""
    session = uow.session
    waiting = list(
        session.scalars(
            sa.select(Visit.checked_in_at).where(
                Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in"
            )
        )
    )
    now = uow.clock()
    found = pre_inspection.congestion(waiting, now)
    incident = session.scalars(sa.select(CongestionIncident).where(CongestionIncident.cleared_at.is_(None))).first()
    if found is None:
        if incident is not None:
            incident.cleared_at = now
        return None
    if incident is not None:
        return incident  # already alerted; one incident until the area clears
    incident = CongestionIncident(
        raised_at=now,
        cause=found.cause,
        waiting=found.waiting,
        longest_wait_seconds=int(found.longest_wait.total_seconds()),
    )
    session.add(incident)
    session.flush()
    uow.emit(
        names.PRE_INSPECTION_CONGESTED,
        {
            "incident_id": incident.id,
            "cause": found.cause,
            "waiting": found.waiting,
            "longest_wait_seconds": incident.longest_wait_seconds,
            "actions": list(pre_inspection.ACTIONS),
        },
        correlation_id=f"pre-inspection:{incident.id}",
    )
    return incident


def start_pre_inspection(
    uow, visit_id: str, bay: str | None = None, bays: tuple[str, ...] = pre_inspection.DEFAULT_BAYS
) -> Visit:
    """The car leaves the waiting line for a pre-inspection bay (the walk-around starts, R-RC-2): its ticket
    is called. Only onto a free bay (R-RC-8); without a bay named, the first free one."""
    session = uow.session
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("Visit not found", field="visit_id")
    if visit.pre_inspection_started_at is not None:
        if bay is None or (bay or "").strip().upper() == visit.pre_inspection_bay:
            return visit  # already called (a second tap changes nothing)
        raise DomainError(
            N_("This car has already been called to pre-inspection bay {bay}"),
            field="bay",
            code="already_called",
            bay=visit.pre_inspection_bay,
        )
    occupied = bays_occupied(session)
    if bay is None or not str(bay).strip():
        bay = next((b for b in bays if b not in occupied), None)
        if bay is None:
            raise DomainError(N_("Every pre-inspection bay is occupied"), field="bay", code="bays_full")
    bay = pre_inspection.check_bay(bay, bays, occupied.get((bay or "").strip().upper()))
    now = uow.clock()
    visit.pre_inspection_started_at, visit.pre_inspection_bay, visit.on_bay = now, bay, bay
    visit.ticket_called_at, visit.ticket_called_by = now, uow.actor_id
    try:
        session.flush()
    except IntegrityError:  # another advisor took a car onto this bay a moment ago: the unique index decided
        raise DomainError(
            N_("Pre-inspection bay {bay} was taken a moment ago"), field="bay", code="bay_occupied", bay=bay
        ) from None
    watch_pre_inspection(uow)
    return visit


def call_next(uow, bay: str | None = None, bays: tuple[str, ...] = pre_inspection.DEFAULT_BAYS) -> Visit:
    """A bay is free: the advisor calls the next ticket (the car waiting longest) onto it (R-RC-8)."""
    first = uow.session.scalars(
        sa.select(Visit)
        .where(Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in")
        .order_by(Visit.checked_in_at, Visit.ticket_no)
        .limit(1)
    ).first()
    if first is None:
        raise DomainError(N_("No car is waiting"), field="bay", code="nobody_waiting")
    return start_pre_inspection(uow, first.visit_id, bay, bays)


def leave_bay(uow, visit_id: str) -> Visit:
    """The car leaves its pre-inspection bay (walk-around done, or moved off): the bay is free again."""
    visit = uow.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("Visit not found", field="visit_id")
    if visit.on_bay is not None:
        visit.on_bay, visit.pre_inspection_left_at = None, uow.clock()
        uow.session.flush()
    return visit


def cars_ahead(session, visit_id: str) -> int:
    """How many cars still waiting checked in before this one (printed on the customer's ticket)."""
    visit = session.get(Visit, visit_id)
    if visit is None or visit.pre_inspection_started_at is not None:
        return 0
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Visit)
        .where(
            Visit.pre_inspection_started_at.is_(None),
            Visit.status == "checked_in",
            Visit.checked_in_at < visit.checked_in_at,
        )
    )


def bays_occupied(session) -> dict[str, str]:
    """bay -> plate of the car on it now."""
    rows = session.execute(sa.select(Visit.on_bay, Visit.plate).where(Visit.on_bay.is_not(None))).all()
    return {bay: plate for bay, plate in rows}


def last_mileage(session, vin: str) -> int | None:
    """The highest odometer reading reception has recorded for this car (R-RC-2), since the last odometer
    change a service manager confirmed."""
    return write_up.last_mileage(session, vin)


def pre_inspection_area(session, now, bays: tuple[str, ...] = pre_inspection.DEFAULT_BAYS) -> dict:
    """R-RC-8, the screen of the area: the bays and the car on each, the waiting line with its tickets and
    waits, the open incident (what triggered it, what the manager did) and the latest incidents."""
    waiting = session.scalars(
        sa.select(Visit)
        .where(Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in")
        .order_by(Visit.checked_in_at, Visit.ticket_no)
    )
    on_bays = {v.on_bay: v for v in session.scalars(sa.select(Visit).where(Visit.on_bay.is_not(None)))}
    latest = list(session.scalars(sa.select(CongestionIncident).order_by(CongestionIncident.id.desc()).limit(50)))
    open_incident = next((i for i in latest if i.cleared_at is None), None)
    return {
        "bays": [
            {
                "bay": bay,
                "visit": None
                if bay not in on_bays
                else {
                    "visit_id": on_bays[bay].visit_id,
                    "plate": on_bays[bay].plate,
                    "ticket": pre_inspection.ticket_label(on_bays[bay].ticket_no),
                    "advisor_id": on_bays[bay].advisor_id,
                    "since": on_bays[bay].pre_inspection_started_at,
                    "called_by": on_bays[bay].ticket_called_by,
                },
            }
            for bay in (*bays, *sorted(b for b in on_bays if b not in bays))  # a bay since removed, still held
        ],
        "waiting": [
            {
                "visit_id": v.visit_id,
                "plate": v.plate,
                "ticket": pre_inspection.ticket_label(v.ticket_no),
                "advisor_id": v.advisor_id,
                "checked_in_at": v.checked_in_at,
                "waited_seconds": int((now - v.checked_in_at).total_seconds()),
                "waited_minutes": int((now - v.checked_in_at).total_seconds()) // 60,
                "over_limit": now - v.checked_in_at > pre_inspection.WAIT_LIMIT,
            }
            for v in waiting
        ],
        "open_incident": None
        if open_incident is None
        else incidents.incident_view(
            open_incident, {}, incidents.actions_of(session, [open_incident.id]).get(open_incident.id)
        ),
        "incidents": [
            {
                "id": i.id,
                "raised_at": i.raised_at,
                "cause": i.cause,
                "waiting": i.waiting,
                "longest_wait_seconds": i.longest_wait_seconds,
                "cleared_at": i.cleared_at,
            }
            for i in latest
        ],
    }


def write_order(uow, visit_id: str, cmd: dict, promise=None) -> Order:
    """R-RC-5..7: the jobs (and accepted findings) priced from the published list, totals, pay type, key tag,
    whether the customer waits, and the promised delivery time from the workshop's load.

    `promise(hours, not_before)` asks the workshop (None when it does not answer); a promise entered by hand
    (`promised_at`) needs a note saying why.
    """
    session = uow.session
    visit = write_up.visit_of(session, visit_id)
    order = session.scalars(sa.select(Order).filter_by(visit_id=visit_id)).first()
    if order is not None and order.status != "draft":
        raise DomainError(
            "The order is signed; changes go through additional work with the customer's consent", code="order_signed"
        )
    if cmd.get("mileage_km") is not None:
        write_up.set_mileage(uow, visit, cmd["mileage_km"])
    write_up.set_order_fields(uow, visit, cmd)
    now = uow.clock()
    body = write_up.compose_body(uow, visit, order, {"promised_at": now, "source": "manual"})
    if cmd.get("promised_at"):
        note = (cmd.get("promise_note") or "").strip()
        if not note:
            raise DomainError(
                "A delivery time entered by hand needs a note (why, and who agreed it)",
                field="promise_note",
                code="promise_note_required",
            )
        body.update(promised_at=cmd["promised_at"], promise_source="manual", promise_note=note)
    else:
        hours = sum((line["quantity"] for line in body["lines"] if line["kind"] == "labour"), Decimal("0"))
        answer = promise(hours, now) if promise is not None else None
        if answer is None:
            raise DomainError(
                "The workshop did not answer with a delivery time; enter the promise by hand with a note",
                field="promised_at",
                code="promise_needed",
            )
        body.update(promised_at=answer, promise_source="workshop", promise_note="")
    body["order_id"] = order.order_id if order else str(uuid.uuid4())
    draft = json.loads(json.dumps(body, cls=JSONEncoder))
    if order is None:
        order = Order(order_id=body["order_id"], visit_id=visit_id, draft=draft, updated_at=now)
        session.add(order)
    else:
        order.draft, order.updated_at = draft, now
    session.flush()
    return order


def sign_order(
    uow,
    order_id: str,
    *,
    advisor_id: str,
    signer,
    customer_signature: str | None = None,
    customer_signature_sha256: str | None = None,
) -> OrderVersion:
    """R-RC-6: the customer signs, then the advisor; the version is signed (Ed25519) and announced.

    The customer's signature is either an image captured on the tablet beforehand (its SHA-256, see
    kit.signatures) or the image itself (a data URL).
    """
    session = uow.session
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("Work order not found", field="order_id")
    if order.status == "signed":
        raise DomainError("The order is already signed", code="already_signed")
    if customer_signature_sha256:
        if not signatures.exists(session, customer_signature_sha256):
            raise DomainError(N_("The customer has not signed yet"), field="customer_signature", code="unsigned")
        digest = customer_signature_sha256
    else:
        digest = signatures.store(uow, customer_signature, field="customer_signature")
    if advisor_id != order.draft["advisor_id"]:
        raise DomainError(
            "The order must be signed by the advisor who received the car", field="advisor_id", code="wrong_advisor"
        )
    summary = write_up.require_ready_to_sign(session, order)  # R-RC-1..7: a complete walk-around, …
    now = uow.clock()
    body = {
        **order.draft,
        "version": order.signed_version + 1,
        "customer_signature_sha256": digest,
        "signed_at": now.isoformat(),
        "walk_around": json.loads(json.dumps(summary, cls=JSONEncoder)),
    }
    signed = signer.sign(_loaded(body))
    session.add(
        MileageReading(vin=body["vehicle"]["vin"], mileage_km=body["mileage_km"], read_at=now, order_id=order_id)
    )
    version = OrderVersion(
        order_id=order_id, version=body["version"], signed=signed, signed_at=now, advisor_id=advisor_id
    )
    session.add(version)
    order.status, order.signed_version, order.updated_at = "signed", body["version"], now
    visit = session.get(Visit, order.visit_id)
    visit.status = "order_signed"
    if visit.on_bay is not None:  # R-RC-8: a signed car is no longer on a pre-inspection bay
        visit.on_bay, visit.pre_inspection_left_at = None, now
    uow.emit(names.ORDER_SIGNED, signed, correlation_id=order.visit_id)
    return version


def _loaded(body: dict) -> dict:
    return OrderSchema().load(body)


def current_price_book(session) -> domain.PriceBook | None:
    return price_list.current(session, PriceListCopy)


# --- views -------------------------------------------------------------------------------------


def expected_arrivals(
    session, appointment_id: str | None = None, include_arrived: bool = False, limit: int = 200
) -> list[dict]:
    """Cars still expected, earliest first (R-BK-5); one appointment's entry when asked by id."""
    query = sa.select(ExpectedArrival).order_by(ExpectedArrival.starts_at).limit(limit)
    if appointment_id:
        query = query.where(ExpectedArrival.appointment_id == appointment_id)
    elif not include_arrived:
        query = query.where(ExpectedArrival.arrived.is_(False))
    rows = session.scalars(query)
    return [
        {
            "appointment_id": a.appointment_id,
            "visit_id": a.visit_id,
            "plate": a.plate,
            "customer": a.customer,
            "vehicle": a.vehicle,
            "starts_at": a.starts_at,
            "advisor_id": a.advisor_id,
            "complaint": a.complaint,
            "planned_labour": a.planned_labour,
            "planned_parts": a.planned_parts,
            "arrived": a.arrived,
        }
        for a in rows
    ]


def visits(session) -> list[dict]:
    rows = session.execute(
        sa.select(Visit, Order).outerjoin(Order, Order.visit_id == Visit.visit_id).order_by(Visit.checked_in_at.desc())
    ).all()
    return [visit_view(v, o) for v, o in rows]


def visit(session, visit_id: str) -> dict | None:
    row = session.execute(
        sa.select(Visit, Order).outerjoin(Order, Order.visit_id == Visit.visit_id).where(Visit.visit_id == visit_id)
    ).first()
    return visit_view(*row) if row else None


def visit_view(v: Visit, o: Order | None) -> dict:
    return {
        "visit_id": v.visit_id,
        "appointment_id": v.appointment_id,
        "plate": v.plate,
        "customer": v.customer,
        "vehicle": v.vehicle,
        "advisor_id": v.advisor_id,
        "complaint": v.complaint,
        "checked_in_at": v.checked_in_at,
        "status": v.status,
        "pre_inspection_started_at": v.pre_inspection_started_at,
        "pre_inspection_bay": v.pre_inspection_bay,
        "on_bay": v.on_bay,
        "ticket": pre_inspection.ticket_label(v.ticket_no),
        "ticket_day": v.ticket_day,
        "ticket_called_at": v.ticket_called_at,
        "order": order_view_of(o) if o else None,
    }


def order_view_of(o: Order) -> dict:
    return {"order_id": o.order_id, "status": o.status, "signed_version": o.signed_version, "draft": o.draft}


def order(session, order_id: str) -> dict | None:
    o = session.get(Order, order_id)
    if o is None:
        return None
    versions = session.scalars(sa.select(OrderVersion).filter_by(order_id=order_id).order_by(OrderVersion.version))
    return {
        **order_view_of(o),
        "versions": [{"version": v.version, "signed_at": v.signed_at, "signed": v.signed} for v in versions],
    }
