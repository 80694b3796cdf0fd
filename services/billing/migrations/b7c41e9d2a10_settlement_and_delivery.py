"""settlement and delivery: corrections, payments, warranty claims, deliveries, gate passes, parts returns,
price list drafts, the QC findings (R-BL-1..6, R-QC-3)

Revision ID: b7c41e9d2a10
Revises: 3e01d8a780c2
Create Date: 2026-12-06 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7c41e9d2a10"
down_revision = "3e01d8a780c2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variances", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("waived", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("discount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("pay_type", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("pay_types", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("bills", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("repair_kind", sa.String(length=24), nullable=True))
    with op.batch_alter_table("work_done", schema=None) as batch_op:
        batch_op.add_column(sa.Column("findings", sa.JSON(), nullable=True))
    op.create_table(
        "parts_returns",
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("return_id"),
    )
    with op.batch_alter_table("parts_returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parts_returns_order_id"), ["order_id"], unique=False)
    op.create_table(
        "invoice_corrections",
        sa.Column("correction_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("correction_id"),
    )
    with op.batch_alter_table("invoice_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_corrections_invoice_id"), ["invoice_id"], unique=False)
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("taken_by", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("approved_by", sa.String(length=40), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("payment_id"),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_invoice_id"), ["invoice_id"], unique=False)
    op.create_table(
        "warranty_claims",
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("claim", sa.JSON(), nullable=False),
        sa.Column("approved_by", sa.String(length=40), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("invoice_id"),
    )
    op.create_table(
        "deliveries",
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("delivered_by", sa.String(length=40), nullable=False),
        sa.Column("override_reason", sa.String(length=200), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("old_parts", sa.JSON(), nullable=False),
        sa.Column("waiver", sa.JSON(), nullable=False),
        sa.Column("waiver_signature", sa.String(length=64), nullable=True),
        sa.Column("next_service", sa.JSON(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_invoice_id"), ["invoice_id"], unique=False)
    op.create_table(
        "gate_passes",
        sa.Column("pass_no", sa.String(length=24), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("pass_no"),
        sa.UniqueConstraint("invoice_id"),
    )
    op.create_table(
        "gate_alerts",
        sa.Column("alert_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("guard_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    op.create_table(
        "price_list_drafts",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("labour_rate", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.String(length=32), nullable=False),
        sa.Column("labour_operations", sa.JSON(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("prepared_by", sa.String(length=40), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("version"),
    )


def downgrade() -> None:
    for table in ("price_list_drafts", "gate_alerts", "gate_passes", "deliveries", "warranty_claims"):
        op.drop_table(table)
    for table, index in (
        ("payments", "ix_payments_invoice_id"),
        ("invoice_corrections", "ix_invoice_corrections_invoice_id"),
        ("parts_returns", "ix_parts_returns_order_id"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
        op.drop_table(table)
    with op.batch_alter_table("work_done", schema=None) as batch_op:
        batch_op.drop_column("findings")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        for column in ("repair_kind", "bills", "pay_types", "pay_type", "discount", "waived", "variances"):
            batch_op.drop_column(column)
