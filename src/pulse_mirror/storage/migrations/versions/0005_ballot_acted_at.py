"""A ballot remembers when the click it holds was made, so a replayed older click is refused.

Slack signs a click with its time (``action_ts``); a captured request re-sent within Slack's
five-minute window is genuine, so only the ballot can tell it is older than the last change.
The ballot is deleted with the answer window, and so is this time.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("ballot", sa.Column("acted_at", sa.Float(precision=53), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("ballot") as batch:
        batch.drop_column("acted_at")
