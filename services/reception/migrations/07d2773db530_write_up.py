"""the write-up: walk-around sheets, odometer changes, write-ups (diagnosis, jobs, order fields), findings

Revision ID: 07d2773db530
Revises: 9e787292469b
Create Date: 2026-11-28 05:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = "07d2773db530"
down_revision = "9e787292469b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "walk_arounds",
        sa.Column("visit_id", sa.String(length=40), nullable=False),
        sa.Column("covers", sa.JSON(), nullable=False),
        sa.Column("covers_by", sa.String(length=40), nullable=True),
        sa.Column("sheet", sa.JSON(), nullable=False),
        sa.Column("first_service", sa.Boolean(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.visit_id"],
        ),
        sa.PrimaryKeyConstraint("visit_id"),
    )
    op.create_table(
        "odometer_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(length=40), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("previous_km", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=40), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("odometer_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_odometer_changes_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_odometer_changes_vin"), ["vin"], unique=False)
    op.create_table(
        "write_ups",
        sa.Column("visit_id", sa.String(length=40), nullable=False),
        sa.Column("customer_words", sa.Text(), nullable=False),
        sa.Column("concern", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("correction", sa.Text(), nullable=False),
        sa.Column("symptom_codes", sa.JSON(), nullable=False),
        sa.Column("jobs", sa.JSON(), nullable=False),
        sa.Column("pay_type", sa.String(length=12), nullable=False),
        sa.Column("key_tag", sa.String(length=20), nullable=True),
        sa.Column("open_key_tag", sa.String(length=20), nullable=True),
        sa.Column("customer_waits", sa.Boolean(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.visit_id"],
        ),
        sa.PrimaryKeyConstraint("visit_id"),
        sa.UniqueConstraint("open_key_tag"),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("jobs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("proposed_by", sa.String(length=40), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.visit_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_visit_id"), ["visit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_visit_id"))
    op.drop_table("findings")
    op.drop_table("write_ups")
    with op.batch_alter_table("odometer_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_odometer_changes_vin"))
        batch_op.drop_index(batch_op.f("ix_odometer_changes_visit_id"))
    op.drop_table("odometer_changes")
    op.drop_table("walk_arounds")
