"""Reception's use cases: expected arrivals, check-in, writing, pricing and signing the order."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope, names
from contracts.events import OrderSchema
from contracts.validators import check_mobile, check_vin
from kit import signatures
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.web import JSONEncoder

from . import domain, pre_inspection, write_up
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
    p = event.payload
    if uow.session.get(PriceListCopy, p["version"]) is not None:
        return
    uow.session.add(
        PriceListCopy(
            version=p["version"],
            effective_from=p["effective_from"],
            labour_rate=p["labour_rate"],
            vat_rate=p["vat_rate"],
            labour={
                op["code"]: {"name": op["name"], "standard_hours": str(op["standard_hours"])}
                for op in p["labour_operations"]
            },
            parts={
                part["part_no"]: {"name": part["name"], "unit_price": str(part["unit_price"])} for part in p["parts"]
            },
        )
    )


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


def check_in(uow, cmd: dict) -> Visit:
    """A booked arrival (by appointment id or plate) or a walk-in (customer, vehicle, advisor)."""
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
    session.add(visit)
    session.flush()
    watch_pre_inspection(uow)  # R-RC-8: the fourth waiting car raises the alert at once
    return visit


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


def start_pre_inspection(uow, visit_id: str, bay: str) -> Visit:
    """The car leaves the waiting line for a pre-inspection bay (the walk-around starts, R-RC-2)."""
    visit = uow.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("Visit not found", field="visit_id")
    visit.pre_inspection_started_at, visit.pre_inspection_bay = uow.clock(), bay
    uow.session.flush()
    watch_pre_inspection(uow)
    return visit


def last_mileage(session, vin: str) -> int | None:
    """The highest odometer reading reception has recorded for this car (R-RC-2), since the last odometer
    change a service manager confirmed."""
    return write_up.last_mileage(session, vin)


def pre_inspection_area(session, now) -> dict:
    waiting = session.scalars(
        sa.select(Visit)
        .where(Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in")
        .order_by(Visit.checked_in_at)
    )
    incidents = session.scalars(sa.select(CongestionIncident).order_by(CongestionIncident.id.desc()).limit(50))
    return {
        "waiting": [
            {
                "visit_id": v.visit_id,
                "plate": v.plate,
                "checked_in_at": v.checked_in_at,
                "waited_seconds": int((now - v.checked_in_at).total_seconds()),
            }
            for v in waiting
        ],
        "incidents": [
            {
                "id": i.id,
                "raised_at": i.raised_at,
                "cause": i.cause,
                "waiting": i.waiting,
                "longest_wait_seconds": i.longest_wait_seconds,
                "cleared_at": i.cleared_at,
            }
            for i in incidents
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
    uow.emit(names.ORDER_SIGNED, signed, correlation_id=order.visit_id)
    return version


def _loaded(body: dict) -> dict:
    return OrderSchema().load(body)


def current_price_book(session) -> domain.PriceBook | None:
    copy = session.scalars(sa.select(PriceListCopy).order_by(PriceListCopy.effective_from.desc()).limit(1)).first()
    if copy is None:
        return None
    return domain.PriceBook(
        version=copy.version,
        labour_rate=copy.labour_rate,
        vat_rate=copy.vat_rate,
        labour={code: (v["name"], Decimal(v["standard_hours"])) for code, v in copy.labour.items()},
        parts={no: (v["name"], Decimal(v["unit_price"])) for no, v in copy.parts.items()},
    )


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
