"""web_sessions: server-side web sessions (the cookie holds a random token, never the API key)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db.types import UtcDateTime

revision = "0004_web_sessions"
down_revision: str | None = "0003_audit_counts"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create web_sessions and its indexes."""
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(["key_id"], ["api_keys.id"], name="fk_web_sessions_key_id_api_keys"),
    )
    op.create_index("ix_web_sessions_key_id", "web_sessions", ["key_id"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])


def downgrade() -> None:
    """Drop web_sessions."""
    op.drop_table("web_sessions")
