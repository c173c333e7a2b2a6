"""Initial schema: api_keys, referrals, referral_events and the append-only audit_log."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db.types import JsonDocument, UtcDateTime

revision = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

APPEND_ONLY_MESSAGE = "audit_log is append-only"


def upgrade() -> None:
    """Create every table, index and the audit_log append-only triggers."""
    _create_api_keys()
    _create_referrals()
    _create_referral_events()
    _create_audit_log()
    _create_append_only_triggers()


def downgrade() -> None:
    """Drop everything ``upgrade`` created, in reverse order."""
    _drop_append_only_triggers()
    op.drop_table("audit_log")
    op.drop_table("referral_events")
    op.drop_table("referrals")
    op.drop_table("api_keys")


def _create_api_keys() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )


def _create_referrals() -> None:
    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("pathway", sa.String(20), nullable=False),
        sa.Column("procedure_date", sa.Date(), nullable=False),
        sa.Column("record_json", JsonDocument, nullable=False),
        sa.Column("assessment_json", JsonDocument, nullable=False),
        sa.Column("model_name", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("ruleset_version", sa.String(100), nullable=False),
        sa.Column("pcp_json", JsonDocument, nullable=False),
        sa.Column("referrer_json", JsonDocument, nullable=False),
        sa.Column("letter_html", sa.Text(), nullable=False),
        sa.Column("patient_letter_html", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_referrals"),
        sa.ForeignKeyConstraint(["created_by"], ["api_keys.id"], name="fk_referrals_created_by_api_keys"),
        sa.UniqueConstraint("idempotency_key", name="uq_referrals_idempotency_key"),
    )
    for column in ("patient_id", "status", "priority", "procedure_date", "sent_at"):
        op.create_index(f"ix_referrals_{column}", "referrals", [column])
    op.create_index("ix_referrals_created_at_id", "referrals", ["created_at", "id"])


def _create_referral_events() -> None:
    op.create_table(
        "referral_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("by_key_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_referral_events"),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name="fk_referral_events_referral_id_referrals"
        ),
        sa.ForeignKeyConstraint(["by_key_id"], ["api_keys.id"], name="fk_referral_events_by_key_id_api_keys"),
    )
    op.create_index("ix_referral_events_referral_id", "referral_events", ["referral_id"])


def _create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_key_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("target_type", sa.String(30), nullable=True),
        sa.Column("target_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(["actor_key_id"], ["api_keys.id"], name="fk_audit_log_actor_key_id_api_keys"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_action", "audit_log", ["action"])


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{verb}")
