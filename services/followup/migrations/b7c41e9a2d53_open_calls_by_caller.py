"""open calls by caller

Revision ID: b7c41e9a2d53
Revises: 690d8f43eaf5
Create Date: 2026-12-07 08:30:00.000000
"""

from alembic import op


revision = "b7c41e9a2d53"
down_revision = "690d8f43eaf5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # each delivery counts every caller's open calls (R-FU-2): by this index, not a scan of the table for each caller
    with op.batch_alter_table("follow_up_calls", schema=None) as batch_op:
        batch_op.create_index("ix_follow_up_calls_assigned_to_status", ["assigned_to", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("follow_up_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_calls_assigned_to_status")
