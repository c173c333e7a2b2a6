"""Build the cohort report from a validated scored cohort and write report.html + report.json."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from reports.cohort import figures
from reports.cohort.kpis import fls_kpis, kpi_data
from reports.cohort.loop import with_pcp_treatment_starts
from reports.cohort.models import CohortReport, LoopKpis, ReferralFunnel
from reports.cohort.performance import site_performance
from reports.cohort.profile import cohort_profile
from reports.labels import label
from risk.cohort.schemas import read_scored_cohort
from risk.model.artefact import Artefact
from risk.model.validation import BOOTSTRAP_RESAMPLES
from risk.whole_file import write_whole

TEMPLATES = Path(__file__).parent / "templates"
ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class RenderedReport:
    """Where the HTML and JSON went."""

    html: Path
    json: Path


def _model_pairs(frame: pd.DataFrame) -> list[str]:
    pairs = (frame["model_name"].astype(str) + " " + frame["model_version"].astype(str)).unique()
    return sorted(pairs)


def training_fingerprint(frame: pd.DataFrame, artefact: Artefact | None) -> str | None:
    """The artefact's training-data fingerprint, if that artefact is the one that scored ``frame``."""
    if artefact is None or f"{artefact.model_name} {artefact.model_version}" not in _model_pairs(frame):
        return None
    return artefact.training_data.fingerprint


def build_report(
    frame: pd.DataFrame,
    *,
    source: str = "",
    funnel: ReferralFunnel | None = None,
    loop: LoopKpis | None = None,
    as_of: pd.Timestamp | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
    artefact: Artefact | None = None,
) -> CohortReport:
    """All numbers of the report from a frame validated by ``risk.cohort.schemas``.

    ``artefact`` is the scoring model: with it the report recognises the model's own
    training cohort and labels its figures apparent performance.
    """
    model = ", ".join(_model_pairs(frame))
    return CohortReport(
        title="Fracture liaison cohort report",
        source=source,
        as_of=kpi_data(frame, as_of).as_of.date().isoformat(),
        model=model,
        kpis=fls_kpis(frame, as_of),
        profile=cohort_profile(frame),
        performance=site_performance(
            frame,
            resamples=resamples,
            seed=seed,
            model=model,
            training_fingerprint=training_fingerprint(frame, artefact),
        ),
        funnel=funnel,
        loop=loop,
    )


def figure_uris(report: CohortReport, frame: pd.DataFrame) -> dict[str, str]:
    """Every embedded figure, keyed for the template."""
    risks = (100 * frame["new_vertebral_fracture_12m"].dropna()).tolist()
    uris = {"tiers": figures.criteria_bars(frame["criteria"], report.profile.n)}
    if risks:
        uris["risk"] = figures.risk_histogram(report.profile, risks)
    uris |= {f"kpi_{k.key}": figures.kpi_trend_figure(k) for k in report.kpis if k.trend}
    performance = report.performance
    if performance.validation is not None:
        uris["calibration"] = figures.calibration_figure(performance.validation)
        uris["decision"] = figures.decision_curve_figure(performance)
        uris["incidence"] = figures.incidence_figure(performance)
    return uris


def render_html(report: CohortReport, frame: pd.DataFrame) -> str:
    """The self-contained HTML page (figures inline, no external resources)."""
    template = ENVIRONMENT.get_template("cohort_report.html.j2")
    omitted = figures.small_groups(report.performance)
    return template.render(
        report=report, figures=figure_uris(report, frame), label=label, omitted_groups=omitted
    )


def write_report(report: CohortReport, frame: pd.DataFrame, html_path: Path) -> RenderedReport:
    """Write ``html_path`` and the same numbers as JSON beside it (``<stem>.json``)."""
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    json_path = html_path.with_suffix(".json")
    write_whole(html_path, render_html(report, frame).encode("utf-8"))
    write_whole(json_path, (report.model_dump_json(indent=1) + "\n").encode("utf-8"))
    return RenderedReport(html=html_path, json=json_path)


def report_from_file(
    cohort: Path,
    output: Path,
    *,
    funnel: ReferralFunnel | None = None,
    loop: LoopKpis | None = None,
    treatment_starts: pd.DataFrame | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    artefact: Artefact | None = None,
) -> RenderedReport:
    """Read + validate a scored cohort file, build the report, write HTML and JSON.

    ``treatment_starts`` (patient_id, treatment_start_date) are the PCPs' answers: where a
    patient has one, the treatment KPIs use it instead of the file's column.
    """
    frame = read_scored_cohort(Path(cohort))
    if treatment_starts is not None and loop is not None:
        frame, used = with_pcp_treatment_starts(frame, treatment_starts)
        loop = loop.model_copy(update={"cohort_starts_from_pcp": used})
    report = build_report(
        frame, source=Path(cohort).name, funnel=funnel, loop=loop, resamples=resamples, artefact=artefact
    )
    return write_report(report, frame, output)
