"""Customer care 客户关怀 (R-CR-1..6): hand-overs from the sales side produce the care tasks; the care file
(consent-gated details, opted-out channels), contacts in the survey log, invitations, referrals, care messages."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from contracts.validators import check_mobile
from kit import notify
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.i18n import N_

from ..domain import care as rules
from ..models import CareCustomer, CareTask, ContactLog, Invitation, Referral


def _customer(session, key: str) -> CareCustomer:
    found = session.get(CareCustomer, key)
    if found is None:
        raise NotFound(N_("Customer not found"), field="customer_key")
    return found


def take_handover(uow, h: dict) -> tuple[str, int]:
    """One new-car hand-over (a row of the sales system's export, or the API) -> the care file and its tasks.

    Idempotent by mobile and hand-over time: uploading the same export twice adds nothing."""
    tz = Settings.load().tz
    key = h["mobile"]
    customer = uow.session.get(CareCustomer, key)
    if customer is not None and customer.handed_over_at == h["handed_over_at"]:
        return key, 0
    if customer is None:
        customer = CareCustomer(customer_key=key, name=h["name"], mobile=h["mobile"], details={}, opted_out=[])
        uow.session.add(customer)
    customer.name, customer.city = h["name"], h.get("city") or customer.city or ""
    customer.vin, customer.plate, customer.model = h.get("vin", ""), h.get("plate", ""), h.get("model", "")
    customer.birthday = h.get("birthday") or customer.birthday
    customer.handed_over_at, customer.salesperson, customer.sales_manager = (
        h["handed_over_at"],
        h["salesperson"],
        h["sales_manager"],
    )
    tasks = rules.handover_tasks(h["handed_over_at"], h["salesperson"], h["sales_manager"], customer.birthday, tz)
    for task in tasks:
        _add_task(uow, key, task)
    return key, len(tasks)


def _add_task(uow, key: str, task: rules.CareTask, note: str = "") -> None:
    uow.session.add(
        CareTask(
            task_id=str(uuid.uuid4()),
            customer_key=key,
            kind=task.kind,
            channel=task.channel,
            owner=task.owner,
            due_at=task.due_at,
            note=note,
        )
    )


def update_file(uow, key: str, cmd: dict) -> CareCustomer:
    """R-CR-5: personal details only with consent (withdrawing it clears them); opted-out channels."""
    customer = _customer(uow.session, key)
    consent = cmd.get("consent", customer.consent)
    details = rules.check_personal_details(consent, cmd.get("details") or (customer.details if consent else {}))
    customer.consent, customer.details = consent, details
    if "opted_out" in cmd:
        unknown = [c for c in cmd["opted_out"] if c not in rules.CHANNELS]
        if unknown:
            raise DomainError(N_("Choose the channel"), field="opted_out")
        customer.opted_out = sorted(set(cmd["opted_out"]))
    if cmd.get("city") is not None:
        customer.city = cmd["city"]
    uow.record("followup.care_file", key, None, {"consent": consent})
    return customer


def record_contact(uow, key: str, cmd: dict, actor_id: str) -> ContactLog:
    """A contact (a care task done or a visit 面访) in the survey log; never on an opted-out channel."""
    tz = Settings.load().tz
    customer = _customer(uow.session, key)
    rules.check_channel(cmd["channel"], set(customer.opted_out or ()))
    if not cmd["result"].strip():
        raise DomainError(N_("Write down what the customer said"), field="result")
    now = uow.clock()
    task = None
    if cmd.get("task_id"):
        task = uow.session.get(CareTask, cmd["task_id"])
        if task is None or task.customer_key != key:
            raise NotFound(N_("Task not found"), field="task_id")
        if task.status == "done":
            raise DomainError(N_("The task is already done"), field="task_id")
        task.status, task.done_at = "done", now
        nxt = rules.follow_on(rules.CareTask(task.kind, task.due_at, task.owner, task.channel), now, tz)
        if nxt is not None:
            _add_task(uow, key, nxt)
    entry = ContactLog(
        customer_key=key,
        task_id=task.task_id if task else None,
        at=now,
        by=actor_id,
        channel=cmd["channel"],
        result=cmd["result"],
        booked_appointment=cmd.get("booked_appointment"),
    )
    uow.session.add(entry)
    uow.session.flush()
    return entry


def send_care_message(uow, city: str, text: str, actor_id: str) -> int:
    """R-CR-5: a care message (a weather alert) by SMS to the customers of a city who did not opt out."""
    if not text.strip():
        raise DomainError(N_("Write the message"), field="text")
    sent = 0
    for customer in uow.session.scalars(sa.select(CareCustomer).where(CareCustomer.city == city)):
        if "sms" in (customer.opted_out or ()):
            continue
        notify.queue(
            uow, recipient=customer.mobile, subject="关怀", body=text, channel="sms", about=customer.customer_key
        )
        uow.session.add(
            ContactLog(customer_key=customer.customer_key, at=uow.clock(), by=actor_id, channel="sms", result=text)
        )
        sent += 1
    return sent


def invite(uow, cmd: dict, actor_id: str) -> int:
    """R-CR-3/5: invitations to an event; customers who opted out of the channel are left out."""
    today = uow.clock().astimezone(Settings.load().tz).date()
    if cmd["held_on"] < today:
        raise DomainError(N_("The event date cannot be in the past"), field="held_on")
    if (cmd["held_on"] - today).days > 366:
        raise DomainError(N_("The event is more than a year away"), field="held_on")
    count = 0
    for key in cmd["customers"]:
        customer = _customer(uow.session, key)
        if cmd["channel"] in (customer.opted_out or ()):
            continue
        uow.session.add(
            Invitation(
                event_name=cmd["event_name"],
                held_on=cmd["held_on"],
                customer_key=key,
                channel=cmd["channel"],
                reply="pending",
                sent_at=uow.clock(),
            )
        )
        count += 1
    return count


def reply(uow, invitation_id: int, answer: str) -> None:
    found = uow.session.get(Invitation, invitation_id)
    if found is None:
        raise NotFound(N_("Invitation not found"), field="invitation_id")
    found.reply = answer


def refer(uow, key: str, cmd: dict) -> Referral:
    """R-CR-6: who introduced whom."""
    customer = _customer(uow.session, key)
    cmd = {**cmd, "referred_mobile": check_mobile(cmd["referred_mobile"], field="referred_mobile")}
    rules.check_referral(key, cmd["referred_mobile"], customer.mobile)
    referral = Referral(
        referrer_key=key, referred_name=cmd["referred_name"], referred_mobile=cmd["referred_mobile"], at=uow.clock()
    )
    uow.session.add(referral)
    referred = uow.session.get(CareCustomer, cmd["referred_mobile"])
    if referred is not None and referred.referred_by is None:
        referred.referred_by = key
    uow.session.flush()
    return referral


# --- queries ----------------------------------------------------------------------------------------------


def tasks(session, due_before: datetime | None = None, customer_key: str | None = None) -> list[dict]:
    query = sa.select(CareTask, CareCustomer).join(CareCustomer, CareCustomer.customer_key == CareTask.customer_key)
    query = query.where(CareTask.status == "open").order_by(CareTask.due_at)
    if due_before is not None:
        query = query.where(CareTask.due_at <= due_before)
    if customer_key:
        query = query.where(CareTask.customer_key == customer_key)
    return [
        {
            "task_id": t.task_id,
            "customer_key": t.customer_key,
            "name": c.name,
            "plate": c.plate,
            "kind": t.kind,
            "channel": t.channel,
            "owner": t.owner,
            "due_at": t.due_at,
            "note": t.note,
        }
        for t, c in session.execute(query).all()
    ]


def customers(session) -> list[dict]:
    return [file_view(c) for c in session.scalars(sa.select(CareCustomer).order_by(CareCustomer.name))]


def customer_file(session, key: str) -> dict:
    c = _customer(session, key)
    view = file_view(c)
    view["tasks"] = tasks(session, customer_key=key)
    view["log"] = [
        {"at": e.at, "by": e.by, "channel": e.channel, "result": e.result, "booked_appointment": e.booked_appointment}
        for e in session.scalars(sa.select(ContactLog).filter_by(customer_key=key).order_by(ContactLog.id.desc()))
    ]
    view["invitations"] = [
        {"id": i.id, "event_name": i.event_name, "held_on": i.held_on, "channel": i.channel, "reply": i.reply}
        for i in session.scalars(sa.select(Invitation).filter_by(customer_key=key).order_by(Invitation.id))
    ]
    view["referrals"] = [
        {"referred_name": r.referred_name, "referred_mobile": r.referred_mobile, "at": r.at}
        for r in session.scalars(sa.select(Referral).filter_by(referrer_key=key).order_by(Referral.id))
    ]
    return view


def file_view(c: CareCustomer) -> dict:
    return {
        "customer_key": c.customer_key,
        "name": c.name,
        "mobile": c.mobile,
        "city": c.city,
        "vin": c.vin,
        "plate": c.plate,
        "model": c.model,
        "birthday": c.birthday,
        "handed_over_at": c.handed_over_at,
        "salesperson": c.salesperson,
        "sales_manager": c.sales_manager,
        "consent": c.consent,
        "details": c.details or {},
        "opted_out": c.opted_out or [],
        "referred_by": c.referred_by,
    }
