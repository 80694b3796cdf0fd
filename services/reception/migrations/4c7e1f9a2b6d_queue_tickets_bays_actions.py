"""pre-inspection area: queue tickets, the bay a car is on, the manager's actions (R-RC-8)

Revision ID: 4c7e1f9a2b6d
Revises: 5d2e8c1a9f03
Create Date: 2026-11-28 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "4c7e1f9a2b6d"
down_revision = "5d2e8c1a9f03"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_bay", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("pre_inspection_left_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ticket_day", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ticket_no", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ticket_called_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ticket_called_by", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint("uq_visits_ticket", ["ticket_day", "ticket_no"])
        batch_op.create_unique_constraint("uq_visits_on_bay", ["on_bay"])
    op.create_table(
        "congestion_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("taken_by", sa.String(length=40), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["congestion_incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "action", name="uq_congestion_actions_incident_action"),
    )
    with op.batch_alter_table("congestion_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_congestion_actions_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("congestion_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_congestion_actions_incident_id"))
    op.drop_table("congestion_actions")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_constraint("uq_visits_on_bay", type_="unique")
        batch_op.drop_constraint("uq_visits_ticket", type_="unique")
        for column in ("ticket_called_by", "ticket_called_at", "ticket_no", "ticket_day", "pre_inspection_left_at", "on_bay"):
            batch_op.drop_column(column)
