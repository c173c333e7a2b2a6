"""Adapters from the real scorer (risk.assess) and letters (reports) to the workflow's ports."""

from __future__ import annotations

from dataclasses import dataclass

from api.loaded_model import LoadedModel
from api.referrals.schemas import PcpIn, ReferrerIn
from api.settings import Settings
from reports import DocumentKind, Letterhead, Recipient, Referrer, documents_for, render_html
from risk.assess import Assessor
from risk.contract import Assessment, ModelInfo, PatientRecord
from risk.errors import FieldError, InvalidInput
from risk.rules.letter import letter_for

PATIENT_COPY = DocumentKind.PATIENT_COPY


def letterhead_from(settings: Settings) -> Letterhead:
    """The sending service as the settings configure it."""
    return Letterhead(
        organisation=settings.letterhead_organisation,
        address=settings.letterhead_address,
        phone=settings.letterhead_phone,
        email=settings.letterhead_email,
        sender_name=settings.sender_name,
        sender_role=settings.sender_role,
        sender_service=settings.sender_service,
    )


@dataclass(frozen=True)
class AppAssessor:
    """The Assessor the app loaded at start-up, looked up per use (503 if loading failed)."""

    model: LoadedModel

    def _assessor(self) -> Assessor:
        return self.model.require()

    @property
    def model_info(self) -> ModelInfo:
        """Name and version of the loaded model."""
        return self._assessor().model_info

    @property
    def ruleset_version(self) -> str:
        """Version of the loaded rule set."""
        return self._assessor().ruleset_version

    def assess(self, record: PatientRecord) -> Assessment:
        """The assessment of ``record``."""
        return self._assessor().assess(record)


@dataclass(frozen=True)
class ReportLetters:
    """The reports package's templates with this service's letterhead."""

    letterhead: Letterhead

    def pcp_letter_html(
        self, record: PatientRecord, assessment: Assessment, pcp: PcpIn, referrer: ReferrerIn
    ) -> str:
        """The first document of the pathway: the PCP letter, or the pathway's note."""
        letter = letter_for(assessment.pathway, assessment.refer_to_pcp)
        if letter is None:
            raise InvalidInput(
                "this assessment warrants no referral letter (refer_to_pcp is false)",
                [FieldError("patient", assessment.pathway, "assessment must warrant a letter")],
            )
        return self._render(DocumentKind(letter), record, assessment, pcp, referrer)

    def patient_letter_html(
        self, record: PatientRecord, assessment: Assessment, pcp: PcpIn, referrer: ReferrerIn
    ) -> str | None:
        """The patient copy, where the pathway has one."""
        if PATIENT_COPY not in documents_for(assessment):
            return None
        return self._render(PATIENT_COPY, record, assessment, pcp, referrer)

    def _render(
        self,
        kind: DocumentKind,
        record: PatientRecord,
        assessment: Assessment,
        pcp: PcpIn,
        referrer: ReferrerIn,
    ) -> str:
        recipient = Recipient.model_validate(pcp.model_dump())
        signer = Referrer.model_validate(referrer.model_dump())
        return render_html(kind, record, assessment, self.letterhead, recipient, referrer=signer)
