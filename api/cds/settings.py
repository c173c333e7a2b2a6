"""CDS Hooks settings (prefix ``OSTEOREF_``): the allow-listed EHR clients and hook tunables."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class CdsClient(BaseModel):
    """One allow-listed CDS client: its ``iss`` and either an inline JWK Set or a ``jku`` URL."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    iss: str = Field(min_length=1)
    jwks: dict[str, Any] | None = None
    jku: str | None = Field(default=None, pattern=r"^https?://")

    @model_validator(mode="after")
    def _exactly_one_key_source(self) -> CdsClient:
        if (self.jwks is None) == (self.jku is None):
            raise ValueError(f"CDS client {self.iss!r}: give exactly one of 'jwks' or 'jku'")
        if self.jwks is not None and not isinstance(self.jwks.get("keys"), list):
            raise ValueError(f"CDS client {self.iss!r}: 'jwks' must be a JWK Set with a 'keys' list")
        return self


class CdsSettings(BaseSettings):
    """Every tunable of the CDS Hooks service (``public_base_url`` stays in ``api.settings``)."""

    model_config = SettingsConfigDict(env_prefix="OSTEOREF_", extra="ignore", frozen=True)

    cds_clients: list[CdsClient] = Field(default_factory=list)
    cds_jwks_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    cds_jwks_cache_seconds: int = Field(default=3600, ge=0)
    cds_clock_leeway_seconds: int = Field(default=30, ge=0, le=300)
    # exp - iat may not exceed this (+ the leeway): the specification's clients sign for 5 minutes.
    cds_max_token_lifetime_seconds: int = Field(default=300, ge=1, le=3600)
    # An unknown kid re-reads a jku JWK Set at most once per this many seconds per issuer.
    cds_jwks_refetch_seconds: int = Field(default=60, ge=0, le=3600)
    cds_replay_max_entries: int = Field(default=100_000, ge=100, le=10_000_000)
    # Browser origins allowed to call the CDS endpoints (CORS); empty = no CORS headers.
    cds_cors_origins: list[str] = Field(default_factory=list)
    cds_fhir_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    cds_fhir_max_pages: int = Field(default=10, ge=1, le=100)
    cds_lookback_months: int = Field(default=24, ge=1, le=120)
    cds_referral_page_path: str = Field(default="/web/assess", pattern=r"^/")
