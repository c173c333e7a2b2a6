from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from pathlib import Path

import pandas as pd

from reports.cohort.build import build_report, write_report
from reports.cohort.funnel import referral_funnel
from reports.cohort.performance import MIN_EVENTS, MIN_PATIENTS


def _write(frame: pd.DataFrame, tmp_path: Path, source: str = "scored.csv") -> tuple[str, dict]:  # type: ignore[type-arg]
    report = build_report(frame, source=source, resamples=20)
    written = write_report(report, frame, tmp_path / "report.html")
    return written.html.read_text(encoding="utf-8"), json.loads(written.json.read_text(encoding="utf-8"))


def test_html_is_self_contained_and_matches_json(scored_fls: pd.DataFrame, tmp_path: Path) -> None:
    html, numbers = _write(scored_fls, tmp_path)
    assert not re.search(r"(src|href)=\"(https?:|//|/)", html)
    assert html.count("data:image/png;base64,") >= 5
    for kpi in numbers["kpis"]:
        assert f"{kpi['numerator']} / {kpi['denominator']}" in html
    assert numbers["performance"]["status"] == "measured"
    assert numbers["profile"]["n"] == len(scored_fls)


def test_text_is_escaped(scored: pd.DataFrame, tmp_path: Path) -> None:
    html, _ = _write(scored.head(300), tmp_path, source="<script>alert(1)</script>.csv")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_missing_inputs_say_not_measurable(scored: pd.DataFrame, tmp_path: Path) -> None:
    bare = scored.drop(columns=["time_months", "event", "treated_after_procedure", "sex"])
    html, numbers = _write(bare, tmp_path)
    assert numbers["performance"] == {**numbers["performance"], "status": "not_measurable"}
    assert numbers["performance"]["missing_columns"] == ["time_months", "event"]
    assert "not measurable: missing column fls_identification_date" in html
    assert "0.0</td>" not in html.split("2. Cohort profile")[0]


def test_small_subgroups_carry_a_warning(scored: pd.DataFrame) -> None:
    performance = build_report(scored, resamples=0).performance
    for group in performance.subgroups:
        small = group.n < MIN_PATIENTS or min(m.events for m in group.metrics) < MIN_EVENTS
        assert (group.warning is not None) == small
    assert any(g.warning for g in performance.subgroups)


def test_decision_curve_treat_all_falls_with_threshold(scored: pd.DataFrame) -> None:
    curve = build_report(scored, resamples=0).performance.decision_curve
    treat_all = [p.treat_all for p in curve]
    assert treat_all == sorted(treat_all, reverse=True)


def test_referral_funnel_counts_steps_and_overdue() -> None:
    now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    ids = [uuid.uuid4() for _ in range(3)]
    created = now - dt.timedelta(days=200)
    referrals = pd.DataFrame(
        {
            "id": ids,
            "status": ["sent", "acknowledged", "treatment_started"],
            "priority": ["urgent", "soon", "routine"],
            "procedure_date": [dt.date(2023, 11, 1), dt.date(2024, 5, 1), dt.date(2023, 11, 1)],
            "created_at": [created] * 3,
            "sent_at": [created + dt.timedelta(days=2)] * 3,
        }
    )
    moves = [("draft", 0), ("sent", 2), ("acknowledged", 5), ("treatment_started", 30)]
    events = pd.DataFrame(
        [
            (rid, status, created + dt.timedelta(days=d))
            for i, rid in enumerate(ids)
            for status, d in moves[: i + 2]
        ],
        columns=["referral_id", "to_status", "at"],
    )
    funnel = referral_funnel(referrals, events, now)
    assert [(s.status, s.n) for s in funnel.steps] == [
        ("created", 3),
        ("sent", 3),
        ("acknowledged", 2),
        ("treatment_started", 1),
    ]
    assert funnel.steps[2].median_days == 5.0
    assert funnel.unacknowledged_overdue == 1
    assert funnel.follow_up_overdue == 1
