"""merge the capacity and additional-work branches (written side by side)

Revision ID: 8a41f07c2b6e
Revises: 428876cd8b51, 51ec347771f7
Create Date: 2026-11-28 05:40:00
"""

revision = "8a41f07c2b6e"
down_revision = ("428876cd8b51", "51ec347771f7")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
