"""Settings of the acknowledgement links (prefix ``OSTEOREF_``): signing secret, lifetime, rate limits."""

from __future__ import annotations

from typing import Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_ACK_SECRET = "development-only-acknowledgement-secret-change-me"  # noqa: S105
MIN_SECRET_LENGTH = 32


class AckSettings(BaseSettings):
    """The HMAC secret tokens are signed with, how long they live, and how fast a client may try."""

    model_config = SettingsConfigDict(env_prefix="OSTEOREF_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    ack_secret: SecretStr = SecretStr(DEVELOPMENT_ACK_SECRET)
    # Long enough for a routine letter (act within 12 weeks) to be answered after the action.
    ack_token_days: int = Field(default=120, ge=1, le=730)
    # How long the answer form stays valid after the PCP confirmed the practice.
    ack_confirm_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Per client address, every acknowledgement request, and (stricter) unknown or dead tokens.
    ack_rate_limit: str = "30/minute"
    ack_failure_rate_limit: str = "10/hour"

    @field_validator("ack_rate_limit", "ack_failure_rate_limit")
    @classmethod
    def _parsable_limit(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(f"not a rate limit like '30/minute': {value!r}") from error
        return value

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> AckSettings:
        if self.environment != "production":
            return self
        secret = self.ack_secret.get_secret_value()
        if secret == DEVELOPMENT_ACK_SECRET or len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                "production settings refused: OSTEOREF_ACK_SECRET must be set, "
                f"≥ {MIN_SECRET_LENGTH} characters"
            )
        return self
