"""Generate docs/synthetic-cohort.md from the parameter table and measured cohort rates.

Run ``uv run python -m risk.synth.document`` after changing a parameter; a test fails
while the committed document differs from what this module renders.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from risk.synth.cohort import SynthCohort, synthesize
from risk.synth.parameters import parameter_table_markdown
from risk.synth.rates import aalen_johansen, crude_rate

DOC_N, DOC_SEED = 100_000, 2024
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "synthetic-cohort.md"


def _share(mask: object) -> float:
    return float(np.nanmean(np.asarray(mask, dtype=float)))


def _population(s: SynthCohort) -> list[tuple[str, float, str]]:
    lat, c = s.latent, s.cohort
    return [
        ("female", _share(c["sex"] == "female"), "70–80%"),
        ("age < 50 years", _share(lat["age"] < 50), "rare"),
        ("no DXA", _share(c["t_score_femoral_neck"].isna()), "30–40%"),
        ("latent lowest T ≤ −2.5", _share(lat["t_score"] <= -2.5), "65–75%"),
        ("prior fragility fracture", _share(lat["prior_fragility_fractures"] > 0), "15–30%"),
        ("≥2 treated levels", _share(lat["n_levels"] >= 2), "20–30%"),
        ("a level in T11–L2", _share(lat["tl_junction"]), "60–80%"),
        ("intravertebral cleft (latent)", _share(lat["cleft"]), "20–40%"),
        ("intradiscal leak", _share(c["cement_leakage"] == "intradiscal"), "5–15%"),
        ("other leak", _share(c["cement_leakage"] == "other"), "~15%"),
        ("glucocorticoid use", _share(lat["glucocorticoid_mg_per_day"] > 0), "5–10%"),
        ("smoker", _share(c["current_smoker"]), "8–15%"),
        ("diabetes", _share(c["diabetes"] != "none"), "15–25%"),
        ("≥1 fall in 12 months", _share(lat["falls_last_12_months"] > 0), "30–50%"),
        ("vitamin D < 20 ng/mL (latent)", _share(lat["vitamin_d_ng_ml"] < 20), "40–70%"),
        ("high-energy trauma", _share(c["fracture_cause"] == "high_energy_trauma"), "small"),
        ("on a drug at the index fracture", _share(c["current_treatment"] != "none"), "—"),
        ("treated after procedure", _share(lat["treated"]), "30–40%"),
    ]


def _outcomes(s: SynthCohort) -> list[tuple[str, float, str]]:
    t = s.cohort["time_months"].to_numpy(dtype=float)
    e = s.cohort["event"].to_numpy(dtype=np.int64)
    treated = s.latent["treated"].to_numpy(dtype=bool)
    return [
        ("new VCF by 12 months (Aalen–Johansen)", aalen_johansen(t, e, 1, 12.0), "8–12%"),
        ("new VCF by 24 months (Aalen–Johansen)", aalen_johansen(t, e, 1, 24.0), "12–18%"),
        ("death by 12 months (Aalen–Johansen)", aalen_johansen(t, e, 2, 12.0), "5–10%"),
        ("true risk 12 months, as treated (mean)", float(s.truth["true_risk_12m"].mean()), "—"),
        ("true risk 12 months, untreated (mean)", _mean(s, "true_risk_untreated_12m"), "—"),
        ("… of the treated, as treated", _mean(s, "true_risk_12m", treated), "—"),
        ("… of the treated, had they not been", _mean(s, "true_risk_untreated_12m", treated), "—"),
        ("… of the untreated", _mean(s, "true_risk_untreated_12m", ~treated), "—"),
    ]


def _mean(s: SynthCohort, column: str, rows: np.ndarray | None = None) -> float:
    values = s.truth[column].to_numpy(dtype=float)
    return float(values.mean() if rows is None else values[rows].mean())


def _statistics(s: SynthCohort) -> list[str]:
    t = s.cohort["time_months"].to_numpy(dtype=float)
    e = s.cohort["event"].to_numpy(dtype=np.int64)
    early, late = crude_rate(t, e, 1, 0.0, 6.0), crude_rate(t, e, 1, 12.0, 24.0)
    lat = s.latent
    return [
        f"- Fracture rate months 0–6 / months 12–24 (crude, observed): {early / late:.2f} (target ~2–3)",
        f"- Correlation latent lowest T-score ↔ HU: {np.corrcoef(lat['t_score'], lat['ct_hu'])[0, 1]:.2f}"
        " (target 0.6–0.7); T ↔ BMI: "
        f"{np.corrcoef(lat['t_score'], lat['bmi'])[0, 1]:.2f}; T ↔ age: "
        f"{np.corrcoef(lat['t_score'], lat['age'])[0, 1]:.2f}",
    ]


def _rows(rows: list[tuple[str, float, str]]) -> str:
    lines = ["| measure | achieved | target (clinical.md) |", "|---|---|---|"]
    lines += [f"| {name} | {100 * value:.1f}% | {target} |" for name, value, target in rows]
    return "\n".join(lines) + "\n"


def synthetic_cohort_markdown() -> str:
    """The whole of docs/synthetic-cohort.md."""
    synth = synthesize(DOC_N, DOC_SEED)
    template = (Path(__file__).parent / "document_template.md").read_text(encoding="utf-8")
    return template.format(
        n=DOC_N,
        seed=DOC_SEED,
        parameters=parameter_table_markdown(),
        population=_rows(_population(synth)),
        outcomes=_rows(_outcomes(synth)),
        statistics="\n".join(_statistics(synth)) + "\n",
    )


def write_document(path: Path = DOC_PATH) -> None:
    """Regenerate the committed document."""
    path.write_text(synthetic_cohort_markdown(), encoding="utf-8")


if __name__ == "__main__":
    write_document()
