"""Typed settings, read once from the environment (prefix ``OSTEOREF_``) and never again.

``Settings`` is the one settings object of the service: its sections (web, CDS, delivery,
acknowledgements, reminders) are each defined by their package and read from the same
``OSTEOREF_*`` variables when ``Settings()`` is made, so ``create_app(settings)`` controls all.
Production refuses to start with development defaults (an unset letterhead, the
embedded SQLite database, a development admin key), so a misconfigured deployment
fails loudly instead of sending letters from "Example Spine Clinic".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.ack.settings import AckSettings
from api.cds.settings import CdsSettings
from api.delivery.settings import DeliverySettings
from api.reminders.settings import ReminderSettings
from api.web.settings import WebSettings
from risk.rules.config import RuleConfig

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL_PATH = PROJECT_ROOT / "models" / "refracture.json"
DEVELOPMENT_ORGANISATION = "Example Spine Clinic (development settings)"


class Settings(BaseSettings):
    """Every tunable of the service; see README 'Configuration'."""

    model_config = SettingsConfigDict(env_prefix="OSTEOREF_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    model_path: Path = DEFAULT_MODEL_PATH
    high_model_risk_threshold: float = Field(default=0.20, gt=0, lt=1)
    relative_risk_antiresorptive: float = Field(default=0.40, gt=0, le=1)
    relative_risk_anabolic: float = Field(default=0.25, gt=0, le=1)
    batch_max_records: int = Field(default=1000, ge=1, le=100_000)

    database_url: str = "sqlite:///./osteoref.db"
    pdf_workers: int = Field(default=2, ge=1, le=64)
    public_base_url: str = "http://127.0.0.1:8000"
    fhir_lookback_months: int = Field(default=24, ge=1, le=240)
    log_json: bool = False
    # 16 MiB: a 1,000-record batch is ~0.5 MB and Synthea's patient Bundles 1-5 MB; the cap
    # keeps a hostile body from being held or parsed (api/body_limit.py).
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024)
    # Failed authentications per source (client address) and window before 429 (api/auth/throttle.py).
    auth_failure_limit: int = Field(default=30, ge=1, le=100_000)
    auth_failure_window_seconds: int = Field(default=60, ge=1, le=3600)

    letterhead_organisation: str = DEVELOPMENT_ORGANISATION
    letterhead_address: list[str] = Field(default_factory=lambda: ["1 Example Road", "Exampletown"])
    letterhead_phone: str = "000 000 0000"
    letterhead_email: str = "spine-clinic@example.org"
    sender_name: str = "Dr A. Example"
    sender_role: str = "Consultant spine surgeon"
    sender_service: str = "Spine clinic / fracture liaison service"

    web: WebSettings = Field(default_factory=WebSettings)
    cds: CdsSettings = Field(default_factory=CdsSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    ack: AckSettings = Field(default_factory=AckSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)

    @model_validator(mode="after")
    def _refuse_development_defaults_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.letterhead_organisation == DEVELOPMENT_ORGANISATION:
            problems.append("OSTEOREF_LETTERHEAD_ORGANISATION is the development default")
        if self.database_url.startswith("sqlite:///./"):
            problems.append("OSTEOREF_DATABASE_URL is the embedded development database")
        if problems:
            raise ValueError("production settings refused: " + "; ".join(problems))
        return self

    def rule_config(self) -> RuleConfig:
        """The rule thresholds these settings configure."""
        return RuleConfig(
            high_model_risk_threshold=self.high_model_risk_threshold,
            relative_risk_antiresorptive=self.relative_risk_antiresorptive,
            relative_risk_anabolic=self.relative_risk_anabolic,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (tests override via dependency_overrides)."""
    return Settings()
