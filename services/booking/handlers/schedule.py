"""The appointment book as the use cases read it: one appointment, an advisor's booked times and free slots."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from kit.errors import NotFound

from ..domain.slots import SlotRules, free_slots
from ..models import Appointment

DEFAULT_RULES = SlotRules()
SHANGHAI = ZoneInfo("Asia/Shanghai")


# built once: a statement built per call costs more CPU than running it on SQLite; Core, on the session's connection
_A = Appointment.__table__.c
_BOOKED_BETWEEN = sa.select(_A.starts_at).where(
    _A.advisor_id == sa.bindparam("advisor_id"),
    _A.status == "booked",
    _A.starts_at >= sa.bindparam("start", type_=_A.starts_at.type),
    _A.starts_at < sa.bindparam("end", type_=_A.starts_at.type),
)


def booked_times(session, advisor_id: str, day: date, tz: ZoneInfo, days: int = 1) -> list[datetime]:
    """The advisor's booked reception starts on that (local) day, or on `days` days from it."""
    start = datetime.combine(day, time(0, 0), tz)
    return list(
        session.connection().scalars(
            _BOOKED_BETWEEN, {"advisor_id": advisor_id, "start": start, "end": start + timedelta(days=days)}
        )
    )


def open_slots(
    session, advisor_id: str, day: date, now: datetime, rules: SlotRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI
) -> list[datetime]:
    return free_slots(day, rules, tz, booked_times(session, advisor_id, day, tz), now)


def offered_times(
    session, advisor_id: str, around: datetime, now: datetime, rules: SlotRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI
) -> list[datetime]:
    """R-BK-7/R-BK-8: free reception slots of the advisor from that day on (three days), to offer."""
    day = max(around, now).astimezone(tz).date()
    return [s for d in range(0, 3) for s in open_slots(session, advisor_id, day + timedelta(days=d), now, rules, tz)][
        :5
    ]


def load_appointment(uow, appointment_id: str) -> Appointment:
    appointment = uow.session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound("Appointment {appointment_id} not found", appointment_id=appointment_id)
    return appointment
