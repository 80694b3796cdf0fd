"""Follow-up calls 回访 (R-FU-1..4): created after every delivery, assigned and reassigned by the manager, made
by the agent with the script, retried when the customer is unreachable, escalated when overdue."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from contracts import Envelope, names
from kit import notify
from kit.config import Settings, derived
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.paging import Page, contains, paginate
from kit.types import utcnow

from ..domain import attempts as ladder_rules
from ..domain import callers as caller_rules
from ..domain import script
from ..domain.calendar import CallWindow, WorkingCalendar, call_state, call_window
from ..models import CallAttempt, Caller, CareCustomer, CareTask, FollowUpCall
from . import complaints

OPEN = ("scheduled", "unassigned", "call_back", "unreachable")


def calendar() -> WorkingCalendar:
    """The working calendar of the settings as they stand (FOLLOWUP_CLOSED_WEEKDAYS, FOLLOWUP_HOLIDAYS,
    DEALER_TIMEZONE), built once for each value they take (kit.config.derived)."""
    return derived(_calendar, _CALENDAR_SETTINGS)


_CALENDAR_SETTINGS = ("FOLLOWUP_CLOSED_WEEKDAYS", "FOLLOWUP_HOLIDAYS", "DEALER_TIMEZONE")


def _calendar() -> WorkingCalendar:
    settings = Settings.load()
    return WorkingCalendar.from_settings(settings.raw, settings.tz)


def active_callers(session) -> list[str]:
    return list(session.scalars(sa.select(Caller.staff_id).filter_by(active=True).order_by(Caller.staff_id)))


def open_load(session) -> dict[str, int]:
    return dict(
        session.execute(
            sa.select(FollowUpCall.assigned_to, sa.func.count())
            .where(FollowUpCall.status.in_(OPEN), FollowUpCall.assigned_to.is_not(None))
            .group_by(FollowUpCall.assigned_to)
        ).all()
    )


def callers_and_load(session, connection=None) -> tuple[list[str], dict[str, int]]:
    """`active_callers` and their part of `open_load`, in one statement (Core, on the session's connection, or
    `connection` as the caller holds it: no ORM step)."""
    rows = (connection or session.connection()).execute(_STATEMENTS.callers_and_load).all()
    return [staff_id for staff_id, _ in rows], {staff_id: n for staff_id, n in rows if n}


class _Statements:
    """The statements of every delivery, built once (their construction costs more than running them)."""

    def __init__(self):
        # OPEN as one bound value each, not an expanding IN: that one is rendered again on every execution
        still_open = FollowUpCall.status.in_([sa.literal(status) for status in OPEN])
        open_calls = (
            sa.select(sa.func.count())
            .where(FollowUpCall.assigned_to == Caller.staff_id, still_open)
            .correlate(Caller)
            .scalar_subquery()
        )
        self.callers_and_load = (
            sa.select(Caller.staff_id, open_calls).where(Caller.active == sa.true()).order_by(Caller.staff_id)
        )
        calls = FollowUpCall.__table__
        self.call_of_order = sa.select(calls).where(calls.c.order_id == sa.bindparam("order_id"))  # columns: read only
        self.insert_once = {
            name: insert(calls).on_conflict_do_nothing(index_elements=["order_id"]).returning(calls.c.call_id)
            for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
        }


_STATEMENTS = _Statements()


def schedule_call(uow, event: Envelope, cal: WorkingCalendar | None = None) -> None:
    """vehicle_delivered -> a call task in the window (R-FU-1), given to someone other than the advisor (R-FU-2)."""
    d = event.payload
    session = uow.session
    connection = session.connection()  # both statements on it
    assigned = caller_rules.pick_caller(*callers_and_load(session, connection), d["advisor_id"])
    window = call_window(d["delivered_at"], cal or calendar())
    call = {
        "call_id": str(uuid.uuid4()),
        "visit_id": event.correlation_id,
        "order_id": d["order_id"],
        "invoice_id": d["invoice_id"],
        "customer": event.raw_payload["customer"],
        "vehicle": event.raw_payload["vehicle"],
        "advisor_id": d["advisor_id"],
        "total": d["total"],
        "delivered_at": d["delivered_at"],
        "due_from": window.opens,
        "due_by": window.due_by,
        "deadline": window.deadline,
        "labour_codes": list(d.get("labour_codes") or []),
        "assigned_to": assigned,
        "status": "scheduled" if assigned else "unassigned",
    }
    if not _insert_once(session, call, connection):
        return  # one call per order (its unique key): the delivery re-sent under a new event id (issue 12, item 6)
    uow.emit(
        names.FOLLOWUP_SCHEDULED,
        {
            "call_id": call["call_id"],
            "order_id": call["order_id"],
            "assigned_to": assigned,
            "due_from": window.opens,
            "due_by": window.due_by,
        },
    )


def _insert_once(session, call: dict, connection) -> bool:
    """Insert the order's call unless it has one (its unique key): whether it was inserted."""
    statement = _STATEMENTS.insert_once.get(connection.dialect.name)
    if statement is not None:
        return connection.execute(statement, call).first() is not None
    if session.scalar(sa.select(FollowUpCall.call_id).filter_by(order_id=call["order_id"])) is not None:
        return False  # another database: asked first
    session.execute(FollowUpCall.__table__.insert(), call)
    return True


def _call(session, call_id: str, lock: bool = False) -> FollowUpCall:
    call = session.get(FollowUpCall, call_id, with_for_update=lock)
    if call is None:
        raise NotFound(N_("Follow-up call not found"), field="call_id")
    return call


def assign(uow, call_id: str, caller_id: str) -> FollowUpCall:
    """The manager assigns or reassigns a call; never to the serving advisor (R-FU-2)."""
    call = _call(uow.session, call_id, lock=True)
    if call.status == "done":
        raise DomainError(N_("The call is already done"), field="call_id")
    caller_rules.check_caller(caller_id, call.advisor_id, active_callers(uow.session))
    call.assigned_to = caller_id
    if call.status == "unassigned":
        call.status = "scheduled"
    uow.record("followup.assign", call.call_id, call.visit_id, {"assigned_to": caller_id})
    return call


def record_outcome(uow, call_id: str, cmd: dict, actor_id: str) -> FollowUpCall:
    """R-FU-3/4: the outcome, the customer's words in full, the scores; a complaint opens one (R-FU-5); a
    technical question becomes a technician's callback task."""
    now = uow.clock()
    call = _call(uow.session, call_id, lock=True)
    if call.status == "done":
        raise DomainError(N_("The call is already done"), field="call_id")
    if actor_id == call.advisor_id:  # R-FU-2: whoever holds the call, never the advisor who served
        raise DomainError(N_("The advisor who served the customer may not make the follow-up call"), field="caller")
    outcome, words = cmd["outcome"], cmd.get("words") or ""
    script.check_outcome(outcome, words, cmd.get("call_back_at"), now)
    scores = script.check_scores(cmd.get("scores") or {})
    if outcome == "complaint" and not cmd.get("cause"):
        raise DomainError(N_("Choose the cause of the complaint"), field="cause", code="cause")
    uow.session.add(CallAttempt(call_id=call.call_id, at=now, by=actor_id, outcome=outcome))
    call.outcome = outcome
    if outcome in script.REACHED:
        call.status, call.words, call.scores = "done", words, scores
        call.answers = {k: v for k, v in (cmd.get("answers") or {}).items() if k in {q["id"] for q in script.QUESTIONS}}
        call.completed_at, call.completed_by = now, actor_id
    elif outcome == "call_back":
        call.status, call.call_back_at, call.words = "call_back", cmd["call_back_at"], words or call.words
    else:
        call.status = "unreachable"
    if outcome == "complaint":
        complaints.open_complaint(uow, call, cmd["cause"], words, bool(cmd.get("technical_question")))
    if cmd.get("technical_question"):
        uow.session.add(
            CareTask(
                task_id=str(uuid.uuid4()),
                customer_key=call.customer.get("mobile") or call.call_id,
                kind="technician_callback",
                owner=cmd.get("technician_id") or None,
                due_at=now,
                note=cmd["technical_question"],
                about=call.call_id,
            )
        )
    uow.record("followup.call_outcome", call.call_id, call.visit_id, {"outcome": outcome})
    # R-FU-4, R-FU-6: the outcome and the scores, for HQ's satisfaction figure, in this transaction (the outbox).
    # Never the customer's words or answers: free text may hold a name, a number or an address (issue 14, item 5).
    uow.emit(
        names.FOLLOWUP_CALL_RECORDED,
        {
            "call_id": call.call_id,
            "order_id": call.order_id,
            "outcome": outcome,
            "scores": scores if outcome in script.REACHED else {},
            "called_by": actor_id,
            "recorded_at": now,
        },
        correlation_id=call.visit_id,
    )
    return call


def escalate_overdue(uow, now: datetime) -> list[str]:
    """R-FU-1: a call not made by day 7 is overdue: escalated to the after-sales manager, once."""
    overdue = uow.session.scalars(
        sa.select(FollowUpCall).where(
            FollowUpCall.status.in_(OPEN), FollowUpCall.escalated_at.is_(None), FollowUpCall.deadline < now
        )
    ).all()
    for call in overdue:
        call.escalated_at = now
        uow.emit(
            names.FOLLOWUP_OVERDUE,
            {
                "call_id": call.call_id,
                "order_id": call.order_id,
                "assigned_to": call.assigned_to,
                "deadline": call.deadline,
            },
            correlation_id=call.visit_id,
        )
    return [c.call_id for c in overdue]


def send_fallbacks(uow, now: datetime) -> list[str]:
    """After three attempts at different times of day, five days on: an SMS, or a printable letter."""
    tz = Settings.load().tz
    sent = []
    for call in uow.session.scalars(
        sa.select(FollowUpCall).where(FollowUpCall.status == "unreachable", FollowUpCall.fallback.is_(None))
    ).all():
        missed = list(
            uow.session.scalars(sa.select(CallAttempt.at).filter_by(call_id=call.call_id, outcome="unreachable"))
        )
        step = ladder_rules.ladder(missed, now, tz)
        if not step.exhausted or step.fallback_at > now:
            continue
        customer = call.customer or {}
        known = uow.session.get(CareCustomer, customer.get("mobile") or "")  # R-CR-5: the care file's opt-outs
        opted_out = set(customer.get("opted_out") or ()) | set(known.opted_out if known else ())
        address = customer.get("address") or (known.details.get("address") if known and known.consent else None)
        channel = ladder_rules.fallback_channel(customer.get("mobile"), address, opted_out)
        call.fallback = channel or "none"
        if channel == "sms":
            notify.queue(
                uow,
                recipient=customer["mobile"],
                subject="回访",
                body=sms_text(call),
                channel="sms",
                about=call.call_id,
            )
        sent.append(call.call_id)
    return sent


def sms_text(call: FollowUpCall) -> str:
    name = (call.customer or {}).get("name", "")
    plate = (call.vehicle or {}).get("plate", "")
    return (
        f"{name}您好，感谢您近日到店保养/维修（{plate}）。我们多次致电未能联系到您，"
        "如对本次服务有任何意见，请回复本短信或致电服务热线。"
    )


def window_of(call: FollowUpCall) -> CallWindow:
    return CallWindow(call.due_from, call.due_by, call.deadline or call.due_by)


def calls(session, page: int = 1, per_page: int = 50, q: str = "", order_id: str | None = None, caller=None):
    """Open calls first, soonest due first; searchable by plate, customer name or mobile."""
    if order_id and not caller and not q:  # the order's call: its unique key, so one row or none
        found = session.connection().execute(_STATEMENTS.call_of_order, {"order_id": order_id}).first()
        return Page([call_view(found)] if found and page == 1 else [], page, per_page, int(found is not None))
    query = sa.select(FollowUpCall).order_by((FollowUpCall.status == "done").asc(), FollowUpCall.due_from)
    if order_id:
        query = query.where(FollowUpCall.order_id == order_id)
    if caller:
        query = query.where(FollowUpCall.assigned_to == caller)
    if q:
        query = query.where(contains(q, FollowUpCall.vehicle, FollowUpCall.customer, FollowUpCall.assigned_to))
    return paginate(session, query, page, per_page, call_view)


def call(session, call_id: str) -> dict:
    found = _call(session, call_id)
    view = call_view(found)
    view["attempts"] = [
        {"at": a.at, "by": a.by, "outcome": a.outcome}
        for a in session.scalars(sa.select(CallAttempt).filter_by(call_id=call_id).order_by(CallAttempt.id))
    ]
    missed = [a["at"] for a in view["attempts"] if a["outcome"] == "unreachable"]
    step = ladder_rules.ladder(missed, utcnow(), Settings.load().tz)
    view["ladder"] = {
        "tried": list(step.parts_tried),
        "next_attempt_at": step.next_attempt_at,
        "fallback_at": step.fallback_at,
    }
    return view


def call_view(c) -> dict:
    """A call (the entity, or a row of its columns) as its JSON view."""
    return {
        "call_id": c.call_id,
        "visit_id": c.visit_id,
        "order_id": c.order_id,
        "customer": c.customer,
        "vehicle": c.vehicle,
        "advisor_id": c.advisor_id,
        "total": c.total,
        "labour_codes": c.labour_codes or [],
        "delivered_at": c.delivered_at,
        "due_from": c.due_from,
        "due_by": c.due_by,
        "deadline": c.deadline,
        "state": call_state(window_of(c), utcnow(), c.status == "done"),
        "assigned_to": c.assigned_to,
        "status": c.status,
        "outcome": c.outcome,
        "words": c.words,
        "scores": c.scores or {},
        "answers": c.answers or {},
        "call_back_at": c.call_back_at,
        "completed_at": c.completed_at,
        "escalated_at": c.escalated_at,
        "fallback": c.fallback,
    }


def callbacks(session, owner: str | None = None) -> list[dict]:
    """R-FU-3: the technical questions from calls, for a technician to call back."""
    query = sa.select(CareTask, FollowUpCall).join(FollowUpCall, FollowUpCall.call_id == CareTask.about)
    query = query.where(CareTask.kind == "technician_callback", CareTask.status == "open").order_by(CareTask.due_at)
    if owner:
        query = query.where(sa.or_(CareTask.owner == owner, CareTask.owner.is_(None)))
    return [
        {
            "task_id": t.task_id,
            "call_id": c.call_id,
            "customer": c.customer,
            "vehicle": c.vehicle,
            "question": t.note,
            "owner": t.owner,
            "due_at": t.due_at,
        }
        for t, c in session.execute(query).all()
    ]


def answer_callback(uow, task_id: str, answer: str, actor_id: str) -> CareTask:
    """The technician called the customer back: what was said is kept with the task (R-FU-4)."""
    task = uow.session.get(CareTask, task_id, with_for_update=True)
    if task is None or task.kind != "technician_callback":
        raise NotFound(N_("Task not found"), field="task_id")
    if task.status == "done":
        raise DomainError(N_("The task is already done"), field="task_id")
    if not answer.strip():
        raise DomainError(N_("Write down what the customer said"), field="answer")
    task.status, task.done_at, task.owner = "done", uow.clock(), task.owner or actor_id
    task.note = f"{task.note}\n—— {actor_id}: {answer}"[:4000]
    return task
