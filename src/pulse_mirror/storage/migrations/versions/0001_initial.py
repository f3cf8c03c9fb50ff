"""The initial schema: people, pulses, the outbox, answers, comments, ballots, report runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("group", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("platform IN ('slack', 'telegram')", name=op.f("ck_person_platform")),
        sa.CheckConstraint("side IN ('customer', 'employee')", name=op.f("ck_person_side")),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'opted_out', 'blocked')", name=op.f("ck_person_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint(
            "platform", "platform_user_id", name=op.f("uq_person_platform_platform_user_id")
        ),
    )
    op.create_table(
        "pulse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_closed", sa.Boolean(), nullable=False),
        sa.CheckConstraint("side IN ('customer', 'employee')", name=op.f("ck_pulse_side")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse")),
        sa.UniqueConstraint("week", "side", name=op.f("uq_pulse_week_side")),
    )
    op.create_table(
        "report_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("destination", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("platform_ref", sa.String(length=256), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('claimed', 'posted', 'failed')", name=op.f("ck_report_run_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_run")),
        sa.UniqueConstraint("week", "destination", name=op.f("uq_report_run_week_destination")),
    )
    op.create_table(
        "answer",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=64), nullable=True),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "side = 'customer' OR respondent_id IS NULL", name=op.f("ck_answer_anonymous_employee")
        ),
        sa.CheckConstraint("side IN ('customer', 'employee')", name=op.f("ck_answer_side")),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["person.id"],
            name=op.f("fk_answer_respondent_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_answer_respondent_id"), "answer", ["respondent_id"], unique=False)
    op.create_index(
        "ix_answer_week_side_item_value", "answer", ["week", "side", "item", "value"], unique=False
    )

    op.create_table(
        "comment",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("group", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "side = 'customer' OR respondent_id IS NULL", name=op.f("ck_comment_anonymous_employee")
        ),
        sa.CheckConstraint("side IN ('customer', 'employee')", name=op.f("ck_comment_side")),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["person.id"],
            name=op.f("fk_comment_respondent_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_comment_respondent_id"), "comment", ["respondent_id"], unique=False)
    op.create_index("ix_comment_week_side", "comment", ["week", "side"], unique=False)

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("platform_message_id", sa.String(length=128), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('question', 'reminder_1', 'reminder_2', 'report')",
            name=op.f("ck_delivery_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'claimed', 'sent', 'failed', 'unknown', 'cancelled')",
            name=op.f("ck_delivery_status"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_delivery_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pulse_id"], ["pulse.id"], name=op.f("fk_delivery_pulse_id_pulse"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("key", name=op.f("uq_delivery_key")),
        sa.UniqueConstraint("token", name=op.f("uq_delivery_token")),
    )
    op.create_index(op.f("ix_delivery_person_id"), "delivery", ["person_id"], unique=False)
    op.create_index(op.f("ix_delivery_pulse_id"), "delivery", ["pulse_id"], unique=False)
    op.create_index("ix_delivery_status_due_at", "delivery", ["status", "due_at"], unique=False)

    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("answer_id", sa.String(length=32), nullable=True),
        sa.Column("comment_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "answer_id IS NULL OR comment_id IS NULL", name=op.f("ck_ballot_one_link")
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answer.id"],
            name=op.f("fk_ballot_answer_id_answer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_ballot_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery.id"],
            name=op.f("fk_ballot_delivery_id_delivery"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sa.UniqueConstraint("delivery_id", "item", name=op.f("uq_ballot_delivery_id_item")),
    )
    op.create_index(op.f("ix_ballot_answer_id"), "ballot", ["answer_id"], unique=False)
    op.create_index(op.f("ix_ballot_comment_id"), "ballot", ["comment_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_ballot_comment_id"), table_name="ballot")
    op.drop_index(op.f("ix_ballot_answer_id"), table_name="ballot")

    op.drop_table("ballot")
    op.drop_index("ix_delivery_status_due_at", table_name="delivery")
    op.drop_index(op.f("ix_delivery_pulse_id"), table_name="delivery")
    op.drop_index(op.f("ix_delivery_person_id"), table_name="delivery")

    op.drop_table("delivery")
    op.drop_index("ix_comment_week_side", table_name="comment")
    op.drop_index(op.f("ix_comment_respondent_id"), table_name="comment")

    op.drop_table("comment")
    op.drop_index("ix_answer_week_side_item_value", table_name="answer")
    op.drop_index(op.f("ix_answer_respondent_id"), table_name="answer")

    op.drop_table("answer")
    op.drop_table("report_run")
    op.drop_table("pulse")
    op.drop_table("person")
