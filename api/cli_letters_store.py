"""`osteoref letters --store`: record each PCP referral of a letter run, idempotently.

Acts as a dedicated ``letters-cli`` clinician key, so stored referrals and their audit lines
are attributed; the same record, PCP and referrer always give the same referral.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from pydantic import ValidationError

from api.auth.bootstrap import open_database
from api.auth.principal import Principal, create_key
from api.db import keys_repo
from api.db.engine import Database
from api.referrals.adapters import ReportLetters
from api.referrals.service import ReferralService, RenderedReferral
from api.referrals.views import LinkBuilder
from api.settings import Settings
from reports import DocumentKind, Letterhead, Recipient, documents_for, render_html
from reports.batch_rows import RenderedRow
from reports.models import Signatory
from reports.scored_row import ScoredRow
from risk.assess import Assessor
from risk.contract import PatientRecord
from risk.errors import Conflict, OsteorefError

REFERRALS_NAME = "referrals.csv"
REFERRALS_FIELDS = ("row_id", "patient_id", "referral_id", "created")
LETTERS_KEY_LABEL = "letters-cli"
LETTERS_KEY_ROLE = "clinician"
LETTERS_DONE = frozenset({"rendered", "unchanged"})
PATIENT_COPY = DocumentKind.PATIENT_COPY
Problem = dict[str, Any]  # one errors.csv line: row, field, value, rule


class ReferralStore:
    """Stores each PCP referral of a letter run as it was rendered, listing it in referrals.csv.

    The row's assessment and letters are the run's own: nothing is scored or converted
    again, and a letter is rendered here only for a row left unchanged by this run whose
    referral is not stored yet.
    """

    def __init__(self, service: ReferralService, actor: Principal, letterhead: Letterhead, listing: IO[str]):
        self.service, self.actor, self.letterhead = service, actor, letterhead
        self._listing = csv.DictWriter(listing, fieldnames=REFERRALS_FIELDS, lineterminator="\n")
        self._listing.writeheader()
        self.created = 0
        self.existing = 0

    def store(self, outcome: RenderedRow) -> Problem | None:
        """Record the row's referral if it has one; the errors.csv line when it could not be stored."""
        row = outcome.scored
        if (
            not row.assessment.refer_to_pcp
            or row.recipient is None
            or outcome.manifest.status not in LETTERS_DONE
        ):
            return None
        try:
            signer = Signatory.of(self.letterhead, row.referrer)
            key = idempotency_key(row.record, row.recipient, signer)
            created, new = self.service.store_rendered(self.actor, self._rendered(outcome, signer), key)
        except (OsteorefError, ValidationError) as error:
            return {"row": row.row_id, "field": "referral", "value": "", "rule": str(error)[:300]}
        ids = {"row_id": str(row.row_id), "patient_id": row.record.patient_id, "referral_id": str(created.id)}
        self._listing.writerow({**ids, "created": str(new).lower()})
        self.created += new
        self.existing += not new
        return None

    def _rendered(self, outcome: RenderedRow, signer: Signatory) -> RenderedReferral:
        row = outcome.scored
        recipient = cast("Recipient", row.recipient)  # store() only gets here with a PCP

        def letters() -> tuple[str, str | None]:
            pages = outcome.pages or self._render(row)
            first = next(page for kind, page in pages.items() if kind is not PATIENT_COPY)
            return first, pages.get(PATIENT_COPY)

        key = fingerprint(row.record, recipient, signer)
        return RenderedReferral(row.record, row.assessment, recipient, signer, letters, key)

    def _render(self, row: ScoredRow) -> dict[DocumentKind, str]:
        # Only for a row an earlier run rendered (unchanged now) whose referral is not stored yet.
        return {
            kind: render_html(
                kind, row.record, row.assessment, self.letterhead, row.recipient, referrer=row.referrer
            )
            for kind in documents_for(row.assessment)
        }


@contextmanager
def referral_store(
    settings: Settings, assessor: Assessor, letterhead: Letterhead, output: Path
) -> Iterator[ReferralStore]:
    """The referral workflow on ``settings.database_url``, acting as the letters-cli key."""
    try:
        database = open_database(settings)
    except RuntimeError as error:  # production refuses to run beside an active development key
        raise OsteorefError(str(error)) from None
    try:
        links = LinkBuilder(settings.public_base_url)
        service = ReferralService(database, assessor, ReportLetters(letterhead), links)
        with (output / REFERRALS_NAME).open("w", newline="", encoding="utf-8") as listing:
            yield ReferralStore(service, letters_actor(database), letterhead, listing)
    finally:
        database.dispose()


def _body(record: PatientRecord, recipient: Recipient, signer: Signatory, *, as_sent: bool) -> str:
    """The referral as the canonical JSON of the API body it stands for (record, PCP, signatory).

    ``as_sent`` leaves out the record fields the cohort did not give, as the API's
    fingerprint does for a body; the PCP and signatory are always given in full.
    """
    body = {
        "patient": record.model_dump(mode="json", exclude_unset=as_sent),
        "pcp": recipient.model_dump(mode="json"),
        "referrer": signer.model_dump(mode="json"),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def fingerprint(record: PatientRecord, recipient: Recipient, signer: Signatory) -> str:
    """``idempotency.fingerprint`` of the body: tells a re-run from changed inputs under one key."""
    return hashlib.sha256(_body(record, recipient, signer, as_sent=True).encode()).hexdigest()


def idempotency_key(record: PatientRecord, recipient: Recipient, signer: Signatory) -> str:
    """``letters-<sha256[:40]>`` of the record, PCP and referrer: same inputs, same referral."""
    digest = hashlib.sha256(_body(record, recipient, signer, as_sent=False).encode()).hexdigest()
    return f"letters-{digest[:40]}"


def letters_actor(database: Database) -> Principal:
    """The active ``letters-cli`` clinician key, created on first use (its secret is never shown)."""
    principal = _active_letters_key(database)
    if principal is None:
        # Nobody authenticates with this key: it only attributes the stored referrals and audit.
        create_key(database, LETTERS_KEY_ROLE, LETTERS_KEY_LABEL, actor=None)
        principal = _active_letters_key(database)
    if principal is None:  # pragma: no cover - revoked between create and read
        raise Conflict("the letters-cli key was revoked while it was being created")
    return principal


def _active_letters_key(database: Database) -> Principal | None:
    with database.reader() as session:
        for key in keys_repo.list_keys(session):
            if key.label == LETTERS_KEY_LABEL and key.role == LETTERS_KEY_ROLE and key.revoked_at is None:
                return Principal(key_id=key.id, role=key.role)
    return None
