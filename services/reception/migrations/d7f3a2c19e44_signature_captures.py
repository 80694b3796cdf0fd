"""customer signatures bound to the order version they were captured for, used once

Revision ID: d7f3a2c19e44
Revises: 4c7e1f9a2b6d
Create Date: 2026-12-06 19:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d7f3a2c19e44"
down_revision = "4c7e1f9a2b6d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signature_captures",
        sa.Column("capture_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.String(length=40), nullable=True),
        sa.Column("captured_by", sa.String(length=40), nullable=True),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("capture_id"),
    )
    op.create_index("ix_signature_captures_sha256", "signature_captures", ["sha256"])
    op.create_index("ix_signature_captures_order_id", "signature_captures", ["order_id"])


def downgrade() -> None:
    op.drop_table("signature_captures")
