"""additional work (R-WS-3): requests to the advisor, notices to the technician

Revision ID: 3952ba7266b3
Revises: b5f929280c20
Create Date: 2026-11-28 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3952ba7266b3"
down_revision = "b5f929280c20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "additional_work_requests",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("order_version", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=40), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["work_orders.order_id"],
        ),
        sa.PrimaryKeyConstraint("request_id"),
    )
    with op.batch_alter_table("additional_work_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_additional_work_requests_order_id"), ["order_id"], unique=False)
    op.create_table(
        "technician_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("technician_id", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("added", sa.JSON(), nullable=False),
        sa.Column("declined", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("technician_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_technician_notices_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_technician_notices_technician_id"), ["technician_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("technician_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technician_notices_technician_id"))
        batch_op.drop_index(batch_op.f("ix_technician_notices_order_id"))
    op.drop_table("technician_notices")
    with op.batch_alter_table("additional_work_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_additional_work_requests_order_id"))
    op.drop_table("additional_work_requests")
