"""The fhir.resources R4B model classes, imported on first use: they cost a tenth of a second of start-up.

The service answers ``/ready`` before any FHIR body arrives, so the models load with the first
FHIR or CDS request that needs one (``docs/performance.md``, "Start-up"); a test keeps
``import api.main`` free of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fhir_core.fhirabstractmodel import FHIRAbstractModel


def model_class(resource_type: str) -> type[FHIRAbstractModel]:
    """The R4B class of ``resource_type``; ValueError if R4B has no such resource (fhir.resources caches)."""
    from fhir.resources.R4B import get_fhir_model_class  # noqa: PLC0415 (first use: see module docstring)

    return get_fhir_model_class(resource_type)
