"""CDS Hooks feedback: the cds_feedback table (card outcomes, idempotent on card/outcome/time)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db.types import JsonDocument, UtcDateTime

revision = "0002_cds_feedback"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create cds_feedback and its indexes."""
    op.create_table(
        "cds_feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("card_uuid", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("accepted_suggestions", JsonDocument, nullable=False),
        sa.Column("override_reason_system", sa.String(255), nullable=True),
        sa.Column("override_reason_code", sa.String(100), nullable=True),
        sa.Column("override_reason_display", sa.String(255), nullable=True),
        sa.Column("user_comment", sa.String(500), nullable=True),
        sa.Column("outcome_timestamp", UtcDateTime(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("iss", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cds_feedback"),
        sa.UniqueConstraint(
            "service_id", "card_uuid", "outcome", "outcome_timestamp", name="uq_cds_feedback_card_outcome"
        ),
    )
    op.create_index("ix_cds_feedback_service_id", "cds_feedback", ["service_id"])
    op.create_index("ix_cds_feedback_received_at", "cds_feedback", ["received_at"])


def downgrade() -> None:
    """Drop cds_feedback."""
    op.drop_table("cds_feedback")
