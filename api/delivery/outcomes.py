"""What one delivery attempt came to: delivered, worth retrying, or failed for good."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Result = Literal["delivered", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """The result, and for a failure a code and a text we wrote (never a server's echo)."""

    result: Result
    error_code: str | None = None
    error_text: str | None = None

    @classmethod
    def delivered(cls) -> AttemptOutcome:
        """The channel accepted the letter."""
        return cls("delivered")

    @classmethod
    def retry(cls, code: str, text: str) -> AttemptOutcome:
        """A transient failure: try again after the backoff."""
        return cls("retry", code, text)

    @classmethod
    def failed(cls, code: str, text: str) -> AttemptOutcome:
        """A permanent failure: retrying cannot help; a coordinator must act."""
        return cls("failed", code, text)
