"""Assessment form and result, field-level messages, referrals, worklist — over TestClient."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from fastapi.testclient import TestClient

from api.web.form_fields import FIELDS, NAME_FIELDS
from api.web.session import CSRF_FIELD
from risk.contract import PatientRecord
from tests.web.conftest import csrf_of, sign_in
from tests.web.flow import FORM_FIELD, as_form, assess_sample, form_data, refer, sample_form


@pytest.fixture
def clinician(client: TestClient, keys: dict[str, str]) -> TestClient:
    sign_in(client, keys["clinician"])
    return client


def _post_with(client: TestClient, sample: str, **changes: str) -> str:
    html, _ = sample_form(client, sample)
    data = [(k, v) for k, v in form_data(html) if k not in changes] + list(changes.items())
    response = client.post("/web/assess", data=as_form(data))
    assert response.status_code == 422
    return response.text


def _error_of(html: str, field: str) -> str:
    found = re.search(
        rf'<p class="error" id="{field}-error"><span class="visually-hidden">Error: </span>([^<]+)</p>', html
    )
    assert found, f"no message next to {field}"
    return found.group(1)


def test_form_has_an_input_for_every_contract_field_but_names(clinician: TestClient) -> None:
    html = clinician.get("/web/assess").text
    names = set(FORM_FIELD.findall(html)) - {CSRF_FIELD, "sample"}
    assert names == set(PatientRecord.model_fields) - set(NAME_FIELDS)
    assert set(FIELDS) == names


def test_every_input_has_a_label(clinician: TestClient) -> None:
    html = clinician.get("/web/assess").text
    ids = set(re.findall(r'<(?:input|select|textarea) id="([^"]+)"', html))
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    wrapped = set(re.findall(r'<label class="check"><input type="checkbox" id="([^"]+)"', html))
    assert ids <= labelled | wrapped


def test_units_are_shown_beside_fields(clinician: TestClient) -> None:
    html = clinician.get("/web/assess").text
    for unit in ("kg", "cm", "mg/day", "mL/min/1.73 m²", "ng/mL", "HU"):
        assert f'<span class="unit" aria-hidden="true">{unit}</span>' in html


def test_sample_patient_shows_tier_criteria_and_flags(clinician: TestClient) -> None:
    html = assess_sample(clinician, "02-osteoporosis-multiple-vertebral")
    assert "<dd>Very high</dd>" in html
    for code in ("FRAGILITY_VERTEBRAL_FRACTURE", "VH_RECENT_FRACTURE", "VH_MULTIPLE_VERTEBRAL"):
        assert f'id="criterion-{code}"' in html
    assert 'id="flag-ADJACENT_LEVEL_RISK"' in html
    assert "Of 100 people like this patient" in html
    assert 'role="img"' in html


def test_oncology_sample_has_no_risk_but_a_note(clinician: TestClient) -> None:
    html = assess_sample(clinician, "08-oncology-myeloma")
    assert 'id="flag-PATHOLOGICAL_FRACTURE"' in html
    assert "No model risk is given" in html
    assert 'action="/web/referrals"' in html


def test_trauma_sample_has_no_tier_and_its_flags(clinician: TestClient) -> None:
    html = assess_sample(clinician, "09-trauma-review-high-energy")
    assert "<dd>Trauma review</dd>" in html
    assert "None (not the osteoporosis pathway)" in html
    for code in ("NOT_FRAGILITY_FRACTURE", "DXA_RECOMMENDED"):
        assert f'id="flag-{code}"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight_kg", "24.9", "Must be at least 25 kg."),
        ("weight_kg", "250.1", "Must be at most 250 kg."),
        ("weight_kg", "heavy", "Enter a number."),
        ("t_score_femoral_neck", "-7.1", "Must be at least -7 SD."),
        ("falls_last_12_months", "1.5", "Enter a whole number."),
        ("sex", "", "Required."),
        (
            "patient_id",
            "Jane Smith",
            "Use 1–64 letters, digits, dots, underscores or hyphens (never a name).",
        ),
        ("procedure_date", "", "Required."),
    ],
)
def test_validation_message_is_next_to_the_field(
    clinician: TestClient, field: str, value: str, message: str
) -> None:
    html = _post_with(clinician, "01-osteoporosis-very-high-recent", **{field: value})
    assert _error_of(html, field) == message
    assert f'aria-describedby="{field}-error"' in html or f'{field}-hint {field}-error"' in html
    assert f'<a href="#{field}">' in html  # the summary links to the field


def test_cross_field_rule_is_shown_at_its_field(clinician: TestClient) -> None:
    html = _post_with(
        clinician,
        "01-osteoporosis-very-high-recent",
        prior_fragility_fractures="0",
        prior_vertebral_fractures="2",
    )
    assert "must not exceed prior_fragility_fractures" in _error_of(html, "prior_vertebral_fractures")


def test_no_treated_level_is_named(clinician: TestClient) -> None:
    html, _ = sample_form(clinician, "01-osteoporosis-very-high-recent")
    data = [(k, v) for k, v in form_data(html) if k != "treated_levels"]
    response = clinician.post("/web/assess", data=as_form(data))
    assert _error_of(response.text, "treated_levels") == "Choose at least one treated level."


def test_rejected_form_keeps_what_was_typed(clinician: TestClient) -> None:
    html = _post_with(clinician, "01-osteoporosis-very-high-recent", weight_kg="300", height_cm="171")
    assert 'value="300"' in html and 'value="171"' in html


def test_referral_needs_a_pcp_name(clinician: TestClient) -> None:
    result = assess_sample(clinician, "01-osteoporosis-very-high-recent")
    record = re.search(r'name="record" value="([^"]*)"', result)
    assert record
    data = {
        CSRF_FIELD: csrf_of(result),
        "record": html_lib.unescape(record.group(1)),
        "pcp_name": "",
        "referrer_name": "Dr R",
    }
    response = clinician.post("/web/referrals", data=data)
    assert response.status_code == 422
    assert _error_of(response.text, "pcp_name") == "Required."


def test_referral_page_previews_and_serves_letters(clinician: TestClient) -> None:
    referral_id = refer(clinician, assess_sample(clinician, "01-osteoporosis-very-high-recent"))
    page = clinician.get(f"/web/referrals/{referral_id}")
    assert page.status_code == 200
    assert f'src="/web/referrals/{referral_id}/letter.html"' in page.text
    assert 'sandbox=""' in page.text
    assert "Margaret" not in page.text  # names only inside the letter frames
    letter = clinician.get(f"/web/referrals/{referral_id}/letter.html")
    assert "Dr P. Practitioner" in letter.text and "Margaret" in letter.text
    assert "frame-ancestors 'self'" in letter.headers["content-security-policy"]
    pdf = clinician.get(f"/web/referrals/{referral_id}/letter.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert clinician.get(f"/web/referrals/{referral_id}/other.pdf").status_code == 404


def test_mark_as_sent_then_decline_needs_a_reason(clinician: TestClient) -> None:
    referral_id = refer(clinician, assess_sample(clinician, "01-osteoporosis-very-high-recent"))
    token = csrf_of(clinician.get(f"/web/referrals/{referral_id}").text)
    moved = clinician.post(f"/web/referrals/{referral_id}/status", data={CSRF_FIELD: token, "to": "sent"})
    assert moved.status_code == 303
    assert '<dd id="referral-status">Sent</dd>' in clinician.get(f"/web/referrals/{referral_id}").text
    refused = clinician.post(
        f"/web/referrals/{referral_id}/status", data={CSRF_FIELD: token, "to": "declined"}
    )
    assert refused.status_code == 422
    assert "a reason is required" in refused.text
    again = clinician.post(f"/web/referrals/{referral_id}/status", data={CSRF_FIELD: token, "to": "draft"})
    assert again.status_code == 409
    reason = {CSRF_FIELD: token, "to": "declined", "reason": "PCP prefers local clinic"}
    assert clinician.post(f"/web/referrals/{referral_id}/status", data=reason).status_code == 303
    assert "PCP prefers local clinic" in clinician.get(f"/web/referrals/{referral_id}").text


def test_unknown_referral_is_a_404_page(clinician: TestClient) -> None:
    response = clinician.get("/web/referrals/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert "<h1>Error 404</h1>" in response.text


def test_worklist_lists_filters_and_searches_by_post(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["clinician"])
    referral_id = refer(client, assess_sample(client, "04-osteoporosis-denosumab-overdue"))
    client.cookies.clear()
    token = sign_in(client, keys["coordinator"])
    page = client.get("/web/worklist", params={"status": "draft", "priority": "urgent"})
    assert f"/web/referrals/{referral_id}" in page.text
    assert "Urgent" in page.text
    assert f"/web/referrals/{referral_id}" not in client.get("/web/worklist", params={"status": "sent"}).text
    found = client.post("/web/worklist/search", data={CSRF_FIELD: token, "patient_id": "SAMPLE-04"})
    assert found.status_code == 200
    section = found.text[found.text.index('id="search-title"') : found.text.index('id="late-title"')]
    assert f"/web/referrals/{referral_id}" in section
    none = client.post("/web/worklist/search", data={CSRF_FIELD: token, "patient_id": "SAMPLE-99"})
    assert "No referral for this patient ID." in none.text


def test_security_headers_on_pages(clinician: TestClient) -> None:
    response = clinician.get("/web/assess")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
