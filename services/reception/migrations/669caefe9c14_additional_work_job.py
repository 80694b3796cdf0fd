"""additional work: the job it was found on (R-WS-3)

Revision ID: 669caefe9c14
Revises: 73644a46af9c
Create Date: 2026-11-28 05:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "669caefe9c14"
down_revision = "73644a46af9c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("additional_work", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_line_no", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("additional_work", schema=None) as batch_op:
        batch_op.drop_column("job_line_no")
