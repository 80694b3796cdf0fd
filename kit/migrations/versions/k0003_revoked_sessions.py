"""The sessions every service refuses (kit.sessions): signed out, or issued before new roles or a new password.

Revision ID: k0003
Revises: k0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "k0003"
down_revision = "k0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revoked_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_revoked_sessions_staff_id", "revoked_sessions", ["staff_id"])


def downgrade() -> None:
    op.drop_table("revoked_sessions")
