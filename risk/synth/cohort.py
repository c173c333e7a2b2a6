"""Assemble one synthetic cohort: latent covariates → outcome → published frame and truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from risk.synth import covariates, procedure
from risk.synth.covariates import Latent
from risk.synth.frame import contract_frame
from risk.synth.outcomes import Columns, hazards, incidence_from_hazards, simulate, treatment_hr
from risk.synth.parameters import param


@dataclass(frozen=True)
class SynthCohort:
    """A synthetic training cohort with its generating truth.

    ``cohort``: contract §1 columns in contract order plus §3 ``time_months``, ``event``,
    ``treated_after_procedure``. ``truth``: exact 12/24-month fracture risks as treated and
    untreated. ``latent``: the complete covariates behind both (for
    ``true_cumulative_incidence``).
    """

    cohort: pd.DataFrame
    truth: pd.DataFrame
    latent: pd.DataFrame


def latent_covariates(rng: np.random.Generator, n: int) -> Latent:
    """Every latent covariate and treatment decision, in a fixed draw order (determinism)."""
    lat = covariates.demographics(rng, n)
    lat |= covariates.bone(rng, lat)
    z_t = (lat["t_score"] - param("t_mean")) / param("t_sd")
    lat |= covariates.history(rng, z_t)
    lat |= covariates.lifestyle(rng, n)
    lat |= covariates.labs(rng, lat["age"])
    lat |= procedure.levels(rng, n)
    lat |= procedure.procedure(rng, n)
    lat |= procedure.dates(rng, n)
    lat |= procedure.index_drug(rng, lat["prior_fragility_fractures"] > 0, lat)
    lat["treated"], lat["anabolic_if_treated"] = procedure.treatment_after(rng, z_t, lat)
    return lat


def truth_frame(lat: Columns) -> pd.DataFrame:
    """Exact 12/24-month cumulative incidence of a new fracture, as treated and untreated."""
    untreated, death = hazards(lat, treated=False)  # hazards once: the linear predictor is costly
    as_treated = untreated * treatment_hr(lat, treated=None)[:, None]
    return pd.DataFrame(
        {
            "true_risk_12m": incidence_from_hazards(as_treated, death, 12.0),
            "true_risk_24m": incidence_from_hazards(as_treated, death, 24.0),
            "true_risk_untreated_12m": incidence_from_hazards(untreated, death, 12.0),
            "true_risk_untreated_24m": incidence_from_hazards(untreated, death, 24.0),
        }
    )


def synthesize(n: int, seed: int) -> SynthCohort:
    """A deterministic synthetic post-kyphoplasty cohort of ``n`` patients."""
    rng = np.random.default_rng(seed)
    lat = latent_covariates(rng, n)
    time_months, event = simulate(rng, lat)
    cohort = contract_frame(rng, lat, seed)
    cohort["time_months"] = time_months
    cohort["event"] = pd.array(event, dtype="Int64")
    cohort["treated_after_procedure"] = pd.array(lat["treated"].astype(np.int64), dtype="Int64")
    return SynthCohort(cohort=cohort, truth=truth_frame(lat), latent=pd.DataFrame(lat))
