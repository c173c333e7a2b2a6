"""Words for codes: enum values, priorities, severities and percentages as a clinician reads them."""

from __future__ import annotations

# Values whose plain humanised form would read wrongly.
SPECIAL: dict[str, str] = {
    "type1": "Type 1",
    "type2": "Type 2",
    "not_done": "Not done",
    "high_energy_trauma": "High-energy trauma",
    "low_energy": "Low energy (fragility)",
    "very_high": "Very high",
    "trauma_review": "Trauma review",
    "pcp": "PCP",
    "egfr": "eGFR",
    "ct_hu": "CT attenuation",
    "anabolic_first": "Anabolic first",
    "antiresorptive_first": "Antiresorptive first",
}

PRIORITY_TEXT: dict[str, str] = {
    "urgent": "Urgent — act within 2 weeks",
    "soon": "Soon — act within 4 weeks",
    "routine": "Routine — act within 12 weeks",
}

SEVERITY_TEXT: dict[str, str] = {"urgent": "Urgent", "warning": "Warning", "info": "Information"}


def label(value: object) -> str:
    """A code such as ``oral_bisphosphonate`` as words ("Oral bisphosphonate"); None as an em dash."""
    if value is None:
        return "—"
    text = str(value)
    if text in SPECIAL:
        return SPECIAL[text]
    words = text.replace("_", " ")
    return words[:1].upper() + words[1:]


def percent(probability: float | None) -> str:
    """A probability as a whole percentage ("18%"); under 1% as "<1%"; None as an em dash."""
    if probability is None:
        return "—"
    if 0 < probability < 0.01:
        return "<1%"
    return f"{round(probability * 100)}%"
