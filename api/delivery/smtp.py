"""Sending over SMTP (STARTTLS, implicit TLS, or plain on loopback) and what each failure means.

Failures are classified from a data table into "retry" (the server or network may recover)
or "failed" (retrying cannot help). The stored text is ours, never the server's reply,
which can echo addresses.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from api.delivery.channels import OutgoingLetter
from api.delivery.email_message import compose
from api.delivery.outcomes import AttemptOutcome
from api.delivery.settings import DeliverySettings
from reports.models import Letterhead, Recipient

TRANSIENT_SMTP = range(400, 500)
# Exception type → (error code, our text, permanent?). First isinstance match wins.
FAILURES: tuple[tuple[type[BaseException], str, str, bool], ...] = (
    (smtplib.SMTPRecipientsRefused, "recipient_refused", "the server refused the recipient", True),
    (smtplib.SMTPSenderRefused, "sender_refused", "the server refused the sender address", True),
    (smtplib.SMTPAuthenticationError, "auth_failed", "SMTP authentication failed", True),
    (smtplib.SMTPNotSupportedError, "tls_unsupported", "the server does not offer STARTTLS", True),
    (ssl.SSLCertVerificationError, "tls_certificate", "the server's TLS certificate was not trusted", True),
    (smtplib.SMTPServerDisconnected, "disconnected", "the server closed the connection", False),
    (smtplib.SMTPResponseException, "smtp_error", "the server refused the message", True),
    (ssl.SSLError, "tls_error", "the TLS handshake failed", False),
    (TimeoutError, "timeout", "no answer from the server within the timeout", False),
    (ConnectionRefusedError, "connection_refused", "the server refused the connection", False),
    (OSError, "network_error", "the server could not be reached", False),
)


def _smtp_code(error: BaseException) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return max(codes) if codes else None
    return getattr(error, "smtp_code", None) if isinstance(error, smtplib.SMTPResponseException) else None


def classify(error: BaseException) -> AttemptOutcome:
    """The outcome an SMTP exception means; a 4xx reply is always transient."""
    underlying = error.__cause__ or error.__context__
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(underlying, TimeoutError):
        error = underlying  # smtplib reports a read timeout as a disconnection
    code, text, permanent = next(
        ((c, t, p) for cls, c, t, p in FAILURES if isinstance(error, cls)),
        ("unexpected", "unexpected error while sending", False),
    )
    smtp_code = _smtp_code(error)
    if smtp_code is not None:
        text = f"{text} (SMTP {smtp_code})"
        permanent = permanent and smtp_code not in TRANSIENT_SMTP
    return AttemptOutcome.failed(code, text) if permanent else AttemptOutcome.retry(code, text)


class SmtpTransport:
    """One connection per message: connect, secure, log in, send, quit."""

    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings

    def _context(self) -> ssl.SSLContext:
        ca = self.settings.smtp_ca_file
        return ssl.create_default_context(cafile=str(ca) if ca else None)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "tls":
            return smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=self._context()
            )
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        if s.smtp_security == "starttls":
            smtp.ehlo()
            smtp.starttls(context=self._context())
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; raises the smtplib/ssl/OS error on failure."""
        with self._connect() as smtp:
            if self.settings.smtp_username:
                password = self.settings.smtp_password
                smtp.login(self.settings.smtp_username, password.get_secret_value() if password else "")
            smtp.send_message(message)


class EmailChannel:
    """The letter by e-mail to the PCP's address, under the configured attachment policy."""

    name = "email"
    batched = False

    def __init__(self, settings: DeliverySettings, letterhead: Letterhead, transport: SmtpTransport) -> None:
        self.settings = settings
        self.letterhead = letterhead
        self.transport = transport

    def unreachable(self, recipient: Recipient) -> str | None:
        """E-mail needs the PCP's address."""
        return None if recipient.email else "the PCP has no e-mail address"

    def send(self, letter: OutgoingLetter) -> AttemptOutcome:
        """Compose and send once; any failure becomes an outcome, never an exception."""
        message = compose(letter, self.letterhead, self.settings.mail_sender, self.settings.mail_policy)
        try:
            self.transport.send(message)
        except (smtplib.SMTPException, OSError) as error:
            return classify(error)
        return AttemptOutcome.delivered()
