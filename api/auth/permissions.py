"""Roles and what each may do, as one data table (the only place access rules live)."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["clinician", "coordinator", "analyst", "admin"]
Action = Literal[
    "assessments:score",
    "assessments:batch",
    "exports:deidentified",
    "referrals:create",
    "referrals:read",
    "referrals:transition",
    "worklist:read",
    "deliveries:send",
    "deliveries:print",
    "audit:read",
    "keys:manage",
]
ROLES: tuple[Role, ...] = get_args(Role)
ACTIONS: tuple[Action, ...] = get_args(Action)

# Analysts see no identifiable referral (names, letters); coordinators score nothing.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    "clinician": frozenset(
        {
            "assessments:score",
            "assessments:batch",
            "referrals:create",
            "referrals:read",
            "referrals:transition",
            "deliveries:send",
        }
    ),
    "coordinator": frozenset(
        {"referrals:read", "referrals:transition", "worklist:read", "deliveries:send", "deliveries:print"}
    ),
    "analyst": frozenset({"assessments:score", "assessments:batch", "exports:deidentified"}),
    "admin": frozenset(ACTIONS),
}


# The same table as (role, action) pairs: one set lookup per request.
_ALLOWED: frozenset[tuple[str, str]] = frozenset(
    (role, action) for role, actions in PERMISSIONS.items() for action in actions
)


def is_allowed(role: str, action: Action) -> bool:
    """Whether ``role`` may perform ``action`` (an unknown role may do nothing)."""
    return (role, action) in _ALLOWED
