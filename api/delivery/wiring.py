"""Build the PCP-loop components (channels, dispatcher, print batches, acknowledgements) once.

The app builds them in its context (``api.context``), the loop commands for their run. The
channel registry is built here: a new channel is one more entry of ``channel_registry``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import anyio.from_thread

from api.ack.issuer import TokenIssuer
from api.ack.ratelimit import AckRateLimiter
from api.ack.service import AckService
from api.ack.settings import AckSettings
from api.db.engine import Database
from api.db.types import utcnow
from api.delivery.channels import Channel, PrintChannel, Registry
from api.delivery.dispatcher import Clock, Dispatcher, PdfRenderer
from api.delivery.fhir import FhirChannel
from api.delivery.print_batches import PrintBatches
from api.delivery.service import DeliveryService
from api.delivery.settings import DeliverySettings
from api.delivery.smtp import EmailChannel, SmtpTransport
from api.referrals.adapters import letterhead_from
from api.referrals.ports import PdfRenderer as AsyncPdfRenderer
from api.settings import Settings
from reports.models import Letterhead


@dataclass(frozen=True)
class LoopComponents:
    """Everything the delivery, acknowledgement and reminder code of one app or CLI run uses."""

    deliveries: DeliveryService
    dispatcher: Dispatcher
    print_batches: PrintBatches
    ack: AckService
    limiter: AckRateLimiter
    issuer: TokenIssuer


def channel_registry(
    settings: DeliverySettings, letterhead: Letterhead, database: Database, clock: Clock = utcnow
) -> dict[str, Channel]:
    """The channels this service delivers on, by name (the one place they are listed)."""
    channels: list[Channel] = [
        EmailChannel(settings, letterhead, SmtpTransport(settings)),
        PrintChannel(),
        FhirChannel(settings, database, clock),
    ]
    return {channel.name: channel for channel in channels}


def build_loop(
    database: Database,
    settings: Settings,
    render: PdfRenderer,
    *,
    delivery: DeliverySettings | None = None,
    ack: AckSettings | None = None,
    channels: Registry | None = None,
    clock: Clock = utcnow,
) -> LoopComponents:
    """The components on ``database`` (the delivery and ack sections of ``settings`` unless given)."""
    delivery = delivery or settings.delivery
    ack = ack or settings.ack
    letterhead = letterhead_from(settings)
    registry = channels if channels is not None else channel_registry(delivery, letterhead, database, clock)
    secret = ack.ack_secret.get_secret_value().encode()
    issuer = TokenIssuer(secret, dt.timedelta(days=ack.ack_token_days), settings.public_base_url)
    return LoopComponents(
        deliveries=DeliveryService(database, registry),
        dispatcher=Dispatcher(database, registry, issuer, render, delivery, clock),
        print_batches=PrintBatches(
            database, issuer, render, letterhead, delivery.delivery_lease_seconds, clock
        ),
        ack=AckService(database, issuer, ack.ack_confirm_minutes, clock),
        limiter=AckRateLimiter(ack.ack_rate_limit, ack.ack_failure_rate_limit),
        issuer=issuer,
    )


def pool_renderer(pdf: AsyncPdfRenderer) -> PdfRenderer:
    """The app's async PDF pool as the blocking renderer worker threads call (pages in parallel)."""

    async def render_all(pages: Sequence[str]) -> list[bytes]:
        results: list[bytes] = [b""] * len(pages)

        async def one(index: int, html: str) -> None:
            results[index] = await pdf.render(html)

        async with anyio.create_task_group() as group:
            for index, html in enumerate(pages):
                group.start_soon(one, index, html)
        return results

    return lambda pages: anyio.from_thread.run(render_all, pages)
