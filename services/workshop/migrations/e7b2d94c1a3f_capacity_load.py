"""capacity load: minutes taken per clock hour and resource, kept by holds and releases (R-BK-4)

A hold or a promise read every chunk of a 14-day window and summed it; the sums are kept here instead, filled
from the holds that count (held or confirmed) and from then on changed with their chunks.

Revision ID: e7b2d94c1a3f
Revises: c3f1a9e4d2b7
Create Date: 2026-12-07 00:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e7b2d94c1a3f"
down_revision = "c3f1a9e4d2b7"
branch_labels = None
depends_on = None

# each chunk takes its minutes from its skill, from all technicians and from the bays (domain/capacity.py load_of)
BACKFILL = """
INSERT INTO capacity_load (hour, resource, minutes)
SELECT taken.hour, taken.resource, SUM(taken.minutes)
FROM (
    SELECT c.hour AS hour, c.skill AS resource, c.minutes AS minutes
    FROM capacity_chunks c JOIN capacity_holds h ON h.appointment_id = c.appointment_id
    WHERE h.status IN ('held', 'confirmed')
    UNION ALL
    SELECT c.hour, 'technicians', c.minutes
    FROM capacity_chunks c JOIN capacity_holds h ON h.appointment_id = c.appointment_id
    WHERE h.status IN ('held', 'confirmed')
    UNION ALL
    SELECT c.hour, 'bays', c.minutes
    FROM capacity_chunks c JOIN capacity_holds h ON h.appointment_id = c.appointment_id
    WHERE h.status IN ('held', 'confirmed')
) AS taken
GROUP BY taken.hour, taken.resource
"""


def upgrade() -> None:
    op.create_table(
        "capacity_load",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resource", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "resource"),
    )
    with op.batch_alter_table("capacity_holds", schema=None) as batch_op:
        batch_op.create_index("ix_capacity_holds_status_expires_at", ["status", "expires_at"], unique=False)
    op.execute(sa.text(BACKFILL))


def downgrade() -> None:
    with op.batch_alter_table("capacity_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_capacity_holds_status_expires_at")
    op.drop_table("capacity_load")
