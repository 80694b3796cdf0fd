"""progress notices the advisor phoned (R-PN-1, customers without an e-mail address)

Revision ID: 0882a0a806e8
Revises: bbf84df02b2e
Create Date: 2026-11-28 05:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0882a0a806e8"
down_revision = "bbf84df02b2e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phoned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("phoned_by", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_notices", schema=None) as batch_op:
        batch_op.drop_column("phoned_by")
        batch_op.drop_column("phoned_at")
