"""Tests of the synthetic cohort generator."""
