"""Shared synthetic cohorts: generated once per session, they are deterministic."""

from __future__ import annotations

import pytest

from risk.synth import SynthCohort, synthesize


@pytest.fixture(scope="session")
def synth20k() -> SynthCohort:
    return synthesize(20_000, seed=11)


@pytest.fixture(scope="session")
def synth_small() -> SynthCohort:
    return synthesize(2_000, seed=3)
