"""Model development end to end: temporal split, challenger comparison, refit, artefact."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from risk.facts import facts_from_frame
from risk.model.artefact import Artefact
from risk.model.features import TREATED
from risk.model.imputation import cohort_design
from risk.model.report import ChallengerResult, ValidationReport
from risk.model.scorer import RefractureModel
from risk.model.survival import horizon_target
from risk.model.train import HORIZONS, FittedModels, eligible, fit_models, outcome_arrays, to_artefact
from risk.model.validation import BOOTSTRAP_RESAMPLES, metrics_for, miscalibration, validate_model

FloatArray = npt.NDArray[np.float64]
HOLDOUT_FRACTION = 0.3


def temporal_split(frame: pd.DataFrame, holdout_fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Development rows (earlier procedures) and validation rows (the latest ``holdout_fraction``)."""
    days = facts_from_frame(frame)["procedure_date"]
    cutoff = np.quantile(days, 1.0 - holdout_fraction)
    late = days > cutoff
    return frame.loc[~late].reset_index(drop=True), frame.loc[late].reset_index(drop=True)


def _challenger(fitted: FittedModels, dev: pd.DataFrame, val: pd.DataFrame, seed: int) -> ChallengerResult:
    """HistGradientBoosting on the same features and IPC weights, scored on the validation rows."""
    dev = dev.loc[eligible(facts_from_frame(dev))].reset_index(drop=True)
    val = val.loc[eligible(facts_from_frame(val))].reset_index(drop=True)
    time, event = outcome_arrays(dev)
    x_dev, _ = cohort_design(facts_from_frame(dev), dev[TREATED], fitted.imputation)
    x_val, _ = cohort_design(facts_from_frame(val), val[TREATED], fitted.imputation)
    predictions: dict[int, FloatArray] = {}
    for months in HORIZONS:
        target = horizon_target(time, event, months)
        model = HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=200, max_leaf_nodes=15, min_samples_leaf=40,
            l2_regularization=1.0, early_stopping=False, random_state=seed,
        )  # fmt: skip
        model.fit(x_dev[target.keep], target.y, sample_weight=target.weight)
        predictions[months] = model.predict_proba(x_val)[:, 1]
    predictions[24] = np.maximum(predictions[24], predictions[12])
    val_time, val_event = outcome_arrays(val)
    return ChallengerResult(
        name="hist_gradient_boosting", metrics=metrics_for(predictions, val_time, val_event)
    )


def _miscalibration(report: ValidationReport) -> float:
    return miscalibration(report.overall)


def _with_challenger(report: ValidationReport, challenger: ChallengerResult) -> ValidationReport:
    challenger_report = report.model_copy(update={"overall": challenger.metrics})
    better = _miscalibration(challenger_report) < _miscalibration(report)
    note = (
        ["the challenger was better calibrated on this split, but the request path serves "
         "the logistic model only"] if better else []
    )  # fmt: skip
    return report.model_copy(
        update={"challengers": [challenger], "chosen": "logistic", "warnings": report.warnings + note}
    )


def train_from_frame(
    frame: pd.DataFrame,
    *,
    model_version: str = "1.0.0",
    holdout_fraction: float = HOLDOUT_FRACTION,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
    data_sha256: str | None = None,
) -> Artefact:
    """Develop on the earlier procedures, validate on the latest, then refit on all rows.

    The shipped artefact is the refit; its ``validation`` is the temporal-split report.
    """
    dev, val = temporal_split(frame, holdout_fraction)
    fitted_dev = fit_models(dev, seed)
    dev_model = RefractureModel(to_artefact(fitted_dev, model_version))
    design = (
        f"temporal split: developed on the earliest {1 - holdout_fraction:.0%} of procedures, "
        f"validated on the latest {holdout_fraction:.0%}; shipped model refit on all rows"
    )
    report = validate_model(dev_model, val, resamples=resamples, seed=seed, design=design)
    report = _with_challenger(report, _challenger(fitted_dev, dev, val, seed))
    final = to_artefact(fit_models(frame, seed, data_sha256), model_version)
    return final.model_copy(update={"validation": report})
