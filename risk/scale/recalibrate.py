"""Site recalibration: refit the intercept (and slope) of each horizon on a site's own cohort.

Logistic recalibration keeps the model's ranking and corrects its level: new log-odds =
a + b·(old log-odds). On the artefact's standardised scale that is intercept' = a + b·intercept
and coefficients' = b·coefficients, so the result is an ordinary artefact the scorer loads.
The fit reuses ``risk.model.metrics`` (the same IPCW calibration fits the validation reports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from risk.errors import InvalidCohort
from risk.facts import facts_from_frame
from risk.model import Artefact, RefractureModel, validate_model
from risk.model.artefact import HorizonModel
from risk.model.features import TREATED
from risk.model.metrics import calibration_intercept, calibration_slope
from risk.model.survival import horizon_target
from risk.model.train import eligible, outcome_arrays

Method = Literal["intercept", "logistic"]
MIN_EVENTS = 20  # below this, a site's own fit is noisier than the model it corrects


@dataclass(frozen=True)
class HorizonUpdate:
    """The fitted recalibration of one horizon: log-odds' = intercept + slope·log-odds."""

    months: int
    intercept: float
    slope: float
    events: int


def fit_updates(
    model: RefractureModel, frame: pd.DataFrame, method: Method = "logistic"
) -> list[HorizonUpdate]:
    """Recalibration coefficients per horizon on the eligible rows of a cohort with outcomes."""
    rows = frame.loc[eligible(facts_from_frame(frame))].reset_index(drop=True)
    time, event = outcome_arrays(rows)
    facts = facts_from_frame(rows)
    treated = rows[TREATED].to_numpy(dtype=float)
    updates = []
    for horizon in model.artefact.horizons_months:
        target = horizon_target(time, event, horizon)
        events = int(target.y.sum())
        if events < MIN_EVENTS:
            raise InvalidCohort(
                f"{horizon}-month horizon: only {events} events (< {MIN_EVENTS}) to recalibrate on"
            )
        lp = model.linear_predictor(facts, horizon, treated)[target.keep]
        slope = float(calibration_slope(lp, target.y, target.weight)[0]) if method == "logistic" else 1.0
        intercept = float(calibration_intercept(slope * lp, target.y, target.weight)[0])
        updates.append(HorizonUpdate(horizon, intercept, slope, events))
    return updates


def _updated(horizon: HorizonModel, update: HorizonUpdate) -> HorizonModel:
    return horizon.model_copy(
        update={
            "intercept": update.intercept + update.slope * horizon.intercept,
            "coefficients": [update.slope * c for c in horizon.coefficients],
        }
    )


def recalibrated_artefact(artefact: Artefact, updates: list[HorizonUpdate], site: str) -> Artefact:
    """A copy of ``artefact`` with every horizon's linear predictor recalibrated."""
    by_months = {u.months: u for u in updates}
    return artefact.model_copy(
        update={
            "model_version": f"{artefact.model_version}+site.{site}",
            "created": dt.datetime.now(dt.UTC),
            "models": [_updated(m, by_months[m.months]) for m in artefact.models],
            "validation": None,
        }
    )


def recalibrate(
    model: RefractureModel,
    frame: pd.DataFrame,
    site: str,
    *,
    method: Method = "logistic",
    resamples: int = 200,
    seed: int = 0,
) -> tuple[Artefact, list[HorizonUpdate]]:
    """Recalibrated artefact (with its apparent validation on the same cohort) and the updates."""
    updates = fit_updates(model, frame, method)
    artefact = recalibrated_artefact(model.artefact, updates, site)
    fitted = "; ".join(f"{u.months} mo: a={u.intercept:+.3f}, b={u.slope:.3f}" for u in updates)
    design = (
        f"site recalibration ({method}) on {site}'s own cohort, {len(frame)} rows: {fitted}; "
        "apparent performance on the same rows (optimistic)"
    )
    report = validate_model(RefractureModel(artefact), frame, resamples=resamples, seed=seed, design=design)
    return artefact.model_copy(update={"validation": report}), updates


__all__ = ["MIN_EVENTS", "HorizonUpdate", "fit_updates", "recalibrate", "recalibrated_artefact"]
