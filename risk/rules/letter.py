"""Which letter an assessment warrants: the pathway's own note, else the PCP letter if referred.

The one place this clinical decision is made; the reports, the web result page and the
referral workflow all ask it (the names are the reports' document kinds).
"""

from __future__ import annotations

from risk.contract.enums import Pathway

PCP_LETTER = "pcp_letter"
# Pathways that always write their own note, whatever refer_to_pcp says.
PATHWAY_LETTER: dict[Pathway, str] = {
    "oncology": "oncology_notification",
    "trauma_review": "trauma_dxa_note",
}


def letter_for(pathway: str, refer_to_pcp: bool) -> str | None:
    """The first document to write for an assessment; None when it warrants no letter."""
    if pathway in PATHWAY_LETTER:
        return PATHWAY_LETTER[pathway]
    return PCP_LETTER if refer_to_pcp else None
