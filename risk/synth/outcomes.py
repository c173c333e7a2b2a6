"""Time to a new vertebral fracture with death as a competing risk, and its exact risk.

Hazards are piecewise constant on months 0–3, 3–6, 6–12, 12–24 and 24+: the fracture
hazard is base_rate × rel_k × exp(linear predictor) × treatment HR; the death hazard is
constant in time. The linear predictor uses shrunk log pooled ORs of clinical.md §2 on
covariates that are columns of the cohort (latent values where the column is blanked).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from risk.synth.draws import Array
from risk.synth.parameters import param

Columns = Mapping[str, Any] | pd.DataFrame  # latent covariates by name

BOUNDS = np.array([0.0, 3.0, 6.0, 12.0, 24.0, np.inf])


def _f(x: Any) -> Array:
    out: Array = np.asarray(x, dtype=float)
    return out


# (odds-ratio parameter, feature): the feature is 0 for the reference patient.
LINEAR_TERMS: tuple[tuple[str, Callable[[Columns], Array]], ...] = (
    ("or_female", lambda c: _f(c["female"])),
    ("or_age_decade", lambda c: (_f(c["age"]) - param("age_mean")) / 10),
    ("or_t_sd", lambda c: (param("t_mean") - _f(c["t_score"])) / param("t_sd")),
    ("or_hu_10", lambda c: (param("hu_mean") - _f(c["ct_hu"])) / 10),
    ("or_intradiscal", lambda c: _f(np.asarray(c["leak_code"]) == 1)),
    ("or_tl_junction", lambda c: _f(c["tl_junction"])),
    ("or_glucocorticoid", lambda c: _f(_f(c["glucocorticoid_mg_per_day"]) > 0)),
    ("or_extra_level", lambda c: _f(c["n_levels"]) - 1),
    ("or_prior_fracture", lambda c: _f(_f(c["prior_fragility_fractures"]) > 0)),
    ("or_smoking", lambda c: _f(c["current_smoker"])),
    ("or_diabetes", lambda c: _f(_f(c["diabetes_code"]) > 0)),
    ("or_bmi_unit", lambda c: np.maximum(param("bmi_hinge") - _f(c["bmi"]), 0.0)),
    ("or_falls", lambda c: _f(_f(c["falls_last_12_months"]) > 0)),
    ("or_low_vitd", lambda c: _f(_f(c["vitamin_d_ng_ml"]) < param("vitd_cut"))),
    ("or_cleft", lambda c: _f(c["cleft"])),
)


def linear_predictor(cols: Columns) -> Array:
    """Σ shrinkage × ln(OR) × feature: the log relative fracture hazard, untreated."""
    out: Array = np.zeros(len(cols["age"]))
    for name, feature in LINEAR_TERMS:
        out += np.log(param(name)) * feature(cols)
    out *= param("shrinkage")
    return out


def treatment_hr(cols: Columns, treated: bool | None) -> Array:
    """Fracture HR: 1 untreated, antiresorptive or anabolic HR when treated.

    ``treated`` None means as actually treated; True/False sets everyone's treatment.
    """
    anabolic = np.asarray(cols["anabolic_if_treated"], dtype=bool)
    on = np.full(anabolic.shape, treated) if treated is not None else np.asarray(cols["treated"])
    hr = np.where(anabolic, param("hr_anabolic"), param("hr_antiresorptive"))
    out: Array = np.where(on.astype(bool), hr, 1.0)
    return out


def hazards(cols: Columns, treated: bool | None) -> tuple[Array, Array]:
    """Per-row (n × 5) monthly fracture hazards per interval and (n,) death hazards."""
    rel = np.array([param("rel_0_3"), param("rel_3_6"), param("rel_6_12"), 1.0, param("rel_24_plus")])
    scale = param("base_rate") * np.exp(linear_predictor(cols)) * treatment_hr(cols, treated)
    age_decades = (_f(cols["age"]) - param("age_mean")) / 10
    log_death = np.log(param("death_hr_decade")) * age_decades
    log_death += np.log(param("death_hr_male")) * (1 - _f(cols["female"]))
    log_death += np.log(param("death_hr_malignancy")) * _f(cols["active_malignancy"])
    return scale[:, None] * rel[None, :], param("death_rate") * np.exp(log_death)


def true_cumulative_incidence(latent_frame: Columns, months: float, treated: bool | None = None) -> Array:
    """Exact P(new fracture by ``months``, before death) for every row (Aalen–Johansen truth).

    Closed form for piecewise-constant hazards: in interval k the fracture share of the
    total hazard times the probability of the first event falling in that interval.
    """
    fracture, death = hazards(latent_frame, treated)
    return incidence_from_hazards(fracture, death, months)


def incidence_from_hazards(fracture: Array, death: Array, months: float) -> Array:
    """Closed-form fracture cumulative incidence by ``months`` from (n × 5, n) hazards."""
    total = fracture + death[:, None]
    width = np.diff(BOUNDS)
    exposed = np.clip(months - BOUNDS[:-1], 0.0, width)  # time spent in each interval by `months`
    full = np.where(np.isinf(width), 0.0, width)
    survival_at_start = np.exp(-np.cumsum(total * full, axis=1) + total * full)
    in_interval = survival_at_start * -np.expm1(-total * exposed)
    out: Array = np.sum(fracture / total * in_interval, axis=1)
    return out


def simulate(rng: np.random.Generator, latent: Columns) -> tuple[Array, npt.NDArray[np.int64]]:
    """Observed (time_months, event) with event 1 fracture, 2 death, 0 censored."""
    fracture, death = hazards(latent, None)
    total = fracture + death[:, None]
    n = int(total.shape[0])
    target = rng.exponential(1.0, size=n)
    finite_width = np.where(np.isinf(np.diff(BOUNDS)), 1e12, np.diff(BOUNDS))
    cum_end: Array = np.cumsum(total * finite_width, axis=1)
    k = np.argmax(cum_end > target[:, None], axis=1)  # interval in which the event falls
    rows = np.arange(n)
    cum_start = np.where(k > 0, cum_end[rows, np.maximum(k - 1, 0)], 0.0)
    event_time = BOUNDS[k] + (target - cum_start) / total[rows, k]
    is_fracture = rng.random(n) < fracture[rows, k] / total[rows, k]
    followup = rng.uniform(param("followup_min"), param("followup_max"), n)
    censor = np.minimum(followup, rng.exponential(1 / param("loss_rate"), n))
    observed = event_time <= censor
    event = np.where(observed, np.where(is_fracture, 1, 2), 0).astype(np.int64)
    return np.round(np.minimum(event_time, censor), 4).clip(min=1e-4), event
