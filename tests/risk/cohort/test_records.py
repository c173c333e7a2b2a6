"""A normalised cohort row turns back into the same PatientRecord (the letter run relies on it)."""

from __future__ import annotations

from risk.cohort.records import record_from_row
from tests.risk.factories import make_record, records_to_frame


def test_record_round_trips_through_a_normalised_row() -> None:
    record = make_record(prior_fragility_fractures=2, treated_levels=["T12", "L1"], weight_kg=None)
    row = records_to_frame([record]).to_dict("records")[0]
    assert isinstance(row["prior_fragility_fractures"], float)
    back = record_from_row(row)
    assert back.model_dump() == record.model_dump()
    assert back.prior_fragility_fractures == 2 and back.weight_kg is None
