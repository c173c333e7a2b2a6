"""The model's inputs and design columns as data tables, derived once from facts (scalar or array)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from risk import ops
from risk.facts import Facts
from risk.rules import derived  # one definition of age, lowest T and fracture count

NAN = math.nan
TREATED = "treated_after_procedure"
BMI_KNEE = 21.4  # PMC11297947 cut-off; the BMI effect is steeper below it
AGE_KNEE = 80.0  # allow risk to climb faster in the oldest old
_ARRAY = np.ndarray


class Impute(StrEnum):
    """How a missing input is filled; the learned values live in ``Imputation``."""

    MEDIAN = "median"
    PREVALENCE = "prevalence"
    LINEAR_FIT = "linear_fit"


@dataclass(frozen=True, slots=True)
class ModelInput:
    """One clinical input: the contract fields it reads, how, and how a gap is filled."""

    name: str
    sources: tuple[str, ...]
    derive: Callable[[Facts], ops.Value]
    impute: Impute
    rule: str
    fit_from: str | None = None  # LINEAR_FIT: the input it is predicted from
    reported: tuple[str, ...] = ()  # fields named in missing_inputs (default: sources)


@dataclass(frozen=True, slots=True)
class DesignColumn:
    """One column of the design matrix: a transform of one input."""

    name: str
    input: str
    transform: Callable[[ops.Value], ops.Value]
    description: str


def as_float(value: ops.Value) -> ops.Value:
    """A bool or number as float, for a scalar or an array."""
    if type(value) is _ARRAY:
        return np.asarray(value, dtype=float)
    return float(value)


def hinge_below(knot: float) -> Callable[[ops.Value], ops.Value]:
    """max(knot − x, 0): the extra slope below a knot."""
    return lambda x: np.maximum(knot - x, 0.0) if ops.is_array(x) else max(knot - x, 0.0)


def hinge_above(knot: float, per: float) -> Callable[[ops.Value], ops.Value]:
    """max(x − knot, 0) / per: the extra slope above a knot."""
    return lambda x: (np.maximum(x - knot, 0.0) if ops.is_array(x) else max(x - knot, 0.0)) / per


def cap(limit: float) -> Callable[[ops.Value], ops.Value]:
    """min(x, limit): counts beyond the limit add no more risk (few patients, unstable)."""
    return lambda x: np.minimum(x, limit) if ops.is_array(x) else min(x, limit)


def per(unit: float) -> Callable[[ops.Value], ops.Value]:
    """x / unit (e.g. age per decade)."""
    return lambda x: x / unit


def identity(x: ops.Value) -> ops.Value:
    return x


def _flag(condition: ops.Value, missing: ops.Value) -> ops.Value:
    """1.0 / 0.0 where known, NaN where the underlying field is missing."""
    return ops.where(missing, NAN, as_float(condition))


def _female(f: Facts) -> ops.Value:
    sex = f.get("sex")
    return _flag(sex == "female", ops.not_(ops.any_of(sex == "female", sex == "male")))


def _bmi(f: Facts) -> ops.Value:
    metres = f.get("height_cm", NAN) / 100.0
    return f.get("weight_kg", NAN) / (metres * metres)


def _intradiscal(f: Facts) -> ops.Value:
    leak = f.get("cement_leakage", "unknown")
    return _flag(leak == "intradiscal", leak == "unknown")


def _glucocorticoid(f: Facts) -> ops.Value:
    # FRAX definition: ≥5 mg/d prednisolone-equivalent for ≥3 months.
    dose, months = f.get("glucocorticoid_mg_per_day", NAN), f.get("glucocorticoid_months", NAN)
    return _flag((dose >= 5) & (months >= 3), ops.any_of(ops.isnan(dose), ops.isnan(months)))


def _vitamin_d_low(f: Facts) -> ops.Value:
    level = f.get("vitamin_d_ng_ml", NAN)
    return _flag(level < 20, ops.isnan(level))


def _number(name: str) -> Callable[[Facts], ops.Value]:
    return lambda f: f.get(name, NAN)


def _boolean(name: str) -> Callable[[Facts], ops.Value]:
    return lambda f: as_float(f.get(name, False))


_T_SCORES = ("t_score_femoral_neck", "t_score_total_hip", "t_score_lumbar_spine")

INPUTS: tuple[ModelInput, ...] = (
    ModelInput("age", ("birth_date", "age_years"), derived.age, Impute.MEDIAN, "training median"),
    ModelInput("female", ("sex",), _female, Impute.PREVALENCE, "training share of women"),
    ModelInput("bmi", ("weight_kg", "height_cm"), _bmi, Impute.MEDIAN, "training median BMI"),
    ModelInput(
        "lowest_t",
        (*_T_SCORES, "lumbar_vertebrae_evaluable"),
        derived.lowest_t,
        Impute.LINEAR_FIT,
        "linear fit on CT HU (training rows with both); without HU the training median",
        fit_from="ct_hu",
        reported=_T_SCORES,
    ),
    ModelInput(
        "ct_hu",
        ("ct_hu",),
        _number("ct_hu"),
        Impute.LINEAR_FIT,
        "linear fit on lowest T-score (training rows with both); without it the training median",
        fit_from="lowest_t",
    ),
    ModelInput(
        "prior_fragility_fractures",
        ("prior_fragility_fractures",),
        _number("prior_fragility_fractures"),
        Impute.MEDIAN,
        "training median (contract default is 0)",
    ),
    ModelInput(
        "vertebral_fractures",
        ("treated_levels", "prior_vertebral_fractures"),
        derived.vertebral_fractures,
        Impute.MEDIAN,
        "training median",
        reported=("prior_vertebral_fractures",),
    ),
    ModelInput(
        "tl_junction",
        ("treated_levels",),
        _boolean("level_t11_l2"),
        Impute.PREVALENCE,
        "never missing (treated_levels is required)",
    ),
    ModelInput(
        "intradiscal_leak",
        ("cement_leakage",),
        _intradiscal,
        Impute.PREVALENCE,
        "leakage 'unknown' → training prevalence of intradiscal leak",
    ),
    ModelInput(
        "intravertebral_cleft",
        ("intravertebral_cleft",),
        _number("intravertebral_cleft"),
        Impute.PREVALENCE,
        "training prevalence of cleft",
    ),
    ModelInput(
        "glucocorticoid",
        ("glucocorticoid_mg_per_day", "glucocorticoid_months"),
        _glucocorticoid,
        Impute.PREVALENCE,
        "training prevalence (contract defaults are 0)",
    ),
    ModelInput(
        "current_smoker",
        ("current_smoker",),
        _boolean("current_smoker"),
        Impute.PREVALENCE,
        "never missing (default false)",
    ),
    ModelInput(
        "diabetes",
        ("diabetes",),
        lambda f: as_float(f.get("diabetes", "none") != "none"),
        Impute.PREVALENCE,
        "never missing (default none)",
    ),
    ModelInput(
        "falls",
        ("falls_last_12_months",),
        _number("falls_last_12_months"),
        Impute.MEDIAN,
        "training median (contract default is 0)",
    ),
    ModelInput(
        "vitamin_d_low",
        ("vitamin_d_ng_ml",),
        _vitamin_d_low,
        Impute.PREVALENCE,
        "training prevalence of 25-OH-D < 20 ng/mL",
    ),
)
INPUT_NAMES: tuple[str, ...] = (*(i.name for i in INPUTS), TREATED)

COLUMNS: tuple[DesignColumn, ...] = (
    DesignColumn("age_per_decade", "age", per(10.0), "age in years / 10"),
    DesignColumn("age_over_80", "age", hinge_above(AGE_KNEE, 10.0), "max(age − 80, 0) / 10"),
    DesignColumn("female", "female", identity, "1 = female"),
    DesignColumn("bmi", "bmi", identity, "weight / height², kg/m²"),
    DesignColumn("bmi_below_21_4", "bmi", hinge_below(BMI_KNEE), "max(21.4 − BMI, 0), kg/m²"),
    DesignColumn("lowest_t", "lowest_t", identity, "lowest usable T-score, SD"),
    DesignColumn("ct_hu_per_10", "ct_hu", per(10.0), "L1 trabecular attenuation / 10 HU"),
    DesignColumn("prior_fractures", "prior_fragility_fractures", cap(3.0), "count, capped at 3"),
    DesignColumn("vertebral_fractures", "vertebral_fractures", cap(4.0), "count, capped at 4"),
    DesignColumn("tl_junction", "tl_junction", identity, "1 = a treated level in T11–L2"),
    DesignColumn("intradiscal_leak", "intradiscal_leak", identity, "1 = intradiscal leak"),
    DesignColumn("cleft", "intravertebral_cleft", identity, "1 = intravertebral cleft"),
    DesignColumn("glucocorticoid", "glucocorticoid", identity, "1 = ≥5 mg/d for ≥3 months"),
    DesignColumn("current_smoker", "current_smoker", identity, "1 = current smoker"),
    DesignColumn("diabetes", "diabetes", identity, "1 = type 1 or type 2"),
    DesignColumn("falls", "falls", cap(3.0), "falls in 12 months, capped at 3"),
    DesignColumn("vitamin_d_low", "vitamin_d_low", identity, "1 = 25-OH-D < 20 ng/mL"),
    DesignColumn(TREATED, TREATED, identity, "1 = drug started ≤3 months after procedure"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
