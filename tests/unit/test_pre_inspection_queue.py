"""R-RC-8, the pre-inspection area day to day: queue tickets 叫号牌 numbered per day in the dealership's time
(also when two advisors check in at the same moment), bays taken only when free, the next ticket called,
and the service manager's action on an alert recorded (which, who, when) and summed up in the month."""

from kit.auth import ROLES
from services.reception.domain.pre_inspection import bays_setting
from tests.support.permissions import allowed

# --- queue tickets ------------------------------------------------------------------------------------


# --- bays -------------------------------------------------------------------------------------------------


def test_the_bays_are_a_setting():
    assert bays_setting(None) == ("P1", "P2", "P3")
    assert bays_setting(" p1, P2 ,p4,,P2") == ("P1", "P2", "P4")


# --- the manager's action on the alert ------------------------------------------------------------------------


def test_only_the_service_manager_records_the_action_taken():
    assert [role for role in ROLES if allowed("reception.act_on_congestion", [role])] == ["service_manager"]
