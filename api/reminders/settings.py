"""Settings of the reminder job (prefix ``OSTEOREF_``): days before a re-send and an escalation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:  # risk.contract loads pandas; api.settings (every CLI command) imports this module
    from risk.contract.enums import Priority

Days = int


class ReminderSettings(BaseSettings):
    """Days unacknowledged, per priority, before the letter is re-sent and before it is escalated.

    Re-send after 7 / 14 / 28 days (urgent / soon / routine: half or less of the action window
    the letter gives, 2 / 4 / 12 weeks); escalate to the coordinator at twice that.
    """

    model_config = SettingsConfigDict(env_prefix="OSTEOREF_", extra="ignore", frozen=True)

    reminder_days_urgent: Days = Field(default=7, ge=1, le=365)
    reminder_days_soon: Days = Field(default=14, ge=1, le=365)
    reminder_days_routine: Days = Field(default=28, ge=1, le=365)
    escalation_days_urgent: Days = Field(default=14, ge=1, le=730)
    escalation_days_soon: Days = Field(default=28, ge=1, le=730)
    escalation_days_routine: Days = Field(default=56, ge=1, le=730)
    reminder_lease_seconds: int = Field(default=900, ge=30, le=24 * 3600)

    @model_validator(mode="after")
    def _escalation_after_reminder(self) -> ReminderSettings:
        for priority in ("urgent", "soon", "routine"):
            if self.escalation_days(priority) <= self.reminder_days(priority):
                raise ValueError(
                    f"OSTEOREF_ESCALATION_DAYS_{priority.upper()} must be more than "
                    f"OSTEOREF_REMINDER_DAYS_{priority.upper()}"
                )
        return self

    def reminder_days(self, priority: Priority) -> Days:
        """Days unacknowledged before the letter is sent again."""
        days: Days = getattr(self, f"reminder_days_{priority}")
        return days

    def escalation_days(self, priority: Priority) -> Days:
        """Days unacknowledged before the referral goes on the coordinator's worklist."""
        days: Days = getattr(self, f"escalation_days_{priority}")
        return days
