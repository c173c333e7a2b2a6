"""The cohort looks like clinical.md §1–3 and the outcome model behaves as documented."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from risk.synth import SynthCohort, true_cumulative_incidence
from risk.synth.outcomes import hazards
from risk.synth.rates import aalen_johansen, crude_rate


def _share(values: pd.Series) -> float:
    return float(values.mean())


def _times(s: SynthCohort) -> tuple[np.ndarray, np.ndarray]:
    c = s.cohort
    return c["time_months"].to_numpy(dtype=float), c["event"].to_numpy(dtype=np.int64)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("female", 0.70, 0.80),
        ("prior_fracture", 0.15, 0.30),
        ("multilevel", 0.20, 0.30),
        ("tl_junction", 0.60, 0.80),
        ("intradiscal", 0.05, 0.12),
        ("glucocorticoid", 0.05, 0.10),
        ("diabetes", 0.15, 0.25),
        ("fall", 0.30, 0.50),
        ("no_dxa", 0.30, 0.40),
        ("low_vitamin_d", 0.40, 0.70),
        ("treated", 0.30, 0.40),
    ],
)
def test_marginal_rates_lie_in_the_clinical_ranges(
    synth20k: SynthCohort, name: str, low: float, high: float
) -> None:
    c, lat = synth20k.cohort, synth20k.latent
    shares = {
        "female": _share(c["sex"] == "female"),
        "prior_fracture": _share(c["prior_fragility_fractures"] > 0),
        "multilevel": _share(c["treated_levels"].str.contains(";")),
        "tl_junction": _share(lat["tl_junction"]),
        "intradiscal": _share(c["cement_leakage"] == "intradiscal"),
        "glucocorticoid": _share(c["glucocorticoid_mg_per_day"] > 0),
        "diabetes": _share(c["diabetes"] != "none"),
        "fall": _share(c["falls_last_12_months"] > 0),
        "no_dxa": _share(c["t_score_femoral_neck"].isna()),
        "low_vitamin_d": _share(c["vitamin_d_ng_ml"].dropna() < 20),
        "treated": _share(c["treated_after_procedure"] == 1),
    }
    assert low <= shares[name] <= high


def test_age_is_realistic_and_rarely_below_fifty(synth20k: SynthCohort) -> None:
    age = synth20k.latent["age"]
    assert 72 <= age.mean() <= 76
    assert 7 <= age.std() <= 9
    assert (age < 50).mean() < 0.01
    assert age.max() <= 95


def test_fracture_incidence_by_12_and_24_months(synth20k: SynthCohort) -> None:
    t, e = _times(synth20k)
    assert 0.08 <= aalen_johansen(t, e, 1, 12.0) <= 0.13
    assert 0.12 <= aalen_johansen(t, e, 1, 24.0) <= 0.19


def test_death_by_12_months(synth20k: SynthCohort) -> None:
    t, e = _times(synth20k)
    assert 0.04 <= aalen_johansen(t, e, 2, 12.0) <= 0.09


def test_observed_incidence_matches_the_exact_truth(synth20k: SynthCohort) -> None:
    t, e = _times(synth20k)
    for months, column in ((12.0, "true_risk_12m"), (24.0, "true_risk_24m")):
        truth = synth20k.truth[column].mean()
        assert aalen_johansen(t, e, 1, months) == pytest.approx(truth, abs=0.012)


def test_hazard_is_highest_early(synth20k: SynthCohort) -> None:
    fracture, _ = hazards(synth20k.latent, treated=False)
    assert np.all(np.diff(fracture[:, :4], axis=1) < 0)
    t, e = _times(synth20k)
    ratio = crude_rate(t, e, 1, 0.0, 6.0) / crude_rate(t, e, 1, 12.0, 24.0)
    assert 1.8 <= ratio <= 3.5


def test_treatment_lowers_the_true_risk(synth20k: SynthCohort) -> None:
    lat = synth20k.latent
    treated = true_cumulative_incidence(lat, 12.0, treated=True)
    untreated = true_cumulative_incidence(lat, 12.0, treated=False)
    assert np.all(treated < untreated)
    ratio = treated.mean() / untreated.mean()
    assert 0.25 <= ratio <= 0.45


def test_treatment_is_confounded_by_indication(synth20k: SynthCohort) -> None:
    on = synth20k.latent["treated"].to_numpy(dtype=bool)
    untreated_risk = synth20k.truth["true_risk_untreated_12m"].to_numpy()
    assert untreated_risk[on].mean() > untreated_risk[~on].mean()


def test_bmd_and_hu_are_correlated(synth20k: SynthCohort) -> None:
    lat = synth20k.latent
    assert 0.55 <= np.corrcoef(lat["t_score"], lat["ct_hu"])[0, 1] <= 0.75


def test_bmd_falls_with_age_and_bmi_rises_with_bmd(synth20k: SynthCohort) -> None:
    lat = synth20k.latent
    assert np.corrcoef(lat["t_score"], lat["age"])[0, 1] < -0.1
    assert np.corrcoef(lat["t_score"], lat["bmi"])[0, 1] > 0.1


def test_cumulative_incidence_is_zero_at_zero_and_grows(synth_small: SynthCohort) -> None:
    lat = synth_small.latent
    at = [true_cumulative_incidence(lat, m) for m in (0.0, 3.0, 12.0, 24.0, 60.0)]
    np.testing.assert_array_equal(at[0], 0.0)
    assert all(np.all(b > a) for a, b in itertools.pairwise(at))
    assert np.all(at[-1] < 1.0)


def test_truth_columns_are_the_closed_form(synth_small: SynthCohort) -> None:
    lat, truth = synth_small.latent, synth_small.truth
    np.testing.assert_allclose(truth["true_risk_12m"], true_cumulative_incidence(lat, 12.0))
    np.testing.assert_allclose(
        truth["true_risk_untreated_24m"], true_cumulative_incidence(lat, 24.0, treated=False)
    )


def test_aalen_johansen_by_hand() -> None:
    # 4 at risk: fracture at 1 (1/4), censored at 2, death at 3 (S=3/4·1/2), fracture at 4.
    time = np.array([1.0, 2.0, 3.0, 4.0])
    event = np.array([1, 0, 2, 1])
    assert aalen_johansen(time, event, 1, 0.5) == 0.0
    assert aalen_johansen(time, event, 1, 3.5) == pytest.approx(0.25)
    assert aalen_johansen(time, event, 1, 4.0) == pytest.approx(0.25 + 0.375)
    assert aalen_johansen(time, event, 2, 4.0) == pytest.approx(0.375)
