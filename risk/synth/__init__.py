"""Synthetic post-kyphoplasty cohorts with a known generating model (docs/synthetic-cohort.md)."""

from risk.synth.cohort import SynthCohort, synthesize
from risk.synth.export import write_csv
from risk.synth.outcomes import true_cumulative_incidence
from risk.synth.parameters import PARAMETERS, Parameter, parameter_table_markdown

__all__ = [
    "PARAMETERS",
    "Parameter",
    "SynthCohort",
    "parameter_table_markdown",
    "synthesize",
    "true_cumulative_incidence",
    "write_csv",
]
