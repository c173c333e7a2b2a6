"""The artefact file round-trips, and a wrong or corrupt file fails with a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from risk.errors import ModelArtefactError
from risk.model.artefact import load_artefact, save_artefact
from risk.model.scorer import RefractureModel

SHIPPED = Path(__file__).resolve().parents[3] / "models" / "refracture.json"


def test_round_trip_keeps_every_number(tmp_path: Path) -> None:
    artefact = load_artefact(SHIPPED)
    save_artefact(artefact, tmp_path / "copy.json")
    assert load_artefact(tmp_path / "copy.json") == artefact


def test_shipped_artefact_carries_provenance_and_validation() -> None:
    artefact = load_artefact(SHIPPED)
    assert artefact.model_name == "osteoref-refracture"
    assert len(artefact.training_data.sha256) == 64
    assert artefact.training_data.rows == 5000
    assert artefact.horizons_months == [12, 24]
    assert artefact.validation is not None
    assert {m.months for m in artefact.validation.overall} == {12, 24}


def _corrupted(tmp_path: Path, change: dict[str, object]) -> Path:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": 2}, "format_version"),
        ({"model_name": "other"}, "model_name"),
        ({"features": []}, "feature"),
        ({"horizons_months": [12]}, "horizons"),
    ],
)
def test_wrong_content_raises_model_artefact_error(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ModelArtefactError, match=message):
        RefractureModel.load(_corrupted(tmp_path, change))


def test_truncated_file_raises_model_artefact_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(SHIPPED.read_text(encoding="utf-8")[:500], encoding="utf-8")
    with pytest.raises(ModelArtefactError, match="not a valid"):
        load_artefact(path)


def test_missing_file_raises_model_artefact_error(tmp_path: Path) -> None:
    with pytest.raises(ModelArtefactError, match="cannot be read"):
        load_artefact(tmp_path / "absent.json")
