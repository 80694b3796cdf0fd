"""amendments (R-WS-3): additional work from the workshop, amendments, consent requests (R-PN-1 hook)

Revision ID: 73644a46af9c
Revises: 9e787292469b
Create Date: 2026-11-28 05:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "73644a46af9c"
down_revision = "9e787292469b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "additional_work",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("order_version", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.String(length=40), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=40), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amendment_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("request_id"),
    )
    with op.batch_alter_table("additional_work", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_additional_work_order_id"), ["order_id"], unique=False)
    op.create_table(
        "amendments",
        sa.Column("amendment_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("promised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priced_by", sa.String(length=40), nullable=True),
        sa.Column("priced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted", sa.JSON(), nullable=False),
        sa.Column("declined", sa.JSON(), nullable=False),
        sa.Column("consent", sa.JSON(), nullable=True),
        sa.Column("new_version", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.order_id"],
        ),
        sa.PrimaryKeyConstraint("amendment_id"),
    )
    with op.batch_alter_table("amendments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendments_order_id"), ["order_id"], unique=False)
    op.create_table(
        "consent_requests",
        sa.Column("amendment_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("visit_id", sa.String(length=40), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("customer", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("added_total", sa.BigInteger(), nullable=False),
        sa.Column("promised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("amendment_id"),
    )
    with op.batch_alter_table("consent_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_requests_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("consent_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_requests_order_id"))
    op.drop_table("consent_requests")
    with op.batch_alter_table("amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_amendments_order_id"))
    op.drop_table("amendments")
    with op.batch_alter_table("additional_work", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_additional_work_order_id"))
    op.drop_table("additional_work")
