"""End to end in headless Chromium against a real uvicorn: assess, refer, PDF, worklist, accessibility."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect
from pypdf import PdfReader

from tests.web.browser import Server, axe_violations, shot

pytestmark = [pytest.mark.slow, pytest.mark.browser]
SAMPLE = "02-osteoporosis-multiple-vertebral"
PATIENT_ID = "SAMPLE-02"
PCP = "Dr Philippa Pemberton"


def sign_in(page: Page, key: str) -> None:
    """Sign in with the keyboard only: type the key, press Enter."""
    page.goto("/web/sign-in")
    page.get_by_label("API key").fill(key)
    page.get_by_label("API key").press("Enter")
    page.wait_for_load_state()


def assess_sample(page: Page, name: str = SAMPLE) -> None:
    page.goto("/web/assess")
    page.get_by_label("Try a sample patient").select_option(name)
    page.get_by_role("button", name="Load sample").click()
    page.get_by_role("button", name="Assess", exact=True).click()
    expect(page.get_by_role("heading", name="Assessment result")).to_be_visible()


def create_referral(page: Page) -> str:
    page.get_by_label("Given name").fill("Dorothy")
    page.get_by_label("Family name").fill("Example")
    page.locator("#pcp_name").fill(PCP)
    page.get_by_label("Address", exact=True).fill("1 Elm Street\nExampletown")
    page.get_by_role("button", name="Create referral").click()
    expect(page.get_by_role("heading", name="Referral", exact=True)).to_be_visible()
    found = re.search(r"/web/referrals/([0-9a-f-]{36})$", page.url)
    assert found
    return found.group(1)


def test_clinician_refers_and_coordinator_sends(page: Page, server: Server, tmp_path: Path) -> None:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    sign_in(page, server.keys["clinician"])
    assess_sample(page)
    expect(page.locator(".summary")).to_contain_text("Very high")
    for code in ("VH_MULTIPLE_VERTEBRAL", "VH_RECENT_FRACTURE"):
        expect(page.locator(f"#criterion-{code}")).to_be_visible()
    expect(page.locator("#flag-ADJACENT_LEVEL_RISK")).to_contain_text("Information")
    expect(page.get_by_role("img", name=re.compile("Of 100 people like this patient"))).to_have_count(2)
    shot(page, "01-result")
    referral_id = create_referral(page)
    letter = page.frame_locator("iframe[title='Preview of the letter to the PCP']")
    expect(letter.locator("body")).to_contain_text(PCP)
    shot(page, "02-referral")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letter to the PCP (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert PCP in text
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    sign_in(page, server.keys["coordinator"])
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    page.get_by_label("Patient ID").fill(PATIENT_ID)
    page.get_by_role("button", name="Search").click()
    shot(page, "03-worklist-search")
    search = page.locator("section", has=page.locator("#search-title"))
    search.get_by_role("link", name=PATIENT_ID).first.click()
    assert page.url.endswith(referral_id)
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.locator("#referral-status")).to_have_text("Sent")
    shot(page, "04-sent")
    assert not [u for u in urls if PATIENT_ID in u or "Dorothy" in u]


def test_pages_have_no_serious_accessibility_violations(page: Page, server: Server) -> None:
    found: dict[str, list[str]] = {}

    def scan(name: str) -> None:
        violations = axe_violations(page)
        if violations:
            found[name] = [f"{v['id']}: {v['help']}" for v in violations]

    page.goto("/web/sign-in")
    scan("sign-in")
    sign_in(page, server.keys["clinician"])
    scan("assess form")
    page.locator("#group-bone_density > summary").click()  # an optional section, folded
    page.locator("#weight_kg").fill("20")
    page.locator("#patient_id").fill("")
    page.get_by_role("button", name="Assess", exact=True).click()
    scan("assess form with errors")
    assess_sample(page)
    scan("result")
    create_referral(page)
    scan("referral")
    page.goto("/web/referrals/00000000-0000-4000-8000-000000000000")
    scan("error page")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server.keys["coordinator"])
    scan("worklist")
    assert not found, found


def test_result_fits_a_phone_screen(page: Page, server: Server) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, server.keys["clinician"])
    assess_sample(page, "04-osteoporosis-denosumab-overdue")
    expect(page.locator(".summary")).to_contain_text("Urgent")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(page, "05-result-phone")
    assert not axe_violations(page)


def test_keyboard_reaches_the_skip_link_first(page: Page, server: Server) -> None:
    sign_in(page, server.keys["clinician"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_risk_numbers_are_above_the_fold(page: Page, server: Server) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page, server.keys["clinician"])
    assess_sample(page)
    box = page.locator("#risk-headline").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720
    expect(page.locator("#risk-headline")).to_contain_text("within 12 months")


def test_impossible_typed_date_is_a_field_error_in_chromium(page: Page, server: Server) -> None:
    sign_in(page, server.keys["clinician"])
    page.goto(f"/web/assess?sample={SAMPLE}")
    page.locator("#fracture_date").fill("2024-02-30")
    page.get_by_role("button", name="Assess", exact=True).click()
    expect(page.locator("#fracture_date-error")).to_contain_text("2024-02-30 is not a real date")
    expect(page.get_by_role("heading", name="Assessment result")).to_have_count(0)
    expect(page.locator("#fracture_date")).to_have_value("2024-02-30")


def test_few_tab_presses_from_the_first_field_to_assess(page: Page, server: Server) -> None:
    sign_in(page, server.keys["clinician"])
    page.goto("/web/assess")
    page.locator("#patient_id").focus()
    presses = 0
    while page.evaluate("document.activeElement.textContent.trim()") != "Assess" and presses < 120:
        page.keyboard.press("Tab")
        presses += 1
    # 86 before the optional sections folded away: 12 fields, 17 level boxes, 5 section summaries.
    assert presses <= 36, presses


def test_coordinator_cancels_only_with_a_reason_and_a_confirmation(page: Page, server: Server) -> None:
    sign_in(page, server.keys["clinician"])
    assess_sample(page, "07-osteoporosis-high-tier-only")
    create_referral(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server.keys["coordinator"])
    page.get_by_label("Patient ID").fill("SAMPLE-07")
    page.get_by_role("button", name="Search").click()
    page.locator("section", has=page.locator("#search-title")).get_by_role(
        "link", name="SAMPLE-07"
    ).first.click()
    expect(page.get_by_label("Change status to")).to_have_value("")  # no default move
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose the new status")
    page.get_by_label("Change status to").select_option("cancelled")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".error-summary")).to_contain_text("Give a reason")
    page.get_by_label("Reason").fill("Duplicate of an earlier referral")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("heading", name="Cancel this referral?")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel the referral").click()
    expect(page.locator("#referral-status")).to_have_text("Cancelled")
    expect(page.locator("#main")).to_contain_text("Duplicate of an earlier referral")


def test_api_docs_render_with_the_internet_blocked(page: Page, server: Server) -> None:
    outside: list[str] = []

    def only_this_server(route: Route) -> None:
        if route.request.url.startswith(server.base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/web/sign-in$"))  # GET / → /web → sign-in
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("/v1/assessments")
    assert outside == []
