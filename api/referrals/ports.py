"""What the workflow needs from scoring (risk) and letters (reports), as injectable protocols."""

from __future__ import annotations

from typing import Protocol

from api.referrals.schemas import PcpIn, ReferrerIn
from risk.contract import Assessment, ModelInfo, PatientRecord


class Scorer(Protocol):
    """Scores one record (``risk.assess.Assessor`` satisfies this through an adapter)."""

    @property
    def model_info(self) -> ModelInfo:
        """Name and version of the loaded model."""
        ...

    @property
    def ruleset_version(self) -> str:
        """Version of the rule set (and its configuration) the assessment used."""
        ...

    def assess(self, record: PatientRecord) -> Assessment:
        """The assessment of ``record``."""
        ...


class LetterRenderer(Protocol):
    """Renders the letters' HTML (letterhead bound in); ``reports`` satisfies it via an adapter."""

    def pcp_letter_html(
        self, record: PatientRecord, assessment: Assessment, pcp: PcpIn, referrer: ReferrerIn
    ) -> str:
        """The letter to the PCP (or the pathway's note); InvalidInput if none is warranted."""
        ...

    def patient_letter_html(
        self, record: PatientRecord, assessment: Assessment, pcp: PcpIn, referrer: ReferrerIn
    ) -> str | None:
        """The patient's copy in plain language, or None where the pathway has none."""
        ...


class PdfRenderer(Protocol):
    """Turns stored letter HTML into PDF off the event loop (the reports PdfRenderPool)."""

    async def render(self, html: str) -> bytes:
        """The PDF bytes of ``html``."""
        ...
