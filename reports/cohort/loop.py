"""Referral-loop KPIs from plain tables: procedure → letter → acknowledgement → treatment start.

Per referral: the letter is the first delivered delivery (else the move to ``sent``); the
acknowledgement the first PCP answer or move to ``acknowledged``; the treatment start the
PCP's own date when they gave one (else the day of the move to ``treatment_started``).
"Treated ≤16 weeks" (IOF-FFN-NOF 9; FLS-DB 10) counts starts 0–112 days after the
procedure, among referrals whose 112 days have passed by ``as_of``. ``api.analytics`` reads
the tables; this module only counts, so ``reports`` never touches ``api``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from reports.cohort.models import LoopGroup, LoopKpis

WINDOW_DAYS = 16 * 7
REFERRAL_COLUMNS = ("id", "priority", "practice", "procedure_date", "patient_id")
EVENT_COLUMNS = ("referral_id", "to_status", "at")
DELIVERY_COLUMNS = ("referral_id", "delivered_at")
RESPONSE_COLUMNS = ("referral_id", "answer", "treatment_start_date", "answered_at")
GROUPINGS = (("all", None), ("priority", "priority"), ("practice", "practice"))


def _first(frame: pd.DataFrame, when: str) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype="datetime64[ns, UTC]")
    return pd.to_datetime(frame[when], utc=True).groupby(frame["referral_id"]).min()


def _days(moment: pd.Series, procedure: pd.Series) -> pd.Series:
    day = pd.to_datetime(moment.reindex(procedure.index), utc=True).dt.tz_localize(None).dt.normalize()
    return (day - procedure).dt.days


def referral_days(
    referrals: pd.DataFrame, events: pd.DataFrame, deliveries: pd.DataFrame, responses: pd.DataFrame
) -> pd.DataFrame:
    """Per referral: days from the procedure to the letter, the acknowledgement, the start (NaN = not yet)."""
    procedure = pd.to_datetime(referrals.set_index("id")["procedure_date"])
    step = {
        s: _first(events[events["to_status"] == s], "at")
        for s in ("sent", "acknowledged", "treatment_started")
    }
    letter = _first(deliveries.dropna(subset=["delivered_at"]), "delivered_at").combine_first(step["sent"])
    ack = _first(responses, "answered_at").combine_first(step["acknowledged"])
    starts = responses.dropna(subset=["treatment_start_date"])
    pcp_start = pd.to_datetime(starts.groupby("referral_id")["treatment_start_date"].min(), utc=True)
    start = (
        pcp_start.combine_first(step["treatment_started"]) if len(pcp_start) else step["treatment_started"]
    )
    return pd.DataFrame(
        {
            "priority": referrals.set_index("id")["priority"],
            "practice": referrals.set_index("id")["practice"],
            "procedure": procedure,
            "letter": _days(letter, procedure),
            "ack": _days(ack, procedure),
            "start": _days(start, procedure),
        }
    )


def _median(values: pd.Series) -> float | None:
    finite = values.dropna()
    return round(float(np.median(finite)), 1) if len(finite) else None


def _group(name: str, value: str, rows: pd.DataFrame, as_of: pd.Timestamp) -> LoopGroup:
    due = rows["procedure"] + pd.Timedelta(days=WINDOW_DAYS) <= as_of
    treated = rows["start"].between(0, WINDOW_DAYS) & due
    denominator, numerator = int(due.sum()), int(treated.sum())
    return LoopGroup(
        group=name, value=value, referrals=len(rows),
        letter_n=int(rows["letter"].notna().sum()), letter_median_days=_median(rows["letter"]),
        ack_n=int(rows["ack"].notna().sum()), ack_median_days=_median(rows["ack"]),
        treatment_n=int(rows["start"].notna().sum()), treatment_median_days=_median(rows["start"]),
        treated_16w_numerator=numerator, treated_16w_denominator=denominator,
        treated_16w_percent=round(100.0 * numerator / denominator, 1) if denominator else None,
    )  # fmt: skip


def loop_kpis(
    referrals: pd.DataFrame,
    events: pd.DataFrame,
    deliveries: pd.DataFrame,
    responses: pd.DataFrame,
    now: dt.datetime,
) -> LoopKpis:
    """The loop KPIs overall, per priority and per practice, as of ``now``."""
    as_of = pd.Timestamp(now.date())
    days = referral_days(referrals, events, deliveries, responses) if len(referrals) else pd.DataFrame()
    groups = [_group("all", "all", days, as_of)] if len(days) else []
    for name, column in GROUPINGS[1:]:
        for value, rows in days.groupby(column, sort=True) if len(days) else ():
            groups.append(_group(name, str(value), rows, as_of))
    return LoopKpis(
        as_of=as_of.date().isoformat(), window_days=WINDOW_DAYS, pcp_answers=len(responses), groups=groups
    )


def pcp_treatment_starts(referrals: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """(patient_id, treatment_start_date): each patient's earliest start the PCP reported."""
    starts = responses.dropna(subset=["treatment_start_date"]).merge(
        referrals[["id", "patient_id"]], left_on="referral_id", right_on="id"
    )
    earliest = starts.groupby("patient_id")["treatment_start_date"].min()
    return pd.DataFrame(
        {"patient_id": earliest.index, "treatment_start_date": pd.to_datetime(earliest.to_numpy())}
    )


def with_pcp_treatment_starts(frame: pd.DataFrame, starts: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The cohort with ``treatment_start_date_after`` taken from the PCP's answers where present.

    A PCP answer is the more direct source, so it replaces the cohort's value for that
    patient; patients without an answer keep theirs. Returns the frame and how many used one.
    """
    if starts.empty or "patient_id" not in frame.columns:
        return frame, 0
    reported = frame["patient_id"].astype(str).map(starts.set_index("patient_id")["treatment_start_date"])
    result = frame.copy()
    current = result.get("treatment_start_date_after", pd.NaT)
    result["treatment_start_date_after"] = pd.to_datetime(reported).combine_first(
        pd.Series(current, index=result.index)
    )
    return result, int(reported.notna().sum())
