"""audit_log.source and audit_log.count: failed authentications are summed per source and window.

Plain ADD/DROP COLUMN on both backends (SQLite ≥ 3.35), never a table copy: a copied audit_log
would lose its append-only triggers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_audit_counts"
down_revision: str | None = "0002_cds_feedback"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the two columns (existing rows count 1, source unknown)."""
    op.add_column("audit_log", sa.Column("source", sa.String(64), nullable=True))
    op.add_column("audit_log", sa.Column("count", sa.Integer(), nullable=False, server_default=sa.text("1")))


def downgrade() -> None:
    """Drop the two columns."""
    op.execute("ALTER TABLE audit_log DROP COLUMN count")
    op.execute("ALTER TABLE audit_log DROP COLUMN source")
