"""One record: JSON validation + rules + model + explanation, beside the bare linear predictor.

Run: uv run python benchmarks/bench_single.py [--n 20000]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable

from api.json_policy import decode_json
from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.contract import PatientRecord
from risk.rules.config import RuleConfig

RECORD = {
    "patient_id": "BENCH-1",
    "sex": "female",
    "birth_date": "1948-05-17",
    "procedure_date": "2024-03-01",
    "assessment_date": "2024-03-15",
    "treated_levels": ["T12", "L1"],
    "t_score_femoral_neck": -2.8,
    "prior_fragility_fractures": 1,
    "weight_kg": 58.0,
    "height_cm": 160.0,
    "current_smoker": True,
}


def median_us(call: Callable[[], object], n: int, repeats: int = 5) -> float:
    """Median over repeats of the mean time per call, in microseconds."""
    call()
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(n):
            call()
        runs.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(runs)


def bare_predictor(n_terms: int) -> Callable[[], float]:
    """Plain-Python logistic over as many terms as the model has: the floor."""
    weights = [0.01 * (i + 1) for i in range(n_terms)]
    values = [float(i % 7) for i in range(n_terms)]

    def predict() -> float:
        z = sum(w * x for w, x in zip(weights, values, strict=True)) - 1.0
        return 1.0 / (1.0 + math.exp(-z))

    return predict


def _api_work(assessor: Assessor, body: bytes) -> object:
    decode_json(body)
    return assessor.assess_payload(PatientRecord.model_validate_json(body))


def main() -> None:
    """Print each figure with its ratio to the bare predictor measured in this run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    n = parser.parse_args().n
    assessor = Assessor.load(DEFAULT_MODEL_PATH, RuleConfig())
    body = json.dumps(RECORD).encode()
    record = PatientRecord.model_validate_json(body)
    n_terms = len(assessor.model.artefact.horizon(12).coefficients)
    floor = median_us(bare_predictor(n_terms), n)
    figures = {
        f"bare linear predictor ({n_terms} terms, math.exp)": floor,
        "model_validate_json only": median_us(lambda: PatientRecord.model_validate_json(body), n),
        "assess_payload(record) (rules + model + explanation)": median_us(
            lambda: assessor.assess_payload(record), n
        ),
        "assess(record) (+ typed, validated Assessment)": median_us(lambda: assessor.assess(record), n),
        "decode_json only (the JSON policy)": median_us(lambda: decode_json(body), n),
        "validate + assess_payload (before the policy)": median_us(
            lambda: assessor.assess_payload(PatientRecord.model_validate_json(body)), n
        ),
        "policy + validate + assess_payload (the API's work)": median_us(
            lambda: _api_work(assessor, body), n
        ),
    }
    for name, value in figures.items():
        print(f"{name:<52} {value:9.2f} µs   ×{value / floor:7.1f} of bare")


if __name__ == "__main__":
    main()
