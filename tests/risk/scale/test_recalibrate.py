from __future__ import annotations

import pandas as pd
import pytest

from risk.assess import Assessor
from risk.cohort import validate_frame
from risk.errors import InvalidCohort
from risk.model import RefractureModel
from risk.scale.recalibrate import MIN_EVENTS, fit_updates, recalibrate
from risk.synth import synthesize


@pytest.fixture(scope="module")
def site() -> pd.DataFrame:
    raw = synthesize(2000, 17).cohort
    checked = validate_frame(raw)
    return checked.valid.join(
        checked.passthrough[["time_months", "event", "treated_after_procedure"]].astype(float)
    )


def test_recalibrated_model_is_calibrated_on_its_site(assessor: Assessor, site: pd.DataFrame) -> None:
    artefact, updates = recalibrate(assessor.model, site, "demo", resamples=0)
    assert [u.months for u in updates] == [12, 24]
    assert artefact.validation is not None
    for metrics in artefact.validation.overall:
        assert metrics.calibration_slope.value == pytest.approx(1.0, abs=1e-3)
        assert metrics.calibration_intercept.value == pytest.approx(0.0, abs=1e-3)
    assert RefractureModel(artefact).version == f"{assessor.model.version}+site.demo"


def test_intercept_only_keeps_the_slope(assessor: Assessor, site: pd.DataFrame) -> None:
    updates = fit_updates(assessor.model, site, "intercept")
    assert [u.slope for u in updates] == [1.0, 1.0]


def test_too_few_events_is_refused(assessor: Assessor, site: pd.DataFrame) -> None:
    few = site[site["event"] != 1].head(300)
    few = pd.concat([few, site[site["event"] == 1].head(MIN_EVENTS - 1)])
    with pytest.raises(InvalidCohort, match="events"):
        fit_updates(assessor.model, few)
