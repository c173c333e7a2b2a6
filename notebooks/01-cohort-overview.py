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
# # 01 · Cohort overview: profile, missing data, FLS KPIs
#
# Scores a cohort with the shipped model (`risk.scale.score_chunk`, the function every engine
# uses), then shows the cohort profile, missing data and the fracture-liaison KPIs of
# `reports.cohort`. With `SMOKE = True` it runs on a small synthetic cohort with illustrative
# FLS columns; set `COHORT` to a site's scored file (from `osteoref score --engine dask
# --carry-inputs`, the default, or `risk.scale.score_file_chunked(carry_inputs=True)`) for real data.

# %% tags=["parameters"]
SMOKE = True
COHORT = ""  # path to a scored cohort; empty = synthetic
N_PATIENTS = 800 if SMOKE else 20000

# %%
import pandas as pd

from api.settings import DEFAULT_MODEL_PATH
from reports.cohort.kpis import fls_kpis
from reports.cohort.profile import cohort_profile
from reports.cohort.demo import with_fls_columns
from risk.assess import Assessor
from risk.cohort.schemas import read_scored_cohort, validate_scored_cohort
from risk.scale import score_chunk
from risk.synth import synthesize

if COHORT:
    scored = read_scored_cohort(COHORT)
else:
    chunk = score_chunk(synthesize(N_PATIENTS, 7).cohort, Assessor.load(DEFAULT_MODEL_PATH), carry_inputs=True)
    scored = validate_scored_cohort(with_fls_columns(chunk.scored, seed=7))
len(scored)

# %% [markdown]
# ## Profile

# %%
profile = cohort_profile(scored)
pd.DataFrame([c.model_dump() for c in profile.tiers])

# %%
pd.DataFrame([c.model_dump() for c in profile.therapies])

# %%
pd.DataFrame([r.model_dump() for r in profile.risk])

# %% [markdown]
# ## Missing data (share of rows without a value)

# %%
scored.isna().mean().sort_values(ascending=False).head(15).round(3)

# %% [markdown]
# ## FLS KPIs (IOF bands <50%, 50–80%, >80%)

# %%
kpis = fls_kpis(scored)
table = pd.DataFrame(
    [
        {
            "KPI": k.name,
            "status": k.status,
            "numerator": k.numerator,
            "denominator": k.denominator,
            "percent": k.percent,
            "band": k.band,
            "missing columns": ", ".join(k.missing_columns),
        }
        for k in kpis
    ]
)
table

# %%
assert all(k.percent is None for k in kpis if k.status == "not_measurable")
