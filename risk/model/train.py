"""Fit one IPCW-weighted, L2-penalised logistic model per horizon and package it as an artefact."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from risk.errors import InvalidCohort
from risk.facts import Facts, facts_from_frame
from risk.model.artefact import (
    FORMAT_VERSION,
    MODEL_NAME,
    Artefact,
    FeatureEntry,
    HorizonModel,
    InputImputation,
    TrainingData,
)
from risk.model.features import COLUMNS, INPUTS, TREATED
from risk.model.fingerprint import cohort_fingerprint
from risk.model.imputation import Imputation, cohort_design, learn_imputation
from risk.model.survival import CENSORED, DEATH, FRACTURE, horizon_target
from risk.rules.pathway import model_eligible

FloatArray = npt.NDArray[np.float64]
HORIZONS = (12, 24)
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # inverse L2 strength on the standardised scale
CV_FOLDS = 5
OUTCOME_COLUMNS = ("time_months", "event", TREATED)


class FeatureBuilder(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Cohort frame → design matrix; learns imputation on fit unless one is given."""

    def __init__(self, imputation: Imputation | None = None) -> None:
        self.imputation = imputation

    def fit(self, frame: pd.DataFrame, y: object = None) -> FeatureBuilder:  # noqa: ARG002
        """Learn (or adopt) the imputation values."""
        self.imputation_ = self.imputation or learn_imputation(facts_from_frame(frame))
        return self

    def transform(self, frame: pd.DataFrame) -> FloatArray:
        """The design matrix in ``COLUMNS`` order."""
        design, _ = cohort_design(facts_from_frame(frame), frame[TREATED], self.imputation_)
        return design


def make_pipeline(imputation: Imputation, penalty_c: float) -> Pipeline:
    """FeatureBuilder → StandardScaler → L2 logistic regression."""
    return Pipeline(
        [
            ("features", FeatureBuilder(imputation)),
            ("scale", StandardScaler()),
            ("logit", LogisticRegression(C=penalty_c, tol=1e-8, max_iter=10_000)),
        ]
    )


def eligible(facts: Facts) -> npt.NDArray[np.bool_]:
    """Rows the model is for: not the oncology pathway (the rule is ``risk.rules.pathway``)."""
    return np.asarray(model_eligible(facts), dtype=bool)


def _weighted_log_loss(y: FloatArray, p: FloatArray, w: FloatArray) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-(w * (y * np.log(p) + (1 - y) * np.log(1 - p))).sum() / w.sum())


def choose_c(design: FloatArray, y: FloatArray, w: FloatArray, seed: int) -> dict[float, float]:
    """Cross-validated weighted log-loss of each C on the grid (the scaler refit per fold)."""
    folds = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=seed).split(design, y)
    losses = dict.fromkeys(C_GRID, 0.0)
    for fit_rows, test_rows in folds:
        for c in C_GRID:
            model = Pipeline(
                [("scale", StandardScaler()), ("logit", LogisticRegression(C=c, max_iter=10_000))]
            )
            model.fit(design[fit_rows], y[fit_rows], logit__sample_weight=w[fit_rows])
            p = model.predict_proba(design[test_rows])[:, 1]
            losses[c] += _weighted_log_loss(y[test_rows], p, w[test_rows]) / CV_FOLDS
    return losses


@dataclass
class FittedModels:
    """The fitted pipelines per horizon plus what the artefact needs."""

    imputation: Imputation
    pipelines: dict[int, Pipeline]
    cv_losses: dict[int, dict[float, float]]
    training: TrainingData


def outcome_arrays(frame: pd.DataFrame) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Follow-up time and event code, checked (contract §3)."""
    missing = [c for c in OUTCOME_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidCohort(f"training cohort lacks the outcome columns {missing} (contract §3)")
    time = frame["time_months"].to_numpy(dtype=float)
    event = frame["event"].to_numpy(dtype=np.int64)
    if np.isnan(time).any() or (time <= 0).any() or not np.isin(event, (0, 1, 2)).all():
        raise InvalidCohort("time_months must be > 0 and event one of 0, 1, 2 (contract §3)")
    return time, event


def fit_models(frame: pd.DataFrame, seed: int = 0, data_sha256: str | None = None) -> FittedModels:
    """Fit both horizons' pipelines on the eligible rows of a training cohort."""
    rows = frame.loc[eligible(facts_from_frame(frame))].reset_index(drop=True)
    time, event = outcome_arrays(rows)
    facts = facts_from_frame(rows)
    imputation = learn_imputation(facts)
    design, _ = cohort_design(facts, rows[TREATED], imputation)
    pipelines, losses = {}, {}
    for months in HORIZONS:
        target = horizon_target(time, event, months)
        losses[months] = choose_c(design[target.keep], target.y, target.weight, seed)
        best = min(losses[months], key=losses[months].__getitem__)
        pipeline = make_pipeline(imputation, best)
        pipeline.fit(rows.loc[target.keep], target.y, logit__sample_weight=target.weight)
        pipelines[months] = pipeline
    training = TrainingData(
        sha256=data_sha256 or frame_sha256(frame),
        fingerprint=cohort_fingerprint(frame),
        rows=len(frame),
        rows_used=len(rows),
        fractures=int((event == FRACTURE).sum()),
        deaths=int((event == DEATH).sum()),
        censored=int((event == CENSORED).sum()),
    )
    return FittedModels(imputation, pipelines, losses, training)


def frame_sha256(frame: pd.DataFrame) -> str:
    """A content hash of a cohort frame (row order and values)."""
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def to_artefact(fitted: FittedModels, model_version: str) -> Artefact:
    """Freeze fitted pipelines into the JSON artefact."""
    return Artefact(
        format_version=FORMAT_VERSION,
        model_name=MODEL_NAME,
        model_version=model_version,
        created=dt.datetime.now(dt.UTC).replace(microsecond=0),
        training_data=fitted.training,
        horizons_months=list(HORIZONS),
        features=_feature_entries(),
        imputation=_imputation_entries(fitted.imputation),
        models=[_horizon_model(m, p) for m, p in fitted.pipelines.items()],
    )


def _horizon_model(months: int, pipeline: Pipeline) -> HorizonModel:
    scaler, logit = pipeline.named_steps["scale"], pipeline.named_steps["logit"]
    return HorizonModel(
        months=months,
        penalty_c=float(logit.C),
        intercept=float(logit.intercept_[0]),
        coefficients=[float(v) for v in logit.coef_[0]],
        scaler_mean=[float(v) for v in scaler.mean_],
        scaler_scale=[float(v) for v in scaler.scale_],
    )


def _feature_entries() -> list[FeatureEntry]:
    inputs: dict[str, Any] = {i.name: i for i in INPUTS}
    return [
        FeatureEntry(
            name=c.name,
            input=c.input,
            sources=list(inputs[c.input].sources) if c.input in inputs else [TREATED],
            transform=c.description,
            imputation=inputs[c.input].rule if c.input in inputs else "required (0/1)",
        )
        for c in COLUMNS
    ]


def _imputation_entries(imputation: Imputation) -> list[InputImputation]:
    entries = []
    for spec in INPUTS:
        intercept, slope = imputation.fits.get(spec.name, (math.nan, 0.0))
        fitted = spec.fit_from is not None and not math.isnan(intercept)
        entries.append(
            InputImputation(
                input=spec.name,
                rule=spec.impute.value,
                value=imputation.fill[spec.name],
                fit_from=spec.fit_from if fitted else None,
                fit_intercept=intercept if fitted else None,
                fit_slope=slope if fitted else None,
            )
        )
    return entries
