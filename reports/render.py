"""Render documents: Jinja2 HTML (autoescape on for every template) and WeasyPrint PDF.

The HTML is the primary artefact (fast, testable); the PDF is made from that same HTML
with a URL fetcher that fetches nothing. Import this module at start-up: importing
WeasyPrint takes about half a second.
"""

from __future__ import annotations

import functools

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from reports.documents import context_for
from reports.fetcher import NoFetchURLFetcher
from reports.models import DocumentKind, Letterhead, Recipient, Referrer
from risk.contract import Assessment, PatientRecord
from risk.errors import RenderError

TEMPLATE: dict[DocumentKind, str] = {kind: f"{kind.value}.html.j2" for kind in DocumentKind}


@functools.cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: package templates, everything escaped, no undefined names."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def render_html(
    kind: DocumentKind,
    record: PatientRecord,
    assessment: Assessment,
    letterhead: Letterhead,
    recipient: Recipient | None,
    *,
    referrer: Referrer | None = None,
) -> str:
    """The document as a self-contained HTML page (inline CSS, no external resources)."""
    template = environment().get_template(TEMPLATE[kind])
    context = context_for(kind, record, assessment, letterhead, recipient, referrer=referrer)
    return template.render(context)


@functools.cache
def _font_config() -> FontConfiguration:
    # One per process (each pool worker has its own): building it loads fontconfig state,
    # about 10 ms a letter when made afresh.
    return FontConfiguration()


@functools.cache
def _letter_stylesheet() -> tuple[str, CSS]:
    # The CSS every letter inlines, and the same text parsed once per process: parsing it
    # again for every PDF cost about 4 ms a letter.
    text = environment().get_template("_style.css.j2").render().strip()
    return text, CSS(string=text, font_config=_font_config())


def _with_parsed_style(html: str) -> tuple[str, list[CSS]]:
    """The HTML without its <style> element, plus that stylesheet pre-parsed, when it is ours.

    Any other stylesheet (an older letter stored with different CSS) is left inline, so the
    PDF is always made from exactly the CSS the HTML carries.
    """
    text, parsed = _letter_stylesheet()
    start = html.find("<style>")
    end = html.find("</style>", start)
    if start < 0 or end < 0 or html[start + len("<style>") : end].strip() != text:
        return html, []
    return html[:start] + html[end + len("</style>") :], [parsed]


def render_pdf(html: str) -> bytes:
    """An A4 PDF of a rendered document; runs in a worker process, never on the event loop."""
    document, stylesheets = _with_parsed_style(html)
    try:
        pdf: bytes = HTML(string=document, base_url=None, url_fetcher=NoFetchURLFetcher()).write_pdf(
            font_config=_font_config(), stylesheets=stylesheets
        )
    except FatalURLFetchingError:
        # BaseException in WeasyPrint: turn it into the service's own error type.
        raise RenderError("letter refused to fetch an external resource") from None
    return pdf
