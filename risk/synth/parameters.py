"""Every number of the synthetic cohort in one table, each with its meaning, source and confidence.

Confidence markers follow clinical.md: [V] checked against the source, [M] from general
knowledge, [?] approximate or a modelling choice; [C] = calibrated here so the cohort hits
the target rates of clinical.md §1.1/§3 (see docs/synthetic-cohort.md). "§" = clinical.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Parameter:
    """One row of the parameter table."""

    name: str
    value: float
    meaning: str
    source: str
    confidence: str


V, M, Q, C = "[V]", "[M]", "[?]", "[C]"

# One row per line pair: (name, value, confidence, meaning, source). Kept unformatted so the
# table reads as a table.
# fmt: off
_ROWS: tuple[tuple[str, float, str, str, str], ...] = (
    ("age_mean", 74.0, V, "age at procedure: mean (years)",
     "§3: Ko 2021 74.8±7.3; Wu 2024 median 74"),
    ("age_sd", 8.0, V, "age: SD (normal truncated to age_min–age_max)", "§3"),
    ("age_min", 55.0, V, "age: lower truncation", "§3 range 55–95"),
    ("age_max", 95.0, V, "age: upper truncation", "§3 range 55–95"),
    ("young_share", 0.004, Q, "share drawn uniform young_min_age–age_min (exercises YOUNG_PATIENT)",
     "modelling choice"),
    ("young_min_age", 40.0, Q, "lowest age of the young share", "modelling choice"),
    ("female_share", 0.75, V, "share female", "§3: Wu 76.9%, Ko 72%"),
    ("age_years_share", 0.15, Q, "rows carrying age_years instead of birth_date",
     "contract §1 allows either"),
    ("bmi_mean", 25.0, Q, "BMI mean (kg/m²), Asian/Western mix", "§3: Asian 24±3.5, Western 26±5"),
    ("bmi_sd", 4.5, Q, "BMI SD (truncated 15–45)", "§3"),
    ("bmi_bmd_corr", 0.25, Q, "correlation of BMI with the T-score", "§3 generative structure"),
    ("height_female_mean", 158.0, M, "height of women (cm)", "general knowledge"),
    ("height_male_mean", 170.0, M, "height of men (cm)", "general knowledge"),
    ("height_sd", 7.0, M, "height SD (cm)", "general knowledge"),
    ("t_mean", -3.0, Q, "lowest T-score (fractured levels excluded): mean", "§3"),
    ("t_sd", 0.9, Q, "lowest T-score: SD (truncated −6.5 to +2.0)", "§3"),
    ("t_age_slope", -0.3, M, "T-score change per decade of age (BMD falls with age)",
     "§3 generative structure"),
    ("t_male_shift", 0.3, M, "T-score of men above women", "general knowledge"),
    ("dxa_missing", 0.35, Q, "share with no DXA at all", "brief: 30–40% without DXA"),
    ("lumbar_unevaluable", 0.15, Q, "DXA rows with <2 evaluable lumbar vertebrae (0 or 1)",
     "ISCD §4.2: cemented levels excluded"),
    ("spine_given_unevaluable", 0.3, Q, "of those, share still reporting a spine T-score",
     "exercises SPINE_DXA_UNRELIABLE"),
    ("site_offset_mean", 0.6, Q, "mean exponential gap of other DXA sites above the lowest",
     "modelling choice"),
    ("dxa_lag_max", 540.0, Q, "DXA done 0–this many days before assessment", "modelling choice"),
    ("hu_mean", 75.0, Q, "CT HU of L1 or adjacent: mean", "§3 (PMC11297947)"),
    ("hu_sd", 25.0, Q, "CT HU: SD (truncated 5–300)", "§3"),
    ("hu_t_corr", 0.65, Q, "correlation of HU with the T-score", "§3: BMD↔HU r≈0.6–0.7"),
    ("hu_missing", 0.15, Q, "share without a CT HU value", "modelling choice"),
    ("prior_fracture_p", 0.20, V, "P(prior fragility fracture) at mean T-score",
     "§3: 15–30%, Wu 17.2%"),
    ("prior_fracture_or_t", 1.4, Q, "OR of prior fracture per SD lower T-score", "modelling choice"),
    ("prior_extra_mean", 0.4, Q, "Poisson mean of prior fractures beyond the first",
     "modelling choice"),
    ("prior_vertebral_share", 0.5, Q, "share of prior fractures that were vertebral",
     "modelling choice"),
    ("gc_p", 0.06, Q, "P(current glucocorticoid) without prior fracture", "§3: long-term GC 5–10%"),
    ("gc_or_prior", 2.5, Q, "OR of GC use with a prior fracture", "§3: GC goes with prior fracture"),
    ("gc_dose_median", 7.5, Q, "GC dose median (mg/d prednisolone; lognormal)", "§4.5"),
    ("gc_dose_sigma", 0.5, Q, "GC dose log-SD", "modelling choice"),
    ("gc_months_max", 120.0, Q, "GC duration uniform 3–this many months", "modelling choice"),
    ("levels_2", 0.18, Q, "P(2 treated levels)", "§3: ≥2 levels 20–30%"),
    ("levels_3", 0.07, Q, "P(3 treated levels)", "§3"),
    ("level_t5_t6", 0.03, Q, "index level T5–T6 (uniform within group)", "exercises ATYPICAL_LEVEL"),
    ("level_t7_t10", 0.14, Q, "index level T7–T10", "modelling choice"),
    ("level_t11", 0.12, Q, "index level T11", "§3: T11–L2 60–80%, Wu 81%"),
    ("level_t12", 0.25, Q, "index level T12", "§3"),
    ("level_l1", 0.25, Q, "index level L1", "§3"),
    ("level_l2", 0.10, Q, "index level L2", "§3"),
    ("level_l3_l5", 0.11, Q, "index level L3–L5", "modelling choice"),
    ("vertebroplasty_share", 0.20, Q, "share vertebroplasty (rest kyphoplasty)", "modelling choice"),
    ("leak_intradiscal", 0.08, Q, "cement leakage intradiscal", "§2/§3: intradiscal 5–15%"),
    ("leak_other", 0.15, Q, "cement leakage elsewhere", "§3: any leak 18–29%"),
    ("leak_unknown", 0.05, Q, "cement leakage not recorded", "modelling choice"),
    ("cleft_p", 0.30, Q, "intravertebral cleft", "§3: 20–40%"),
    ("cleft_missing", 0.15, Q, "cleft not recorded", "modelling choice"),
    ("cause_high_energy", 0.04, Q, "fracture cause high-energy trauma", "brief"),
    ("cause_unknown", 0.25, Q, "fracture cause unknown (rest low_energy)", "brief"),
    ("biopsy_benign", 0.25, Q, "intra-operative biopsy done, benign", "§4.10"),
    ("active_malignancy", 0.02, Q, "active cancer elsewhere (biopsy benign)", "brief"),
    ("smoker", 0.10, Q, "current smoker", "§3: 8–15%"),
    ("diabetes", 0.20, V, "diabetes (any type)", "§3: 15–25%, Wu 20.7%"),
    ("diabetes_type1_share", 0.08, M, "of diabetes, type 1", "general knowledge"),
    ("fall_any", 0.40, Q, "≥1 fall in 12 months", "§3: 30–50%"),
    ("falls_extra_mean", 0.5, Q, "Poisson mean of falls beyond the first", "modelling choice"),
    ("parent_hip", 0.12, M, "parent hip fracture", "general knowledge"),
    ("alcohol", 0.04, M, "alcohol ≥3 units/day", "general knowledge"),
    ("rheumatoid", 0.04, M, "rheumatoid arthritis", "general knowledge"),
    ("history_aff", 0.003, Q, "history of atypical femoral fracture", "modelling choice"),
    ("history_onj", 0.002, Q, "history of osteonecrosis of the jaw", "modelling choice"),
    ("vitd_median", 19.0, Q, "25-OH-D median (ng/mL; lognormal)", "§3: 40–70% below 20"),
    ("vitd_sigma", 0.55, Q, "25-OH-D log-SD", "§3"),
    ("vitd_missing", 0.15, Q, "25-OH-D not measured", "modelling choice"),
    ("egfr_mean", 65.0, M, "eGFR at mean age (mL/min/1.73 m²)", "general knowledge"),
    ("egfr_age_slope", -8.0, M, "eGFR change per decade of age", "general knowledge"),
    ("egfr_sd", 18.0, M, "eGFR SD (truncated 5–130)", "general knowledge"),
    ("egfr_missing", 0.05, Q, "eGFR not measured", "modelling choice"),
    ("calcium_mean", 9.4, M, "albumin-adjusted calcium mean (mg/dL)", "general knowledge"),
    ("calcium_sd", 0.45, M, "calcium SD", "general knowledge"),
    ("calcium_missing", 0.10, Q, "calcium not measured", "modelling choice"),
    ("alp_median", 85.0, M, "ALP median (U/L; lognormal)", "general knowledge"),
    ("alp_sigma", 0.3, M, "ALP log-SD", "general knowledge"),
    ("alp_missing", 0.15, Q, "ALP not measured", "modelling choice"),
    ("on_drug_p", 0.12, Q, "P(on a bone drug at the index fracture) without prior fracture",
     "§6: treatment gap"),
    ("on_drug_or_prior", 2.5, Q, "OR of being on a drug with a prior fracture", "modelling choice"),
    ("drug_oral_bisphosphonate", 0.60, Q, "share of index drugs: oral bisphosphonate", "§6"),
    ("drug_denosumab", 0.15, Q, "… denosumab", "modelling choice"),
    ("drug_zoledronic_acid", 0.08, Q, "… zoledronic acid", "modelling choice"),
    ("drug_raloxifene", 0.05, Q, "… raloxifene", "modelling choice"),
    ("drug_hormone_therapy", 0.04, Q, "… hormone therapy", "modelling choice"),
    ("drug_teriparatide", 0.04, Q, "… teriparatide", "modelling choice"),
    ("drug_abaloparatide", 0.02, Q, "… abaloparatide", "modelling choice"),
    ("drug_romosozumab", 0.02, Q, "… romosozumab", "modelling choice"),
    ("drug_start_max_months", 72.0, Q, "drug started 6–this many months before the fracture",
     "modelling choice"),
    ("denosumab_overdue", 0.25, Q, "denosumab: last dose 211–400 days before (else 14–182)",
     "exercises DENOSUMAB_OVERDUE"),
    ("denosumab_dose_unknown", 0.10, Q, "denosumab: last dose date missing",
     "exercises DENOSUMAB_DOSE_DATE_UNKNOWN"),
    ("treated_p", 0.26, C, "P(treated after procedure) for a reference patient",
     "§3/§6: 10–60%; cohort ≈35%"),
    ("treated_or_t", 1.3, Q, "OR of treatment per SD lower T-score", "confounding by indication"),
    ("treated_or_prior", 1.8, Q, "OR of treatment with a prior fracture", "confounding by indication"),
    ("treated_or_gc", 1.5, Q, "OR of treatment with GC use", "confounding by indication"),
    ("treated_or_multilevel", 1.4, Q, "OR of treatment with ≥2 levels", "confounding by indication"),
    ("treated_or_on_drug", 3.0, Q, "OR of treatment when already on a drug (continued)",
     "modelling choice"),
    ("anabolic_t", -4.0, Q, "treated with T ≤ this (or ≥3 vertebral fractures, or on an anabolic)"
     " → anabolic", "rules.md §4 spirit; §4.9"),
    ("anabolic_vertebral", 3.0, Q, "vertebral fractures (levels + prior) giving anabolic",
     "rules.md §4 spirit"),
    ("first_procedure_year", 2019.0, Q, "procedure dates uniform from 1 Jan of this year",
     "brief"),
    ("last_procedure_year", 2024.0, Q, "… to 31 Dec of this year", "brief"),
    ("fracture_lag_max", 60.0, Q, "fracture 0–this many days before procedure", "brief"),
    ("assessment_lag_max", 14.0, Q, "assessment 0–this many days after procedure", "brief"),
    ("shrinkage", 0.5, Q, "log-OR shrinkage (multivariable, overlapping, single-centre ORs)",
     "§2 last paragraph"),
    ("or_female", 1.99, V, "female sex", "§2: Liu 2025 pooled"),
    ("or_age_decade", 2.37, Q, "age per decade = 1.09 per year, to the 10th (pooled unit read as year)",
     "§2: Liu 2025 pooled 1.09; Zhang 2022 +2.04 y, §1.4 +4%/year agree"),
    ("or_t_sd", 1.35, Q, "per SD (t_sd) lower T-score = 1/0.74", "§2: BMD OR 0.74, units vary"),
    ("or_hu_10", 1.50, V, "per 10 HU lower = 1/0.96^10", "§2: HU OR 0.96 per HU"),
    ("or_intradiscal", 2.94, V, "intradiscal cement leak", "§2: Liu 2025 pooled"),
    ("or_tl_junction", 3.50, V, "a treated level in T11–L2", "§2: Liu 2025 pooled"),
    ("or_glucocorticoid", 3.94, V, "current GC use", "§2: Liu 2025 pooled"),
    ("or_extra_level", 2.21, V, "per treated level beyond the first", "§2: number of fractures"),
    ("or_prior_fracture", 7.72, V, "prior fragility fracture", "§2: Liu 2025 pooled"),
    ("or_smoking", 1.62, Q, "current smoker", "§2: Liu 2025 (upper CI missing)"),
    ("or_diabetes", 1.915, Q, "diabetes", "§2: CIA 2021, single study"),
    ("bmi_hinge", 21.4, V, "BMI below which risk rises (hinge)", "§2: PMC11297947 cut-off"),
    ("or_bmi_unit", 1.159, V, "per kg/m² below the hinge = 1/0.863", "§2: PMC11297947"),
    ("or_falls", 1.7, Q, "≥1 fall in 12 months (assumed)", "§2: no PKP-specific OR"),
    ("vitd_cut", 20.0, M, "25-OH-D below this is low (ng/mL)", "§4.8"),
    ("or_low_vitd", 1.5, Q, "25-OH-D below vitd_cut (assumed)", "§2: associated, no pooled OR"),
    ("or_cleft", 2.97, Q, "intravertebral cleft", "§2: Ma 2021 re-collapse OR"),
    ("hr_antiresorptive", 0.40, M, "fracture HR when treated with an antiresorptive", "§3 (4)"),
    ("hr_anabolic", 0.25, M, "fracture HR when treated with an anabolic", "§3 (4)"),
    ("base_rate", 0.00092, C, "fracture hazard per month, months 12–24, reference patient",
     "calibrated: 12/24-month incidence §1.1"),
    ("rel_0_3", 2.6, Q, "hazard months 0–3 relative to months 12–24", "§1.2 working split"),
    ("rel_3_6", 2.0, Q, "hazard months 3–6 relative to months 12–24", "§1.2"),
    ("rel_6_12", 1.4, Q, "hazard months 6–12 relative to months 12–24", "§1.2"),
    ("rel_24_plus", 0.8, Q, "hazard after month 24 relative to months 12–24", "§1.2 (van Geel)"),
    ("death_rate", 0.0040, C, "death hazard per month, woman at mean age", "calibrated: §3 5–10%"),
    ("death_hr_decade", 2.0, M, "death HR per decade of age", "general knowledge"),
    ("death_hr_male", 1.6, M, "death HR for men", "general knowledge"),
    ("death_hr_malignancy", 3.0, Q, "death HR with active malignancy", "modelling choice"),
    ("followup_min", 6.0, Q, "administrative follow-up uniform from (months)", "brief"),
    ("followup_max", 48.0, Q, "… to (months)", "brief"),
    ("loss_rate", 0.002, Q, "loss to follow-up per month", "brief: small random loss"),
)
# fmt: on

PARAMETERS: tuple[Parameter, ...] = tuple(
    Parameter(name, value, meaning, source, conf) for name, value, conf, meaning, source in _ROWS
)
_BY_NAME = MappingProxyType({row.name: row.value for row in PARAMETERS})


def param(name: str) -> float:
    """The value of one parameter; a KeyError names an unknown parameter."""
    return _BY_NAME[name]


def parameter_table_markdown() -> str:
    """The parameter table as a Markdown table (docs/synthetic-cohort.md embeds it)."""
    lines = ["| name | value | meaning | source | conf. |", "|---|---|---|---|---|"]
    lines += [
        f"| `{row.name}` | {row.value:g} | {row.meaning} | {row.source} | {row.confidence} |"
        for row in PARAMETERS
    ]
    return "\n".join(lines) + "\n"
