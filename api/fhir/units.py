"""Lab and vital-sign units → the contract's unit, as data (api/fhir/data/units.csv); unknown: None."""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files


def _key(unit: str) -> str:
    # Case and spaces are not meaningful in the spellings labs send ("mL/min/1.73 m2", "ML/MIN").
    return "".join(unit.split()).lower()


@cache
def unit_table() -> dict[tuple[str, str], float]:
    """(quantity kind, normalised unit) → factor to the contract unit."""
    text = files("api.fhir").joinpath("data", "units.csv").read_text(encoding="utf-8")
    return {(r["quantity"], _key(r["unit"])): float(r["factor"]) for r in csv.DictReader(text.splitlines())}


def to_contract_unit(quantity: str, value: float, unit: str) -> float | None:
    """``value`` in the contract unit of ``quantity``, or None if the unit is not in the table."""
    factor = unit_table().get((quantity, _key(unit)))
    return None if factor is None else value * factor


# Binary floats leave residues (50 nmol/L x 0.4 = 20.000000000000004 ng/mL) that could tip a value
# at a threshold either way; nine decimals remove them and keep every digit a lab reports. Rounding
# to two decimals, as this once did, moved 8.497 mg/dL calcium onto 8.5 and lost HYPOCALCAEMIA.
NOISE_DECIMALS = 9


def without_float_noise(value: float) -> float:
    """``value`` with binary rounding residues removed, every reported digit kept."""
    return round(value, NOISE_DECIMALS)
