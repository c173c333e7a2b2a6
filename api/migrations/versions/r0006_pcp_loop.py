"""The PCP loop (issue 16): deliveries and attempts, print batches, acknowledgement tokens and
answers, job leases and worklist escalations."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db.types import UtcDateTime

revision = "0006_pcp_loop"
down_revision: str | None = "0005_idempotency_per_key"
branch_labels: str | None = None
depends_on: str | None = None

TABLES = (
    "referral_escalations",
    "job_leases",
    "pcp_responses",
    "ack_tokens",
    "delivery_attempts",
    "deliveries",
    "print_batches",
)  # fmt: skip  (reverse creation order)


def upgrade() -> None:
    """Create the seven tables and their indexes."""
    _create_print_batches()
    _create_deliveries()
    _create_delivery_attempts()
    _create_ack_tokens()
    _create_pcp_responses()
    _create_jobs()


def downgrade() -> None:
    """Drop what ``upgrade`` created, in reverse order."""
    for table in TABLES:
        op.drop_table(table)


def _fk(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    """A foreign key to ``target.id`` named as the models' naming convention names it."""
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def _create_print_batches() -> None:
    op.create_table(
        "print_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("letters", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_print_batches"),
        _fk("created_by", "print_batches", "api_keys"),
    )


def _create_deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("print_batch_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        _fk("referral_id", "deliveries", "referrals"),
        _fk("created_by", "deliveries", "api_keys"),
        _fk("print_batch_id", "deliveries", "print_batches"),
        sa.UniqueConstraint(
            "referral_id", "channel", "purpose", name="uq_deliveries_referral_channel_purpose"
        ),
    )
    op.create_index("ix_deliveries_referral_id", "deliveries", ["referral_id"])
    op.create_index("ix_deliveries_status_next_attempt_at", "deliveries", ["status", "next_attempt_at"])


def _create_delivery_attempts() -> None:
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error_code", sa.String(40), nullable=True),
        sa.Column("error_text", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_attempts"),
        _fk("delivery_id", "delivery_attempts", "deliveries"),
        sa.UniqueConstraint("delivery_id", "number", name="uq_delivery_attempts_delivery_number"),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])


def _create_ack_tokens() -> None:
    op.create_table(
        "ack_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("follows_token_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ack_tokens"),
        _fk("referral_id", "ack_tokens", "referrals"),
        _fk("delivery_id", "ack_tokens", "deliveries"),
        _fk("follows_token_id", "ack_tokens", "ack_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_ack_tokens_token_hash"),
    )
    op.create_index("ix_ack_tokens_referral_id", "ack_tokens", ["referral_id"])


def _create_pcp_responses() -> None:
    op.create_table(
        "pcp_responses",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(30), nullable=False),
        sa.Column("drug_class", sa.String(30), nullable=True),
        sa.Column("treatment_start_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answered_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pcp_responses"),
        _fk("referral_id", "pcp_responses", "referrals"),
        _fk("token_id", "pcp_responses", "ack_tokens"),
        sa.UniqueConstraint("token_id", name="uq_pcp_responses_token_id"),
    )
    op.create_index("ix_pcp_responses_referral_id", "pcp_responses", ["referral_id"])


def _create_jobs() -> None:
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_job_leases"),
    )
    op.create_table(
        "referral_escalations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("escalated_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_referral_escalations"),
        _fk("referral_id", "referral_escalations", "referrals"),
        _fk("resolved_by", "referral_escalations", "api_keys"),
        sa.UniqueConstraint("referral_id", "reason", name="uq_referral_escalations_referral_reason"),
    )
    op.create_index("ix_referral_escalations_referral_id", "referral_escalations", ["referral_id"])
