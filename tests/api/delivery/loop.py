"""Helpers of the loop tests: a clock the test moves, referrals on the fakes, the loop built on them."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api.ack.settings import AckSettings
from api.auth.principal import Principal, authenticate, create_key
from api.db.engine import Database
from api.delivery.channels import Registry
from api.delivery.settings import DeliverySettings
from api.delivery.wiring import LoopComponents, build_loop
from api.referrals.schemas import ReferralCreate
from api.referrals.service import ReferralService
from api.referrals.views import LinkBuilder
from api.settings import Settings
from tests.api.referrals.factories import referral_body
from tests.api.referrals.fakes import BASE_URL, FakeLetters, FakeScorer

SECRET = "test-ack-secret-" + "k" * 32
START = dt.datetime(2025, 2, 3, 9, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    """Now, as the test sets it (no sleeps anywhere)."""

    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def fake_pdfs(pages: Sequence[str]) -> list[bytes]:
    """Stands in for WeasyPrint where the PDF's content does not matter."""
    return [b"%PDF-1.7\n% fake " + str(len(page)).encode() + b"\n%%EOF\n" for page in pages]


def clinician(database: Database) -> Principal:
    """A real clinician key's principal (events and audit rows reference api_keys)."""
    return authenticate(database, create_key(database, "clinician", "loop tests", None))


def new_referral(database: Database, actor: Principal, **body: Any) -> uuid.UUID:
    """A draft referral made through the real workflow service (fake scorer and letters)."""
    email = body.pop("email", "gp@practice.example")
    payload = referral_body(**body)
    payload["pcp"]["email"] = email
    service = ReferralService(database, FakeScorer(), FakeLetters(), LinkBuilder(BASE_URL))
    created, _ = service.create(actor, ReferralCreate.model_validate_json(json.dumps(payload)), None)
    return created.id


def delivery_settings(port: int, **overrides: Any) -> DeliverySettings:
    """Plain SMTP to the test server on ``port`` unless overridden; short timeout."""
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_timeout_seconds": 2.0,
    }
    return DeliverySettings(**(values | overrides))


def loop(
    database: Database,
    clock: Clock,
    delivery: DeliverySettings | None = None,
    *,
    channels: Registry | None = None,
    render: Any = fake_pdfs,
) -> LoopComponents:
    """The loop components on ``database`` with the test clock and secret."""
    return build_loop(
        database,
        Settings(public_base_url=BASE_URL),
        render,
        delivery=delivery or delivery_settings(1),
        ack=AckSettings(ack_secret=SECRET),
        channels=channels,
        clock=clock,
    )
