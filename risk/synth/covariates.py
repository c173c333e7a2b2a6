"""Latent patient covariates: demographics, bone density, history, lifestyle and labs.

Values are drawn at their recording precision (T-score 0.1, HU 1, weight 0.1 kg), so the
latent truth equals the published column wherever that column is not blanked as missing.
"""

from __future__ import annotations

import numpy as np

from risk.synth.draws import (
    Array,
    bernoulli,
    logistic,
    round_to,
    truncated_normal,
)
from risk.synth.parameters import param

Latent = dict[str, np.ndarray]


def demographics(rng: np.random.Generator, n: int) -> Latent:
    """Sex, age at procedure (mostly 55–95, a rare young share), height, weight, BMI."""
    female = bernoulli(rng, param("female_share"), n)
    age = truncated_normal(
        rng, n, mean=param("age_mean"), sd=param("age_sd"), low=param("age_min"), high=param("age_max")
    )
    young = bernoulli(rng, param("young_share"), n)
    age[young] = rng.uniform(param("young_min_age"), param("age_min"), int(young.sum()))
    return {"female": female, "age": age}


def bone(rng: np.random.Generator, demo: Latent) -> Latent:
    """Lowest T-score (falls with age, lower in women), HU and BMI correlated with it."""
    female, age = demo["female"], demo["age"]
    n = age.shape[0]
    male_share = 1 - param("female_share")
    age_effect = param("t_age_slope") * (age - param("age_mean")) / 10
    sex_effect = param("t_male_shift") * (~female - male_share)
    explained = (param("t_age_slope") * param("age_sd") / 10) ** 2
    explained += param("t_male_shift") ** 2 * male_share * (1 - male_share)
    resid_sd = np.sqrt(param("t_sd") ** 2 - explained)
    t = param("t_mean") + age_effect + sex_effect + resid_sd * rng.standard_normal(n)
    t = round_to(np.clip(t, -6.5, 2.0), 0.1)
    z_t = (t - param("t_mean")) / param("t_sd")
    hu = param("hu_mean") + param("hu_sd") * _correlated(rng, z_t, param("hu_t_corr"))
    bmi = param("bmi_mean") + param("bmi_sd") * _correlated(rng, z_t, param("bmi_bmd_corr"))
    height = np.where(female, param("height_female_mean"), param("height_male_mean"))
    height = round_to(np.clip(height + param("height_sd") * rng.standard_normal(n), 135, 200), 1)
    weight = round_to(np.clip(bmi, 15, 45) * (height / 100) ** 2, 0.1)
    return {
        "t_score": t,
        "ct_hu": round_to(np.clip(hu, 5, 300), 1),
        "height_cm": height,
        "weight_kg": weight,
        "bmi": weight / (height / 100) ** 2,
    }


def _correlated(rng: np.random.Generator, z: Array, r: float) -> Array:
    out: Array = r * z + np.sqrt(1 - r**2) * rng.standard_normal(z.shape[0])
    return out


def history(rng: np.random.Generator, z_t: Array) -> Latent:
    """Prior fractures (more with low BMD) and glucocorticoids (more with prior fracture)."""
    n = z_t.shape[0]
    prior = logistic(rng, param("prior_fracture_p"), [(param("prior_fracture_or_t"), -z_t)])
    n_prior = np.where(prior, 1 + rng.poisson(param("prior_extra_mean"), n), 0)
    n_prior = np.minimum(n_prior, 20)
    vertebral = rng.binomial(n_prior, param("prior_vertebral_share"))
    gc = logistic(rng, param("gc_p"), [(param("gc_or_prior"), prior.astype(float))])
    dose = np.exp(np.log(param("gc_dose_median")) + param("gc_dose_sigma") * rng.standard_normal(n))
    months = rng.uniform(3, param("gc_months_max"), n)
    return {
        "prior_fragility_fractures": n_prior,
        "prior_vertebral_fractures": vertebral,
        "glucocorticoid_mg_per_day": np.where(gc, round_to(np.clip(dose, 1, 60), 0.5), 0.0),
        "glucocorticoid_months": np.where(gc, np.round(months), 0.0),
    }


def lifestyle(rng: np.random.Generator, n: int) -> Latent:
    """Smoking, diabetes, falls and the FRAX-style yes/no history items."""
    diabetes = bernoulli(rng, param("diabetes"), n)
    type1 = bernoulli(rng, param("diabetes_type1_share"), n)
    fell = bernoulli(rng, param("fall_any"), n)
    falls = np.where(fell, 1 + rng.poisson(param("falls_extra_mean"), n), 0)
    return {
        "current_smoker": bernoulli(rng, param("smoker"), n),
        "diabetes_code": np.where(diabetes, np.where(type1, 1, 2), 0),
        "falls_last_12_months": np.minimum(falls, 50),
        "parent_hip_fracture": bernoulli(rng, param("parent_hip"), n),
        "alcohol_3_or_more_units_per_day": bernoulli(rng, param("alcohol"), n),
        "rheumatoid_arthritis": bernoulli(rng, param("rheumatoid"), n),
        "history_atypical_femoral_fracture": bernoulli(rng, param("history_aff"), n),
        "history_osteonecrosis_of_jaw": bernoulli(rng, param("history_onj"), n),
    }


def labs(rng: np.random.Generator, age: Array) -> Latent:
    """Vitamin D (lognormal), eGFR (falls with age), calcium and ALP."""
    n = age.shape[0]
    z = rng.standard_normal((4, n))
    vitd = np.exp(np.log(param("vitd_median")) + param("vitd_sigma") * z[0])
    egfr = param("egfr_mean") + param("egfr_age_slope") * (age - param("age_mean")) / 10
    calcium = param("calcium_mean") + param("calcium_sd") * z[2]
    alp = np.exp(np.log(param("alp_median")) + param("alp_sigma") * z[3])
    return {
        "vitamin_d_ng_ml": round_to(np.clip(vitd, 3, 150), 0.1),
        "egfr": round_to(np.clip(egfr + param("egfr_sd") * z[1], 5, 130), 1),
        "serum_calcium_mg_dl": round_to(np.clip(calcium, 6.5, 12.5), 0.1),
        "alkaline_phosphatase_u_l": round_to(np.clip(alp, 20, 600), 1),
    }
