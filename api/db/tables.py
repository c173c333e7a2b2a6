"""Every table of the service on one metadata, for Alembic's comparison and the migrations' target.

The table modules build on ``api.db.base`` and import no one above them; this module imports them
all, so ``metadata`` is complete however little of the service was imported before.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from api.db import ack_models, cds_models, delivery_models, job_models, models
from api.db.base import Base

TABLE_MODULES = (models, cds_models, delivery_models, ack_models, job_models)
metadata: MetaData = Base.metadata
