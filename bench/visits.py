"""Visits driven through the line's public HTTP APIs from a thread pool (the measured work)."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import tests.support.visit as visit_steps
from contracts import names
from services.parts.seed import STOCK
from tests.support.factories import make_booking
from tests.support.http import Client, eventually
from tests.support.visit import Visit
from tools.line import Line

from .constants import RECIPES, ROTATION, VISIT_STEPS
from .feed import EventFeed

# The steps' reads after their event: every 20 ms instead of every 100 ms (they start when the event is out).
visit_steps.eventually = partial(eventually, interval=0.02)

# --- visits ----------------------------------------------------------------------------------


def plan_recipes(visits: int) -> tuple[list[str], int]:
    """A recipe per visit, in rotation, never taking more than the seeded stock.

    Returns (recipes, visits that had to exceed the stock because every recipe was used up).
    """
    left = {part_no: int(quantity) for part_no, _name, quantity, _lead in STOCK}
    plan, over = [], 0
    for i in range(visits):
        wanted = ROTATION[i % len(ROTATION)]
        order = [wanted] + sorted(RECIPES, key=lambda r: -min(left[p] // q for p, q in RECIPES[r][1]))
        recipe = next((r for r in order if all(left[p] >= q for p, q in RECIPES[r][1])), None)
        if recipe is None:
            recipe, over = "balance", over + 1
        for part_no, quantity in RECIPES[recipe][1]:
            left[part_no] -= quantity
        plan.append(recipe)
    return plan, over


# A step's wait for the line, as the event that makes the step possible (bench.feed) and then a read of the
# answer, re-read every 20 ms until the consumer of that event has handled it.
WAITS = {
    "wait_parts_reserved": frozenset({names.PARTS_RESERVED, names.PARTS_SHORT}),  # booking takes it
    "check_in": frozenset({names.APPOINTMENT_BOOKED}),  # reception expects the car
    "dispatch": frozenset({names.ORDER_SIGNED}),  # the workshop opens the work order
    "pass_quality_check": frozenset({names.PARTS_ISSUED}),  # every requested part issued
    "invoice": frozenset({names.VEHICLE_READY}),  # billing makes the invoice ready
    "follow_up_call": frozenset({names.FOLLOWUP_SCHEDULED}),  # the call itself, published by follow-up
}
BAY_RETRY_SECONDS = 0.05


@dataclass
class BenchVisit(Visit):
    """A Visit with the bench's recipe, the step it is at, its waits on the event feed, and its turn for a
    pre-inspection bay (a car waits for its ticket to be called, it does not fail)."""

    order_lines: list = field(default_factory=list)
    step: str = ""
    feed: EventFeed | None = None
    bay_waits: int = 0

    def __post_init__(self):
        # the bench's client keeps its connections, as the departments' browsers do (one per worker thread)
        self.client = self.client or Client(self.line, keep_alive=True)

    def write_and_sign_order(self, lines=None, mileage_km: int = 35210) -> dict:
        return super().write_and_sign_order(lines or self.order_lines, mileage_km)

    def walk_around(self, mileage_km: int = 35210) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            response = self.client.request(
                "POST",
                names.RECEPTION,
                f"/api/visits/{self.visit_id}/walk-around/covers",
                {"seat": True, "steering_wheel": True, "floor": True, "customer_present": True},
                as_=self.advisor,
            )
            if response.status_code == 200:
                break
            code = (response.json().get("error") or {}).get("code") if response.content else None
            if code != "bays_full" or time.monotonic() > deadline:
                raise AssertionError(f"walk-around covers -> {response.status_code}: {response.text[:300]}")
            self.bay_waits += 1  # every bay taken: the car waits in line for its ticket
            time.sleep(BAY_RETRY_SECONDS)
        return super().walk_around(mileage_km)  # the covers again: the car is on its bay, nothing changes


def _waiting(name: str, method):
    def step(self, *args, **kwargs):
        if self.feed is not None and self.visit_id:
            self.feed.wait(self.visit_id, WAITS[name], self.timeout)
        return method(self, *args, **kwargs)

    step.__name__ = name
    step.__doc__ = method.__doc__
    return step


for _name in WAITS:
    setattr(BenchVisit, _name, _waiting(_name, getattr(BenchVisit, _name)))


def _tracked(name: str, method):
    def step(self, *args, **kwargs):
        self.step = name
        return method(self, *args, **kwargs)

    step.__name__ = name
    step.__doc__ = method.__doc__
    return step


for _name in VISIT_STEPS:
    if hasattr(BenchVisit, _name):
        setattr(BenchVisit, _name, _tracked(_name, getattr(BenchVisit, _name)))


def visit_for(line: Line, recipe: str, timeout: float, **shared) -> BenchVisit:
    labour, parts = RECIPES[recipe]
    booking = make_booking(
        planned_labour=list(labour), planned_parts=[{"part_no": p, "quantity": str(q)} for p, q in parts]
    )
    lines = [{"kind": "labour", "code": code} for code in labour]
    lines += [{"kind": "part", "code": p, "quantity": str(q)} for p, q in parts]
    return BenchVisit(line, booking=booking, timeout=timeout, order_lines=lines, **shared)


class WarmupFailed(RuntimeError):
    """The line cannot take even one visit: no point in driving N of them."""


@dataclass
class Drive:
    label: str
    concurrency: int | None
    rate: float | None
    started: datetime
    ended: datetime
    seconds: float
    completed: list[dict]
    failed: list[dict]
    recipes: Counter
    bay_waits: int = 0


def warm_up(line: Line, recipe: str, timeout: float, feed: EventFeed) -> dict:
    """One untimed visit, so that connections, first queries and sign-ins are not in a drive (its events all
    predate the drives, so they are not counted either). Returns what every visit then shares (one HTTP client
    and its sign-ins, the feed)."""
    client = getattr(BenchVisit(line), "client", None)
    shared = {"client": client, "feed": feed} if client is not None else {"feed": feed}
    warmup = visit_for(line, recipe, timeout, **shared)
    try:
        warmup.through_to_delivery()
    except Exception as exc:
        raise WarmupFailed(f"the warm-up visit failed at {warmup.step}: {exc}") from exc
    return shared


def drive(
    line: Line,
    recipes: list[str],
    timeout: float,
    shared: dict,
    *,
    concurrency: int | None = None,
    rate: float | None = None,
    label: str = "",
) -> Drive:
    """The visits of `recipes`, `concurrency` at a time (throughput), or started at `rate` a second whatever
    the line's pace (latency: a visit's time counts from its planned start)."""
    visits = len(recipes)
    progress = {"done": 0, "failed": 0}
    lock = threading.Lock()
    every = max(1, visits // 4)

    def one(i: int, planned: float | None) -> dict:
        planned = planned or time.monotonic()  # paced: from its planned start; else from when a worker takes it
        visit = visit_for(line, recipes[i], timeout, **shared)
        outcome = {"index": i, "recipe": recipes[i]}
        try:
            visit.through_to_delivery()
            outcome.update(ok=True, visit_id=visit.visit_id)
        except Exception as exc:  # noqa: BLE001 - a failed visit is counted, not fatal
            first = str(exc).splitlines()[0] if str(exc) else ""
            outcome.update(
                ok=False,
                visit_id=visit.visit_id,
                step=visit.step,
                error=f"{exc.__class__.__name__}: {first}"[:300],
            )
        outcome["seconds"] = time.monotonic() - planned
        outcome["bay_waits"] = visit.bay_waits
        with lock:
            progress["done"] += 1
            progress["failed"] += not outcome["ok"]
            if progress["done"] % every == 0 or progress["done"] == visits:
                print(
                    f"  ... {label}: {progress['done']}/{visits} visits ({progress['failed']} failed)",
                    file=sys.stderr,
                    flush=True,
                )
        return outcome

    workers = concurrency or max(8, int((rate or 1) * timeout))
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="visit")
    started, t0 = datetime.now(UTC), time.monotonic()
    try:
        futures = []
        for i in range(visits):
            planned = t0 + i / rate if rate else None
            if planned:
                time.sleep(max(0.0, planned - time.monotonic()))
            futures.append(executor.submit(one, i, planned))
        outcomes = [f.result() for f in as_completed(futures)]
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    seconds, ended = time.monotonic() - t0, datetime.now(UTC)
    return Drive(
        label,
        concurrency,
        rate,
        started,
        ended,
        seconds,
        [o for o in outcomes if o["ok"]],
        [o for o in outcomes if not o["ok"]],
        Counter(recipes),
        sum(o["bay_waits"] for o in outcomes),
    )
