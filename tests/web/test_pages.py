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


def test_oncology_sample_has_no_risk_and_offers_a_notification_not_a_referral(clinician: TestClient) -> None:
    html = assess_sample(clinician, "08-oncology-myeloma")
    assert 'id="flag-PATHOLOGICAL_FRACTURE"' in html
    assert "No model risk is given" in html
    assert "Create referral" not in html and "Refer to the PCP</h2>" not in html
    assert ">Create the notification</button>" in html and "No osteoporosis referral is made" in html


def test_trauma_sample_offers_a_note_not_a_referral(clinician: TestClient) -> None:
    html = assess_sample(clinician, "09-trauma-review-high-energy")
    assert "Create referral" not in html
    assert ">Create the note</button>" in html


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


def _post_referral(client: TestClient, **fields: str) -> tuple[int, str]:
    """Post the referral form of sample 01's result with ``fields``; (status, page)."""
    result = assess_sample(client, "01-osteoporosis-very-high-recent")
    record = re.search(r'name="record" value="([^"]*)"', result)
    assert record
    data = {CSRF_FIELD: csrf_of(result), "record": html_lib.unescape(record.group(1)), **fields}
    response = client.post("/web/referrals", data=data)
    return response.status_code, response.text


def test_referral_needs_a_pcp_name(clinician: TestClient) -> None:
    status, text = _post_referral(clinician, pcp_name="", referrer_name="Dr R")
    assert status == 422
    assert _error_of(text, "pcp_name") == "Required."


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


def _status_post(client: TestClient, referral_id: str, token: str, **fields: str) -> str:
    response = client.post(f"/web/referrals/{referral_id}/status", data={CSRF_FIELD: token, **fields})
    return f"{response.status_code} {response.text}"


def _status(client: TestClient, referral_id: str) -> str:
    found = re.search(
        r'<dd id="referral-status">([^<]+)</dd>', client.get(f"/web/referrals/{referral_id}").text
    )
    assert found
    return found.group(1)


def test_mark_as_sent_then_decline_needs_a_reason_and_a_confirmation(clinician: TestClient) -> None:
    referral_id = refer(clinician, assess_sample(clinician, "01-osteoporosis-very-high-recent"))
    token = csrf_of(clinician.get(f"/web/referrals/{referral_id}").text)
    assert _status_post(clinician, referral_id, token, to="sent").startswith("303")
    assert _status(clinician, referral_id) == "Sent"
    refused = _status_post(clinician, referral_id, token, to="declined")
    assert refused.startswith("422") and "Give a reason" in refused
    assert _status_post(clinician, referral_id, token, to="draft").startswith("409")
    asked = _status_post(clinician, referral_id, token, to="declined", reason="PCP prefers local clinic")
    assert asked.startswith("200") and "Yes, record the decline" in asked
    assert _status(clinician, referral_id) == "Sent"  # asking is not doing
    done = _status_post(
        clinician, referral_id, token, to="declined", reason="PCP prefers local clinic", confirm="yes"
    )
    assert done.startswith("303")
    assert "PCP prefers local clinic" in clinician.get(f"/web/referrals/{referral_id}").text


def test_status_list_has_no_default_and_cancel_needs_reason_and_confirmation(clinician: TestClient) -> None:
    referral_id = refer(clinician, assess_sample(clinician, "01-osteoporosis-very-high-recent"))
    page = clinician.get(f"/web/referrals/{referral_id}").text
    select = page[page.index('<select id="to"') : page.index("</select>", page.index('<select id="to"'))]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "sent", "cancelled"]
    assert '<option value="" selected>' in select  # a bare "Change status" post changes nothing
    token = csrf_of(page)
    empty = _status_post(clinician, referral_id, token, to="")
    assert empty.startswith("422") and "Choose the new status" in empty
    no_reason = _status_post(clinician, referral_id, token, to="cancelled")
    assert no_reason.startswith("422") and "Give a reason" in no_reason
    asked = _status_post(clinician, referral_id, token, to="cancelled", reason="duplicate")
    assert (
        asked.startswith("200") and "Cancel this referral?" in asked and "Yes, cancel the referral" in asked
    )
    assert 'name="confirm" value="yes"' in asked
    assert _status(clinician, referral_id) == "Draft"
    _status_post(clinician, referral_id, token, to="cancelled", reason="duplicate", confirm="yes")
    assert _status(clinician, referral_id) == "Cancelled"


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


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-02-30", "2024-02-30 is not a real date: check the month and the day."),
        ("02/30/2024", "Enter the date as YYYY-MM-DD, for example 2024-03-05."),
        ("30.02.2024", "Enter the date as YYYY-MM-DD, for example 2024-03-05."),
    ],
)
def test_impossible_or_foreign_date_is_a_field_error_never_a_default(
    clinician: TestClient, value: str, message: str
) -> None:
    html = _post_with(clinician, "01-osteoporosis-very-high-recent", fracture_date=value)
    assert _error_of(html, "fracture_date") == message
    assert f'value="{value}"' in html  # shown back as typed


def test_blank_optional_date_takes_the_documented_default(clinician: TestClient) -> None:
    html, _ = sample_form(clinician, "01-osteoporosis-very-high-recent")
    data = [(k, v) for k, v in form_data(html) if k != "fracture_date"] + [("fracture_date", "")]
    assert clinician.post("/web/assess", data=as_form(data)).status_code == 200


def test_a_field_missing_from_the_post_is_an_error_not_a_default(clinician: TestClient) -> None:
    html, _ = sample_form(clinician, "01-osteoporosis-very-high-recent")
    data = [(k, v) for k, v in form_data(html) if k != "fracture_date"]
    response = clinician.post("/web/assess", data=as_form(data))
    assert response.status_code == 422
    assert "not sent with the form" in _error_of(response.text, "fracture_date")


def test_dates_are_text_inputs_in_iso_form(clinician: TestClient) -> None:
    html = clinician.get("/web/assess").text
    assert 'type="date"' not in html
    assert html.count('placeholder="YYYY-MM-DD"') == sum(f.widget == "date" for f in FIELDS.values())


def test_pcp_email_is_validated(clinician: TestClient) -> None:
    status, text = _post_referral(clinician, pcp_name="Dr P", pcp_email="not-an-email", referrer_name="Dr R")
    assert status == 422
    assert "not a valid email address" in _error_of(text, "pcp_email")


def test_contributions_read_as_a_clinician_writes_them(clinician: TestClient) -> None:
    html = assess_sample(clinician, "02-osteoporosis-multiple-vertebral")
    rows = dict(re.findall(r'<tr id="input-(\w+)"><th scope="row">[^<]+</th>\s*<td>([^<]+)', html))
    assert rows["female"] in ("female", "male")
    assert rows["treated_after_procedure"] == "no"
    assert rows["vitamin_d_low"] in ("yes", "no", "not recorded (the model used a typical value)")
    assert ">Sex</th>" in html and ">Vitamin D below 20 ng/mL</th>" in html
    assert "the risk shown is the risk without treatment" in html
    assert ">Female</th>" not in html and ">Bmi</th>" not in html and ">Tl junction</th>" not in html


def test_criteria_lead_with_words_and_keep_their_code(clinician: TestClient) -> None:
    html = assess_sample(clinician, "02-osteoporosis-multiple-vertebral")
    assert '<li id="criterion-VH_MULTIPLE_VERTEBRAL"><p>Two or more vertebral fractures. ' in html
    assert '<span class="code">(VH_MULTIPLE_VERTEBRAL)</span>' in html


def test_risk_numbers_lead_the_summary_and_a_low_model_risk_is_explained(clinician: TestClient) -> None:
    html = assess_sample(clinician, "01-osteoporosis-very-high-recent")
    summary = html[html.index('id="summary-title"') : html.index('id="criteria-title"')]
    assert "Risk of a new vertebral fracture without treatment:" in summary
    assert "Why the tier is very high while the model risk is" in summary
    assert "the model estimates only the chance of a new vertebral fracture" in summary
