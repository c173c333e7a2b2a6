"""Steps of the clinician and coordinator flows over TestClient (shared by the page tests)."""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any

from fastapi.testclient import TestClient

from api.settings import PROJECT_ROOT
from api.web.session import CSRF_FIELD
from tests.web.conftest import csrf_of

SAMPLES = PROJECT_ROOT / "data" / "sample" / "patients"
FORM_FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.S)
REFERRAL_LINK = re.compile(r"/web/referrals/([0-9a-f-]{36})")


def sample(name: str) -> dict[str, Any]:
    """The JSON of a sample patient."""
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return data


def sample_form(client: TestClient, name: str) -> tuple[str, str]:
    """The assessment form with a sample loaded: (html, csrf token)."""
    response = client.get("/web/assess", params={"sample": name})
    assert response.status_code == 200
    return response.text, csrf_of(response.text)


def form_data(html: str) -> list[tuple[str, str]]:
    """The values a browser would submit from the page's record form (inputs, selects, checkboxes)."""
    form = html[html.index('action="/web/assess" novalidate') :]
    form = form[: form.index("</form>")]
    data: list[tuple[str, str]] = []
    for tag in re.finditer(r"<input[^>]*>", form):
        text = tag.group(0)
        name, value = _attr(text, "name"), _attr(text, "value")
        if name is None or ('type="checkbox"' in text and " checked" not in text):
            continue
        data.append((name, value or ""))
    for select in re.finditer(r'<select id="[^"]+" name="([^"]+)".*?</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
        first = re.search(r'<option value="([^"]*)"', select.group(0))
        value = chosen.group(1) if chosen else (first.group(1) if first else "")
        data.append((select.group(1), value))
    return data


def as_form(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Pairs (repeated names allowed) as the mapping httpx posts as a form."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _attr(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return found.group(1) if found else None


def assess_sample(client: TestClient, name: str) -> str:
    """Load a sample into the form and submit it as a browser would; the result page HTML."""
    html, _ = sample_form(client, name)
    response = client.post("/web/assess", data=as_form(form_data(html)))
    assert response.status_code == 200, response.text
    return response.text


def refer(client: TestClient, result_html: str, pcp_name: str = "Dr P. Practitioner") -> str:
    """Create the referral from a result page; its UUID."""
    record = re.search(r'name="record" value="([^"]*)"', result_html)
    key = re.search(r'name="idempotency_key" value="([^"]*)"', result_html)
    assert record and key
    data = {
        CSRF_FIELD: csrf_of(result_html),
        "record": html_lib.unescape(record.group(1)),
        "idempotency_key": key.group(1),
        "given_name": "Margaret",
        "family_name": "Example",
        "pcp_name": pcp_name,
        "pcp_address": "1 Surgery Lane\nExampletown",
        "referrer_name": "Dr R. Surgeon",
    }
    response = client.post("/web/referrals", data=data)
    assert response.status_code == 303, response.text
    found = REFERRAL_LINK.fullmatch(response.headers["location"])
    assert found
    return found.group(1)
