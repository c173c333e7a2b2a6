"""`osteoref letters --store`: record each PCP referral of a letter run, idempotently.

Acts as a dedicated ``letters-cli`` clinician key, so stored referrals and their audit lines
are attributed; the same record, PCP and referrer always give the same referral.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from api.auth.principal import Principal, create_key
from api.db import keys_repo
from api.db.engine import Database
from api.referrals.adapters import ReportLetters
from api.referrals.schemas import PcpIn, ReferralCreate, ReferrerIn
from api.referrals.service import ReferralService
from api.referrals.views import LinkBuilder
from api.referrals.wiring import open_database
from api.settings import Settings
from reports import Letterhead, Recipient
from reports.batch import ScoredRow
from reports.batch_rows import ManifestRow
from reports.models import Signatory
from risk.assess import Assessor
from risk.contract import PatientRecord
from risk.errors import Conflict, OsteorefError

REFERRALS_NAME = "referrals.csv"
REFERRALS_FIELDS = ("row_id", "patient_id", "referral_id", "created")
LETTERS_KEY_LABEL = "letters-cli"
LETTERS_KEY_ROLE = "clinician"
LETTERS_DONE = frozenset({"rendered", "unchanged"})
Problem = dict[str, Any]  # one errors.csv line: row, field, value, rule


def store_referrals(
    settings: Settings,
    assessor: Assessor,
    letterhead: Letterhead,
    done: Iterable[tuple[ScoredRow, ManifestRow]],
    output: Path,
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Record each PCP referral whose letters exist, list them in referrals.csv; (lines, failures)."""
    lines: list[dict[str, str]] = []
    problems: list[Problem] = []
    with _referrals(settings, assessor, letterhead) as (service, actor):
        for (record, assessment, recipient, referrer, row_id), outcome in done:
            if not assessment.refer_to_pcp or recipient is None or outcome.status not in LETTERS_DONE:
                continue
            try:
                body = referral_body(record, recipient, Signatory.of(letterhead, referrer))
                created, new = service.create(actor, body, idempotency_key(body))
            except (OsteorefError, ValidationError) as error:
                problems.append({"row": row_id, "field": "referral", "value": "", "rule": str(error)[:300]})
                continue
            ids = {"row_id": str(row_id), "patient_id": record.patient_id, "referral_id": str(created.id)}
            lines.append({**ids, "created": str(new).lower()})
    pd.DataFrame(lines, columns=list(REFERRALS_FIELDS)).to_csv(output / REFERRALS_NAME, index=False)
    return lines, problems


@contextmanager
def _referrals(
    settings: Settings, assessor: Assessor, letterhead: Letterhead
) -> Iterator[tuple[ReferralService, Principal]]:
    """The referral workflow on ``settings.database_url``, acting as the letters-cli key."""
    try:
        database = open_database(settings)
    except RuntimeError as error:  # production refuses to run beside an active development key
        raise OsteorefError(str(error)) from None
    try:
        links = LinkBuilder(settings.public_base_url)
        yield ReferralService(database, assessor, ReportLetters(letterhead), links), letters_actor(database)
    finally:
        database.dispose()


def referral_body(record: PatientRecord, recipient: Recipient, signer: Signatory) -> ReferralCreate:
    """The API body of a referral: the letter's record, PCP and signatory."""
    return ReferralCreate(
        patient=record,
        pcp=PcpIn.model_validate(recipient.model_dump()),
        referrer=ReferrerIn.model_validate(signer.model_dump()),
    )


def idempotency_key(body: ReferralCreate) -> str:
    """``letters-<sha256[:40]>`` of the record, PCP and referrer: same inputs, same referral."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return f"letters-{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"


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
