"""The model the app loaded at start-up, or why it could not (the app serves anyway; scoring is 503)."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from api.settings import Settings
from risk.assess import Assessor
from risk.errors import ModelNotLoaded, OsteorefError

# The logger name the model_loaded / model_load_failed events had when api.main loaded the model.
log = structlog.get_logger("api.main")


@dataclass(frozen=True)
class LoadedModel:
    """The loaded Assessor, or ``None`` and the reason loading failed."""

    assessor: Assessor | None
    error: str | None = None

    def require(self) -> Assessor:
        """The Assessor; ModelNotLoaded (503) if loading failed."""
        if self.assessor is None:
            raise ModelNotLoaded(f"no model loaded: {self.error}")
        return self.assessor


def load_model(settings: Settings) -> LoadedModel:
    """Load the configured model; a failure is logged and kept, not raised (readiness reports it)."""
    try:
        assessor = Assessor.load(settings.model_path, settings.rule_config())
    except (OsteorefError, OSError) as exc:
        log.error("model_load_failed", error_type=type(exc).__name__)
        return LoadedModel(None, str(exc))
    info = assessor.model_info
    log.info("model_loaded", model_name=info.name, model_version=info.version)
    return LoadedModel(assessor)
