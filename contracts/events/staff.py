"""Follow-up's and the staff directory's events."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import Id, UtcTime


class FollowupScheduled(Schema):
    call_id = Id(required=True)
    order_id = Id(required=True)
    assigned_to = Id(load_default=None, allow_none=True)
    due_from = UtcTime(required=True)
    due_by = UtcTime(required=True)


class FollowupOverdue(Schema):
    """R-FU-1: a call not made by day 7 after delivery; the after-sales manager (and HQ) hear of it."""

    call_id = Id(required=True)
    order_id = Id(required=True)
    assigned_to = Id(load_default=None, allow_none=True)
    deadline = UtcTime(required=True)


# R-FU-3/4: what a follow-up call can end in, and the departments the customer scores 1-5 (R-FU-6 reports them)
CALL_OUTCOMES = ("satisfied", "complaint", "unreachable", "call_back")
REACHED_OUTCOMES = ("satisfied", "complaint")  # the customer was spoken to: the call is done
SCORED_DEPARTMENTS = ("booking", "reception", "workshop", "settlement")
SCORE_MIN, SCORE_MAX = 1, 5


def _score():
    return fields.Integer(strict=True, validate=validate.Range(min=SCORE_MIN, max=SCORE_MAX))


class CallScoresSchema(Schema):
    """The customer's score per department, 1-5; a department the customer did not score is absent."""

    booking = _score()
    reception = _score()
    workshop = _score()
    settlement = _score()


class FollowupCallRecorded(Schema):
    """R-FU-4: an agent recorded a follow-up call: its outcome and the customer's scores, once per attempt.

    The call is `call_id` (from `followup_scheduled`), the visit's order `order_id`; the envelope's correlation id is
    the visit, as in every event of that visit. Only a reached call (satisfied / complaint) has scores; an
    unreachable or call-back attempt has none, and the call's next attempt is another event.

    Deliberately left out (issue 14, item 5): the customer's own words and the answers to the script's questions
    (free text, which may hold a name, a mobile number or an address), and the customer's details. `called_by`
    is the agent's staff id: the dealership's staff, no customer's personal data.
    """

    call_id = Id(required=True)
    order_id = Id(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(CALL_OUTCOMES))
    scores = fields.Nested(CallScoresSchema, load_default=dict)
    called_by = Id(required=True)
    recorded_at = UtcTime(required=True)

    @validates_schema
    def _scores_only_when_reached(self, data, **_kwargs):
        if data.get("scores") and data.get("outcome") not in REACHED_OUTCOMES:
            raise ValidationError("only a reached call (satisfied or complaint) has scores", "scores")


COMPLAINT_CAUSES = ("workmanship", "comeback", "parts", "price", "waiting_time", "attitude", "booking", "other")


def N_(msgid: str) -> str:  # noqa: N802 - marks a message id for the catalog (extracted like kit.i18n.N_)
    return msgid


COMPLAINT_CAUSE_TITLES = {  # each cause's title (English message id; the services translate it)
    "workmanship": N_("Workmanship"),
    "comeback": N_("Comeback"),
    "parts": N_("Parts"),
    "price": N_("Price"),
    "waiting_time": N_("Waiting time"),
    "attitude": N_("Attitude"),
    "booking": N_("Booking"),
    "other": N_("Other"),
}


class ComplaintOpened(Schema):
    """R-FU-5: a complaint from a follow-up call, classified and routed; HQ reads complaints from its feed."""

    complaint_id = Id(required=True)
    order_id = Id(load_default=None, allow_none=True)
    cause = fields.String(required=True, validate=validate.OneOf(COMPLAINT_CAUSES))
    department = fields.String(required=True)
    manager_id = Id(required=True)
    opened_at = UtcTime(required=True)
    recontact_by = UtcTime(required=True)


class ComplaintEscalated(Schema):
    """R-FU-5: the department manager did not re-contact the customer within 24 hours."""

    complaint_id = Id(required=True)
    order_id = Id(load_default=None, allow_none=True)
    cause = fields.String(required=True, validate=validate.OneOf(COMPLAINT_CAUSES))
    manager_id = Id(required=True)
    escalated_to = Id(required=True)
    recontact_by = UtcTime(required=True)


class ComplaintClosed(Schema):
    """R-FU-5: closed with the customer's agreement."""

    complaint_id = Id(required=True)
    order_id = Id(load_default=None, allow_none=True)
    cause = fields.String(required=True, validate=validate.OneOf(COMPLAINT_CAUSES))
    closed_at = UtcTime(required=True)


class StaffRecord(Schema):
    """A staff member as the directory publishes them (never a password or its hash)."""

    staff_id = Id(required=True)
    name = fields.String(required=True)
    department = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)


class StaffRegistered(StaffRecord):
    pass


class StaffChanged(StaffRecord):
    change = fields.String(required=True, validate=validate.OneOf(("roles", "password_reset", "active", "details")))


class SessionsRevoked(Schema):
    """Sessions every service refuses from now on: one session (`session_id`, signed out), or every session of
    the staff member issued before `before` (roles or password changed, deactivated)."""

    staff_id = Id(required=True)
    session_id = Id(load_default=None, allow_none=True)
    before = UtcTime(required=True)
    reason = fields.String(
        required=True, validate=validate.OneOf(("signed_out", "roles", "password_reset", "active", "details"))
    )
