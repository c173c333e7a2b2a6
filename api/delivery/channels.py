"""The delivery channels as one registry: a channel is a name, a reachability check and a sender.

The mechanism (deliveries, attempts, retries, tokens, status moves) never looks inside a
channel. Adding one is one more class with ``name``, ``batched``, ``unreachable`` and ``send``,
and one more entry where ``api.delivery.wiring`` builds the registry; the mechanism's tables,
routes and dispatcher stay as they are (FHIR, ``api.delivery.fhir``, added only what it
publishes and the endpoints that read it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from api.delivery.outcomes import AttemptOutcome
from reports.models import Recipient


@dataclass(frozen=True, slots=True)
class OutgoingLetter:
    """One letter leaving the service: to whom, the short reference, the ack link, the PDF."""

    referral_id: uuid.UUID
    recipient: Recipient
    reference: str  # "R-1A2B3C4D": names the referral to the practice, not the patient
    ack_url: str
    expires_on: dt.date
    pdf: Callable[[], bytes]  # the letter with its acknowledgement slip, rendered on demand
    purpose: str = "letter"  # or "reminder": the same letter sent again


class Channel(Protocol):
    """A way to reach a practice."""

    @property
    def name(self) -> str:
        """The registry key stored on each delivery ("email", "print", "fhir")."""
        ...

    @property
    def batched(self) -> bool:
        """True when letters wait for a batch (print) instead of being sent one by one."""
        ...

    def unreachable(self, recipient: Recipient) -> str | None:
        """Why this channel cannot reach ``recipient`` (None when it can)."""
        ...

    def send(self, letter: OutgoingLetter) -> AttemptOutcome:
        """Try to deliver ``letter`` once; never raises for a delivery failure."""
        ...


Registry = Mapping[str, Channel]


class PrintChannel:
    """Post: letters queue until a print batch takes them (their 'send' is the batch)."""

    name = "print"
    batched = True

    def unreachable(self, recipient: Recipient) -> str | None:
        """Post needs an address."""
        return None if recipient.address else "the PCP has no postal address"

    def send(self, letter: OutgoingLetter) -> AttemptOutcome:  # noqa: ARG002
        """Never called one by one: ``PrintBatches`` delivers the whole queue at once."""
        return AttemptOutcome.retry("batched", "waits for the next print batch")
