"""The FHIR channel: "sending" publishes the referral to this service's FHIR endpoints.

The receiving EHR reads the ServiceRequest and its letter (DocumentReference) whenever it likes;
what sending adds is the Communication that records the letter as sent to the PCP, stored once
per referral and purpose. Only the practices configured in ``OSTEOREF_FHIR_PRACTICES`` read
here, so for any other practice the channel is unreachable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from api.db import communications_repo
from api.db.engine import Database
from api.delivery.channels import OutgoingLetter
from api.delivery.outcomes import AttemptOutcome
from api.delivery.settings import DeliverySettings
from reports.models import Recipient


def practice_key(practice: str) -> str:
    """A practice name as compared: case and runs of spaces do not tell practices apart."""
    return " ".join(practice.split()).casefold()


class FhirChannel:
    """Publishes the letter as an R4 Communication to the practices that read by FHIR."""

    name = "fhir"
    batched = False

    def __init__(
        self, settings: DeliverySettings, database: Database, clock: Callable[[], dt.datetime]
    ) -> None:
        self.practices = frozenset(practice_key(p) for p in settings.fhir_practices)
        self.database = database
        self.clock = clock

    def unreachable(self, recipient: Recipient) -> str | None:
        """FHIR needs the PCP's practice, and that practice must read referrals from this service."""
        if not recipient.practice:
            return "the PCP has no practice that could read the referral by FHIR"
        if practice_key(recipient.practice) not in self.practices:
            return "the PCP's practice does not read referrals by FHIR (OSTEOREF_FHIR_PRACTICES)"
        return None

    def send(self, letter: OutgoingLetter) -> AttemptOutcome:
        """Store the Communication (once per referral and purpose); a database failure is retried."""
        try:
            with self.database.transaction() as session:
                communications_repo.publish(session, letter.referral_id, letter.purpose, self.clock())
        except SQLAlchemyError:
            return AttemptOutcome.retry("store_error", "the Communication could not be stored")
        return AttemptOutcome.delivered()
