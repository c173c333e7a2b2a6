"""Clinical wording as data: action sentences, deadlines, drug and mechanism names.

Each table is keyed by a contract enum, so a new enum value without wording fails a
test instead of silently printing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Priority → weeks the PCP has to act (contract §2: letter 2 / 4 / 12 weeks).
ACTION_WEEKS: Final[dict[str, int]] = {"urgent": 2, "soon": 4, "routine": 12}

PRIORITY_LABEL: Final[dict[str, str]] = {"urgent": "URGENT", "soon": "SOON", "routine": "ROUTINE"}

# recommended_therapy → the key action (first lines of the PCP letter).
ACTION_SENTENCE: Final[dict[str, str]] = {
    "anabolic_first": (
        "Please start anabolic (bone-forming) therapy within {weeks} weeks, via the bone "
        "specialist; if that will take longer, start an oral bisphosphonate meanwhile."
    ),
    "antiresorptive_first": (
        "Please start antiresorptive therapy (an oral bisphosphonate such as alendronate, "
        "or IV zoledronic acid) within {weeks} weeks."
    ),
    "continue_current": ("Please continue {drug} without a gap and check adherence within {weeks} weeks."),
    "specialist_decision": (
        "Please arrange specialist review within {weeks} weeks: the choice of bone "
        "treatment needs a specialist decision."
    ),
    "oncology_management": (
        "Please make sure the treating oncology / haematology team reviews this fracture "
        "within {weeks} weeks; this is not an osteoporosis referral."
    ),
    "none": (
        "Please review bone health within {weeks} weeks; no bone drug is recommended on current information."
    ),
}

# recommended_therapy → the treatment paragraph (why this class, what to give).
TREATMENT_DETAIL: Final[dict[str, str]] = {
    "anabolic_first": (
        "Very-high-risk features favour anabolic therapy first — teriparatide 20 µg SC daily "
        "or abaloparatide 80 µg SC daily (up to 2 years), or romosozumab 210 mg SC monthly "
        "for 12 months (not after myocardial infarction or stroke) — followed by an "
        "antiresorptive (ACP 2023; AACE/ACE 2020; Endocrine Society 2020; BHOF 2022). "
        "Usually prescribed by the bone specialist."
    ),
    "antiresorptive_first": (
        "First line: alendronate 70 mg weekly (or risedronate 35 mg weekly) by mouth; "
        "zoledronic acid 5 mg IV yearly if oral therapy is unsuitable; denosumab 60 mg SC "
        "every 6 months as an alternative (never stop denosumab without a follow-on drug). "
        "Prescribed by the PCP."
    ),
    "continue_current": (
        "The current drug is appropriate: continue it, confirm adherence and dosing "
        "interval, and review at the usual interval."
    ),
    "specialist_decision": (
        "A flag below (kidney function, jaw osteonecrosis / atypical femoral fracture, or a "
        "fracture despite treatment) makes the drug choice a specialist decision. Start "
        "calcium and vitamin D meanwhile."
    ),
    "oncology_management": "Bone treatment is for the oncology / haematology team to decide.",
    "none": "No bone drug is recommended from this fracture alone.",
}

DRUG_NAME: Final[dict[str, str]] = {
    "none": "no bone treatment",
    "oral_bisphosphonate": "the oral bisphosphonate",
    "zoledronic_acid": "zoledronic acid",
    "denosumab": "denosumab",
    "teriparatide": "teriparatide",
    "abaloparatide": "abaloparatide",
    "romosozumab": "romosozumab",
    "raloxifene": "raloxifene",
    "hormone_therapy": "hormone therapy",
}

MECHANISM: Final[dict[str, str]] = {
    "low_energy": "low-trauma (a fall from standing height or less)",
    "high_energy_trauma": "high-energy trauma",
    "malignancy": "malignancy (pathological fracture)",
    "unknown": "mechanism not recorded — please confirm it was low-trauma",
}
# Where a pathway reads a mechanism differently: on the oncology pathway the fracture is
# treated as pathological, so asking to confirm a low-trauma mechanism would mislead.
MECHANISM_ON_PATHWAY: Final[dict[str, dict[str, str]]] = {
    "oncology": {"unknown": "mechanism not recorded (treated as pathological)"},
}

# Labs that matter on the oncology pathway (myeloma and bone metastases: hypercalcaemia,
# kidney function, bone turnover), and what to say when their flag fired.
ONCOLOGY_LABS: Final[tuple[str, ...]] = ("serum_calcium_mg_dl", "egfr", "alkaline_phosphatase_u_l")
ONCOLOGY_LAB_ALERT: Final[dict[str, str]] = {
    "HYPERCALCAEMIA": (
        "Adjusted calcium {value} mg/dL is raised: hypercalcaemia in myeloma or bone "
        "metastases needs prompt treatment."
    ),
    "EGFR_BELOW_30": "eGFR {value}: severely reduced kidney function; please review with the treating team.",
}
ONCOLOGY_LAB_FIELD: Final[dict[str, str]] = {"HYPERCALCAEMIA": "serum_calcium_mg_dl", "EGFR_BELOW_30": "egfr"}

LEAKAGE: Final[dict[str, str]] = {
    "none": "none",
    "intradiscal": "intradiscal (raises the risk of an adjacent-level fracture)",
    "other": "yes, not intradiscal",
    "unknown": "not recorded",
}

BIOPSY: Final[dict[str, str]] = {
    "not_done": "not done",
    "benign": "benign",
    "malignant": "malignant",
}

PATHWAY_LABEL: Final[dict[str, str]] = {
    "osteoporosis": "osteoporosis",
    "oncology": "oncology / haematology",
    "trauma_review": "trauma review",
}

TIER_LABEL: Final[dict[str, str]] = {"very_high": "very high", "high": "high"}

# Referral wording for the flags the rule table marks specialist=True (a test keeps the keys equal).
SPECIALIST_REASON: Final[dict[str, str]] = {
    "PATHOLOGICAL_FRACTURE": "possible pathological fracture",
    "EGFR_BELOW_30": "eGFR below 30 (exclude CKD-mineral bone disease)",
    "HYPERCALCAEMIA": "raised calcium (exclude hyperparathyroidism or malignancy)",
    "POSSIBLE_MALIGNANCY": "active cancer without a biopsy",
    "YOUNG_PATIENT": "age under 50 (secondary causes)",
    "FRACTURE_ON_THERAPY": "fracture despite a year or more of treatment",
    "ONJ_OR_AFF_HISTORY": "history of jaw osteonecrosis or atypical femoral fracture",
}
ANABOLIC_REASON: Final[str] = "anabolic therapy recommended (multiple or severe fractures)"

# recommended_therapy → the PCP's row of the responsibilities table.
PCP_TASK: Final[dict[str, str]] = {
    "anabolic_first": "Refer for anabolic therapy; oral bisphosphonate meanwhile if delayed",
    "antiresorptive_first": "Start antiresorptive therapy",
    "continue_current": "Continue {drug}; confirm adherence",
    "specialist_decision": "Refer for a specialist treatment decision",
    "oncology_management": "Confirm oncology / haematology follow-up",
    "none": "Review bone health",
}

# recommended_therapy → what the patient copy says the PCP is asked to do (plain words).
PATIENT_ASK: Final[dict[str, str]] = {
    "anabolic_first": (
        "We have asked your doctor to start a medicine that builds new bone. "
        "A bone specialist will help to choose it."
    ),
    "antiresorptive_first": (
        "We have asked your doctor to start a medicine that makes your bones stronger. "
        "Most people take one tablet a week. Some have a drip once a year instead."
    ),
    "continue_current": (
        "We have asked your doctor to keep you on your bone medicine ({drug}). "
        "Please do not stop it or miss a dose."
    ),
    "specialist_decision": (
        "We have asked your doctor to send you to a bone specialist. "
        "The specialist will choose the right medicine for you."
    ),
    "oncology_management": "Your cancer team will look after your bones.",
    "none": "We have asked your doctor to check your bone health.",
}


@dataclass(frozen=True, slots=True)
class FlaggedWording:
    """The letter's action, task and treatment paragraph, and the patient's sentence, for one case."""

    action: str
    pcp_task: str
    detail: str
    patient_ask: str


_RENAL_ANTIRESORPTIVE = (
    "risedronate 35 mg weekly by mouth (licensed down to an eGFR of 30), or denosumab 60 mg SC "
    "every 6 months (check calcium and vitamin D first; never stop it without a follow-on drug)"
)
_RENAL_PATIENT = (
    "Your kidney test means some bone medicines are not right for you, so your doctor will choose "
    "one that is: a tablet once a week, or an injection every 6 months."
)
# (recommended_therapy, current_treatment or None for any, flag) → wording that replaces the
# default when the flag fired and the default would name a drug the flag advises against. With
# EGFR_BELOW_35 (30 ≤ eGFR < 35) the default antiresorptive wording named alendronate and IV
# zoledronic acid, the two drugs the flag says to avoid (clinical.md, renal row: alendronate not
# below 35, zoledronic acid avoided below 35, risedronate licensed down to 30; denosumab's severe
# hypocalcaemia is a risk below 30, which EGFR_BELOW_30 sends to a specialist).
FLAGGED_WORDING: Final[dict[tuple[str, str | None, str], FlaggedWording]] = {
    ("anabolic_first", None, "EGFR_BELOW_35"): FlaggedWording(
        action=(
            "Please start anabolic (bone-forming) therapy within {weeks} weeks, via the bone "
            "specialist; if that will take longer, start risedronate 35 mg weekly meanwhile (with "
            "an eGFR below 35, not alendronate)."
        ),
        pcp_task="Refer for anabolic therapy; risedronate meanwhile if delayed (eGFR below 35)",
        detail=TREATMENT_DETAIL["anabolic_first"],
        patient_ask=PATIENT_ASK["anabolic_first"],
    ),
    ("antiresorptive_first", None, "EGFR_BELOW_35"): FlaggedWording(
        action=(
            "Please start antiresorptive therapy within {weeks} weeks: with an eGFR below 35, not "
            "alendronate or zoledronic acid, but " + _RENAL_ANTIRESORPTIVE + "."
        ),
        pcp_task="Start risedronate or denosumab (eGFR below 35)",
        detail=(
            "eGFR 30–34: alendronate (not below 35) and zoledronic acid (avoid below 35) are not "
            "advised. First line here: " + _RENAL_ANTIRESORPTIVE + ". Prescribed by the PCP."
        ),
        patient_ask="We have asked your doctor to start a medicine that makes your bones stronger. "
        + _RENAL_PATIENT,
    ),
    ("continue_current", "zoledronic_acid", "EGFR_BELOW_35"): FlaggedWording(
        action=(
            "Please review zoledronic acid within {weeks} weeks: with an eGFR below 35 it is not "
            "advised; switch without a gap to " + _RENAL_ANTIRESORPTIVE + "."
        ),
        pcp_task="Switch from zoledronic acid (eGFR below 35) without a gap",
        detail=(
            "eGFR 30–34: zoledronic acid is avoided below 35. Switch to "
            + _RENAL_ANTIRESORPTIVE
            + ", with no gap in treatment."
        ),
        patient_ask="We have asked your doctor to change your bone medicine. " + _RENAL_PATIENT,
    ),
    ("continue_current", "oral_bisphosphonate", "EGFR_BELOW_35"): FlaggedWording(
        action=(
            "Please review the oral bisphosphonate within {weeks} weeks: with an eGFR below 35, "
            "alendronate is not advised; continue risedronate, or switch without a gap to "
            + _RENAL_ANTIRESORPTIVE
            + "."
        ),
        pcp_task="Review the oral bisphosphonate (eGFR below 35); no gap",
        detail=(
            "eGFR 30–34: alendronate is not advised below 35; risedronate is licensed down to 30. "
            "Keep treatment going without a gap: " + _RENAL_ANTIRESORPTIVE + "."
        ),
        patient_ask="We have asked your doctor to check your bone medicine and keep you on one. "
        + _RENAL_PATIENT,
    ),
}

# Very-high criteria in a few words, for the sentence that explains a very-high tier beside a
# low model risk (a test keeps the keys equal to the rule table's very-high criteria).
VERY_HIGH_SHORT: Final[dict[str, str]] = {
    "VH_RECENT_FRACTURE": "a fracture in the past 24 months",
    "VH_MULTIPLE_VERTEBRAL": "two or more vertebral fractures",
    "VH_VERY_LOW_BMD": "a T-score below −3.0",
    "VH_GLUCOCORTICOID": "high-dose glucocorticoid",
    "VH_FRACTURE_ON_THERAPY": "a fracture despite treatment",
    "VH_FALLS": "two or more falls in a year",
}

TIER_VS_MODEL: Final[str] = (
    "Why the tier is very high while the model risk is {risk}: the tier comes from guideline "
    "criteria ({criteria}), which mark a high risk of any new fracture soon; the model "
    "estimates only the chance of a new vertebral fracture within 12 months."
)

# procedure_type → how the letters name the procedure ("after kyphoplasty", never "vertebral vertebroplasty").
PROCEDURE_NAME: Final[dict[str, str]] = {"kyphoplasty": "kyphoplasty", "vertebroplasty": "vertebroplasty"}

# The PCP letter's cited clinical text, laid out by its template (which holds no words of its own).
# pathway → fracture_cause → the sentence after the index event; absent: no sentence.
_CLINICAL_OSTEOPOROSIS = (
    "A low-trauma vertebral fracture means clinical osteoporosis, whatever the bone density "
    "(AACE/ACE 2020; BHOF 2022)"
)
INDEX_EVENT_NOTE: Final[dict[str, dict[str, str]]] = {
    "osteoporosis": {
        "low_energy": f"{_CLINICAL_OSTEOPOROSIS}.",
        "malignancy": f"{_CLINICAL_OSTEOPOROSIS}.",
        "unknown": f"{_CLINICAL_OSTEOPOROSIS}, once the low-trauma mechanism is confirmed.",
    },
}

WHY_NOW: Final[str] = (
    "The risk of another fracture is highest in the first one to two years: about 19% of patients "
    "have a new vertebral fracture in the year after one (Lindsay et al., JAMA 2001), and 10% / 18% "
    "have any new fracture by 1 / 2 years (Balasubramanian et al., 2019). Treatment started now "
    "prevents most of them."
)

# Supportive measures, one bullet each; {falls} is FALLS_REFERRAL for a patient at high fall risk.
SUPPORTIVE_MEASURES: Final[tuple[str, ...]] = (
    "Calcium 1,000–1,200 mg/day, from food first; vitamin D 800–1,000 IU/day (BHOF 2022).",
    "Enough protein; stop smoking; alcohol under 3 units a day.",
    "Falls: review medicines, eyesight and home hazards{falls}; strength and balance exercise "
    "once the spine team allows it.",
    "Pain control; no heavy lifting or high-impact exercise until the post-operative review.",
)
FALLS_REFERRAL: Final[str] = " — {n} falls in the last year, please refer for a falls assessment"

# Flags about the drug the patient is on, repeated under "Current therapy" (by code prefix).
CURRENT_THERAPY_FLAG_PREFIXES: Final[tuple[str, ...]] = ("DENOSUMAB",)
CURRENT_THERAPY_FLAGS: Final[frozenset[str]] = frozenset({"FRACTURE_ON_THERAPY"})
