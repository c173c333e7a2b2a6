"""FHIR Bundle → PatientRecord mapping, one small module per resource type."""

from api.fhir.mapping.bundle import map_bundle
from api.fhir.mapping.report import Found, Ignored, MappingReport, MappingResult

__all__ = ["Found", "Ignored", "MappingReport", "MappingResult", "map_bundle"]
