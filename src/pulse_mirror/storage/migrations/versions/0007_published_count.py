"""A week's counts as its first posted report showed them, so published figures stay final.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "published_count",
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "side", "item", "value", name=op.f("pk_published_count")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("published_count")
