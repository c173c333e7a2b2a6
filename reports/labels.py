"""The one table of words for codes: enum values and model inputs, as people read them.

The web pages, the letters and the analyst report all print codes through this module, so a
code reads the same everywhere and a new model input without words fails a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

# Enum values whose plain humanised form ("very high" from very_high) would read wrongly.
CODE_LABELS: Final[dict[str, str]] = {
    "type1": "Type 1",
    "type2": "Type 2",
    "not_done": "Not done",
    "high_energy_trauma": "High-energy trauma",
    "low_energy": "Low energy (fragility)",
    "very_high": "Very high",
    "trauma_review": "Trauma review",
    "oncology": "Oncology / haematology",
    "pcp": "PCP",
    "fhir": "FHIR",
    "egfr": "eGFR",
    "ct_hu": "CT attenuation",
    "anabolic_first": "Anabolic first",
    "antiresorptive_first": "Antiresorptive first",
    "continue_current": "Continue current drug",
    "specialist_decision": "Specialist decision",
    "oncology_management": "Oncology management",
    "treatment_started": "Treatment started",
    "none": "None",
}

# A missing risk tier in a cohort (oncology and trauma pathways have none).
NO_TIER: Final[str] = "No tier (not the osteoporosis pathway)"


def label(value: object) -> str:
    """A code such as ``oral_bisphosphonate`` as words ("Oral bisphosphonate"); None as an em dash."""
    if value is None:
        return "—"
    text = str(value)
    if text in CODE_LABELS:
        return CODE_LABELS[text]
    words = text.replace("_", " ")
    return words[:1].upper() + words[1:]


ValueKind = Literal["number", "yes_no", "sex"]


@dataclass(frozen=True, slots=True)
class InputLabel:
    """How one model input reads: its name, and how its value is written."""

    name: str
    kind: ValueKind = "number"
    unit: str = ""
    decimals: int = 0


# Keyed by risk.model.features.INPUT_NAMES (a test keeps the keys equal).
MODEL_INPUTS: Final[dict[str, InputLabel]] = {
    "age": InputLabel("Age", unit="years"),
    "female": InputLabel("Sex", "sex"),
    "bmi": InputLabel("Body-mass index", unit="kg/m²", decimals=1),
    "lowest_t": InputLabel("Lowest usable T-score", unit="SD", decimals=1),
    "ct_hu": InputLabel("CT attenuation of L1", unit="HU"),
    "prior_fragility_fractures": InputLabel("Prior fragility fractures"),
    "vertebral_fractures": InputLabel("Vertebral fractures (treated levels and prior)"),
    "tl_junction": InputLabel("Treated level at the thoracolumbar junction (T11–L2)", "yes_no"),
    "intradiscal_leak": InputLabel("Cement leak into the disc", "yes_no"),
    "intravertebral_cleft": InputLabel("Intravertebral cleft", "yes_no"),
    "glucocorticoid": InputLabel("Glucocorticoid 5 mg/day or more for 3 months or more", "yes_no"),
    "current_smoker": InputLabel("Current smoker", "yes_no"),
    "diabetes": InputLabel("Diabetes (type 1 or 2)", "yes_no"),
    "falls": InputLabel("Falls in the last 12 months"),
    "vitamin_d_low": InputLabel("Vitamin D below 20 ng/mL", "yes_no"),
    "treated_after_procedure": InputLabel("Bone treatment started after the procedure", "yes_no"),
}

# Why an input shows the value it does, where the value is not the patient's own.
INPUT_NOTES: Final[dict[str, str]] = {
    "treated_after_procedure": (
        "set to no on purpose: the risk shown is the risk without treatment "
        "(the treated risk applies the drug's relative risk)"
    ),
}
NOT_RECORDED: Final[str] = "not recorded (the model used a typical value)"


def input_label(feature: str) -> str:
    """A model input's name as a clinician reads it (unknown inputs are humanised)."""
    known = MODEL_INPUTS.get(feature)
    return known.name if known else label(feature)


def input_value(feature: str, value: float | str | None) -> str:
    """A model input's value in words: "male", "no", "23.4 kg/m²"; None as not recorded."""
    if value is None:
        return NOT_RECORDED
    known = MODEL_INPUTS.get(feature, InputLabel(feature))
    if isinstance(value, str):
        return value
    if known.kind == "sex":
        return "female" if value >= 0.5 else "male"
    if known.kind == "yes_no":
        return "yes" if value >= 0.5 else "no"
    number = f"{value:.{known.decimals}f}"
    return f"{number} {known.unit}" if known.unit else number
