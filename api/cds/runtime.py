"""The CDS components of one app (verifier, fetcher, settings), built once from its CDS settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.cds.fhir_fetch import FhirFetcher
from api.cds.jwks import JwksSource
from api.cds.replay import ReplayCache
from api.cds.settings import CdsSettings
from api.cds.verify import CdsVerifier

if TYPE_CHECKING:
    import httpx  # imported with the first outbound request (api.cds.fhir_fetch)


@dataclass(frozen=True)
class CdsRuntime:
    """Everything the CDS routes need beyond the request; built once per app."""

    settings: CdsSettings
    verifier: CdsVerifier
    fetcher: FhirFetcher


def build_runtime(settings: CdsSettings, transport: httpx.AsyncBaseTransport | None = None) -> CdsRuntime:
    """A runtime for ``settings`` (tests pass a mock transport for JWK Set and FHIR reads)."""
    keys = JwksSource(
        timeout_seconds=settings.cds_jwks_timeout_seconds,
        cache_seconds=settings.cds_jwks_cache_seconds,
        refetch_seconds=settings.cds_jwks_refetch_seconds,
        transport=transport,
    )
    verifier = CdsVerifier(
        settings.cds_clients,
        keys,
        ReplayCache(max_entries=settings.cds_replay_max_entries),
        leeway_seconds=settings.cds_clock_leeway_seconds,
        max_lifetime_seconds=settings.cds_max_token_lifetime_seconds,
    )
    fetcher = FhirFetcher(
        timeout_seconds=settings.cds_fhir_timeout_seconds,
        max_pages=settings.cds_fhir_max_pages,
        transport=transport,
    )
    return CdsRuntime(settings, verifier, fetcher)
