"""The workshop's capacity use cases on a busy calendar (R-BK-4, R-RC-5): CPU per call, no broker.

    .venv/bin/python -m bench.capacity --holds 1000

A new workshop database (SQLite, migrated, the reference roster and the published price list) takes `--holds`
oil changes booked every quarter hour from 9:00 over the next 14 days (those that no longer fit are refused, as
the booking desk would see), then times, in CPU milliseconds per call (the mean of `--calls`):

- a hold on a free day (held),
- a hold on the booked days (mostly refused: every candidate time of three days is tried for the alternatives),
- a promised time for two hours of work (the whole 14 days' load).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from contracts import names
from services.billing import seed as billing_seed
from services.workshop import handlers as planning
from services.workshop import seed
from services.workshop.domain.capacity import CapacityRules
from tests.support.db import service_work, wire_event

TZ = ZoneInfo("Asia/Shanghai")
RULES = CapacityRules()


def cpu_ms(call, calls: int) -> float:
    began = time.process_time()
    for n in range(calls):
        call(n)
    return (time.process_time() - began) / calls * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holds", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = service_work(names.WORKSHOP, Path(tmp), consumer="workshop.bench")
        work.handle(wire_event(names.PRICE_LIST_PUBLISHED, billing_seed.PRICE_LIST), planning.take_price_list)
        seed.reference_data(work)
        first = datetime.now(TZ).date() + timedelta(days=1)
        slots = [
            datetime.combine(first + timedelta(days=d), clock_time(9), TZ) + timedelta(minutes=15 * q)
            for d in range(14)
            for q in range(32)
        ]

        def hold(starts_at: datetime, labour: list[str]) -> dict:
            return work.run(planning.hold, str(uuid.uuid4()), starts_at, labour, candidates=[], rules=RULES, tz=TZ)

        held = sum(hold(slots[n % len(slots)], ["LAB-OIL"])["held"] for n in range(args.holds))
        free_day = cpu_ms(
            lambda n: hold(datetime.combine(first + timedelta(days=15 + n), clock_time(9), TZ), ["LAB-INSPECT"]),
            args.calls,
        )
        busy_days = cpu_ms(lambda n: hold(slots[(n * 7) % len(slots)], ["LAB-INSPECT"]), args.calls)
        now = datetime.now(TZ)
        promise = cpu_ms(
            lambda n: work.read(planning.promise_time, Decimal("2"), now, now, rules=RULES, tz=TZ), args.calls
        )
    print(
        f"{args.holds} holds asked over 14 days ({held} held); CPU ms a call: hold on a free day {free_day:.1f}, "
        f"hold on the booked days {busy_days:.1f}, promise_time {promise:.1f}"
    )


if __name__ == "__main__":
    main()
