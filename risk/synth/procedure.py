"""Latent index-procedure facts: levels, cement, cause, dates and anti-osteoporosis drugs.

Dates are day numbers (days since 1970-01-01) as floats, NaN where missing; enums are
integer codes into the contract's enum tuples.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from risk.contract.enums import CURRENT_TREATMENTS, LEVELS
from risk.synth.covariates import Latent
from risk.synth.draws import Array, BoolArray, bernoulli, categorical, logistic
from risk.synth.parameters import param

N_LEVELS = len(LEVELS)
TL_JUNCTION = (LEVELS.index("T11"), LEVELS.index("L2"))
ANABOLICS = frozenset({"teriparatide", "abaloparatide", "romosozumab"})
DAYS_PER_MONTH = 365.25 / 12

# LEVEL_STRINGS[n - 1, start]: the `;`-joined block of n levels starting at `start`.
LEVEL_STRINGS = np.array(
    [[";".join(LEVELS[s : s + n]) for s in range(N_LEVELS)] for n in (1, 2, 3)], dtype=object
)


def _index_level_probs() -> Array:
    groups = {
        "level_t5_t6": ("T5", "T6"),
        "level_t7_t10": ("T7", "T8", "T9", "T10"),
        "level_t11": ("T11",),
        "level_t12": ("T12",),
        "level_l1": ("L1",),
        "level_l2": ("L2",),
        "level_l3_l5": ("L3", "L4", "L5"),
    }
    probs = np.zeros(N_LEVELS)
    for name, members in groups.items():
        for level in members:
            probs[LEVELS.index(level)] = param(name) / len(members)
    out: Array = probs / probs.sum()
    return out


def levels(rng: np.random.Generator, n: int) -> Latent:
    """A contiguous block of 1–3 cemented levels around an index level."""
    index = rng.choice(N_LEVELS, size=n, p=_index_level_probs())
    l2, l3 = param("levels_2"), param("levels_3")
    count = 1 + categorical(rng, [1 - l2 - l3, l2, l3], n)
    upward = bernoulli(rng, 0.5, n)
    start = np.clip(index - (count - 1) * upward, 0, N_LEVELS - count)
    end = start + count - 1
    return {
        "level_start": start,
        "n_levels": count,
        "tl_junction": (start <= TL_JUNCTION[1]) & (end >= TL_JUNCTION[0]),
        "level_block": (count - 1) * N_LEVELS + start,  # flat index into LEVEL_STRINGS
    }


def procedure(rng: np.random.Generator, n: int) -> Latent:
    """Procedure type, cement leakage, cleft, fracture cause, biopsy and active cancer."""
    intradiscal, other, unknown = (param(k) for k in ("leak_intradiscal", "leak_other", "leak_unknown"))
    high, unknown_cause = param("cause_high_energy"), param("cause_unknown")
    malignancy = bernoulli(rng, param("active_malignancy"), n)
    biopsy = bernoulli(rng, param("biopsy_benign"), n) | malignancy
    return {
        "vertebroplasty": bernoulli(rng, param("vertebroplasty_share"), n),
        "leak_code": categorical(rng, [1 - intradiscal - other - unknown, intradiscal, other, unknown], n),
        "cleft": bernoulli(rng, param("cleft_p"), n),
        "cause_code": categorical(rng, [1 - high - unknown_cause, high, 0.0, unknown_cause], n),
        "biopsy_code": biopsy.astype(np.int64),
        "active_malignancy": malignancy,
    }


def dates(rng: np.random.Generator, n: int) -> Latent:
    """Procedure day (uniform over the years), fracture day before it, assessment day after."""
    epoch = dt.date(1970, 1, 1)
    first = (dt.date(int(param("first_procedure_year")), 1, 1) - epoch).days
    last = (dt.date(int(param("last_procedure_year")), 12, 31) - epoch).days
    proc = rng.integers(first, last + 1, n)
    assessment = proc + rng.integers(0, int(param("assessment_lag_max")) + 1, n)
    return {
        "procedure_day": proc,
        "fracture_day": proc - rng.integers(0, int(param("fracture_lag_max")) + 1, n),
        "assessment_day": assessment,
    }


def index_drug(rng: np.random.Generator, prior: BoolArray, days: Latent) -> Latent:
    """Drug at the index fracture (more likely after a prior fracture), its start and last dose."""
    n = prior.shape[0]
    on = logistic(rng, param("on_drug_p"), [(param("on_drug_or_prior"), prior.astype(float))])
    shares = [param(f"drug_{name}") for name in CURRENT_TREATMENTS[1:]]
    code = np.where(on, 1 + categorical(rng, shares, n), 0)
    months = rng.uniform(6, param("drug_start_max_months"), n)
    start = np.where(on, days["fracture_day"] - np.round(months * DAYS_PER_MONTH), np.nan)
    last = _last_dose(rng, code, days["assessment_day"].astype(float))
    # A last dose cannot precede the start; drugs without injections keep no last dose.
    last = np.where(np.isnan(last), np.nan, np.fmax(last, start))
    return {"drug_code": code, "treatment_start_day": start, "last_dose_day": last}


def _last_dose(rng: np.random.Generator, code: np.ndarray, assessment: Array) -> Array:
    n = code.shape[0]
    drug = np.asarray(CURRENT_TREATMENTS, dtype=object)[code]
    overdue = bernoulli(rng, param("denosumab_overdue"), n)
    unknown = bernoulli(rng, param("denosumab_dose_unknown"), n)
    denosumab_gap = np.where(overdue, rng.integers(211, 401, n), rng.integers(14, 183, n))
    gap = np.select(
        [(drug == "denosumab") & ~unknown, drug == "zoledronic_acid", drug == "romosozumab"],
        [denosumab_gap, rng.integers(30, 500, n), rng.integers(5, 31, n)],
        default=-1,
    ).astype(float)
    gap[gap < 0] = np.nan
    out: Array = assessment - gap
    return out


def treatment_after(rng: np.random.Generator, z_t: Array, latent: Latent) -> tuple[BoolArray, BoolArray]:
    """Treated within 3 months (confounded by indication) and whether the drug would be anabolic.

    The drug class is a fixed function of the covariates (very low T-score, many vertebral
    fractures, or already on an anabolic), so the fracture hazard depends on covariates only.
    """
    prior = latent["prior_fragility_fractures"] > 0
    gc = latent["glucocorticoid_mg_per_day"] > 0
    multilevel = latent["n_levels"] >= 2
    on_drug = latent["drug_code"] > 0
    treated = logistic(
        rng,
        param("treated_p"),
        [
            (param("treated_or_t"), -z_t),
            (param("treated_or_prior"), prior.astype(float)),
            (param("treated_or_gc"), gc.astype(float)),
            (param("treated_or_multilevel"), multilevel.astype(float)),
            (param("treated_or_on_drug"), on_drug.astype(float)),
        ],
    )
    drug = np.asarray(CURRENT_TREATMENTS, dtype=object)[latent["drug_code"]]
    vertebral = latent["n_levels"] + latent["prior_vertebral_fractures"]
    severe = (latent["t_score"] <= param("anabolic_t")) | (vertebral >= param("anabolic_vertebral"))
    return treated, severe | np.isin(drug, list(ANABOLICS))
