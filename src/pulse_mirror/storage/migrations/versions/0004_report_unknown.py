"""Report runs may be 'unknown': the post may have gone out, so it is not posted again.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NEW = "status IN ('claimed', 'posted', 'failed', 'unknown')"
_OLD = "status IN ('claimed', 'posted', 'failed')"


def _replace_check(condition: str) -> None:
    # SQLite cannot alter a constraint: the batch rebuilds the table (foreign keys off,
    # checked after, as storage.migrate does for every rebuild).
    with op.batch_alter_table("report_run", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_report_run_status"), type_="check")
        batch.create_check_constraint(op.f("ck_report_run_status"), condition)


def upgrade() -> None:
    """Apply this revision."""
    _replace_check(_NEW)


def downgrade() -> None:
    """Revert this revision: an unknown run becomes failed, which a later run may retry."""
    op.execute("UPDATE report_run SET status = 'failed' WHERE status = 'unknown'")
    _replace_check(_OLD)
