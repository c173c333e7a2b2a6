"""Verify the signed JWT every CDS Hooks call carries (spec §Trusting CDS Clients).

Checked in this order: header (``alg`` ES384/RS384 only, ``typ`` JWT, ``kid``), allow-listed
``iss``, ``jku`` equal to the allow-listed one, signature with the ``kid`` key, ``aud`` = the
exact endpoint URL (a string, or an array that contains it: RFC 7519 §4.1.3, which the CDS
Hooks specification allows), ``exp``/``iat`` (with leeway), a lifetime ``exp - iat`` of at
most ``max_lifetime_seconds`` (300: clients sign for five minutes) plus the leeway, and
``jti`` not seen before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from api.cds.jwks import JwksSource
from api.cds.replay import ReplayCache
from api.cds.settings import CdsClient
from risk.errors import NotAuthenticated

# Asymmetric only: "none" and HMAC (HS*) would let anyone who knows a shared value sign.
ALLOWED_ALGORITHMS = frozenset({"ES384", "RS384"})
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]


@dataclass(frozen=True, slots=True)
class CdsCaller:
    """The verified caller of a CDS call."""

    iss: str
    tenant: str | None


class CdsVerifier:
    """Checks a bearer JWT against the allow-list; one instance per process."""

    def __init__(
        self,
        clients: list[CdsClient],
        keys: JwksSource,
        replay: ReplayCache,
        *,
        leeway_seconds: int,
        max_lifetime_seconds: int = 300,
    ) -> None:
        self._clients = {c.iss: c for c in clients}
        self._keys = keys
        self._replay = replay
        self._leeway = leeway_seconds
        self._max_lifetime = max_lifetime_seconds

    async def verify(self, token: str | None, audience: str) -> CdsCaller:
        """The caller of a valid token; NotAuthenticated naming the failed check otherwise."""
        if not token:
            raise NotAuthenticated("missing CDS Hooks JWT: send 'Authorization: Bearer <jwt>'")
        header = _header(token)
        client = self._client(_unverified_claims(token).get("iss"))
        _check_jku(header.get("jku"), client)
        key = await self._keys.key(client, header["kid"])
        claims = self._decode(token, key, header["alg"], audience, client.iss)
        lifetime = float(claims["exp"]) - float(claims["iat"])
        if lifetime > self._max_lifetime + self._leeway:
            raise NotAuthenticated(
                f"JWT lifetime exp - iat of {lifetime:.0f} s exceeds {self._max_lifetime} s "
                f"(+{self._leeway} s leeway)"
            )
        if self._replay.seen_before(client.iss, str(claims["jti"]), float(claims["exp"])):
            raise NotAuthenticated("JWT replayed: this jti was already used")
        tenant = claims.get("tenant")
        return CdsCaller(iss=client.iss, tenant=tenant if isinstance(tenant, str) else None)

    def _client(self, iss: Any) -> CdsClient:
        client = self._clients.get(iss) if isinstance(iss, str) else None
        if client is None:
            raise NotAuthenticated(f"JWT issuer {iss!r} is not an allow-listed CDS client")
        return client

    def _decode(self, token: str, key: jwt.PyJWK, alg: str, audience: str, iss: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=audience,
                issuer=iss,
                leeway=self._leeway,
                # strict_aud off: aud may be an array; it must still contain our exact URL.
                options={"require": REQUIRED_CLAIMS, "strict_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise NotAuthenticated(f"JWT rejected: {type(exc).__name__}: {exc}") from exc
        return claims


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise NotAuthenticated(f"malformed JWT: {exc}") from exc
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise NotAuthenticated(f"JWT alg {alg!r} refused; allowed: {', '.join(sorted(ALLOWED_ALGORITHMS))}")
    if header.get("typ") != "JWT":
        raise NotAuthenticated(f"JWT typ {header.get('typ')!r} refused; must be 'JWT'")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise NotAuthenticated("JWT header has no kid")
    return header


def _unverified_claims(token: str) -> dict[str, Any]:
    # Read only to pick the client whose key then verifies the very same claims.
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise NotAuthenticated(f"malformed JWT: {exc}") from exc
    return claims


def _check_jku(jku: Any, client: CdsClient) -> None:
    if jku is not None and jku != client.jku:
        raise NotAuthenticated("JWT jku does not match the allow-listed JWK Set URL of its issuer")
