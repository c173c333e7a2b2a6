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
# # 02 · Model validation: calibration, discrimination, subgroups, decision curve, challenger
#
# External validation of the shipped model (`risk.model.validation.validate_model`) on a cohort with
# contract §3 outcomes, the site-performance view of the cohort report (decision curve,
# incidence by tier), and a logistic vs gradient-boosting comparison from
# `risk.model.develop.train_from_frame` (temporal split).

# %% tags=["parameters"]
SMOKE = True
N_PATIENTS = 1200 if SMOKE else 20000
RESAMPLES = 0 if SMOKE else 200
RETRAIN = not SMOKE  # SMOKE shows the challenger comparison stored in the shipped artefact

# %%
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import Image

from api.settings import DEFAULT_MODEL_PATH
from reports.cohort.performance import site_performance
from risk.assess import Assessor
from risk.cohort import validate_frame
from risk.model.develop import train_from_frame
from risk.model.plots import write_calibration_plot
from risk.model.validation import validate_model
from risk.scale import score_chunk
from risk.synth import synthesize

cohort = synthesize(N_PATIENTS, 101).cohort
checked = validate_frame(cohort)
frame = checked.valid.join(checked.passthrough.astype(float))
assessor = Assessor.load(DEFAULT_MODEL_PATH)

# %% [markdown]
# ## Discrimination and calibration (as treated), with subgroups by sex and age band

# %%
report = validate_model(assessor.model, frame, resamples=RESAMPLES, design="synthetic external cohort")
print(report)

# %%
plot = write_calibration_plot(report, Path(tempfile.mkdtemp()) / "calibration.png")
Image(filename=str(plot))

# %% [markdown]
# ## Decision curve and observed incidence by tier (untreated patients, untreated predictions)

# %%
scored = score_chunk(cohort, assessor, carry_inputs=True).scored
performance = site_performance(scored, resamples=0)
pd.DataFrame([p.model_dump() for p in performance.decision_curve]).head(10)

# %%
pd.DataFrame([p.model_dump() for p in performance.incidence]).pivot(index="months", columns="group", values="incidence")

# %%
[g.warning for g in performance.subgroups if g.warning]

# %% [markdown]
# ## Logistic vs gradient-boosting challenger (temporal split)
#
# `train_from_frame` develops on the earliest 70% of procedures and compares both models on the
# latest 30%. Under SMOKE the comparison stored in the shipped artefact is shown instead.

# %%
artefact = train_from_frame(frame, resamples=0) if RETRAIN else assessor.model.artefact
rows = []
validation = artefact.validation
assert validation is not None
for name, metrics in [("logistic", validation.overall)] + [(c.name, c.metrics) for c in validation.challengers]:
    rows += [{"model": name, "months": m.months, "AUC": m.auc.value, "O/E": m.o_e.value,
              "slope": m.calibration_slope.value} for m in metrics]
pd.DataFrame(rows)
