# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Referral outcomes: funnel, time to each step, overdue follow-ups
#
# Reads the referral tables through `api.analytics` (the same reader as
# `osteoref report --referrals-from-db`) and counts with `reports.cohort.funnel`.
# Under `SMOKE` it builds a temporary SQLite database with a few referrals through the
# `api.db` layer; otherwise it reads `settings.database_url`.

# %% tags=["parameters"]
SMOKE = True
N_REFERRALS = 40

# %%
import datetime as dt
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from api.analytics import referral_tables
from api.db import migrate, referrals_repo
from api.db.engine import Database
from api.db.models import Referral
from api.settings import get_settings
from reports.cohort.funnel import STEPS, referral_funnel, step_days

# %%
now = dt.datetime.now(dt.UTC)


def demo_database(n: int) -> Database:
    """A throw-away SQLite database with ``n`` referrals moved along the status machine."""
    database = Database.connect(f"sqlite:///{Path(tempfile.mkdtemp()) / 'referrals.db'}")
    migrate.upgrade(database.engine)
    rng = np.random.default_rng(3)
    with database.transaction() as session:
        for i in range(n):
            created = now - dt.timedelta(days=int(rng.integers(5, 200)))
            referral = Referral(
                id=uuid.uuid4(), patient_id=f"DEMO-{i:04d}", status="draft", priority="soon",
                pathway="osteoporosis", procedure_date=(created - dt.timedelta(days=3)).date(),
                record_json={}, assessment_json={}, model_name="demo", model_version="0",
                ruleset_version="0", pcp_json={}, referrer_json={}, letter_html="", created_at=created,
                updated_at=created, input_hash="0" * 64,
            )
            referrals_repo.add_referral(session, referral, by_key_id=None)
            status = "draft"
            for target in STEPS[1 : 1 + int(rng.integers(0, len(STEPS)))]:
                referrals_repo.move_status(session, referral.id, from_status=status, to_status=target,
                                           reason=None, by_key_id=None)
                status = target
    return database


database = demo_database(N_REFERRALS) if SMOKE else Database.connect(get_settings().database_url)
referrals, events = referral_tables(database)
len(referrals), len(events)

# %% [markdown]
# ## Funnel: created → sent → acknowledged → treatment_started

# %%
funnel = referral_funnel(referrals, events, now)
pd.DataFrame([s.model_dump() for s in funnel.steps])

# %% [markdown]
# ## Days from creation to each step (distribution)

# %%
step_days(referrals, events).describe().round(1)

# %% [markdown]
# ## Overdue

# %%
{"unacknowledged > 14 days": funnel.unacknowledged_overdue, "open after 16-week window": funnel.follow_up_overdue}

# %%
database.dispose()
