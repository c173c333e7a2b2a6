"""JWK Sets of allow-listed clients: inline from settings, or fetched from their ``jku`` (cached).

Only URLs written in ``OSTEOREF_CDS_CLIENTS`` are ever fetched — never a URL taken from a
token header — so a forged ``jku`` cannot make the service call arbitrary hosts (SSRF).

An unknown ``kid`` re-reads the set (key rotation), but at most once per ``refetch_seconds``
per URL: a stream of tokens with made-up ``kid`` values costs one download a minute, not one
per request, and is refused from the cached set in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jwt

from api.cds.settings import CdsClient
from risk.errors import NotAuthenticated

if TYPE_CHECKING:
    import httpx


class JwksSource:
    """Keys by ``kid`` for a client; fetched sets are cached for ``cache_seconds``."""

    def __init__(
        self,
        *,
        timeout_seconds: float,
        cache_seconds: int,
        refetch_seconds: float = 60,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout = timeout_seconds
        self._cache_seconds = cache_seconds
        self._refetch_seconds = refetch_seconds
        self._transport = transport
        self._clock = clock
        self._fetched: dict[str, tuple[float, jwt.PyJWKSet]] = {}

    async def key(self, client: CdsClient, kid: str) -> jwt.PyJWK:
        """The client's key with this ``kid``; an unknown kid re-reads a fetched set (throttled)."""
        if client.jwks is not None:
            return _select(_key_set(client.jwks), kid)
        assert client.jku is not None  # CdsClient guarantees one of the two
        keys = await self._cached(client.jku, refresh=False)
        if kid not in {k.key_id for k in keys.keys} and self._may_refetch(client.jku):
            keys = await self._cached(client.jku, refresh=True)  # key rotation
        return _select(keys, kid)

    def _may_refetch(self, url: str) -> bool:
        fetched = self._fetched.get(url)
        return fetched is None or self._clock() - fetched[0] >= self._refetch_seconds

    async def _cached(self, url: str, *, refresh: bool) -> jwt.PyJWKSet:
        now = self._clock()
        hit = self._fetched.get(url)
        if hit is not None and not refresh and now - hit[0] < self._cache_seconds:
            return hit[1]
        keys = _key_set(await self._download(url))
        self._fetched[url] = (now, keys)
        return keys

    async def _download(self, url: str) -> dict[str, Any]:
        import httpx  # noqa: PLC0415 (first download: httpx costs ~0.1 s of start-up, see api.cds.fhir_fetch)

        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as http:
                response = await http.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                body: Any = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise NotAuthenticated(f"JWK Set of the client could not be read ({type(exc).__name__})") from exc
        if not isinstance(body, dict):
            raise NotAuthenticated("JWK Set of the client is not a JSON object")
        return body


def _key_set(data: dict[str, Any]) -> jwt.PyJWKSet:
    try:
        return jwt.PyJWKSet.from_dict(data)
    except jwt.PyJWTError as exc:
        raise NotAuthenticated(f"JWK Set of the client is unusable: {exc}") from exc


def _select(keys: jwt.PyJWKSet, kid: str) -> jwt.PyJWK:
    for key in keys.keys:
        if key.key_id == kid:
            return key
    raise NotAuthenticated(f"no key with kid {kid!r} in the client's JWK Set")
