"""Customer care 客户关怀 (R-CR-1..6): the schedule after a new car's hand-over, regular contacts, greetings,
consent for personal details, and channels the customer opted out of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kit.errors import DomainError
from kit.i18n import N_

THANK_YOU_HOURS = 24  # R-CR-1
SALES_MANAGER_CALL_HOURS = 24  # R-CR-2: thanks, how is the car, how was the service, registration help
SALESPERSON_CALL_DAYS = 7  # R-CR-2: the first-service reminder
CONTACT_EVERY_DAYS = 60  # R-CR-3: a contact about every two months
CHANNELS = ("phone", "sms", "email", "letter", "wechat", "visit")
TASK_KINDS = (
    "thank_you_letter",
    "sales_manager_call",
    "salesperson_call",
    "regular_contact",
    "birthday",
    "anniversary",
    "care_message",
)
TASK_TITLES = {
    "thank_you_letter": N_("Thank-you letter"),
    "sales_manager_call": N_("Sales manager's call"),
    "salesperson_call": N_("Salesperson's call"),
    "regular_contact": N_("Regular contact"),
    "birthday": N_("Birthday greeting"),
    "anniversary": N_("Purchase anniversary"),
    "care_message": N_("Care message"),
}
TASK_CHANNELS = {"thank_you_letter": "letter", "birthday": "sms", "anniversary": "sms", "care_message": "sms"}
PERSONAL_FIELDS = ("address", "interests", "family_birthdays")


@dataclass(frozen=True)
class CareTask:
    kind: str
    due_at: datetime
    owner: str | None  # staff id, or None for the care desk
    channel: str = "phone"


def next_anniversary(of: date, after: date) -> date:
    """The first yearly return of `of` strictly after `after` (29 February falls on 28 February)."""
    year = after.year
    while True:
        try:
            candidate = of.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate > after:
            return candidate
        year += 1


def handover_tasks(
    handed_over_at: datetime,
    salesperson: str,
    sales_manager: str,
    birthday: date | None,
    tz: ZoneInfo,
) -> list[CareTask]:
    """R-CR-1..3: what a new car's hand-over starts, in the order they fall due."""
    day = handed_over_at.astimezone(tz).date()
    at_ten = lambda d: datetime.combine(d, time(10, 0), tz)  # noqa: E731 - greetings go out mid-morning
    tasks = [
        CareTask("thank_you_letter", handed_over_at + timedelta(hours=THANK_YOU_HOURS), None, "letter"),
        CareTask("sales_manager_call", handed_over_at + timedelta(hours=SALES_MANAGER_CALL_HOURS), sales_manager),
        CareTask("salesperson_call", handed_over_at + timedelta(days=SALESPERSON_CALL_DAYS), salesperson),
        CareTask("regular_contact", handed_over_at + timedelta(days=CONTACT_EVERY_DAYS), None),
        CareTask("anniversary", at_ten(next_anniversary(day, day)), None, "sms"),
    ]
    if birthday is not None:
        tasks.append(CareTask("birthday", at_ten(next_anniversary(birthday, day)), None, "sms"))
    return sorted(tasks, key=lambda t: t.due_at)


def follow_on(task: CareTask, done_at: datetime, tz: ZoneInfo) -> CareTask | None:
    """R-CR-3: a regular contact brings the next one two months on; greetings come again next year."""
    if task.kind == "regular_contact":
        return CareTask("regular_contact", done_at + timedelta(days=CONTACT_EVERY_DAYS), task.owner)
    if task.kind in ("birthday", "anniversary"):
        local = task.due_at.astimezone(tz)
        again = next_anniversary(local.date(), local.date())
        return CareTask(task.kind, datetime.combine(again, local.timetz().replace(tzinfo=None), tz), None, task.channel)
    return None


def check_channel(channel: str, opted_out: set[str] | frozenset[str]) -> None:
    """R-CR-5: a channel the customer opted out of is never used."""
    if channel not in CHANNELS:
        raise DomainError(N_("Choose the channel"), field="channel")
    if channel in opted_out:
        raise DomainError(
            N_("The customer opted out of this channel"), field="channel", code="opted_out", channel=channel
        )


def check_personal_details(consent: bool, details: dict) -> dict:
    """R-CR-5: family birthdays, interests and address are kept only with the customer's consent."""
    given = {k: v for k, v in details.items() if k in PERSONAL_FIELDS and v}
    if given and not consent:
        raise DomainError(
            N_("Personal details are kept only with the customer's consent"), field="consent", code="consent"
        )
    return given if consent else {}


def check_referral(referrer_id: str, referred_mobile: str, referrer_mobile: str) -> None:
    """R-CR-6: who introduced whom; nobody refers themselves."""
    if referred_mobile and referred_mobile == referrer_mobile:
        raise DomainError(N_("A customer cannot refer themselves"), field="referred_mobile")
