"""Builders of the FHIR resources osteoref emits (pure functions returning JSON dicts)."""
