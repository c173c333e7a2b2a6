"""Settings of letter delivery (prefix ``OSTEOREF_``): the SMTP server, the e-mail policy, the
practices that read referrals by FHIR, retries."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SmtpSecurity = Literal["starttls", "tls", "none"]
# attach: the letter PDF goes with the e-mail; link: the e-mail carries only the secure link,
# and the letter opens on the acknowledgement page once the PCP has confirmed the practice.
MailPolicy = Literal["attach", "link"]
DEVELOPMENT_SENDER = "fracture-liaison@example.org"


class DeliverySettings(BaseSettings):
    """How letters leave the service; production refuses plain SMTP and the example sender."""

    model_config = SettingsConfigDict(env_prefix="OSTEOREF_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: SmtpSecurity = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    smtp_ca_file: Path | None = None  # extra CA bundle to trust (a private relay); system CAs otherwise
    mail_sender: str = Field(default=DEVELOPMENT_SENDER, pattern=r"^[^@\s]+@[^@\s]+$")
    mail_policy: MailPolicy = "attach"
    # Practices (as the referral names them in pcp.practice; case and spacing ignored) whose EHR
    # reads referrals from this service's FHIR endpoints; the FHIR channel reaches no one else.
    fhir_practices: list[str] = Field(default_factory=list)
    # Minutes to wait after failed attempt 1, 2, …; one attempt more than entries, then give up.
    delivery_retry_minutes: list[int] = Field(default_factory=lambda: [5, 30, 120, 720], min_length=1)
    delivery_lease_seconds: int = Field(default=300, ge=10, le=3600)

    @model_validator(mode="after")
    def _refuse_unsafe_mail_in_production(self) -> DeliverySettings:
        if any(minutes < 1 for minutes in self.delivery_retry_minutes):
            raise ValueError("OSTEOREF_DELIVERY_RETRY_MINUTES entries must be at least 1")
        if self.environment != "production":
            return self
        if self.smtp_security == "none":
            raise ValueError("production settings refused: OSTEOREF_SMTP_SECURITY=none sends in clear")
        if self.mail_sender == DEVELOPMENT_SENDER:
            raise ValueError("production settings refused: OSTEOREF_MAIL_SENDER is the development default")
        return self

    @property
    def max_attempts(self) -> int:
        """Attempts before a delivery is given up (one more than the waits between them)."""
        return len(self.delivery_retry_minutes) + 1
