"""Per-column rules of a cohort file, read off ``PatientRecord.model_fields`` (one table, not a copy).

The pydantic model is the single statement of the contract; batch validation derives
its column kinds, ranges, choices, patterns and defaults from the model's field
metadata so that the API and cohort files can never drift apart.
"""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from risk.contract.patient import PatientRecord

Kind = Literal["string", "number", "integer", "date", "bool", "enum", "levels"]

# Defaults the model applies in a validator rather than in the field declaration.
DERIVED_DEFAULTS: dict[str, str] = {"fracture_date": "procedure_date"}

TRAINING_COLUMNS: tuple[str, ...] = ("time_months", "event", "treated_after_procedure")
REFERRAL_COLUMNS: tuple[str, ...] = (
    "pcp_name",
    "pcp_practice",
    "pcp_phone",
    "pcp_fax",
    "pcp_email",
    "pcp_address",
    "referrer_name",
    "referrer_role",
    "referrer_service",
)
PASSTHROUGH_COLUMNS: tuple[str, ...] = TRAINING_COLUMNS + REFERRAL_COLUMNS


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """How one contract column is parsed and checked."""

    name: str
    kind: Kind
    required: bool = False
    nullable: bool = True
    default: Any = None
    has_default: bool = False
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    lt: float | None = None
    choices: tuple[Any, ...] = ()
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None


_BOUNDS = ("ge", "le", "gt", "lt", "min_length", "max_length", "pattern")


def _constraints(items: list[Any]) -> dict[str, Any]:
    """Collect annotated-types / pydantic constraint objects into spec keywords."""
    found: dict[str, Any] = {}
    for item in items:
        if isinstance(item, FieldInfo):
            found.update(_constraints(list(item.metadata)))
            continue
        for name in _BOUNDS:
            value = getattr(item, name, None)
            if value is not None:
                found[name] = value
    return found


def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """Strip Optional and Annotated: (bare type, nullable, metadata found on the way)."""
    nullable, metadata = False, []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            nullable = nullable or len(members) < len(get_args(annotation))
            annotation = members[0]
        else:
            return annotation, nullable, metadata


def _kind(bare: Any) -> tuple[Kind, tuple[Any, ...]]:
    if get_origin(bare) is Literal:
        return "enum", get_args(bare)
    if get_origin(bare) is list:
        return "levels", get_args(get_args(bare)[0])
    kinds: dict[Any, Kind] = {
        str: "string",
        float: "number",
        int: "integer",
        bool: "bool",
        dt.date: "date",
    }
    return kinds[bare], ()


def spec_of(name: str, field: FieldInfo) -> ColumnSpec:
    """The column rules of one model field."""
    bare, nullable, inner = _unwrap(field.annotation)
    kind, choices = _kind(bare)
    default = None if field.is_required() or field.default_factory else field.default
    spec = ColumnSpec(
        name=name,
        kind=kind,
        required=field.is_required(),
        nullable=nullable,
        default=default,
        has_default=not field.is_required(),
        choices=choices,
    )
    return replace(spec, **_constraints([*field.metadata, *inner]))


CONTRACT_COLUMNS: tuple[ColumnSpec, ...] = tuple(
    spec_of(name, field) for name, field in PatientRecord.model_fields.items()
)
CONTRACT_NAMES: tuple[str, ...] = tuple(spec.name for spec in CONTRACT_COLUMNS)
REQUIRED_NAMES: tuple[str, ...] = tuple(s.name for s in CONTRACT_COLUMNS if s.required)

TRAINING_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec("time_months", "number", required=True, nullable=False, gt=0),
    ColumnSpec("event", "integer", required=True, nullable=False, choices=(0, 1, 2)),
    ColumnSpec("treated_after_procedure", "integer", required=True, nullable=False, choices=(0, 1)),
)
