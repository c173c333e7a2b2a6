"""The calibrated re-fracture model: features, training, artefact, hand scorer and validation."""

from risk.model.artefact import Artefact, load_artefact, save_artefact
from risk.model.develop import train_from_frame
from risk.model.plots import write_calibration_plot
from risk.model.report import ValidationReport
from risk.model.scorer import BatchOutput, FeatureContribution, ModelOutput, RefractureModel
from risk.model.validation import validate_model

__all__ = [
    "Artefact",
    "BatchOutput",
    "FeatureContribution",
    "ModelOutput",
    "RefractureModel",
    "ValidationReport",
    "load_artefact",
    "save_artefact",
    "train_from_frame",
    "validate_model",
    "write_calibration_plot",
]
