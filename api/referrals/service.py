"""The referral workflow: idempotent creation, reads, status moves — each one transaction + audit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.db import audit_repo, referrals_repo
from api.db.engine import Database
from api.db.models import Referral
from api.db.types import utcnow
from api.referrals import idempotency
from api.referrals.ports import LetterRenderer, Scorer
from api.referrals.schemas import ReferralCreate, ReferralCreated, ReferralDetail, TransitionIn
from api.referrals.states import INITIAL_STATUS, check_transition
from api.referrals.views import LinkBuilder, created_view, detail_view
from reports.models import Recipient, Referrer, Signatory
from risk.contract import Assessment, PatientRecord
from risk.errors import Conflict, NotFound, OsteorefError

Letter = Literal["pcp", "patient"]
TARGET = "referral"
Letters = Callable[[], tuple[str, str | None]]  # (PCP letter or pathway note, patient copy) HTML


@dataclass(frozen=True)
class RenderedReferral:
    """A referral's record, assessment, addressees and letters, as they will be stored.

    ``letters`` is called only when the referral is new, so a replay renders nothing.
    ``fingerprint`` tells a retry from a different request under the same idempotency key.
    """

    record: PatientRecord
    assessment: Assessment
    pcp: Recipient
    referrer: Referrer | Signatory
    letters: Letters
    fingerprint: str


@dataclass(frozen=True)
class ReferralService:
    """Everything the referral routes do, synchronous (routes call it in the threadpool)."""

    database: Database
    scorer: Scorer
    letters: LetterRenderer
    links: LinkBuilder

    def create(
        self, actor: Principal, body: ReferralCreate, idempotency_key: str | None
    ) -> tuple[ReferralCreated, bool]:
        """Score, render and store a referral; (response, True) if new, (existing, False) on retry."""
        key = idempotency.check_key(idempotency_key)
        fingerprint = idempotency.fingerprint(body)
        return self._create(actor, key, fingerprint, lambda: self._scored(body, fingerprint))

    def store_rendered(
        self, actor: Principal, rendered: RenderedReferral, idempotency_key: str | None
    ) -> tuple[ReferralCreated, bool]:
        """Store a referral already scored and rendered (a letter run), as it is: neither is redone."""
        key = idempotency.check_key(idempotency_key)
        return self._create(actor, key, rendered.fingerprint, lambda: rendered)

    def _create(
        self, actor: Principal, key: str | None, fingerprint: str, build: Callable[[], RenderedReferral]
    ) -> tuple[ReferralCreated, bool]:
        if key is not None and (replay := self._replay(actor, key, fingerprint)) is not None:
            return replay, False
        row = self._row(actor, build(), key)
        try:
            with self.database.transaction() as session:
                referrals_repo.add_referral(session, row, by_key_id=actor.key_id)
                self._audit(session, actor, "referrals:create", row.id, "ok")
        except IntegrityError:
            # A concurrent request with the same key won the unique constraint: return its row.
            replay = self._replay(actor, key, fingerprint) if key is not None else None
            if replay is None:
                raise
            return replay, False
        return created_view(row, self.links), True

    def _scored(self, body: ReferralCreate, fingerprint: str) -> RenderedReferral:
        """The API path: the body's record scored and its letters rendered here."""
        record, pcp, referrer = body.patient, body.pcp, body.referrer
        assessment = self.scorer.assess(record)

        def letters() -> tuple[str, str | None]:
            return (
                self.letters.pcp_letter_html(record, assessment, pcp, referrer),
                self.letters.patient_letter_html(record, assessment, pcp, referrer),
            )

        return RenderedReferral(record, assessment, pcp, referrer, letters, fingerprint)

    def get(self, actor: Principal, referral_id: uuid.UUID) -> ReferralDetail:
        """One referral with its history."""
        with self._failures_audited(actor, "referrals:read", referral_id):
            return self._get(actor, referral_id)

    def _get(self, actor: Principal, referral_id: uuid.UUID) -> ReferralDetail:
        with self.database.transaction() as session:
            row = self._load(session, referral_id)
            self._audit(session, actor, "referrals:read", referral_id, "ok")
            return detail_view(row, referrals_repo.events_of(session, referral_id), self.links)

    def letter_html(self, actor: Principal, referral_id: uuid.UUID, letter: Letter) -> str:
        """The stored HTML of the PCP letter or the patient copy."""
        action = f"referrals:letter_{letter}"
        with self._failures_audited(actor, action, referral_id), self.database.transaction() as s:
            row = self._load(s, referral_id)
            html = row.letter_html if letter == "pcp" else row.patient_letter_html
            if html is None:
                raise NotFound(f"referral {referral_id} has no {letter} letter ({row.pathway})")
            self._audit(s, actor, action, referral_id, "ok")
            return html

    def transition(self, actor: Principal, referral_id: uuid.UUID, move: TransitionIn) -> ReferralDetail:
        """Move the referral to ``move.to`` (checked against the table) in one transaction."""
        with self._failures_audited(actor, f"referrals:transition:{move.to}", referral_id):
            self._move(actor, referral_id, move)
        return self._get(actor, referral_id)

    def _move(self, actor: Principal, referral_id: uuid.UUID, move: TransitionIn) -> None:
        with self.database.transaction() as session:
            current = self._load(session, referral_id).status
            check_transition(current, move.to, move.reason)
            reason = move.reason.strip() if move.reason else None
            moved = referrals_repo.move_status(
                session,
                referral_id,
                from_status=current,
                to_status=move.to,
                reason=reason,
                by_key_id=actor.key_id,
            )
            if not moved:
                raise Conflict(f"referral {referral_id} changed status concurrently; retry")
            self._audit(session, actor, f"referrals:transition:{move.to}", referral_id, "ok")

    def _replay(self, actor: Principal, key: str, fingerprint: str) -> ReferralCreated | None:
        with self.database.transaction() as session:
            row = referrals_repo.referral_by_idempotency_key(session, actor.key_id, key)
            if row is None:
                return None
            if row.input_hash != fingerprint:
                self._audit(session, actor, "referrals:create", row.id, "key_conflict")
                conflict = True
            else:
                self._audit(session, actor, "referrals:create", row.id, "replayed")
                conflict = False
        if conflict:
            raise Conflict("Idempotency-Key was already used for a different request body")
        return created_view(row, self.links)

    def _row(self, actor: Principal, rendered: RenderedReferral, key: str | None) -> Referral:
        record, assessment = rendered.record, rendered.assessment
        letter_html, patient_letter_html = rendered.letters()
        model = self.scorer.model_info
        now = utcnow()
        return Referral(
            id=uuid.uuid4(),
            patient_id=record.patient_id,
            status=INITIAL_STATUS,
            priority=assessment.priority,
            pathway=assessment.pathway,
            procedure_date=record.procedure_date,
            record_json=record.model_dump(mode="json"),
            assessment_json=assessment.model_dump(mode="json"),
            model_name=model.name,
            model_version=model.version,
            ruleset_version=self.scorer.ruleset_version,
            pcp_json=rendered.pcp.model_dump(mode="json"),
            referrer_json=rendered.referrer.model_dump(mode="json"),
            letter_html=letter_html,
            patient_letter_html=patient_letter_html,
            created_at=now,
            updated_at=now,
            created_by=actor.key_id,
            idempotency_key=key,
            input_hash=rendered.fingerprint,
        )

    @contextmanager
    def _failures_audited(self, actor: Principal, action: str, target: uuid.UUID) -> Iterator[None]:
        # The failed transaction rolled back its own audit row; record the refusal on its own.
        try:
            yield
        except OsteorefError as error:
            with self.database.transaction() as session:
                self._audit(session, actor, action, target, error.code)
            raise

    @staticmethod
    def _load(session: Session, referral_id: uuid.UUID) -> Referral:
        row = referrals_repo.get_referral(session, referral_id)
        if row is None:
            raise NotFound(f"no referral with id {referral_id}")
        return row

    @staticmethod
    def _audit(session: Session, actor: Principal, action: str, target: uuid.UUID, outcome: str) -> None:
        audit_repo.append(
            session,
            actor_key_id=actor.key_id,
            role=actor.role,
            action=action,
            target_type=TARGET,
            target_id=str(target),
            outcome=outcome,
        )
