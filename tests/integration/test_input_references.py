"""Issue 12, item 2: references must exist. A walk-in's advisor is one of the staff reception has heard of."""

from __future__ import annotations

import pytest

from contracts import names
from kit.errors import DomainError
from services.reception.handlers import arrivals, directory
from tests.support.db import service_work, wire_event
from tests.support.factories import make_mobile, make_plate, make_vin


def _walk_in(work, advisor_id: str):
    cmd = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
        "advisor_id": advisor_id,
    }
    return work.run(arrivals.check_in, cmd, actor_id="A001")


def test_a_walk_in_for_an_unknown_advisor_is_refused_naming_the_field(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_staff_registered")
    record = {"staff_id": "A001", "name": "王芳", "department": "front_desk", "roles": ["service_advisor"]}
    work.handle(
        wire_event(names.STAFF_REGISTERED, {**record, "active": True}, "staff:A001"), directory.take_staff_record
    )
    assert _walk_in(work, "A001").advisor_id == "A001"
    with pytest.raises(DomainError) as refused:
        _walk_in(work, "NOBODY")
    assert refused.value.field == "advisor_id" and "NOBODY" in refused.value.message and "工号" in refused.value.message
