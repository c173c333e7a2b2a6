"""Settings of the web pages (prefix ``OSTEOREF_``): the session-signing secret and cookie rules."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SESSION_SECRET = "development-only-web-session-secret-change-me"  # noqa: S105
MIN_SECRET_LENGTH = 32
REFUSED = "production settings refused"


class WebSettings(BaseSettings):
    """Secret and lifetime of the signed session cookie; production refuses the development secret."""

    model_config = SettingsConfigDict(env_prefix="OSTEOREF_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    session_secret: SecretStr = SecretStr(DEVELOPMENT_SESSION_SECRET)
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    # Browsers treat http://127.0.0.1 and localhost as secure, so this stays on in development too.
    session_cookie_secure: bool = True

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> WebSettings:
        if self.environment != "production":
            return self
        secret = self.session_secret.get_secret_value()
        if secret == DEVELOPMENT_SESSION_SECRET:
            raise ValueError(f"{REFUSED}: OSTEOREF_SESSION_SECRET is the development default")
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"{REFUSED}: OSTEOREF_SESSION_SECRET must be ≥ {MIN_SECRET_LENGTH} characters")
        return self
