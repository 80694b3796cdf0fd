"""additional work: the job it was found on (R-WS-3)

Revision ID: 51ec347771f7
Revises: 3952ba7266b3
Create Date: 2026-11-28 05:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "51ec347771f7"
down_revision = "3952ba7266b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("additional_work_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_line_no", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("additional_work_requests", schema=None) as batch_op:
        batch_op.drop_column("job_line_no")
