"""Idempotency keys: validation and the fingerprint that tells a retry from a different request."""

from __future__ import annotations

import hashlib
import json
import re

from api.referrals.schemas import ReferralCreate
from risk.errors import FieldError, InvalidInput

IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


def check_key(key: str | None) -> str | None:
    """The key, if well formed (1–255 visible ASCII characters); InvalidInput otherwise."""
    if key is None or IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
        return key
    raise InvalidInput(
        "Idempotency-Key must be 1–255 visible ASCII characters",
        [FieldError("Idempotency-Key", key[:300], "1–255 visible ASCII characters")],
    )


def fingerprint(body: ReferralCreate) -> str:
    """sha256 of the request as the client sent it (defaults left out, so 'today' never counts)."""
    canonical = json.dumps(
        body.model_dump(mode="json", exclude_unset=True), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
