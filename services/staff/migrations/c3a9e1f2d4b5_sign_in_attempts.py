"""sign-in attempts by account and address (throttling and lockout)

Revision ID: c3a9e1f2d4b5
Revises: b208cb40eec3
Create Date: 2026-12-06 18:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c3a9e1f2d4b5"
down_revision = "b208cb40eec3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_attempts_staff_id", "sign_in_attempts", ["staff_id"])
    op.create_index("ix_sign_in_attempts_address", "sign_in_attempts", ["address"])


def downgrade() -> None:
    op.drop_table("sign_in_attempts")
