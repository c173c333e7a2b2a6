"""The PCP's acknowledgement round trip in headless Chromium on a phone-sized screen.

A real uvicorn sends the letter by e-mail to a real SMTP server (aiosmtpd on loopback); the
test opens the link from the e-mail as the PCP would, and checks what each step shows.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.api.delivery.smtp_server import Recorder, smtp_server
from tests.web.browser import Server, axe_violations, running_server, shot

pytestmark = [pytest.mark.slow, pytest.mark.browser]
SAMPLE = (
    Path(__file__).parents[2] / "data" / "sample" / "patients" / "02-osteoporosis-multiple-vertebral.json"
)
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def mail() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        yield recorder, port


@pytest.fixture(scope="module")
def mailing_server(tmp_path_factory: pytest.TempPathFactory, mail: tuple[Recorder, int]) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('ack-db') / 'ack.db'}"
    env = {
        "OSTEOREF_SMTP_PORT": str(mail[1]),
        "OSTEOREF_SMTP_SECURITY": "none",
        "OSTEOREF_SMTP_TIMEOUT_SECONDS": "5",
    }
    with running_server(url, env) as running:
        yield running


def _emailed_link(server: Server, recorder: Recorder) -> tuple[str, str]:
    headers = {"Authorization": f"Bearer {server.keys['clinician']}"}
    patient = json.loads(SAMPLE.read_text()) | {"given_name": "Dorothy", "family_name": "Example"}
    body = {
        "patient": patient,
        "pcp": {"name": "Dr P. Pemberton", "practice": "Elm Street Surgery", "email": "gp@elm.example"},
        "referrer": {"name": "Dr R. R."},
    }
    created = httpx.post(f"{server.base_url}/v1/referrals", json=body, headers=headers, timeout=60)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    queued = httpx.post(
        f"{server.base_url}/v1/referrals/{rid}/deliveries",
        json={"channel": "email"},
        headers=headers,
        timeout=60,
    )
    assert queued.status_code == 202, queued.text
    deadline = time.monotonic() + 60
    while not recorder.messages and time.monotonic() < deadline:
        time.sleep(0.1)  # the e-mail is sent by the server's background task
    [message] = recorder.messages
    found = re.search(r"http://127\.0\.0\.1:\d+/a/[0-9A-Z]{24}", message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert found, "no acknowledgement link in the e-mail"
    return rid, found.group(0)


def test_pcp_confirms_the_practice_and_reports_a_treatment_start(
    browser: Browser, mailing_server: Server, mail: tuple[Recorder, int]
) -> None:
    rid, link = _emailed_link(mailing_server, mail[0])
    # The letter went to 127.0.0.1 at the default public base URL's port; use this server's.
    link = re.sub(r"http://127\.0\.0\.1:\d+", mailing_server.base_url, link)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page: Page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(link)
        expect(page.locator("#initials")).to_have_text("D.E.")
        expect(page.locator("#birth-year")).to_have_text("1944")
        assert "Dorothy" not in page.content() and "SAMPLE-02" not in page.content()
        assert axe_violations(page) == []
        shot(page, "ack-01-start")
        page.get_by_label(re.compile("I work at Elm Street Surgery")).check()
        page.get_by_role("button", name="Confirm and continue").click()
        expect(page.locator("#patient-name")).to_have_text("Dorothy Example")
        assert axe_violations(page) == []
        page.get_by_role("radio", name="Treatment started", exact=True).check()
        page.get_by_label("Drug").select_option("zoledronic_acid")
        page.get_by_label("Start date").fill("2023-10-02")
        shot(page, "ack-02-answer")
        page.get_by_role("button", name="Send answer").click()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        round_trip = time.perf_counter() - started
        print(f"acknowledgement round trip in Chromium: {round_trip:.2f} s (4 pages)")
        page.goto(link)
        expect(page.get_by_role("heading", name="Already answered")).to_be_visible()
    finally:
        context.close()
    headers = {"Authorization": f"Bearer {mailing_server.keys['clinician']}"}
    detail = httpx.get(f"{mailing_server.base_url}/v1/referrals/{rid}", headers=headers, timeout=30).json()
    assert detail["status"] == "treatment_started"
    assert [e["to_status"] for e in detail["events"]] == [
        "draft",
        "sent",
        "acknowledged",
        "treatment_started",
    ]
