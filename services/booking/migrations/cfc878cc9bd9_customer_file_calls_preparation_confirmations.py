"""customer file (birthday, preferred advisor, pinyin, mileage readings), calls, price list copy,
preparation checklist, confirmation tasks

Revision ID: cfc878cc9bd9
Revises: fed8ae80720a
Create Date: 2026-11-28 04:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "cfc878cc9bd9"
down_revision = "fed8ae80720a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birthday", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("preferred_advisor_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("pinyin", sa.String(length=200), server_default="", nullable=False))
        batch_op.create_index(batch_op.f("ix_customers_pinyin"), ["pinyin"], unique=False)

    # customers booked before this revision: their names become searchable by pinyin too
    from services.booking.domain.customers import name_key

    conn = op.get_bind()
    customers = sa.table("customers", sa.column("customer_id", sa.String), sa.column("name", sa.String))
    for customer_id, name in conn.execute(sa.select(customers.c.customer_id, customers.c.name)).all():
        conn.execute(
            sa.text("UPDATE customers SET pinyin = :pinyin WHERE customer_id = :id"),
            {"pinyin": name_key(name), "id": customer_id},
        )

    op.create_table(
        "mileage_readings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("mileage_km", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["vin"], ["vehicles.vin"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mileage_readings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mileage_readings_vin"), ["vin"], unique=False)

    op.create_table(
        "calls",
        sa.Column("call_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("vin", sa.String(length=17), nullable=True),
        sa.Column("caller", sa.JSON(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("due_items", sa.JSON(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("price_list_version", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("call_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appointment_id", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_id"),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calls_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_vin"), ["vin"], unique=False)

    op.create_table(
        "call_outcomes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("call_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appointment_id", sa.String(length=40), nullable=True),
        sa.Column("by", sa.String(length=40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.call_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("call_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_outcomes_call_id"), ["call_id"], unique=False)

    op.create_table(
        "price_list_copies",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("labour_rate", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.String(length=32), nullable=False),
        sa.Column("labour", sa.JSON(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )

    op.create_table(
        "preparation_items",
        sa.Column("appointment_id", sa.String(length=40), nullable=False),
        sa.Column("item", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("done_by", sa.String(length=40), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.appointment_id"]),
        sa.PrimaryKeyConstraint("appointment_id", "item"),
    )

    op.create_table(
        "confirmation_tasks",
        sa.Column("task_id", sa.String(length=40), nullable=False),
        sa.Column("appointment_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("for_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.JSON(), nullable=False),
        sa.Column("answered_by", sa.String(length=40), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.appointment_id"]),
        sa.PrimaryKeyConstraint("task_id"),
    )
    with op.batch_alter_table("confirmation_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_confirmation_tasks_appointment_id"), ["appointment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_confirmation_tasks_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_confirmation_tasks_answer_by"), ["answer_by"], unique=False)


def downgrade() -> None:
    op.drop_table("confirmation_tasks")
    op.drop_table("preparation_items")
    op.drop_table("price_list_copies")
    op.drop_table("call_outcomes")
    op.drop_table("calls")
    op.drop_table("mileage_readings")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_pinyin"))
        batch_op.drop_column("pinyin")
        batch_op.drop_column("preferred_advisor_id")
        batch_op.drop_column("birthday")
