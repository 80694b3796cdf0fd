"""capacity: technicians' skills and shifts, standard hours, capacity holds (R-BK-4)

Revision ID: 428876cd8b51
Revises: b5f929280c20
Create Date: 2026-11-28 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "428876cd8b51"
down_revision = "b5f929280c20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("technicians", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skills", sa.String(length=120), server_default="mechanical", nullable=False))
        batch_op.add_column(sa.Column("shift_starts", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("shift_ends", sa.Time(), nullable=True))
    # the single Chinese skill names become skill codes
    for old, new in (("机电", "mechanical"), ("钣喷", "body"), ("快修", "quick"), ("电气", "electrical")):
        op.execute(sa.text("UPDATE technicians SET skills = :new WHERE skill = :old").bindparams(new=new, old=old))
    op.create_table(
        "standard_hours",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("hours", sa.String(length=32), nullable=False),
        sa.Column("price_list_version", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "capacity_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("holds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "capacity_holds",
        sa.Column("appointment_id", sa.String(length=40), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("labour", sa.JSON(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finishes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("over_capacity", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("appointment_id"),
    )
    op.create_table(
        "capacity_chunks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appointment_id", sa.String(length=40), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skill", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["appointment_id"], ["capacity_holds.appointment_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capacity_chunks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capacity_chunks_appointment_id"), ["appointment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_capacity_chunks_hour"), ["hour"], unique=False)


def downgrade() -> None:
    op.drop_table("capacity_chunks")
    op.drop_table("capacity_holds")
    op.drop_table("capacity_days")
    op.drop_table("standard_hours")
    with op.batch_alter_table("technicians", schema=None) as batch_op:
        batch_op.drop_column("shift_ends")
        batch_op.drop_column("shift_starts")
        batch_op.drop_column("skills")
