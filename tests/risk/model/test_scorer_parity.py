"""The hand scorer reproduces scikit-learn exactly, and one record scores as its cohort row does."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from risk.facts import facts_from_frame
from risk.model.scorer import RefractureModel
from risk.model.train import FittedModels, eligible, to_artefact

from .conftest import row_facts


@pytest.fixture(scope="module")
def hand(fitted: FittedModels) -> RefractureModel:
    return RefractureModel.from_artefact(to_artefact(fitted, "test"))


@pytest.mark.parametrize("months", [12, 24])
def test_hand_scorer_equals_pipeline_predict_proba(
    fitted: FittedModels, hand: RefractureModel, sample_frame: pd.DataFrame, months: int
) -> None:
    facts = facts_from_frame(sample_frame)
    treated = sample_frame["treated_after_procedure"].to_numpy(dtype=float)
    ours = expit(hand.linear_predictor(facts, months, treated))
    theirs = fitted.pipelines[months].predict_proba(sample_frame)[:, 1]
    assert len(ours) == len(sample_frame)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_training_excludes_the_oncology_pathway(sample_frame: pd.DataFrame) -> None:
    frame = sample_frame.copy()
    frame.loc[0, "biopsy_result"] = "malignant"
    assert not eligible(facts_from_frame(frame))[0]
    assert eligible(facts_from_frame(sample_frame)).all()


def test_scalar_path_equals_array_path(shipped: RefractureModel, sample_frame: pd.DataFrame) -> None:
    facts = facts_from_frame(sample_frame)
    batch = shipped.predict_batch(facts)
    joined = batch.missing_inputs()
    for i in range(0, len(sample_frame), 25):
        one = shipped.predict(row_facts(facts, i))
        assert one.risk_12m == pytest.approx(batch.risk_12m[i], abs=1e-12)
        assert one.risk_24m == pytest.approx(batch.risk_24m[i], abs=1e-12)
        assert ";".join(sorted(one.missing_inputs)) == ";".join(sorted(filter(None, joined[i].split(";"))))


def test_contributions_and_intercept_sum_to_the_logit(
    shipped: RefractureModel, sample_frame: pd.DataFrame
) -> None:
    facts = facts_from_frame(sample_frame)
    for i in range(0, len(sample_frame), 97):
        out = shipped.predict(row_facts(facts, i))
        total = out.intercept_12m + sum(c.effect for c in out.contributions)
        assert total == pytest.approx(out.logit_12m, abs=1e-12)
        assert 1 / (1 + math.exp(-out.logit_12m)) == pytest.approx(out.risk_12m, abs=1e-12)
        effects = [abs(c.effect) for c in out.contributions]
        assert effects == sorted(effects, reverse=True)


def test_risk_24m_is_never_below_risk_12m(shipped: RefractureModel, sample_frame: pd.DataFrame) -> None:
    batch = shipped.predict_batch(facts_from_frame(sample_frame))
    assert (batch.risk_24m >= batch.risk_12m).all()


def test_default_risk_is_untreated_and_treatment_lowers_it(
    shipped: RefractureModel, sample_frame: pd.DataFrame
) -> None:
    facts = facts_from_frame(sample_frame)
    untreated = shipped.predict_batch(facts)
    treated = shipped.predict_batch(facts, treated=np.ones(len(sample_frame)))
    np.testing.assert_array_equal(untreated.risk_12m, shipped.predict_batch(facts, 0.0).risk_12m)
    assert (treated.risk_12m < untreated.risk_12m).all()
