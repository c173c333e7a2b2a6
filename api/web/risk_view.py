"""The risk as 100 people: counts per outcome, icon positions and the sentence that says the same."""

from __future__ import annotations

from dataclasses import dataclass

from risk.contract import RiskEstimate

PEOPLE = 100
PER_ROW = 10


@dataclass(frozen=True, slots=True)
class Icon:
    """One person of the hundred: grid position and outcome (fracture, avoided, none)."""

    x: int
    y: int
    outcome: str


@dataclass(frozen=True, slots=True)
class IconArray:
    """One horizon (12 or 24 months): counts of 100, the icons and a text alternative."""

    months: int
    untreated: int
    treated: int | None
    icons: tuple[Icon, ...]
    summary: str


def _count(probability: float) -> int:
    return max(0, min(PEOPLE, round(probability * PEOPLE)))


def icon_array(months: int, untreated_p: float, treated_p: float | None) -> IconArray:
    """Fractures even with treatment first, then those treatment avoids, then the unaffected."""
    untreated = _count(untreated_p)
    treated = None if treated_p is None else min(_count(treated_p), untreated)
    fracture = untreated if treated is None else treated
    outcomes = ["fracture"] * fracture + ["avoided"] * (untreated - fracture)
    outcomes += ["none"] * (PEOPLE - len(outcomes))
    icons = tuple(Icon(i % PER_ROW, i // PER_ROW, o) for i, o in enumerate(outcomes))
    return IconArray(months, untreated, treated, icons, _summary(months, untreated, treated))


def _summary(months: int, untreated: int, treated: int | None) -> str:
    text = (
        f"Of 100 people like this patient, about {untreated} would have a new vertebral fracture "
        f"within {months} months without treatment"
    )
    if treated is None:
        return text + "; no estimate with treatment is given for this recommendation."
    return (
        f"{text}, and about {treated} with the recommended treatment: "
        f"treatment would prevent about {untreated - treated} of those fractures."
    )


def icon_arrays(risk: RiskEstimate | None) -> list[IconArray]:
    """The 12- and 24-month arrays (none when the pathway has no risk estimate)."""
    if risk is None:
        return []
    return [
        icon_array(12, risk.new_vertebral_fracture_12m, risk.with_treatment_12m),
        icon_array(24, risk.new_vertebral_fracture_24m, risk.with_treatment_24m),
    ]
