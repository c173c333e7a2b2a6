"""The referral status machine as a data table; every move is checked against it."""

from __future__ import annotations

from typing import Literal, get_args

from risk.errors import Conflict, FieldError, InvalidInput

Status = Literal[
    "draft", "sent", "acknowledged", "treatment_started", "declined", "not_registered", "cancelled"
]
STATUSES: tuple[Status, ...] = get_args(Status)
INITIAL_STATUS: Status = "draft"

# from status → statuses it may move to. treatment_started, declined, not_registered and
# cancelled are final. not_registered: the PCP answered that the patient is not on their list
# (the referral ends; the coordinator finds the right practice and refers again).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    "draft": frozenset({"sent", "cancelled"}),
    "sent": frozenset({"acknowledged", "declined", "not_registered", "cancelled"}),
    "acknowledged": frozenset({"treatment_started", "declined", "not_registered", "cancelled"}),
    "treatment_started": frozenset(),
    "declined": frozenset(),
    "not_registered": frozenset(),
    "cancelled": frozenset(),
}
REASON_REQUIRED: frozenset[Status] = frozenset({"declined"})


def allowed_moves(current: str) -> frozenset[Status]:
    """The statuses a referral in ``current`` may move to (none for an unknown status)."""
    return next((moves for s, moves in TRANSITIONS.items() if s == current), frozenset())


def check_transition(current: str, target: Status, reason: str | None) -> None:
    """Raise InvalidInput (missing reason) or Conflict (move not in the table)."""
    if target in REASON_REQUIRED and not (reason and reason.strip()):
        raise InvalidInput(
            f"a reason is required to move a referral to {target!r}",
            [FieldError("reason", reason, f"required when moving to {target}")],
        )
    allowed = allowed_moves(current)
    if target not in allowed:
        allowed_text = ", ".join(sorted(allowed)) or "none (final status)"
        raise Conflict(f"cannot move a referral from {current!r} to {target!r}; allowed: {allowed_text}")
