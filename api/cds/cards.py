"""Cards from an Assessment: the risk card (patient-view) and the short pathway info card."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

from risk.contract import Assessment

INDICATOR = {"urgent": "critical", "soon": "warning", "routine": "info"}
THERAPY = {
    "anabolic_first": (
        "anabolic agent first (teriparatide, abaloparatide or romosozumab), then an antiresorptive"
    ),
    "antiresorptive_first": "antiresorptive (oral bisphosphonate, zoledronic acid or denosumab)",
    "continue_current": "continue the current anti-osteoporosis therapy",
    "specialist_decision": "specialist decision (bone or metabolic specialist)",
    "oncology_management": "oncology / haematology management",
    "none": "none from this service",
}
TIER = {"very_high": "very high", "high": "high"}
INFO_SUMMARY = {
    "oncology": "Vertebral fracture on the oncology pathway: no osteoporosis risk score; oncology review",
    "trauma_review": "High-energy vertebral fracture: osteoporosis not established; see the flags",
}
SUMMARY_LIMIT = 139  # the spec: fewer than 140 characters
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")


@dataclass(frozen=True, slots=True)
class CardSite:
    """Where cards point: the service label and absolute URLs."""

    label: str
    model_card_url: str
    referral_page_url: str


def risk_card(assessment: Assessment, site: CardSite) -> dict[str, Any]:
    """The patient-view card of an osteoporosis-pathway assessment."""
    return base_card(assessment, site, risk_summary(assessment), detail_markdown(assessment, site))


def info_card(assessment: Assessment, site: CardSite) -> dict[str, Any]:
    """A short info card for the oncology and trauma pathways (no risk, no referral suggestion)."""
    detail = detail_markdown(assessment, site, with_risk=False)
    card = base_card(assessment, site, INFO_SUMMARY[assessment.pathway], detail)
    card["indicator"] = "info"
    card["links"] = [_model_card_link(site)]
    return card


def base_card(assessment: Assessment, site: CardSite, summary: str, detail: str) -> dict[str, Any]:
    """Fields every card of ours carries."""
    return {
        "uuid": str(uuid.uuid4()),
        "summary": clip(summary),
        "indicator": INDICATOR[assessment.priority],
        "detail": detail,
        "source": {"label": site.label, "url": site.model_card_url},
        "links": [
            {"label": "Create the referral letter", "url": site.referral_page_url, "type": "absolute"},
            _model_card_link(site),
        ],
    }


def risk_summary(assessment: Assessment) -> str:
    """One sentence: 12-month risk, tier and priority."""
    tier = TIER.get(assessment.risk_tier or "", "")
    risk = assessment.risk
    head = (
        f"Re-fracture risk {percent(risk.new_vertebral_fracture_12m)} at 12 months" if risk else "Re-fracture"
    )
    tier_text = f", {tier} risk" if tier else ""
    return f"{head}{tier_text}: refer to PCP for osteoporosis care ({assessment.priority})"


def detail_markdown(assessment: Assessment, site: CardSite, *, with_risk: bool = True) -> str:
    """GitHub Markdown: decision, risk table, criteria, flags, missing inputs, model."""
    lines = [
        f"**Pathway:** {assessment.pathway.replace('_', ' ')} · "
        f"**Risk tier:** {TIER.get(assessment.risk_tier or '', 'not applicable')} · "
        f"**Priority:** {assessment.priority}",
        "",
        f"**Recommended drug class:** {THERAPY[assessment.recommended_therapy]}",
    ]
    lines += _risk_table(assessment) if with_risk else ["", "No model risk is shown on this pathway."]
    lines += _listing("Criteria", [(c.code, c.message, c.source) for c in assessment.criteria])
    lines += _listing("Flags", [(f"{f.code} ({f.severity})", f.message, f.source) for f in assessment.flags])
    if assessment.missing_inputs:
        lines += [
            "",
            "**Imputed (missing) inputs:** " + ", ".join(escape(m) for m in assessment.missing_inputs),
        ]
    lines += [
        "",
        f"Model {escape(assessment.model.name)} {escape(assessment.model.version)}; "
        f"decision support only — review the basis in the [model card]({site.model_card_url}).",
    ]
    return "\n".join(lines)


def _risk_table(assessment: Assessment) -> list[str]:
    risk = assessment.risk
    if risk is None:
        return ["", "No model risk is estimated on this pathway."]
    rows = [
        "",
        "| New vertebral fracture | 12 months | 24 months |",
        "|---|---|---|",
        f"| Without treatment | {percent(risk.new_vertebral_fracture_12m)} "
        f"| {percent(risk.new_vertebral_fracture_24m)} |",
    ]
    if risk.with_treatment_12m is not None and risk.with_treatment_24m is not None:
        rows.append(
            f"| With the recommended treatment | {percent(risk.with_treatment_12m)} "
            f"| {percent(risk.with_treatment_24m)} |"
        )
    return rows


def _listing(title: str, items: list[tuple[str, str, str]]) -> list[str]:
    if not items:
        return []
    return ["", f"**{title}**", ""] + [
        f"- `{code}` — {escape(message)} _({escape(source)})_" for code, message, source in items
    ]


def _model_card_link(site: CardSite) -> dict[str, str]:
    return {"label": "Model card and limitations", "url": site.model_card_url, "type": "absolute"}


def percent(value: float) -> str:
    """A probability as a whole percentage (below 1% shown as '<1%')."""
    if math.isnan(value):
        return "unknown"
    return "<1%" if value < 0.005 else f"{round(value * 100)}%"


def escape(text: str) -> str:
    """Text safe inside Markdown (no accidental emphasis, tables, links or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def clip(summary: str) -> str:
    """A summary within the spec's limit (cut at a word, with an ellipsis, only if needed)."""
    if len(summary) <= SUMMARY_LIMIT:
        return summary
    return summary[: SUMMARY_LIMIT - 1].rsplit(" ", 1)[0] + "…"
