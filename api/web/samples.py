"""The illustrative sample patients (data/sample/patients) offered on the assessment form."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from api.settings import PROJECT_ROOT

SAMPLES_DIR = PROJECT_ROOT / "data" / "sample" / "patients"


@lru_cache(maxsize=1)
def sample_names() -> tuple[str, ...]:
    """File stems of the sample patients, in order (e.g. ``01-osteoporosis-very-high-recent``)."""
    return tuple(sorted(p.stem for p in SAMPLES_DIR.glob("*.json")))


def load_sample(name: str) -> dict[str, Any] | None:
    """The JSON of one sample (names are left out: they are asked for only in the referral)."""
    if name not in sample_names():  # only known stems ever reach the disk
        return None
    data: dict[str, Any] = json.loads((SAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in ("given_name", "family_name")}
