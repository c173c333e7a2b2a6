"""print_batches.requeued_at and .requeued_letters: a batch reported not printed is put back in the queue.

Plain ADD/DROP COLUMN on both backends (SQLite ≥ 3.35), never a table copy: deliveries reference
print_batches, and a copied table would have to be dropped under their foreign keys.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db.types import UtcDateTime

revision = "0008_print_batch_requeue"
down_revision: str | None = "0007_fhir_communications"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the two columns (every existing batch: never requeued)."""
    op.add_column("print_batches", sa.Column("requeued_at", UtcDateTime(), nullable=True))
    op.add_column("print_batches", sa.Column("requeued_letters", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    op.execute("ALTER TABLE print_batches DROP COLUMN requeued_letters")
    op.execute("ALTER TABLE print_batches DROP COLUMN requeued_at")
