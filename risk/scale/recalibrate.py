"""Site recalibration that proves itself: fit on part of a site's cohort, check on the rest.

Logistic recalibration keeps the model's ranking and corrects its level: new log-odds =
a + b·(old log-odds). On the artefact's standardised scale that is intercept' = a + b·intercept
and coefficients' = b·coefficients, so the result is an ordinary artefact the scorer loads
(24-month risk stays ≥ 12-month risk: the scorer takes the larger, whatever a and b are).

The site's eligible rows are split at random (seeded): a and b are fitted on the fit part with
the IPCW horizon targets of ``risk.model.survival``; O/E, calibration slope and intercept at
12 and 24 months of the base model and of the candidate are compared on the held-out part.
A candidate whose held-out miscalibration (Σ |log O/E| + |log slope|) is larger than the base
model's is refused unless forced, and the artefact records the check either way.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from risk.errors import InvalidCohort, RecalibrationRefused
from risk.facts import facts_from_frame
from risk.model.artefact import Artefact, HorizonModel, Recalibration
from risk.model.features import TREATED
from risk.model.metrics import calibration_intercept, calibration_slope
from risk.model.report import HorizonMetrics
from risk.model.scorer import RefractureModel
from risk.model.survival import horizon_target
from risk.model.train import eligible, outcome_arrays
from risk.model.validation import metrics_for, miscalibration, validate_model

Method = Literal["intercept", "logistic"]
MIN_EVENTS = 20  # below this, a site's own fit is noisier than the model it corrects
HOLDOUT_FRACTION = 0.3


@dataclass(frozen=True)
class HorizonUpdate:
    """The fitted recalibration of one horizon: log-odds' = intercept + slope·log-odds."""

    months: int
    intercept: float
    slope: float
    events: int


@dataclass(frozen=True)
class RecalibrationResult:
    """The candidate artefact, its coefficients and the held-out check behind it."""

    artefact: Artefact
    updates: list[HorizonUpdate]
    check: Recalibration


def _eligible_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[eligible(facts_from_frame(frame))].reset_index(drop=True)


def fit_updates(
    model: RefractureModel, frame: pd.DataFrame, method: Method = "logistic"
) -> list[HorizonUpdate]:
    """Recalibration coefficients per horizon on the eligible rows of a cohort with outcomes."""
    rows = _eligible_rows(frame)
    time, event = outcome_arrays(rows)
    facts = facts_from_frame(rows)
    treated = rows[TREATED].to_numpy(dtype=float)
    updates = []
    for horizon in model.artefact.horizons_months:
        target = horizon_target(time, event, horizon)
        events = int(target.y.sum())
        if not target.estimable or events < MIN_EVENTS:
            raise InvalidCohort(
                f"{horizon}-month horizon: only {events} events (< {MIN_EVENTS}) with known status "
                "to recalibrate on" if target.estimable else
                f"{horizon}-month horizon lies beyond this cohort's follow-up: not estimable"
            )  # fmt: skip
        lp = model.linear_predictor(facts, horizon, treated)[target.keep]
        slope = float(calibration_slope(lp, target.y, target.weight)[0]) if method == "logistic" else 1.0
        intercept = float(calibration_intercept(slope * lp, target.y, target.weight)[0])
        if not (math.isfinite(slope) and math.isfinite(intercept)):
            raise InvalidCohort(f"{horizon}-month recalibration fit did not converge on this cohort")
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
            "created": dt.datetime.now(dt.UTC).replace(microsecond=0),
            "models": [_updated(m, by_months[m.months]) for m in artefact.models],
            "validation": None,
            "recalibration": None,
        }
    )


def split_rows(frame: pd.DataFrame, holdout_fraction: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fit rows, held-out rows): a seeded random split of the eligible rows."""
    if not 0 < holdout_fraction < 1:
        raise InvalidCohort(f"holdout fraction must lie strictly between 0 and 1, not {holdout_fraction}")
    rows = _eligible_rows(frame)
    held = holdout_mask(len(rows), holdout_fraction, seed)
    return rows.loc[~held].reset_index(drop=True), rows.loc[held].reset_index(drop=True)


def holdout_mask(n: int, holdout_fraction: float, seed: int) -> npt.NDArray[np.bool_]:
    """Which of ``n`` eligible rows are held out: a seeded random ``holdout_fraction`` of them."""
    held = np.zeros(n, dtype=bool)
    held[np.random.default_rng(seed).permutation(n)[: round(holdout_fraction * n)]] = True
    return held


def held_out_metrics(
    model: RefractureModel, rows: pd.DataFrame, resamples: int, seed: int
) -> list[HorizonMetrics]:
    """O/E, calibration slope, intercept, AUC and Brier at each horizon, predicting as treated."""
    time, event = outcome_arrays(rows)
    batch = model.predict_batch(facts_from_frame(rows), rows[TREATED].to_numpy(dtype=float))
    return metrics_for({12: batch.risk_12m, 24: batch.risk_24m}, time, event, resamples, seed)


def recalibrate(
    model: RefractureModel,
    frame: pd.DataFrame,
    site: str,
    *,
    method: Method = "logistic",
    holdout_fraction: float = HOLDOUT_FRACTION,
    resamples: int = 200,
    seed: int = 0,
    force: bool = False,
) -> RecalibrationResult:
    """Fit on one part of the site's cohort, check on the other; refuse a worse candidate unless forced."""
    fit, holdout = split_rows(frame, holdout_fraction, seed)
    updates = fit_updates(model, fit, method)
    candidate = recalibrated_artefact(model.artefact, updates, site)
    before = held_out_metrics(model, holdout, resamples, seed)
    after = held_out_metrics(RefractureModel(candidate), holdout, resamples, seed)
    worse = miscalibration(after) > miscalibration(before)
    check = Recalibration(
        site=site, method=method, base_model_version=model.version, seed=seed,
        fit_rows=len(fit), holdout_rows=len(holdout),
        coefficients=[{"months": u.months, "intercept": u.intercept, "slope": u.slope} for u in updates],
        before=before, after=after, worse_than_base=worse, forced=worse and force,
    )  # fmt: skip
    if worse and not force:
        raise RecalibrationRefused(
            f"recalibrated model is worse calibrated on the {len(holdout)} held-out patients than "
            f"{model.name} {model.version} (Σ|log O/E|+|log slope| {miscalibration(after):.3f} vs "
            f"{miscalibration(before):.3f}); nothing written (--force writes it anyway, recorded)",
            check,
        )
    fitted = "; ".join(f"{u.months} mo: a={u.intercept:+.3f}, b={u.slope:.3f}" for u in updates)
    design = (
        f"site recalibration ({method}) of {model.version} on {site}: fitted on {len(fit)} rows "
        f"({fitted}), validated on {len(holdout)} held-out rows (seed {seed})"
    )
    report = validate_model(
        RefractureModel(candidate), holdout, resamples=resamples, seed=seed, design=design
    )
    artefact = candidate.model_copy(update={"validation": report, "recalibration": check})
    return RecalibrationResult(artefact=artefact, updates=updates, check=check)


__all__ = [
    "HOLDOUT_FRACTION",
    "MIN_EVENTS",
    "HorizonUpdate",
    "RecalibrationResult",
    "fit_updates",
    "held_out_metrics",
    "holdout_mask",
    "recalibrate",
    "recalibrated_artefact",
    "split_rows",
]
