"""Comment waits: a customer who tapped "comment" is still awaited after a restart.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "comment_wait",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery.id"],
            name=op.f("fk_comment_wait_delivery_id_delivery"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_comment_wait_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_comment_wait")),
    )
    op.create_index(
        op.f("ix_comment_wait_delivery_id"), "comment_wait", ["delivery_id"], unique=False
    )
    op.create_index(
        op.f("ix_comment_wait_expires_at"), "comment_wait", ["expires_at"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_comment_wait_expires_at"), table_name="comment_wait")
    op.drop_index(op.f("ix_comment_wait_delivery_id"), table_name="comment_wait")
    op.drop_table("comment_wait")
