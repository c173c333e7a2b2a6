"""The rule table of rules.md §1–3: every criterion and flag as data (code, condition, text, source).

Criteria decide the tier; flags are safety and work-up prompts. Each condition is a
function of facts in ``risk.ops`` style, so one table serves a record and a cohort.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from risk import ops
from risk.contract.enums import Severity
from risk.facts import Facts
from risk.rules import conditions as c
from risk.rules.derived import spine_evaluable


@dataclass(frozen=True, slots=True)
class Rule:
    """One criterion or flag: stable code, condition, and what a clinician reads."""

    code: str
    kind: Literal["criterion", "flag"]
    condition: Callable[[Facts], ops.Value]
    message: str
    source: str
    severity: Severity | None = None
    specialist: bool = False
    very_high: bool = False


def _criterion(code: str, cond: Callable[[Facts], ops.Value], message: str, source: str,
               *, very_high: bool = True) -> Rule:  # fmt: skip
    return Rule(code, "criterion", lambda f: f["p3"] & cond(f), message, source, very_high=very_high)


def _flag(code: str, severity: Severity, cond: Callable[[Facts], ops.Value], message: str,
          source: str, *, specialist: bool = False) -> Rule:  # fmt: skip
    return Rule(code, "flag", cond, message, source, severity=severity, specialist=specialist)


CRITERIA: tuple[Rule, ...] = (
    _criterion("FRAGILITY_VERTEBRAL_FRACTURE", lambda f: ops.not_(f["osteoporosis_by_bmd"]),
               "A low-trauma vertebral fracture is clinical osteoporosis regardless of BMD.",
               "AACE/ACE 2020; BHOF 2022", very_high=False),
    _criterion("OSTEOPOROSIS_BY_BMD", lambda f: f["osteoporosis_by_bmd"],
               "High-energy fracture, but the lowest T-score is -2.5 or below: osteoporosis by BMD.",
               "AACE/ACE 2020; ISCD 2019", very_high=False),
    _criterion("VH_RECENT_FRACTURE", lambda f: f["days_since_fracture"] <= c.RECENT_FRACTURE_DAYS,
               "Fracture within the past 24 months: imminent risk of another fracture.",
               "NOGG 2022; IOF/ESCEO 2020 (recent fracture, past 24 months)"),
    _criterion("VH_MULTIPLE_VERTEBRAL",
               lambda f: f["vertebral_fractures"] >= c.MULTIPLE_VERTEBRAL_FRACTURES,
               "Two or more vertebral fractures.", "NOGG 2022; AACE/ACE 2020 (multiple fractures)"),
    _criterion("VH_VERY_LOW_BMD", lambda f: f["lowest_t"] < c.VERY_LOW_T_SCORE,
               "Lowest T-score below -3.0.", "AACE/ACE 2020"),
    _criterion("VH_GLUCOCORTICOID", c.high_dose_glucocorticoid,
               "High-dose glucocorticoid: 7.5 mg/day or more for 3 months, or 30 mg/day or more "
               "for 1 month.", "NOGG 2022; ACR 2022 GIOP"),
    _criterion("VH_FRACTURE_ON_THERAPY", lambda f: f["fracture_on_therapy"],
               "Fracture after 12 months or more on anti-osteoporosis therapy.", "AACE/ACE 2020"),
    _criterion("VH_FALLS", c.high_fall_risk, "Two or more falls in the last 12 months.",
               "AACE/ACE 2020 (high fall risk)"),
)  # fmt: skip

FLAGS: tuple[Rule, ...] = (
    _flag("PATHOLOGICAL_FRACTURE", "urgent", lambda f: f["p1"],
          "Malignant or myeloma-related fracture: oncology/haematology pathway, not an "
          "osteoporosis letter.", "NOGG 2022; BHOF 2022 (tumour and myeloma fractures are not "
          "osteoporosis)", specialist=True),
    _flag("NOT_FRAGILITY_FRACTURE", "info", lambda f: f["p2"],
          "High-energy trauma: osteoporosis is not established by this fracture.",
          "AACE/ACE 2020 (fragility fracture definition)"),
    _flag("DENOSUMAB_OVERDUE", "urgent",
          lambda f: c.on_denosumab(f) & (f["days_since_last_dose"] > c.DENOSUMAB_OVERDUE_DAYS),
          "Denosumab dose overdue (over 7 months): risk of rebound vertebral fractures; give the "
          "dose now or transition to another antiresorptive, never just stop.",
          "Cummings et al., JBMR 2018; Endocrine Society 2019; ACR 2022"),
    _flag("DENOSUMAB_DUE", "warning",
          lambda f: c.on_denosumab(f) & (f["days_since_last_dose"] >= c.DENOSUMAB_DUE_DAYS)
          & (f["days_since_last_dose"] <= c.DENOSUMAB_OVERDUE_DAYS),
          "Denosumab dose due now (6 months since the last injection).",
          "Denosumab label (every 6 months); Endocrine Society 2019"),
    _flag("DENOSUMAB_DOSE_DATE_UNKNOWN", "warning",
          lambda f: c.on_denosumab(f) & ops.isnan(f["last_dose_date"]),
          "On denosumab but the date of the last injection is unknown: confirm it.",
          "Cummings et al., JBMR 2018; Endocrine Society 2019"),
    _flag("EGFR_BELOW_30", "warning", lambda f: f["egfr"] < c.EGFR_SEVERE,
          "eGFR below 30: exclude CKD-mineral bone disease; bisphosphonates not advised; "
          "denosumab carries a risk of severe hypocalcaemia.",
          "KDOQI; FDA denosumab label; NHS SPS renal guidance", specialist=True),
    _flag("EGFR_BELOW_35", "warning",
          lambda f: (f["egfr"] >= c.EGFR_SEVERE) & (f["egfr"] < c.EGFR_MODERATE),
          "eGFR 30–34: avoid zoledronic acid and alendronate.",
          "Zoledronic acid and alendronate labels; NHS SPS renal guidance"),
    _flag("VITAMIN_D_DEFICIENT", "warning",
          lambda f: f["vitamin_d_ng_ml"] < c.VITAMIN_D_DEFICIENT_NG_ML,
          "25-OH vitamin D below 20 ng/mL: replete before zoledronic acid or denosumab.",
          "BHOF 2022; zoledronic acid and denosumab labels"),
    _flag("HYPOCALCAEMIA", "warning", lambda f: f["serum_calcium_mg_dl"] < c.CALCIUM_LOW_MG_DL,
          "Adjusted calcium below 8.5 mg/dL: correct before any antiresorptive.",
          "Antiresorptive product labels"),
    _flag("HYPERCALCAEMIA", "warning", lambda f: f["serum_calcium_mg_dl"] > c.CALCIUM_HIGH_MG_DL,
          "Adjusted calcium above 10.5 mg/dL: look for hyperparathyroidism or malignancy.",
          "AACE/ACE 2020 (secondary causes)", specialist=True),
    _flag("RAISED_ALP", "warning", lambda f: f["alkaline_phosphatase_u_l"] > c.ALP_HIGH_U_L,
          "Alkaline phosphatase above 150 U/L: exclude osteomalacia, Paget's disease and "
          "metastases before treating.", "AACE/ACE 2020; NOGG 2022 (secondary causes)"),
    _flag("POSSIBLE_MALIGNANCY", "warning",
          lambda f: f["p3"] & f["active_malignancy"] & (f["biopsy_result"] == "not_done"),
          "Active cancer and no biopsy: the fracture may be pathological.",
          "NOGG 2022; BHOF 2022 (suspected malignancy)", specialist=True),
    _flag("ATYPICAL_LEVEL", "warning", lambda f: f["p3"] & f["level_t1_t6"],
          "Treated level in T1–T6: osteoporotic fractures above T7 are unusual; exclude malignancy.",
          "NOGG 2022; BHOF 2022 (atypical level)"),
    _flag("YOUNG_PATIENT", "warning", lambda f: f["p3"] & (f["age"] < c.YOUNG_AGE),
          "Under 50 years: look for secondary causes of osteoporosis.",
          "ISCD; BHOF 2022 (secondary causes)", specialist=True),
    _flag("FRACTURE_ON_THERAPY", "warning", lambda f: f["p3"] & f["fracture_on_therapy"],
          "Fracture on therapy (treatment failure): check adherence and secondary causes, "
          "consider a switch.", "AACE/ACE 2020; IOF/ESCEO 2020", specialist=True),
    _flag("HIGH_DOSE_GLUCOCORTICOID", "warning",
          lambda f: f["p3"] & c.high_dose_glucocorticoid(f),
          "High-dose glucocorticoid: review the steroid dose; bone protection is mandatory.",
          "NOGG 2022; ACR 2022 GIOP"),
    _flag("HIGH_FALL_RISK", "warning", lambda f: f["p3"] & c.high_fall_risk(f),
          "Two or more falls in 12 months: falls assessment and strength and balance training.",
          "AACE/ACE 2020; IOF Best Practice Framework standard 7"),
    _flag("ONJ_OR_AFF_HISTORY", "warning",
          lambda f: f["p3"] & (f["history_osteonecrosis_of_jaw"]
                               | f["history_atypical_femoral_fracture"]),
          "History of jaw osteonecrosis or atypical femoral fracture: antiresorptive choice needs "
          "a specialist.", "BHOF 2022", specialist=True),
    _flag("SPINE_DXA_UNRELIABLE", "info",
          lambda f: ops.notnan(f["t_score_lumbar_spine"]) & ops.not_(spine_evaluable(f)),
          "Spine T-score ignored: fewer than two evaluable lumbar vertebrae; use the hip.",
          "ISCD Official Positions 2019/2023"),
    _flag("DXA_RECOMMENDED", "info",
          lambda f: (f["p3"] | (f["p2"] & (f["age"] >= c.DXA_AGE))) & c.no_t_score(f),
          "No DXA result: baseline DXA of the hip, and spine excluding cemented levels.",
          "ISCD Official Positions 2019/2023; ROS FLS standards"),
    _flag("MECHANISM_UNKNOWN", "info", lambda f: f["p3"] & (f["fracture_cause"] == "unknown"),
          "Fracture mechanism not recorded: confirm it was low-energy.",
          "AACE/ACE 2020 (fragility fracture definition)"),
    _flag("ADJACENT_LEVEL_RISK", "info",
          lambda f: f["p3"] & ((f["cement_leakage"] == "intradiscal") | f["level_t11_l2"]),
          "Intradiscal cement leak or thoracolumbar-junction level: new back pain warrants imaging.",
          "Liu et al., JOSR 2025 (intradiscal leak OR 2.94; TL junction OR 3.50)"),
    _flag("HIGH_MODEL_RISK", "urgent",
          lambda f: f["p3"] & (f["model_risk_12m"] >= f["high_model_risk_threshold"]),
          "Predicted 12-month risk of a new vertebral fracture is among the highest.",
          "osteoref re-fracture model (see the model card)"),
)  # fmt: skip

RULES: tuple[Rule, ...] = CRITERIA + FLAGS
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
