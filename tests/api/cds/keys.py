"""Real signing keys generated per test session (EC P-384, RSA) and a JWT signer for CDS calls."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

BASE_URL = "https://osteoref.example.test"
EC_ISS = "https://ehr.example.org"
RSA_ISS = "https://rsa-ehr.example.org"
RSA_JKU = "https://rsa-ehr.example.org/.well-known/jwks.json"


@dataclass
class Signer:
    """One client's private key, kid and algorithm."""

    iss: str
    kid: str
    alg: str
    private_key: Any
    jku: str | None = None

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK with kid and alg."""
        algorithm = ECAlgorithm if self.alg.startswith("ES") else RSAAlgorithm
        jwk: dict[str, Any] = json.loads(algorithm.to_jwk(self.private_key.public_key()))
        return jwk | {"kid": self.kid, "alg": self.alg, "use": "sig"}

    def token(self, path: str, *, header: dict[str, Any] | None = None, **claims: Any) -> str:
        """A signed token for ``BASE_URL + path``; keyword claims override (None removes)."""
        now = int(time.time())
        body = {
            "iss": self.iss,
            "aud": BASE_URL + path,
            "exp": now + 300,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        body |= claims
        body = {k: v for k, v in body.items() if v is not None}
        headers = {"kid": self.kid, "typ": "JWT"} | ({"jku": self.jku} if self.jku else {}) | (header or {})
        return jwt.encode(body, self.private_key, algorithm=self.alg, headers=headers)

    def bearer(self, path: str, **claims: Any) -> dict[str, str]:
        """The Authorization header of a fresh token for ``path``."""
        return {"Authorization": f"Bearer {self.token(path, **claims)}"}


def ec_signer() -> Signer:
    """An ES384 client with an inline JWK Set."""
    return Signer(EC_ISS, "ec-1", "ES384", ec.generate_private_key(ec.SECP384R1()))


def rsa_signer() -> Signer:
    """An RS384 client whose JWK Set is fetched from its jku."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Signer(RSA_ISS, "rsa-1", "RS384", key, jku=RSA_JKU)
