"""Property: every document renders (HTML) for any valid record and assessment, input escaped."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from reports import Recipient, documents_for, render_html
from risk.contract import (
    CEMENT_LEAKAGE,
    CURRENT_TREATMENTS,
    FRACTURE_CAUSES,
    LEVELS,
    PATHWAYS,
    PRIORITIES,
    RECOMMENDED_THERAPIES,
    RISK_TIERS,
    Assessment,
    Criterion,
    Flag,
    ModelInfo,
    PatientRecord,
)
from tests.reports.factories import LETTERHEAD, make_risk

names = st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and s.strip())
optional_float = st.none() | st.floats(-6.9, 3.9).map(lambda x: round(x, 1))
texts = st.text(max_size=80)


@st.composite
def records(draw: st.DrawFn) -> PatientRecord:
    procedure = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)))
    return PatientRecord(
        patient_id=draw(st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True)),
        given_name=draw(st.none() | names),
        family_name=draw(st.none() | names),
        age_years=draw(st.floats(50, 100)),
        sex=draw(st.sampled_from(["female", "male"])),
        assessment_date=procedure + dt.timedelta(days=draw(st.integers(0, 2000))),
        procedure_date=procedure,
        fracture_cause=draw(st.sampled_from(FRACTURE_CAUSES)),
        treated_levels=draw(st.lists(st.sampled_from(LEVELS), min_size=1, max_size=5, unique=True)),
        cement_leakage=draw(st.sampled_from(CEMENT_LEAKAGE)),
        intravertebral_cleft=draw(st.none() | st.booleans()),
        t_score_total_hip=draw(optional_float),
        t_score_lumbar_spine=draw(optional_float),
        lumbar_vertebrae_evaluable=draw(st.none() | st.integers(0, 4)),
        egfr=draw(st.none() | st.floats(1, 200)),
        vitamin_d_ng_ml=draw(st.none() | st.floats(1, 200)),
        current_treatment=draw(st.sampled_from(CURRENT_TREATMENTS)),
        glucocorticoid_mg_per_day=draw(st.floats(0, 200)),
    )


@st.composite
def assessments(draw: st.DrawFn, record: PatientRecord) -> Assessment:
    items = st.builds(Criterion, code=st.just("VH_FALLS"), message=texts, source=texts)
    flags = st.builds(
        Flag, code=st.sampled_from(["DENOSUMAB_OVERDUE", "EGFR_BELOW_30", "RAISED_ALP"]),
        severity=st.sampled_from(["urgent", "warning", "info"]), message=texts, source=texts,
    )  # fmt: skip
    return Assessment(
        patient_id=record.patient_id,
        assessment_date=record.assessment_date,
        pathway=draw(st.sampled_from(PATHWAYS)),
        risk_tier=draw(st.none() | st.sampled_from(RISK_TIERS)),
        priority=draw(st.sampled_from(PRIORITIES)),
        refer_to_pcp=draw(st.booleans()),
        refer_to_specialist=draw(st.booleans()),
        recommended_therapy=draw(st.sampled_from(RECOMMENDED_THERAPIES)),
        criteria=draw(st.lists(items, max_size=3)),
        flags=draw(st.lists(flags, max_size=3)),
        risk=draw(st.none() | st.floats(0.001, 0.6).map(make_risk)),
        contributions=[],
        model=ModelInfo(name=draw(texts), version=draw(texts)),
        missing_inputs=draw(st.lists(texts, max_size=2)),
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data(), pcp_name=names)
def test_every_document_renders_and_escapes_names(data: st.DataObject, pcp_name: str) -> None:
    record = data.draw(records())
    assessment = data.draw(assessments(record))
    recipient = Recipient(name=pcp_name)
    # The same documents with plain names: a name holding "<" may only occur raw as often as it
    # does there (a name of just "<" matches every tag), since escaping removes every "<" it brings.
    plain = record.model_copy(update={"given_name": "Zed", "family_name": "Zed"})
    for kind in documents_for(assessment):
        html = render_html(kind, record, assessment, LETTERHEAD, recipient)
        baseline = render_html(kind, plain, assessment, LETTERHEAD, Recipient(name="Zed"))
        for name in (record.given_name, record.family_name, pcp_name):
            if name:
                assert str(escape(name)) in html
                if "<" in name:
                    assert html.count(name) <= baseline.count(name)
