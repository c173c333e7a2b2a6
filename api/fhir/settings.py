"""FHIR settings the shared Settings does not (yet) carry: the look-back window for labs and DXA."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_LOOKBACK_MONTHS = 24


class FhirSettings(BaseSettings):
    """``OSTEOREF_FHIR_LOOKBACK_MONTHS``: how old a lab, vital sign or DXA value may be (months)."""

    model_config = SettingsConfigDict(env_prefix="OSTEOREF_", extra="ignore", frozen=True)

    fhir_lookback_months: int = Field(default=DEFAULT_LOOKBACK_MONTHS, ge=1, le=240)


@lru_cache(maxsize=1)
def get_fhir_settings() -> FhirSettings:
    """The process-wide FHIR settings, read once."""
    return FhirSettings()
