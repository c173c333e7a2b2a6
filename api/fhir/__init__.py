"""FHIR R4 in and out: Bundle → PatientRecord with a report, and the RiskAssessment Bundle back."""
