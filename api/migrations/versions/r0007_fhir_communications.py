"""The FHIR delivery channel (issue 16): the Communications published to the receiving EHRs."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db.types import UtcDateTime

revision = "0007_fhir_communications"
down_revision: str | None = "0006_pcp_loop"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``fhir_communications`` and its index."""
    op.create_table(
        "fhir_communications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fhir_communications"),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name="fk_fhir_communications_referral_id_referrals"
        ),
        sa.UniqueConstraint("referral_id", "purpose", name="uq_fhir_communications_referral_purpose"),
    )
    op.create_index("ix_fhir_communications_referral_id", "fhir_communications", ["referral_id"])


def downgrade() -> None:
    """Drop what ``upgrade`` created."""
    op.drop_table("fhir_communications")
