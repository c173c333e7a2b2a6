"""The one exception hierarchy of osteoref; the API maps it to HTTP in one place.

OsteorefError
├── InvalidInput(ValueError)          bad user input (record, cohort file, CLI option) → 422
│   └── InvalidCohort                  a cohort/training file cannot be used at all
├── NotFound(LookupError)              an addressed resource does not exist → 404
├── Conflict                           an illegal state change or key reuse → 409
├── PermissionDenied                   authenticated, wrong role → 403
├── NotAuthenticated                   missing or wrong credentials → 401
├── ModelNotLoaded(RuntimeError)       scoring asked before a model artefact loaded → 503
├── ModelArtefactError(ValueError)     an artefact file is unreadable or inconsistent
└── RenderError(RuntimeError)          a letter could not be rendered → 500
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typing only: the artefact module imports this one
    from risk.model.artefact import Recalibration


@dataclass(frozen=True, slots=True)
class FieldError:
    """One broken rule: which field, which value, which rule (and the row, in batch)."""

    field: str
    value: Any
    rule: str
    row: int | None = None


class OsteorefError(Exception):
    """Base of every error osteoref raises on purpose."""

    code = "osteoref_error"


@dataclass
class InvalidInput(OsteorefError, ValueError):
    """Input broke the contract; ``errors`` names each field, value and rule."""

    message: str
    errors: list[FieldError] = field(default_factory=list)
    code = "invalid_input"

    def __str__(self) -> str:
        return self.message


class InvalidCohort(InvalidInput):
    """A cohort file cannot be used at all (missing columns, unreadable format)."""

    code = "invalid_cohort"


class NotFound(OsteorefError, LookupError):
    """The addressed resource does not exist."""

    code = "not_found"


class Conflict(OsteorefError):
    """The request conflicts with the current state (illegal transition, key reuse)."""

    code = "conflict"


class NotAuthenticated(OsteorefError):
    """Missing or unknown credentials."""

    code = "not_authenticated"


class PermissionDenied(OsteorefError):
    """The caller's role may not do this."""

    code = "permission_denied"


class ModelNotLoaded(OsteorefError, RuntimeError):
    """Scoring was asked for before a model artefact was loaded."""

    code = "model_not_loaded"


class ModelArtefactError(OsteorefError, ValueError):
    """A model artefact is unreadable, of an unknown format, or inconsistent."""

    code = "model_artefact_error"


class RecalibrationRefused(OsteorefError):
    """A site recalibration would be worse calibrated on held-out patients than the model it replaces.

    ``check`` is the held-out comparison that refused it, so the caller can show the figures.
    """

    code = "recalibration_refused"

    def __init__(self, message: str, check: Recalibration | None = None) -> None:
        super().__init__(message)
        self.check = check


class RenderError(OsteorefError, RuntimeError):
    """A letter could not be rendered."""

    code = "render_error"
