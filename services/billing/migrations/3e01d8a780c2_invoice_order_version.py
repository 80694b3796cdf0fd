"""the signed order version an invoice was audited against (R-BL-1, R-WS-3)

Revision ID: 3e01d8a780c2
Revises: e1f488e0dfef
Create Date: 2026-11-28 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3e01d8a780c2"
down_revision = "e1f488e0dfef"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("order_version")
