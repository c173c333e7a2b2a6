"""The versioned JSON model artefact: everything the hand scorer needs, checked on load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from risk.errors import ModelArtefactError
from risk.model.features import COLUMN_NAMES, INPUTS
from risk.model.report import HorizonMetrics, ValidationReport
from risk.whole_file import write_whole

FORMAT_VERSION = 1
MODEL_NAME = "osteoref-refracture"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FeatureEntry(_Strict):
    """One design column: its input, the contract fields behind it, transform and imputation."""

    name: str
    input: str
    sources: list[str]
    transform: str
    imputation: str


class InputImputation(_Strict):
    """The learned fill of one input (median or prevalence, and the linear fit if any)."""

    input: str
    rule: str
    value: float
    fit_from: str | None = None
    fit_intercept: float | None = None
    fit_slope: float | None = None


class HorizonModel(_Strict):
    """One horizon's logistic model on the standardised scale."""

    months: int
    penalty_c: float
    intercept: float
    coefficients: list[float]
    scaler_mean: list[float]
    scaler_scale: list[float]

    @model_validator(mode="after")
    def _same_lengths(self) -> HorizonModel:
        sizes = {len(self.coefficients), len(self.scaler_mean), len(self.scaler_scale)}
        if sizes != {len(COLUMN_NAMES)}:
            raise ValueError(f"horizon {self.months}: expected {len(COLUMN_NAMES)} terms")
        if any(s <= 0 for s in self.scaler_scale):
            raise ValueError(f"horizon {self.months}: scaler scales must be positive")
        return self


class TrainingData(_Strict):
    """Provenance of the training rows."""

    sha256: str  # of the training file's bytes (of the frame when trained from memory)
    fingerprint: str | None = None  # risk.model.fingerprint: the same on the scored file
    rows: int
    rows_used: int
    fractures: int
    deaths: int
    censored: int


class Recalibration(_Strict):
    """How a site recalibration was fitted and checked (risk.scale.recalibrate)."""

    site: str
    method: str
    base_model_version: str
    seed: int
    fit_rows: int
    holdout_rows: int
    coefficients: list[dict[str, float]]  # per horizon: months, intercept a, slope b
    before: list[HorizonMetrics]  # the base model on the held-out rows
    after: list[HorizonMetrics]  # this artefact on the same held-out rows
    worse_than_base: bool
    forced: bool  # written with --force although worse_than_base


class Artefact(_Strict):
    """The whole model file (format version 1)."""

    format_version: Literal[1]
    model_name: Literal["osteoref-refracture"]
    model_version: str
    created: dt.datetime
    training_data: TrainingData
    horizons_months: list[int]
    features: list[FeatureEntry]
    imputation: list[InputImputation]
    models: list[HorizonModel]
    validation: ValidationReport | None = None
    recalibration: Recalibration | None = None

    @model_validator(mode="after")
    def _matches_code(self) -> Artefact:
        names = [f.name for f in self.features]
        if names != list(COLUMN_NAMES):
            raise ValueError(f"features {names} do not match this code's table {COLUMN_NAMES}")
        if {i.input for i in self.imputation} != {i.name for i in INPUTS}:
            raise ValueError("imputation does not cover exactly this code's inputs")
        if [m.months for m in self.models] != self.horizons_months:
            raise ValueError("models do not match horizons_months")
        return self

    def horizon(self, months: int) -> HorizonModel:
        """The model of one horizon."""
        for model in self.models:
            if model.months == months:
                return model
        raise ModelArtefactError(f"artefact has no {months}-month model")


def save_artefact(artefact: Artefact, path: Path) -> None:
    """Write the artefact as indented JSON (whole: an interrupted --force never leaves half a model)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, (artefact.model_dump_json(indent=1) + "\n").encode("utf-8"))


def load_artefact(path: Path) -> Artefact:
    """Read and check an artefact; any problem raises ``ModelArtefactError`` naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelArtefactError(f"model artefact {path} cannot be read: {exc}") from exc
    try:
        return Artefact.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(file)"
        raise ModelArtefactError(
            f"model artefact {path} is not a valid format-{FORMAT_VERSION} "
            f"{MODEL_NAME} file: {where}: {first['msg']} ({exc.error_count()} problem(s))"
        ) from exc
