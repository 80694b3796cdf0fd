"""R-RC-8a: the fine for complaints caused by congestion, per car, against the responsible person."""

from decimal import Decimal

import pytest

from kit.errors import DomainError
from services.reception.domain import complaints


def test_the_fine_is_a_setting_of_50_yuan_by_default():
    assert complaints.fine_setting(None) == Decimal("50.00")
    assert complaints.fine_setting("80") == Decimal("80.00")
    for bad in ("x", "-1", "10.001"):
        with pytest.raises(ValueError):
            complaints.fine_setting(bad)


def test_fines_add_up_per_responsible_person():
    rows = [("A001", 2), ("A002", 0), ("A001", 1), (None, 1)]
    assert complaints.fines(rows, Decimal("50.00")) == [
        {"staff_id": "", "cars": 1, "fine": Decimal("50.00")},
        {"staff_id": "A001", "cars": 3, "fine": Decimal("150.00")},
    ]


def test_a_complaint_names_its_car():
    assert complaints.check_complaint({"plate": "沪a 12345", "note": " 太慢 "}) == {
        "action": "complaint:沪A12345",
        "note": "太慢",
    }
    with pytest.raises(DomainError) as exc:
        complaints.check_complaint({"plate": "x"})
    assert exc.value.field == "plate"
