"""the workshop floor: dispatch per job, the job clock, expert help, the inspection standard, non-conformances,
stock-outs, comebacks, staff from the directory

Revision ID: c3f1a9e4d2b7
Revises: 8a41f07c2b6e
Create Date: 2026-12-06 18:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c3f1a9e4d2b7"
down_revision = "8a41f07c2b6e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("corrected_by", sa.String(length=40), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clock_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clock_corrections_order_id"), ["order_id"], unique=False)

    op.create_table(
        "floor_staff",
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    op.create_table(
        "help_tickets",
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("asked_by", sa.String(length=40), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=40), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("help_tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_help_tickets_order_id"), ["order_id"], unique=False)

    op.create_table(
        "job_intervals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("technician_id", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job_intervals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_intervals_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_intervals_technician_id"), ["technician_id"], unique=False)

    op.create_table(
        "manager_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("manager_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manager_alerts_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "help_photos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["help_tickets.ticket_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("help_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_help_photos_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "non_conformances",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=80), nullable=False),
        sa.Column("cause", sa.String(length=500), nullable=False),
        sa.Column("technician_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["quality_checks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("non_conformances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_non_conformances_check_id"), ["check_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_non_conformances_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_non_conformances_technician_id"), ["technician_id"], unique=False)

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bay_id", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("planned_start", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("planned_end", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("clock", sa.String(length=12), server_default="assigned", nullable=False))
        batch_op.add_column(sa.Column("pause_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("self_check", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("repair_report", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("signed_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("reworks", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("quality_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("items", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("road_test", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("wear", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("deferred_work", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("washed", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("finished_bay", sa.String(length=20), nullable=True))

    with op.batch_alter_table("technicians", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vin", sa.String(length=17), nullable=True))
        batch_op.add_column(sa.Column("mileage_km", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("concerns", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("comeback_of", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("team_leader", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("waiting_parts", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("parts_expected_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("at_risk_told", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_work_orders_vin"), ["vin"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_orders_vin"))
        batch_op.drop_column("at_risk_told")
        batch_op.drop_column("parts_expected_on")
        batch_op.drop_column("waiting_parts")
        batch_op.drop_column("team_leader")
        batch_op.drop_column("comeback_of")
        batch_op.drop_column("concerns")
        batch_op.drop_column("mileage_km")
        batch_op.drop_column("vin")

    with op.batch_alter_table("technicians", schema=None) as batch_op:
        batch_op.drop_column("active")

    with op.batch_alter_table("quality_checks", schema=None) as batch_op:
        batch_op.drop_column("finished_bay")
        batch_op.drop_column("washed")
        batch_op.drop_column("deferred_work")
        batch_op.drop_column("wear")
        batch_op.drop_column("road_test")
        batch_op.drop_column("items")

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("reworks")
        batch_op.drop_column("signed_by")
        batch_op.drop_column("signature")
        batch_op.drop_column("repair_report")
        batch_op.drop_column("self_check")
        batch_op.drop_column("pause_reason")
        batch_op.drop_column("clock")
        batch_op.drop_column("planned_end")
        batch_op.drop_column("planned_start")
        batch_op.drop_column("bay_id")

    with op.batch_alter_table("non_conformances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_non_conformances_technician_id"))
        batch_op.drop_index(batch_op.f("ix_non_conformances_order_id"))
        batch_op.drop_index(batch_op.f("ix_non_conformances_check_id"))

    op.drop_table("non_conformances")
    with op.batch_alter_table("help_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_photos_ticket_id"))

    op.drop_table("help_photos")
    with op.batch_alter_table("manager_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manager_alerts_subject_id"))

    op.drop_table("manager_alerts")
    with op.batch_alter_table("job_intervals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_intervals_technician_id"))
        batch_op.drop_index(batch_op.f("ix_job_intervals_order_id"))

    op.drop_table("job_intervals")
    with op.batch_alter_table("help_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_tickets_order_id"))

    op.drop_table("help_tickets")
    op.drop_table("floor_staff")
    with op.batch_alter_table("clock_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clock_corrections_order_id"))

    op.drop_table("clock_corrections")
