"""Referral-loop KPIs from plain tables: both sides of the 16-week window, PCP dates first, groups."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import pytest

from reports.cohort.loop import loop_kpis, pcp_treatment_starts, with_pcp_treatment_starts

PROCEDURE = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)


def _at(days: int) -> dt.datetime:
    return dt.datetime.combine(PROCEDURE + dt.timedelta(days=days), dt.time(10), tzinfo=dt.UTC)


def _tables(
    start_days: list[int | None], practice: str = "Elm", priority: str = "soon"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ids = [uuid.uuid4() for _ in start_days]
    referrals = pd.DataFrame(
        [(i, priority, practice, PROCEDURE, f"P{n}") for n, i in enumerate(ids)],
        columns=["id", "priority", "practice", "procedure_date", "patient_id"],
    )
    events = pd.DataFrame([(i, "sent", _at(10)) for i in ids], columns=["referral_id", "to_status", "at"])
    deliveries = pd.DataFrame([(i, _at(9)) for i in ids], columns=["referral_id", "delivered_at"])
    responses = pd.DataFrame(
        [
            (i, "treatment_started", PROCEDURE + dt.timedelta(days=d), _at(d + 1))
            for i, d in zip(ids, start_days, strict=True)
            if d is not None
        ],
        columns=["referral_id", "answer", "treatment_start_date", "answered_at"],
    )
    return referrals, events, deliveries, responses


@pytest.mark.parametrize(("start", "treated"), [(112, 1), (113, 0), (0, 1), (None, 0)])
def test_treated_within_16_weeks_both_sides_of_day_112(start: int | None, treated: int) -> None:
    kpis = loop_kpis(*_tables([start]), NOW)
    overall = kpis.groups[0]
    assert (overall.treated_16w_numerator, overall.treated_16w_denominator) == (treated, 1)


def test_window_not_yet_closed_is_left_out_of_the_denominator() -> None:
    for now, due in ((_at(111), 0), (_at(112), 1)):
        overall = loop_kpis(*_tables([5]), now).groups[0]
        assert overall.treated_16w_denominator == due


def test_letter_is_the_delivery_acknowledgement_the_answer_and_groups_per_practice() -> None:
    elm = _tables([20, 40])
    oak = _tables([None], practice="Oak", priority="urgent")
    r, e, d, a = (pd.concat([x, y], ignore_index=True) for x, y in zip(elm, oak, strict=True))
    kpis = loop_kpis(r, e, d, a, NOW)
    by = {(g.group, g.value): g for g in kpis.groups}
    assert by["all", "all"].letter_median_days == 9.0  # the delivery (day 9), not the sent event (day 10)
    assert (by["practice", "Elm"].ack_median_days, by["practice", "Elm"].treatment_median_days) == (
        31.0,
        30.0,
    )
    assert by["practice", "Oak"].treatment_n == 0 and by["priority", "urgent"].referrals == 1
    assert by["practice", "Elm"].treated_16w_percent == 100.0 and by["all", "all"].treated_16w_percent == 66.7


def test_pcp_answers_replace_the_cohort_start_where_present() -> None:
    referrals, _, _, responses = _tables([30, None])
    starts = pcp_treatment_starts(referrals, responses)
    cohort = pd.DataFrame(
        {
            "patient_id": ["P0", "P1", "P9"],
            "treatment_start_date_after": pd.to_datetime(pd.Series(["2025-06-01", "2025-03-01", None])),
        }
    )
    updated, used = with_pcp_treatment_starts(cohort, starts)
    assert used == 1
    column = updated["treatment_start_date_after"]
    assert column.dtype.kind == "M"
    assert column.iloc[:2].tolist() == [pd.Timestamp("2025-01-31"), pd.Timestamp("2025-03-01")]
    assert pd.isna(column.iloc[2])
