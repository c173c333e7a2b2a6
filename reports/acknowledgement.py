"""The acknowledgement slip a delivered letter carries: short URL, typed code and QR code.

The stored letter HTML is the clinical decision; the slip is added only when a copy leaves
the service, because its token is a one-time secret that is never stored in clear. The QR
code is inline SVG made here (segno), so the PDF renderer still fetches nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from markupsafe import Markup

from reports import fmt
from reports.render import environment
from risk.errors import RenderError

SLIP_TEMPLATE = "_acknowledgement.html.j2"
# Where the slip goes: the end of the letter body, before the signature; else before </body>.
ANCHORS = ("</main>", "</body>")
QR_SCALE = 3  # 3 px a module: version 3 (29 modules + quiet zone) ≈ 2.6 cm on the printed page


@dataclass(frozen=True, slots=True)
class AckSlip:
    """What the PCP needs to answer: the link, the code to type, and when it expires."""

    url: str
    code: str
    expires_on: dt.date


def qr_svg(url: str) -> Markup:
    """The URL as an inline SVG QR code (error correction M: survives a crease or a fax)."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=QR_SCALE, border=2, title="Acknowledgement QR code"))  # noqa: S704


def slip_html(slip: AckSlip) -> str:
    """The slip on its own (escaped text, our own SVG)."""
    template = environment().get_template(SLIP_TEMPLATE)
    return template.render(slip=slip, qr=qr_svg(slip.url), expires=fmt.day(slip.expires_on))


def with_acknowledgement(letter_html: str, slip: AckSlip) -> str:
    """The letter with the slip inserted at the end of its body; RenderError if it has no body."""
    block = slip_html(slip)
    for anchor in ANCHORS:
        at = letter_html.rfind(anchor)
        if at >= 0:
            return letter_html[:at] + block + letter_html[at:]
    raise RenderError("the letter has no </main> or </body> to attach the acknowledgement slip to")
