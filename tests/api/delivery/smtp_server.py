"""A real SMTP server for the tests (aiosmtpd on loopback) that can refuse, stall or speak TLS."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


@dataclass
class Behaviour:
    """What the server does: refuse some recipients (code), stall on DATA, fail the next n messages."""

    refuse: dict[str, str] = field(default_factory=dict)  # address → "550 5.1.1 no such user"
    stall_seconds: float = 0.0
    temporary_failures: int = 0  # answer the next n DATA commands with 451


@dataclass
class Recorder:
    """The aiosmtpd handler: records accepted messages, applies the behaviour."""

    behaviour: Behaviour = field(default_factory=Behaviour)
    messages: list[EmailMessage] = field(default_factory=list)
    tls_seen: list[bool] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        refusal = self.behaviour.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.behaviour.stall_seconds:
            await asyncio.sleep(self.behaviour.stall_seconds)
        if self.behaviour.temporary_failures > 0:
            self.behaviour.temporary_failures -= 1
            return "451 4.3.0 try again later"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.tls_seen.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 Message accepted"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made now with ``cryptography`` (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "osteoref test SMTP")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress  # noqa: PLC0415

    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side TLS context of the test certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@contextmanager
def smtp_server(
    recorder: Recorder, *, starttls: ssl.SSLContext | None = None, implicit_tls: ssl.SSLContext | None = None
) -> Iterator[int]:
    """Run aiosmtpd on a free loopback port for the block; yields the port."""
    port = free_port()
    kwargs: dict[str, Any] = {}
    if starttls is not None:
        kwargs |= {"tls_context": starttls, "require_starttls": True}
    if implicit_tls is not None:
        kwargs |= {"ssl_context": implicit_tls}
    controller = Controller(recorder, hostname=HOST, port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
