"""The e-mail a practice receives: neutral subject, plain-text body, the PDF or only the link.

Neither the subject nor the body names or identifies the patient: the practice matches the
letter by the referral reference, and the patient's name is only inside the PDF (or behind
the link, after the PCP confirms the practice).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from api.delivery.channels import OutgoingLetter
from api.delivery.settings import MailPolicy
from reports import fmt
from reports.models import Letterhead

SUBJECT = "Bone health referral letter from {organisation} (ref {reference})"
GREETING = "Dear {name},"
ATTACHED = (
    "Please find attached a letter from {organisation} about a patient registered with your practice. "
    "The letter names the patient; this e-mail does not."
)
LINKED = (
    "A letter from {organisation} about a patient registered with your practice is ready. "
    "Open it securely at the link below: you will be asked to confirm your practice before the "
    "patient's details are shown."
)
ASK = (
    "Please tell us you have received it, and later whether treatment was started, declined, or "
    "the patient is not registered with you, at:\n\n    {url}\n\n"
    "(or scan the QR code on the letter). The link works once, for this letter only, until {expires}."
)
SIGN_OFF = "Reference: {reference}\n\n{organisation}\n{contact}"


def body_text(letter: OutgoingLetter, letterhead: Letterhead, policy: MailPolicy) -> str:
    """The plain-text body for ``policy`` (no clinical detail, no patient identifier)."""
    words = {
        "organisation": letterhead.organisation,
        "reference": letter.reference,
        "url": letter.ack_url,
        "expires": fmt.day(letter.expires_on),
        "name": letter.recipient.name,
        "contact": " · ".join(x for x in (letterhead.phone, letterhead.email) if x),
    }
    intro = ATTACHED if policy == "attach" else LINKED
    parts = (GREETING, intro, ASK, SIGN_OFF)
    return "\n\n".join(part.format(**words) for part in parts) + "\n"


def compose(letter: OutgoingLetter, letterhead: Letterhead, sender: str, policy: MailPolicy) -> EmailMessage:
    """The message to ``letter.recipient.email``, with the PDF attached when the policy says so."""
    if letter.recipient.email is None:
        raise ValueError("compose() needs a recipient e-mail address")
    message = EmailMessage()
    subject = SUBJECT.format(organisation=letterhead.organisation, reference=letter.reference)
    message["Subject"] = f"Reminder: {subject}" if letter.purpose == "reminder" else subject
    message["From"] = formataddr((letterhead.organisation, sender))
    message["To"] = letter.recipient.email
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(body_text(letter, letterhead, policy))
    if policy == "attach":
        message.add_attachment(
            letter.pdf(), maintype="application", subtype="pdf", filename=f"referral-{letter.reference}.pdf"
        )
    return message
