"""Visits driven through the line's public HTTP APIs from a thread pool (the measured work)."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.parts.seed import STOCK
from tests.support.factories import make_booking
from tests.support.visit import Visit
from tools.line import Line

from .constants import RECIPES, ROTATION, VISIT_STEPS

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


@dataclass
class BenchVisit(Visit):
    """A Visit with the bench's recipe, the step it is at, and a way past the follow-up list cap."""

    order_lines: list = field(default_factory=list)
    step: str = ""

    def write_and_sign_order(self, lines=None, mileage_km: int = 35210) -> dict:
        return super().write_and_sign_order(lines or self.order_lines, mileage_km)


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
    started: datetime
    ended: datetime
    seconds: float
    completed: list[dict]
    failed: list[dict]
    recipes: Counter
    over_stock: int


def drive(line: Line, visits: int, concurrency: int, timeout: float) -> Drive:
    plan, over_stock = plan_recipes(visits + 1)  # the first one is the warm-up visit's
    warmup_recipe, recipes = plan[0], plan[1:]
    progress = {"done": 0, "failed": 0}
    lock = threading.Lock()
    every = max(1, visits // 10)
    # Where Visit signs staff in through an HTTP client, one client (and its sign-ins) serves every visit.
    client = getattr(BenchVisit(line), "client", None)
    shared = {"client": client} if client is not None else {}
    # One untimed visit first, so that connections, first queries and sign-ins are not in the drive;
    # its events all predate the drive, so they are not counted either.
    warmup = visit_for(line, warmup_recipe, timeout, **shared)
    try:
        warmup.through_to_delivery()
    except Exception as exc:
        raise WarmupFailed(f"the warm-up visit failed at {warmup.step}: {exc}") from exc

    def one(i: int) -> dict:
        visit = visit_for(line, recipes[i], timeout, **shared)
        t0 = time.monotonic()
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
        outcome["seconds"] = time.monotonic() - t0
        with lock:
            progress["done"] += 1
            progress["failed"] += not outcome["ok"]
            if progress["done"] % every == 0 or progress["done"] == visits:
                print(
                    f"  ... {progress['done']}/{visits} visits ({progress['failed']} failed)",
                    file=sys.stderr,
                    flush=True,
                )
        return outcome

    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="visit")
    started, t0 = datetime.now(UTC), time.monotonic()
    try:
        outcomes = [f.result() for f in as_completed([executor.submit(one, i) for i in range(visits)])]
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    seconds, ended = time.monotonic() - t0, datetime.now(UTC)
    return Drive(
        started,
        ended,
        seconds,
        [o for o in outcomes if o["ok"]],
        [o for o in outcomes if not o["ok"]],
        Counter(recipes),
        over_stock,
    )
