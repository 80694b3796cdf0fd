"""store_events.customer_ref: a signed order's pseudonymous customer, for the returning-customer figure

Revision ID: c41e8d2a7b90
Revises: a337c6af293f
Create Date: 2026-12-07 04:20:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "c41e8d2a7b90"
down_revision = "a337c6af293f"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("store_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_ref", sa.String(length=80), nullable=True))
        batch_op.create_index("ix_store_events_customer", ["dealer_id", "customer_ref"], unique=False)
    # the orders already held: their pseudonym read once from the body they came with (domain.intake's rule)
    conn = op.get_bind()
    events = sa.table("store_events", sa.column("event_id"), sa.column("event_type"), sa.column("body"))
    refs = sa.table("store_events", sa.column("event_id"), sa.column("customer_ref"))
    update = refs.update().where(refs.c.event_id == sa.bindparam("id")).values(customer_ref=sa.bindparam("ref"))
    rows = conn.execute(sa.select(events.c.event_id, events.c.body).where(events.c.event_type == "order_signed"))
    found = []
    for event_id, body in rows:
        try:
            ref = (json.loads(body).get("payload") or {}).get("customer_ref")
        except (ValueError, AttributeError, RecursionError):
            continue
        if isinstance(ref, str) and 0 < len(ref) <= 80:
            found.append({"id": event_id, "ref": ref})
    for start in range(0, len(found), BATCH):
        conn.execute(update, found[start : start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("store_events", schema=None) as batch_op:
        batch_op.drop_index("ix_store_events_customer")
        batch_op.drop_column("customer_ref")
