"""`osteoref fhir-assess`: map a FHIR Bundle file, assess it, print one JSON object (or the Bundle)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from api import cli_exit
from risk.errors import FieldError, InvalidInput, OsteorefError


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(
            f"cannot read {path}: {exc.strerror}", [FieldError("bundle", str(path), "readable")]
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is not JSON: {exc}", [FieldError("bundle", str(path), "JSON")]) from None


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--assessment-date {value!r} is not YYYY-MM-DD", []) from None


def fhir_assess(
    bundle: Annotated[Path, typer.Argument(help="A FHIR R4 Bundle (JSON file).")],
    assessment_date: Annotated[str | None, typer.Option(help="As-of date YYYY-MM-DD [today].")] = None,
    fhir: Annotated[bool, typer.Option("--fhir", help="Print the output FHIR Bundle instead.")] = False,
) -> None:
    """Map a FHIR Bundle to a PatientRecord, assess it, print record + assessment + mapping report."""
    # Imported when run, so `osteoref fhir-assess --help` does not load the FHIR models or pandas.
    from api.fhir.service import assess_bundle  # noqa: PLC0415 (only when run)
    from api.settings import get_settings  # noqa: PLC0415 (only when run)
    from risk.assess import Assessor  # noqa: PLC0415 (only when run)

    settings = get_settings()
    try:
        data = _read(bundle)
        if not isinstance(data, dict):
            raise InvalidInput(f"{bundle} does not hold a JSON object (a FHIR Bundle)", [])
        assessor = Assessor.load(settings.model_path, settings.rule_config())
        result = assess_bundle(
            data,
            assessor,
            assessment_date=_date(assessment_date),
            lookback_months=settings.fhir_lookback_months,
            base_url=settings.public_base_url,
        )
    except OsteorefError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(cli_exit.USAGE) from None
    typer.echo(json.dumps(result.bundle if fhir else result.summary(), indent=2, ensure_ascii=False))
