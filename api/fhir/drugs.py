"""Medication resolution as data: RxNorm/ATC codes and names → contract drug class (api/fhir/data/)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

from api.fhir.terminology import ATC, RXNORM, Verified

Form = Literal["systemic", "check"]
SYSTEMS = {"rxnorm": RXNORM, "atc": ATC}
GLUCOCORTICOID = "glucocorticoid"
# "12.5 MG Oral Tablet" → mg per unit; "5 MG/ML Oral Solution" → mg per mL (single-ingredient products only).
STRENGTH = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?) MG(/ML)?\b(?! / )", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Drug:
    """One row of the medication table: a code (or a name) and the class it means."""

    system: str
    code: str
    display: str
    meaning: str  # a contract current_treatment value, or "glucocorticoid"
    ingredient: str
    atc: str
    form: Form  # "check": the ingredient also comes in local forms, so the route must be systemic
    verified: Verified
    source: str

    @property
    def strength(self) -> tuple[float, str] | None:
        """(mg, per 'unit' or 'mL') parsed from an RxNorm product name, if it states one strength."""
        found = STRENGTH.findall(self.display)
        if self.system != RXNORM or len(found) != 1 or " / " in self.display:
            return None
        mg, per_ml = found[0]
        return float(mg), "mL" if per_ml else "unit"


def _rows(name: str) -> list[dict[str, str]]:
    text = files("api.fhir").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def code_table() -> dict[tuple[str, str], Drug]:
    """(system URI, code) → Drug, from data/medications.csv."""
    table: dict[tuple[str, str], Drug] = {}
    for row in _rows("medications.csv"):
        drug = Drug(
            SYSTEMS[row["system"]], row["code"], row["display"], row["meaning"], row["ingredient"],
            row["atc"], row["form"], row["verified"], row["source"],  # type: ignore[arg-type]
        )  # fmt: skip
        table[(drug.system, drug.code)] = drug
    return table


@cache
def name_table() -> tuple[tuple[re.Pattern[str], Drug], ...]:
    """Whole-word patterns of generic and brand names (longest first) → Drug, from medication_names.csv."""
    rows = sorted(_rows("medication_names.csv"), key=lambda r: -len(r["name"]))
    return tuple(
        (re.compile(rf"\b{re.escape(r['name'])}\b"),
         Drug("name", r["name"], r["name"], r["meaning"], r["ingredient"], "", r["form"],  # type: ignore[arg-type]
              "verified", "name"))
        for r in rows
    )  # fmt: skip


@cache
def route_words() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Dose-form / route words → 'local' or 'systemic' (local words first: 'vaginal tablet' is local)."""
    rows = sorted(_rows("dose_forms.csv"), key=lambda r: r["route"] != "local")
    return tuple((re.compile(rf"\b{re.escape(r['word'])}\b"), r["route"]) for r in rows)


@cache
def prednisolone_factor() -> dict[str, float]:
    """mg prednisolone per mg of each glucocorticoid (BNF equivalent anti-inflammatory doses)."""
    return {r["ingredient"]: 5.0 / float(r["mg_equal_to_5_mg_prednisolone"])
            for r in _rows("medication_equivalence.csv")}  # fmt: skip


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces ('PROLIA 60 MG/ML' → 'prolia 60 mg ml')."""
    return " ".join(re.sub(r"[^a-z0-9.\-]+", " ", text.lower()).split())


def by_code(system: str | None, code: str | None) -> Drug | None:
    """The table row of an exact (system, code)."""
    if system is None or code is None:
        return None
    return code_table().get((system, code.strip()))


def by_name(text: str) -> Drug | None:
    """The drug a free-text name (display, text, Medication.code.text) names, if exactly one class fits."""
    plain = normalise(text)
    hits = [drug for pattern, drug in name_table() if pattern.search(plain)]
    ingredients = {(d.meaning, d.ingredient) for d in hits}
    return hits[0] if len(ingredients) == 1 else None


def route_of(texts: list[str]) -> str | None:
    """'local', 'systemic' or None (not stated) from dose-form and route words in ``texts``."""
    found = {route for text in texts for pattern, route in route_words() if pattern.search(normalise(text))}
    if "local" in found:
        return "local"
    return "systemic" if found else None
