"""Site recalibration fits on one part of a site's cohort and proves itself on the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from api import cli, cli_exit
from risk.assess import Assessor
from risk.cohort import validate_frame, write_table
from risk.errors import InvalidCohort, RecalibrationRefused
from risk.facts import facts_from_frame
from risk.model.scorer import RefractureModel
from risk.model.train import eligible
from risk.scale.recalibrate import (
    MIN_EVENTS,
    HorizonUpdate,
    fit_updates,
    holdout_mask,
    recalibrate,
    recalibrated_artefact,
    split_rows,
)
from risk.synth import synthesize


@pytest.fixture(scope="module")
def site() -> pd.DataFrame:
    raw = synthesize(2000, 17).cohort
    checked = validate_frame(raw)
    return checked.valid.join(
        checked.passthrough[["time_months", "event", "treated_after_procedure"]].astype(float)
    )


def test_fit_rows_are_calibrated_and_the_check_uses_only_held_out_rows(
    assessor: Assessor, site: pd.DataFrame
) -> None:
    result = recalibrate(assessor.model, site, "demo", resamples=0, holdout_fraction=0.3, seed=1)
    fit, holdout = split_rows(site, 0.3, 1)
    assert set(fit["patient_id"]).isdisjoint(holdout["patient_id"])
    assert (result.check.fit_rows, result.check.holdout_rows) == (len(fit), len(holdout)) == (1400, 600)
    refit = fit_updates(RefractureModel(result.artefact), fit)
    for update in refit:  # on its own fit rows the new model needs no further correction
        assert update.slope == pytest.approx(1.0, abs=1e-3)
        assert update.intercept == pytest.approx(0.0, abs=1e-3)
    assert result.artefact.validation is not None
    assert result.artefact.validation.n == len(holdout)
    assert [m.months for m in result.check.before] == [m.months for m in result.check.after] == [12, 24]
    assert RefractureModel(result.artefact).version == f"{assessor.model.version}+site.demo"


def test_intercept_only_keeps_the_slope(assessor: Assessor, site: pd.DataFrame) -> None:
    updates = fit_updates(assessor.model, site, "intercept")
    assert [u.slope for u in updates] == [1.0, 1.0]


def test_too_few_events_is_refused(assessor: Assessor, site: pd.DataFrame) -> None:
    few = site[site["event"] != 1].head(300)
    few = pd.concat([few, site[site["event"] == 1].head(MIN_EVENTS - 1)])
    with pytest.raises(InvalidCohort, match="events"):
        fit_updates(assessor.model, few)


def test_horizon_beyond_follow_up_is_refused(assessor: Assessor, site: pd.DataFrame) -> None:
    short = site[site["time_months"] < 20].copy()
    with pytest.raises(InvalidCohort, match="beyond this cohort's follow-up"):
        fit_updates(assessor.model, short)


def _contradicting_fit_rows(site: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The site with many extra early fractures in the fit part only: the fit over-predicts."""
    rows = site.loc[eligible(facts_from_frame(site))].reset_index(drop=True)
    fit = ~holdout_mask(len(rows), 0.3, seed)
    extra = fit & (rows["event"] != 1).to_numpy() & (np.arange(len(rows)) % 2 == 0)
    rows.loc[extra, "event"] = 1
    rows.loc[extra, "time_months"] = np.minimum(rows.loc[extra, "time_months"], 6.0)
    return rows


def test_a_candidate_worse_on_held_out_rows_is_refused(assessor: Assessor, site: pd.DataFrame) -> None:
    with pytest.raises(RecalibrationRefused, match="held-out"):
        recalibrate(assessor.model, _contradicting_fit_rows(site, 3), "demo", resamples=0, seed=3)


def test_the_command_prints_the_held_out_figures_writes_nothing_and_exits_4_when_refused(
    tmp_path: Path,
) -> None:
    raw = synthesize(2000, 17).cohort
    checked = validate_frame(raw)
    assert len(checked.valid) == len(raw)  # row positions of raw and of the validated frame agree
    contradicting = _contradicting_fit_rows(
        checked.valid.join(checked.passthrough[["time_months", "event", "treated_after_procedure"]]), 3
    )
    positions = np.flatnonzero(eligible(facts_from_frame(checked.valid)))
    raw.loc[positions, ["event", "time_months"]] = contradicting[["event", "time_months"]].to_numpy()
    cohort, output = tmp_path / "site.csv", tmp_path / "site-model.json"
    write_table(raw, cohort)
    args = ["recalibrate", "--cohort", str(cohort), "--output", str(output), "--site", "demo"]
    result = CliRunner().invoke(cli.app, [*args, "--seed", "3", "--resamples", "0"])
    assert result.exit_code == cli_exit.REFUSED == 4
    assert "held-out check on 600 patients" in result.output and "12 mo  O/E" in result.output
    assert "24 mo  O/E" in result.output and "nothing written" in result.output
    assert not output.exists()


def test_force_writes_a_worse_candidate_and_records_it(assessor: Assessor, site: pd.DataFrame) -> None:
    result = recalibrate(
        assessor.model, _contradicting_fit_rows(site, 3), "demo", resamples=0, seed=3, force=True
    )
    recorded = result.artefact.recalibration
    assert recorded is not None and recorded.worse_than_base and recorded.forced
    assert recorded.after[0].o_e.value is not None and recorded.after[0].o_e.value < 0.8


@settings(max_examples=40, deadline=None)
@given(st.floats(-3, 3), st.floats(0.05, 3), st.floats(-3, 3), st.floats(0.05, 3), st.integers(0, 1999))
def test_24_month_risk_never_below_12_month_risk_after_recalibration(
    assessor: Assessor, site: pd.DataFrame, a12: float, b12: float, a24: float, b24: float, row: int
) -> None:
    updates = [HorizonUpdate(12, a12, b12, MIN_EVENTS), HorizonUpdate(24, a24, b24, MIN_EVENTS)]
    model = RefractureModel(recalibrated_artefact(assessor.model.artefact, updates, "h"))
    batch = model.predict_batch(facts_from_frame(site.iloc[[row]]))
    assert batch.risk_24m[0] >= batch.risk_12m[0]
    one = model.predict({k: v[0] for k, v in facts_from_frame(site.iloc[[row]]).items()})
    assert one.risk_24m >= one.risk_12m
