"""Cohort reports for analysts: FLS KPIs, cohort profile, site performance, referral funnel."""

from reports.cohort.build import RenderedReport, build_report, render_html, report_from_file, write_report
from reports.cohort.funnel import referral_funnel
from reports.cohort.kpis import KPIS, fls_kpis, iof_band
from reports.cohort.models import CohortReport, KpiResult, ReferralFunnel
from reports.cohort.performance import site_performance
from reports.cohort.profile import cohort_profile

__all__ = [
    "KPIS",
    "CohortReport",
    "KpiResult",
    "ReferralFunnel",
    "RenderedReport",
    "build_report",
    "cohort_profile",
    "fls_kpis",
    "iof_band",
    "referral_funnel",
    "render_html",
    "report_from_file",
    "site_performance",
    "write_report",
]
