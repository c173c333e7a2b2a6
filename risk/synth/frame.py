"""Turn latent covariates into the published cohort: contract columns, types and missingness.

Missingness is applied here and only here, so the latent truth (which drives the
outcome) stays complete while the cohort looks like hospital data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from risk.contract.enums import (
    BIOPSY_RESULTS,
    CEMENT_LEAKAGE,
    CURRENT_TREATMENTS,
    DIABETES,
    FRACTURE_CAUSES,
)
from risk.contract.patient import PatientRecord
from risk.synth.covariates import Latent
from risk.synth.draws import Array, BoolArray, bernoulli, round_to
from risk.synth.parameters import param
from risk.synth.procedure import LEVEL_STRINGS

CONTRACT_COLUMNS: tuple[str, ...] = tuple(PatientRecord.model_fields)
OUTCOME_COLUMNS: tuple[str, ...] = ("time_months", "event", "treated_after_procedure")
DAYS_PER_YEAR = 365.25


def dxa(rng: np.random.Generator, t: Array, assessment_day: Array) -> Latent:
    """DXA sites: the lowest counting site equals the latent T-score; other sites lie above.

    The spine counts only with ≥2 evaluable vertebrae; a spine value from fewer (cement
    falsely raises it) is sometimes reported anyway, so SPINE_DXA_UNRELIABLE is exercised.
    """
    n = t.shape[0]
    has = ~bernoulli(rng, param("dxa_missing"), n)
    unevaluable = bernoulli(rng, param("lumbar_unevaluable"), n)
    evaluable = np.where(unevaluable, rng.integers(0, 2, n), rng.integers(2, 5, n)).astype(float)
    spine_given = ~unevaluable | bernoulli(rng, param("spine_given_unevaluable"), n)
    lowest = np.where(unevaluable, rng.integers(0, 2, n), rng.integers(0, 3, n))
    offsets = rng.exponential(param("site_offset_mean"), (3, n))
    offsets[lowest, np.arange(n)] = 0.0
    sites = np.where(has, round_to(np.minimum(t + offsets, 4.0), 0.1), np.nan)
    lag = rng.integers(0, int(param("dxa_lag_max")) + 1, n)
    return {
        "t_score_femoral_neck": sites[0],
        "t_score_total_hip": sites[1],
        "t_score_lumbar_spine": np.where(spine_given, sites[2], np.nan),
        "lumbar_vertebrae_evaluable": np.where(has, evaluable, np.nan),
        "dxa_day": np.where(has, assessment_day - lag, np.nan),
    }


def _blank(rng: np.random.Generator, values: Array, share_name: str) -> Array:
    out: Array = np.where(bernoulli(rng, param(share_name), values.shape[0]), np.nan, values)
    return out


def _date(days: Array) -> pd.Series:
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    known = ~np.isnan(days)
    out[known] = days[known].astype(np.int64).astype("datetime64[D]")
    return pd.Series(out.astype("datetime64[ns]"))


def _int(values: Array) -> pd.Series:
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    data = np.where(missing, 0, values).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(data, missing))


def _enum(codes: np.ndarray, labels: tuple[str, ...] | list[str]) -> pd.Series:
    # Arrow dictionary → string is ~10× faster than pandas' object-to-str conversion.
    dictionary = pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(codes, dtype=np.int32)), pa.array(list(labels), type=pa.string())
    )
    return pd.Series(dictionary.cast(pa.large_string()).to_pandas(), dtype="str")


def _ids(n: int, seed: int) -> pd.Series:
    numbers = pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), 7, "0")
    ids = pc.binary_join_element_wise(f"SYN{seed}-", numbers, "")
    return pd.Series(ids.cast(pa.large_string()).to_pandas(), dtype="str")


def _age_fields(rng: np.random.Generator, lat: Latent) -> dict[str, pd.Series]:
    birth = lat["procedure_day"] - np.round(lat["age"] * DAYS_PER_YEAR)
    use_age = bernoulli(rng, param("age_years_share"), birth.shape[0])
    age_at_assessment = np.floor((lat["assessment_day"] - birth) / DAYS_PER_YEAR)
    return {
        "birth_date": _date(np.where(use_age, np.nan, birth)),
        "age_years": pd.Series(np.where(use_age, age_at_assessment, np.nan)),
    }


def _optional_bool(values: BoolArray, missing: BoolArray) -> pd.Series:
    return pd.Series(pd.arrays.BooleanArray(np.asarray(values, dtype=bool), missing))


def contract_frame(rng: np.random.Generator, lat: Latent, seed: int) -> pd.DataFrame:
    """Every contract §1 column, in contract order, with the contract's types."""
    n = lat["age"].shape[0]
    sites = dxa(rng, lat["t_score"], lat["assessment_day"].astype(float))
    cols: dict[str, pd.Series] = {
        "patient_id": _ids(n, seed),
        "given_name": pd.Series(index=range(n), dtype="str"),
        "family_name": pd.Series(index=range(n), dtype="str"),
        **_age_fields(rng, lat),
        "sex": _enum(lat["female"].astype(np.int32), ["male", "female"]),
        "weight_kg": pd.Series(lat["weight_kg"]),
        "height_cm": pd.Series(lat["height_cm"]),
        "assessment_date": _date(lat["assessment_day"]),
        "fracture_date": _date(lat["fracture_day"]),
        "fracture_cause": _enum(lat["cause_code"], FRACTURE_CAUSES),
        "procedure_type": _enum(lat["vertebroplasty"], ["kyphoplasty", "vertebroplasty"]),
        "procedure_date": _date(lat["procedure_day"]),
        "treated_levels": _enum(lat["level_block"], list(LEVEL_STRINGS.ravel())),
        "cement_leakage": _enum(lat["leak_code"], CEMENT_LEAKAGE),
        "intravertebral_cleft": _optional_bool(lat["cleft"], bernoulli(rng, param("cleft_missing"), n)),
        "biopsy_result": _enum(lat["biopsy_code"], BIOPSY_RESULTS),
        **{k: pd.Series(v) for k, v in sites.items() if k.startswith("t_score")},
        "lumbar_vertebrae_evaluable": _int(sites["lumbar_vertebrae_evaluable"]),
        "dxa_date": _date(sites["dxa_day"]),
        "ct_hu": pd.Series(_blank(rng, lat["ct_hu"], "hu_missing")),
    }
    cols |= _history_columns(rng, lat)
    return pd.DataFrame({name: cols[name] for name in CONTRACT_COLUMNS})


def _history_columns(rng: np.random.Generator, lat: Latent) -> dict[str, pd.Series]:
    n = lat["age"].shape[0]
    flags = (
        "parent_hip_fracture",
        "current_smoker",
        "alcohol_3_or_more_units_per_day",
        "rheumatoid_arthritis",
        "active_malignancy",
        "history_atypical_femoral_fracture",
        "history_osteonecrosis_of_jaw",
    )
    counts = ("prior_fragility_fractures", "prior_vertebral_fractures", "falls_last_12_months")
    labs = {
        "egfr": "egfr_missing",
        "serum_calcium_mg_dl": "calcium_missing",
        "vitamin_d_ng_ml": "vitd_missing",
        "alkaline_phosphatase_u_l": "alp_missing",
    }
    cols = {name: pd.Series(np.asarray(lat[name], dtype=bool)) for name in flags}
    cols |= {name: _int(lat[name]) for name in counts}
    cols |= {name: pd.Series(_blank(rng, lat[name], share)) for name, share in labs.items()}
    return cols | {
        "myeloma": pd.Series(np.zeros(n, dtype=bool)),
        "diabetes": _enum(lat["diabetes_code"], DIABETES),
        "glucocorticoid_mg_per_day": pd.Series(lat["glucocorticoid_mg_per_day"]),
        "glucocorticoid_months": pd.Series(lat["glucocorticoid_months"]),
        "current_treatment": _enum(lat["drug_code"], CURRENT_TREATMENTS),
        "treatment_start_date": _date(lat["treatment_start_day"]),
        "last_dose_date": _date(lat["last_dose_day"]),
    }
