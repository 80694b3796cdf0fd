"""The group dashboard's figures, per store and for the group (plain rules, no framework).

Each figure comes from the events the stores publish (contracts/events/*.py):

- visits per day: `order_signed` (version 1: one signed work order per visit), by the store's local day
- appointment rate: of those visits, the share whose order names an appointment (`appointment_id`; else a walk-in)
- returning customers: of those visits whose order carries the store's pseudonymous `customer_ref` (kit.feed, the
  default; a store that sends its customers in full carries none and shows no figure), the share whose customer
  signed an earlier order at the same store within RETURNING_DAYS before (a pseudonym is the store's own: the same
  customer at two stores is two customers to HQ)
- on-time delivery: `vehicle_ready.ready_at` at or before the `promised_at` of the latest signed version of that
  order (`order_signed` / `order_amended`)
- QC failure rate: `qc_failed` out of all quality checks (`qc_failed` + `vehicle_ready`, each one check)
- comeback rate: `complaint_opened` with cause `comeback` per car delivered (`vehicle_delivered`)
- follow-up satisfaction (R-FU-4, R-FU-6), from `followup_call_recorded` (the outcome and 1-5 scores of each call):
  - satisfied calls: of the reached calls (outcome satisfied or complaint), the share whose outcome is satisfied;
  - follow-up score: the mean of every department score (1-5) given in those calls, to two decimals (as the
    store's monthly report's mean by advisor); a department the customer did not score counts nowhere.
  An unreachable or call-back attempt is neither satisfied nor dissatisfied: it is not counted (the call counts
  when it is reached, in the period of that attempt). The stand-in, for a store that has sent no
  `followup_call_recorded` in the period or the 60 days before it (a store before that event): the share of its
  follow-up calls (`followup_scheduled`) that did not end in a complaint (`complaint_opened`), with no score.
  `satisfaction_basis` says which: "calls", "complaints" (the stand-in), and for the group "mixed" when its stores
  differ (the group's share then adds up each store's counts on its own basis).
- complaints by cause: `complaint_opened.cause`
- pre-inspection incidents: `pre_inspection_congested`, by cause (queue / wait)

Events of other types, or fields a figure does not know, are ignored (a newer version's additions included).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from contracts.events.staff import (
    COMPLAINT_CAUSE_TITLES,
    REACHED_OUTCOMES,
    SCORE_MAX,
    SCORE_MIN,
    SCORED_DEPARTMENTS,
)
from kit.i18n import N_

from .intake import customer_ref_of

GROUP = "group"
FIGURE_TYPES = (
    "order_signed",
    "order_amended",
    "vehicle_ready",
    "qc_failed",
    "vehicle_delivered",
    "followup_scheduled",
    "followup_call_recorded",
    "complaint_opened",
    "pre_inspection_congested",
)
PERCENT = Decimal("0.1")
RETURNING_DAYS = 365  # an earlier visit this recent makes a returning customer
SCORE_PLACES = Decimal("0.01")
CALLS, COMPLAINTS, MIXED = "calls", "complaints", "mixed"  # what a store's satisfaction is read from


@dataclass(frozen=True)
class Fact:
    dealer_id: str
    event_type: str
    occurred_at: datetime
    payload: dict[str, Any]


@dataclass
class StoreFigures:
    dealer_id: str
    visits_by_day: dict[date, int] = field(default_factory=dict)
    visits: int = 0
    booked: int = 0
    walk_ins: int = 0
    appointment_rate: Decimal | None = None
    known_customers: int = 0  # visits whose order carries the customer's pseudonym
    returning: int = 0
    returning_rate: Decimal | None = None
    ready: int = 0
    on_time: int = 0
    on_time_rate: Decimal | None = None
    qc_checks: int = 0
    qc_failed: int = 0
    qc_failure_rate: Decimal | None = None
    delivered: int = 0
    comebacks: int = 0
    comeback_rate: Decimal | None = None
    followups: int = 0
    followup_complaints: int = 0
    calls_reached: int = 0
    calls_satisfied: int = 0
    score_sum: int = 0
    score_count: int = 0
    satisfaction_basis: str | None = None
    satisfied: int = 0  # the calls the satisfaction share counts, on its basis
    judged: int = 0
    satisfaction_rate: Decimal | None = None
    satisfaction_score: Decimal | None = None
    complaints_by_cause: dict[str, int] = field(default_factory=dict)
    incidents: int = 0
    incidents_by_cause: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["visits_by_day"] = {day.isoformat(): n for day, n in sorted(self.visits_by_day.items())}
        return out


def rate(part: int, whole: int) -> Decimal | None:
    """A share in percent to one decimal; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT)


def mean_score(total: int, count: int) -> Decimal | None:
    """A mean of 1-5 scores to two decimals (half up, as the store's report); None with no score."""
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(SCORE_PLACES, ROUND_HALF_UP)


def call_scores(payload: dict[str, Any]) -> list[int]:
    """The scores of a recorded call that a figure counts: known departments, whole numbers 1-5 (anything else, a
    newer version's department included, is ignored)."""
    scores = payload.get("scores")
    if not isinstance(scores, dict):
        return []
    return [
        score
        for department, score in scores.items()
        if department in SCORED_DEPARTMENTS
        and isinstance(score, int)
        and not isinstance(score, bool)
        and SCORE_MIN <= score <= SCORE_MAX
    ]


def _time(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _order_body(fact: Fact) -> dict[str, Any]:
    signed = fact.payload if fact.event_type == "order_signed" else fact.payload.get("signed_order")
    body = signed.get("order") if isinstance(signed, dict) else None
    return body if isinstance(body, dict) else {}


def returning(previous: datetime | None, signed_at: datetime) -> bool:
    """A visit is a returning customer's when the same customer signed at the same store before, within
    RETURNING_DAYS."""
    return previous is not None and previous < signed_at and signed_at - previous <= timedelta(days=RETURNING_DAYS)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def compute(
    facts: Iterable[Fact],
    tz: ZoneInfo,
    first: date,
    last: date,
    earlier_visits: Iterable[tuple[str, str, datetime]] = (),
) -> dict[str, StoreFigures]:
    """Figures of each store and of the group (key GROUP) for the local days first..last.

    Order versions from before `first` may be among the facts: they give the promise of a car ready in the period.
    `earlier_visits` are (store, customer_ref, signed at) of orders signed before the earliest fact, up to
    RETURNING_DAYS before `first`: they make a customer of the period a returning one.
    """
    facts = sorted(facts, key=lambda f: f.occurred_at)
    promises: dict[tuple[str, str], tuple[int, datetime]] = {}
    stores: dict[str, StoreFigures] = {}
    complaint_orders: dict[str, set] = defaultdict(set)
    last_visit: dict[tuple[str, str], datetime] = {}  # (store, customer_ref) -> their latest order signed so far
    for dealer_id, ref, signed_at in earlier_visits:
        key = (dealer_id, ref)
        last_visit[key] = max(signed_at, last_visit.get(key, signed_at))
    reached_calls: dict[tuple[str, str], Fact] = {}  # (store, call id) -> its reached call, the latest
    calls_known: set[str] = set()  # stores that send followup_call_recorded

    def store(dealer_id: str) -> StoreFigures:
        if dealer_id not in stores:
            stores[dealer_id] = StoreFigures(dealer_id, visits_by_day=dict.fromkeys(days_between(first, last), 0))
        return stores[dealer_id]

    for fact in facts:
        day = fact.occurred_at.astimezone(tz).date()
        in_period = first <= day <= last
        if fact.event_type in ("order_signed", "order_amended"):
            body = _order_body(fact)
            order_id, version, promised = body.get("order_id"), body.get("version"), _time(body.get("promised_at"))
            if order_id and isinstance(version, int) and promised is not None:
                key = (fact.dealer_id, str(order_id))
                if key not in promises or promises[key][0] <= version:
                    promises[key] = (version, promised)
            ref = customer_ref_of(fact.event_type, fact.payload)
            previous = last_visit.get((fact.dealer_id, ref)) if ref else None
            if in_period and fact.event_type == "order_signed" and version == 1:
                figures = store(fact.dealer_id)
                figures.visits += 1
                figures.visits_by_day[day] = figures.visits_by_day.get(day, 0) + 1
                if body.get("appointment_id"):
                    figures.booked += 1
                else:
                    figures.walk_ins += 1
                if ref:
                    figures.known_customers += 1
                    figures.returning += returning(previous, fact.occurred_at)
            if ref:
                last_visit[(fact.dealer_id, ref)] = max(fact.occurred_at, previous or fact.occurred_at)
            continue
        if fact.event_type == "followup_call_recorded":
            calls_known.add(fact.dealer_id)
        if not in_period:
            continue
        figures = store(fact.dealer_id)
        payload = fact.payload
        if fact.event_type == "vehicle_ready":
            figures.qc_checks += 1
            promise = promises.get((fact.dealer_id, str(payload.get("order_id"))))
            ready_at = _time(payload.get("ready_at"))
            if promise is not None and ready_at is not None:
                figures.ready += 1
                figures.on_time += ready_at <= promise[1]
        elif fact.event_type == "qc_failed":
            figures.qc_checks += 1
            figures.qc_failed += 1
        elif fact.event_type == "vehicle_delivered":
            figures.delivered += 1
        elif fact.event_type == "followup_scheduled":
            figures.followups += 1
        elif fact.event_type == "followup_call_recorded":
            if payload.get("outcome") in REACHED_OUTCOMES and payload.get("call_id"):
                reached_calls[(fact.dealer_id, str(payload["call_id"]))] = fact  # a call is reached once
        elif fact.event_type == "complaint_opened":
            cause = str(payload.get("cause") or "other")
            figures.complaints_by_cause[cause] = figures.complaints_by_cause.get(cause, 0) + 1
            figures.comebacks += cause == "comeback"
            complaint_orders[fact.dealer_id].add(payload.get("order_id") or payload.get("complaint_id"))
        elif fact.event_type == "pre_inspection_congested":
            figures.incidents += 1
            cause = str(payload.get("cause") or "other")
            figures.incidents_by_cause[cause] = figures.incidents_by_cause.get(cause, 0) + 1
    for (dealer_id, _call_id), fact in reached_calls.items():
        figures = stores[dealer_id]
        figures.calls_reached += 1
        figures.calls_satisfied += fact.payload.get("outcome") == "satisfied"
        scores = call_scores(fact.payload)
        figures.score_sum += sum(scores)
        figures.score_count += len(scores)
    for dealer_id, figures in stores.items():
        figures.followup_complaints = min(len(complaint_orders[dealer_id]), figures.followups)
        _satisfaction_basis(figures, dealer_id in calls_known)
    out = dict(sorted(stores.items()))
    out[GROUP] = _group(list(stores.values()), first, last)
    for figures in out.values():
        _rates(figures)
    return out


def _group(stores: list[StoreFigures], first: date, last: date) -> StoreFigures:
    group = StoreFigures(GROUP, visits_by_day=dict.fromkeys(days_between(first, last), 0))
    counted = (
        "visits",
        "booked",
        "walk_ins",
        "known_customers",
        "returning",
        "ready",
        "on_time",
        "qc_checks",
        "qc_failed",
        "delivered",
        "comebacks",
    )
    followup = ("followups", "followup_complaints", "calls_reached", "calls_satisfied", "score_sum", "score_count")
    for figures in stores:
        for name in (*counted, *followup, "satisfied", "judged", "incidents"):
            setattr(group, name, getattr(group, name) + getattr(figures, name))
        for name in ("visits_by_day", "complaints_by_cause", "incidents_by_cause"):
            total = Counter(getattr(group, name))
            total.update(getattr(figures, name))
            setattr(group, name, dict(total))
    bases = {figures.satisfaction_basis for figures in stores} - {None}
    group.satisfaction_basis = bases.pop() if len(bases) == 1 else (MIXED if bases else None)
    return group


def _satisfaction_basis(figures: StoreFigures, sends_calls: bool) -> None:
    """The store's calls counted by the satisfaction share: its reached calls when it sends their outcomes, else
    the stand-in (scheduled calls, those without a complaint as satisfied)."""
    if sends_calls:
        figures.satisfaction_basis = CALLS
        figures.satisfied, figures.judged = figures.calls_satisfied, figures.calls_reached
    elif figures.followups:
        figures.satisfaction_basis = COMPLAINTS
        figures.satisfied, figures.judged = figures.followups - figures.followup_complaints, figures.followups


def _rates(figures: StoreFigures) -> None:
    figures.appointment_rate = rate(figures.booked, figures.visits)
    figures.returning_rate = rate(figures.returning, figures.known_customers)
    figures.on_time_rate = rate(figures.on_time, figures.ready)
    figures.qc_failure_rate = rate(figures.qc_failed, figures.qc_checks)
    figures.comeback_rate = rate(figures.comebacks, figures.delivered)
    figures.satisfaction_rate = rate(figures.satisfied, figures.judged)
    figures.satisfaction_score = mean_score(figures.score_sum, figures.score_count)


# column -> its title (a message id: the page and the exports show it in the reader's language)
TABLE_COLUMNS = (
    ("dealer_id", N_("Store")),
    ("visits", N_("Visits")),
    ("booked", N_("Booked")),
    ("walk_ins", N_("Walk-ins")),
    ("appointment_rate", N_("Appointment rate")),
    ("returning_rate", N_("Returning customers")),
    ("on_time_rate", N_("On-time delivery")),
    ("qc_failure_rate", N_("QC failure rate")),
    ("comeback_rate", N_("Comeback rate")),
    ("satisfaction_rate", N_("Satisfied follow-up calls")),
    ("satisfaction_score", N_("Follow-up score (1-5)")),
    ("satisfaction_basis", N_("Satisfaction from")),
    ("incidents", N_("Pre-inspection incidents")),
)
RATE_COLUMNS = frozenset(
    {"appointment_rate", "returning_rate", "on_time_rate", "qc_failure_rate", "comeback_rate", "satisfaction_rate"}
)
CAUSE_TITLES = COMPLAINT_CAUSE_TITLES  # complaint causes (contracts.events.staff)
BASIS_TITLES = {
    CALLS: N_("Call results"),
    COMPLAINTS: N_("Complaints (a store without call results)"),
    MIXED: N_("Call results and complaints"),
}
INCIDENT_TITLES = {"queue": N_("Four or more cars waiting"), "wait": N_("A car waited over 20 minutes")}


def table_rows(figures: dict[str, StoreFigures]) -> list[list[Any]]:
    """One row per store and the group's last, in TABLE_COLUMNS order, then complaints by cause."""
    causes = sorted({c for f in figures.values() for c in f.complaints_by_cause})
    rows = []
    for key in [k for k in figures if k != GROUP] + [GROUP]:
        f = figures[key]
        rows.append([getattr(f, name) for name, _ in TABLE_COLUMNS] + [f.complaints_by_cause.get(c, 0) for c in causes])
    return rows


def table_causes(figures: dict[str, StoreFigures]) -> list[str]:
    return sorted({c for f in figures.values() for c in f.complaints_by_cause})
