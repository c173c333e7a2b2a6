"""Which drug a medication resource is about: its Medication (inline, contained, in the bundle) and class.

A code in the medication table wins; otherwise the normalised names in ``coding.display``, ``text``
and the Medication's ``code.text`` are matched against generic and brand names, and the report
says "matched by name" so a clinician can check it. Ingredients that also come as creams, eye
drops, inhalers or vaginal forms count only when a route or dose form says the use is systemic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.fhir.drugs import Drug, by_code, by_name, route_of
from api.fhir.mapping.common import JSON, Entry, as_dict, as_list, codings, describe_codes, text
from api.fhir.mapping.context import Context

Resolve = Callable[[str], JSON | None]


@dataclass(frozen=True, slots=True)
class Match:
    """The table row a medication resource matched, and how."""

    drug: Drug
    how: str  # "code" or "name"


def concept_of(resource: JSON, resolve: Resolve) -> tuple[JSON, JSON | None] | str:
    """(medication concept, Medication or None), or why there is none: inline, ``#contained`` or resolved."""
    if "medicationCodeableConcept" in resource:
        return as_dict(resource["medicationCodeableConcept"]), None
    target = text(as_dict(resource.get("medicationReference")).get("reference"))
    if target is None:
        return "no medicationCodeableConcept or medicationReference.reference"
    medication = _contained(resource, target[1:]) if target.startswith("#") else resolve(target)
    if medication is None:
        return f"medicationReference {target!r} is not in the bundle"
    return as_dict(medication.get("code")), medication


def medication_of(entry: Entry, resolve: Resolve, ctx: Context) -> tuple[JSON, JSON | None] | None:
    """``concept_of``; None (reported) if the reference cannot resolve."""
    found = concept_of(entry.resource, resolve)
    if isinstance(found, str):
        ctx.report.ignore(entry.reference, found)
        return None
    return found


def _contained(resource: JSON, rid: str) -> JSON | None:
    return next((as_dict(c) for c in as_list(resource.get("contained")) if as_dict(c).get("id") == rid), None)


def _names(concept: JSON, medication: JSON | None) -> list[str]:
    names = [text(c.get("display")) or "" for c in codings(concept)] + [text(concept.get("text")) or ""]
    if medication is not None:
        names.append(text(as_dict(medication.get("form")).get("text")) or "")
    return [n for n in names if n]


def _by_ingredient_code(medication: JSON | None) -> Drug | None:
    """The one drug class the Medication's coded ingredients name (none, or two classes: no guess).

    A Medication may carry only text in ``code`` and its RxNorm or ATC codes in
    ``ingredient.itemCodeableConcept``; read from ``code`` alone it was "unknown", i.e. untreated.
    """
    items = [as_dict(i).get("itemCodeableConcept") for i in as_list(as_dict(medication).get("ingredient"))]
    drugs = [by_code(text(c.get("system")), text(c.get("code"))) for item in items for c in codings(item)]
    found = {drug.meaning: drug for drug in drugs if drug is not None}
    return next(iter(found.values())) if len(found) == 1 else None


def classify(concept: JSON, medication: JSON | None) -> Match | None:
    """The drug by table code first (the Medication's code, then its ingredients'), else by name."""
    for coding in codings(concept):
        drug = by_code(text(coding.get("system")), text(coding.get("code")))
        if drug is not None:
            return Match(drug, "code")
    ingredient = _by_ingredient_code(medication)
    if ingredient is not None:
        return Match(ingredient, "code")
    for name in _names(concept, medication):
        drug = by_name(name)
        if drug is not None:
            return Match(drug, "name")
    return None


def _route_texts(resource: JSON, concept: JSON, medication: JSON | None, match: Match) -> list[str]:
    texts = [*_names(concept, medication)]
    if match.drug.system != "name":
        texts.append(match.drug.display)
    if medication is not None:
        texts += [text(c.get("display")) or "" for c in codings(medication.get("form"))]
    dosages = as_list(resource.get("dosageInstruction")) or as_list(resource.get("dosage"))
    for dosage in map(as_dict, dosages):
        route = as_dict(dosage.get("route"))
        texts += [text(dosage.get("text")) or "", text(route.get("text")) or ""]
        texts += [text(c.get("display")) or "" for c in codings(route)]
    return [t for t in texts if t]


def route_status(resource: JSON, concept: JSON, medication: JSON | None, match: Match) -> str | None:
    """'systemic', 'local' or None (not stated); drugs that only come in systemic forms are 'systemic'."""
    if match.drug.form != "check":
        return "systemic"
    return route_of(_route_texts(resource, concept, medication, match))


def identify(entry: Entry, resolve: Resolve, ctx: Context) -> Match | None:
    """The drug of one medication resource, with report lines for name matches and refused routes."""
    found = medication_of(entry, resolve, ctx)
    if found is None:
        return None
    concept, medication = found
    match = classify(concept, medication)
    if match is None:
        ctx.report.ignore(entry.reference, f"unknown medication {describe_codes(concept)}")
        return None
    route = route_status(entry.resource, concept, medication, match)
    if route != "systemic":
        why = "a local (non-systemic) form" if route == "local" else "no route or dose form stated"
        ctx.report.ignore(entry.reference, f"{match.drug.ingredient}: {why}; systemic use not shown")
        return None
    _note(entry, match, concept, ctx)
    return match


def _note(entry: Entry, match: Match, concept: JSON, ctx: Context) -> None:
    drug = match.drug
    if match.how == "name":
        label = f"{drug.meaning} ({drug.ingredient}) matched by name {_names(concept, None)[:1]}"
        ctx.use("medication_matched_by_name", label, entry.reference, contract=False)
    elif drug.verified == "unverified":
        label = f"{drug.meaning} ({drug.ingredient}) by unverified code {drug.code} ({drug.source})"
        ctx.use("medication_matched_by_unverified_code", label, entry.reference, contract=False)
