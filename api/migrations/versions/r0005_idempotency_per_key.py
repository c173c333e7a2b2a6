"""Idempotency-Key unique per API key (created_by, idempotency_key), no longer across all callers."""

from __future__ import annotations

from alembic import op

revision = "0005_idempotency_per_key"
down_revision: str | None = "0004_web_sessions"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Swap the single-column unique constraint for the per-key one."""
    with op.batch_alter_table("referrals") as batch:
        batch.drop_constraint("uq_referrals_idempotency_key", type_="unique")
        batch.create_unique_constraint(
            "uq_referrals_created_by_idempotency_key", ["created_by", "idempotency_key"]
        )


def downgrade() -> None:
    """Back to one key space (fails if two callers have used the same key since)."""
    with op.batch_alter_table("referrals") as batch:
        batch.drop_constraint("uq_referrals_created_by_idempotency_key", type_="unique")
        batch.create_unique_constraint("uq_referrals_idempotency_key", ["idempotency_key"])
