"""incident reviews (R-RC-8), progress notices (R-PN-1), staff names

Revision ID: bbf84df02b2e
Revises: 9e787292469b
Create Date: 2026-11-28 05:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "bbf84df02b2e"
down_revision = "9e787292469b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("congestion_incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("root_cause", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("root_cause_note", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "progress_notices",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("progress_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_notices_order_id"), ["order_id"], unique=False)
    op.create_table(
        "staff_names",
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("staff_id"),
    )


def downgrade() -> None:
    op.drop_table("staff_names")
    with op.batch_alter_table("progress_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_notices_order_id"))
    op.drop_table("progress_notices")
    with op.batch_alter_table("congestion_incidents", schema=None) as batch_op:
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("root_cause_note")
        batch_op.drop_column("root_cause")
