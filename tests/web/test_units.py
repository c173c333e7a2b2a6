"""Icon arrays, the production refusal of the development secret, and form ↔ record round trips."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import SecretStr, ValidationError

from api.web.form_fields import default_values
from api.web.form_parse import parse_record, values_from_record
from api.web.labels import percent
from api.web.risk_view import icon_array
from api.web.samples import load_sample, sample_names
from api.web.settings import DEVELOPMENT_SESSION_SECRET, WebSettings
from risk.contract import PatientRecord
from tests.web.flow import SAMPLES


def test_icon_array_splits_the_hundred_people() -> None:
    array = icon_array(12, 0.18, 0.072)
    outcomes = [i.outcome for i in array.icons]
    assert len(outcomes) == 100
    assert (outcomes.count("fracture"), outcomes.count("avoided"), outcomes.count("none")) == (7, 11, 82)
    assert "about 18" in array.summary and "about 7 with" in array.summary


def test_icon_array_without_treatment_estimate() -> None:
    array = icon_array(24, 0.305, None)
    assert [i.outcome for i in array.icons].count("fracture") == 30
    assert "no estimate with treatment" in array.summary


PERCENTS = [(0.0, "0%"), (0.009, "<1%"), (0.01, "1%"), (0.184, "18%"), (None, "—")]


@pytest.mark.parametrize(("p", "text"), PERCENTS)
def test_percent(p: float | None, text: str) -> None:
    assert percent(p) == text


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="development default"):
        WebSettings(environment="production", session_secret=SecretStr(DEVELOPMENT_SESSION_SECRET))
    with pytest.raises(ValidationError, match="≥ 32 characters"):
        WebSettings(environment="production", session_secret=SecretStr("short"))
    assert WebSettings(environment="production", session_secret=SecretStr("k" * 32))


def test_development_accepts_the_default_secret() -> None:
    assert (
        WebSettings(environment="development").session_secret.get_secret_value() == DEVELOPMENT_SESSION_SECRET
    )


@pytest.mark.parametrize("name", sample_names())
def test_every_sample_survives_the_form(name: str) -> None:
    data = load_sample(name)
    assert data is not None
    parsed = parse_record(values_from_record(data, default_values(dt.date.today())))
    assert parsed.errors == {}
    original = json.loads((SAMPLES / f"{name}.json").read_text())
    original.pop("given_name", None)
    original.pop("family_name", None)
    assert parsed.record == PatientRecord.model_validate_json(json.dumps(original))


def test_unknown_sample_is_not_read() -> None:
    assert load_sample("../../pyproject") is None
