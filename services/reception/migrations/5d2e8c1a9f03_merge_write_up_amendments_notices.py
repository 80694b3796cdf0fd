"""merge the write-up, amendments and progress-notice branches (written side by side)

Revision ID: 5d2e8c1a9f03
Revises: 07d2773db530, 0882a0a806e8, 669caefe9c14
Create Date: 2026-11-28 05:40:00
"""

revision = "5d2e8c1a9f03"
down_revision = ("07d2773db530", "0882a0a806e8", "669caefe9c14")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
