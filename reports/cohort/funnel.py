"""The referral funnel (created → sent → acknowledged → treatment_started) from plain tables.

``api.analytics`` reads the tables from the database; this module only counts, so the
report package never touches ``api``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from reports.cohort.models import FunnelStep, ReferralFunnel

STEPS = ("draft", "sent", "acknowledged", "treatment_started")
STEP_LABELS = {"draft": "created"}
OPEN_STATUSES = ("sent", "acknowledged")
FOLLOW_UP_LATE_WEEKS = 16  # the 12–16-week contact window has closed
UNACKNOWLEDGED_DAYS = 14
REFERRAL_COLUMNS = ("id", "status", "priority", "procedure_date", "created_at", "sent_at")
EVENT_COLUMNS = ("referral_id", "to_status", "at")


def step_days(referrals: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Per referral, days from creation to the first event reaching each step (NaN = never)."""
    first = events.groupby(["referral_id", "to_status"])["at"].min().unstack()
    first = first.reindex(columns=list(STEPS)).reindex(referrals["id"])
    created = pd.to_datetime(referrals.set_index("id")["created_at"], utc=True)
    return first.apply(lambda at: (pd.to_datetime(at, utc=True) - created).dt.total_seconds() / 86_400)


def _quantile(values: pd.Series, q: float) -> float | None:
    finite = values.dropna()
    return round(float(np.quantile(finite, q)), 1) if len(finite) else None


def overdue_counts(referrals: pd.DataFrame, now: dt.datetime, days: int) -> tuple[int, int]:
    """(sent but unacknowledged for > ``days``, still open after the 16-week follow-up window)."""
    sent_at = pd.to_datetime(referrals["sent_at"], utc=True)
    late_ack = (referrals["status"] == "sent") & (sent_at < pd.Timestamp(now) - pd.Timedelta(days=days))
    window_closed = pd.to_datetime(referrals["procedure_date"]) + pd.Timedelta(weeks=FOLLOW_UP_LATE_WEEKS)
    late_follow_up = referrals["status"].isin(OPEN_STATUSES) & (window_closed < pd.Timestamp(now.date()))
    return int(late_ack.sum()), int(late_follow_up.sum())


def referral_funnel(
    referrals: pd.DataFrame,
    events: pd.DataFrame,
    now: dt.datetime,
    *,
    overdue_days: int = UNACKNOWLEDGED_DAYS,
) -> ReferralFunnel:
    """Counts and time-to-step of each funnel step, and overdue referrals as of ``now``."""
    created = len(referrals)
    days = step_days(referrals, events) if created else pd.DataFrame(columns=list(STEPS))
    steps = [
        FunnelStep(
            status=STEP_LABELS.get(step, step),
            n=int(days[step].notna().sum()),
            percent_of_created=round(100.0 * int(days[step].notna().sum()) / created, 1) if created else 0.0,
            median_days=_quantile(days[step], 0.5),
            p90_days=_quantile(days[step], 0.9),
        )
        for step in STEPS
    ]
    late_ack, late_follow_up = overdue_counts(referrals, now, overdue_days) if created else (0, 0)
    return ReferralFunnel(
        as_of=now.isoformat(timespec="seconds"),
        steps=steps,
        unacknowledged_overdue=late_ack,
        follow_up_overdue=late_follow_up,
        overdue_days=overdue_days,
    )
