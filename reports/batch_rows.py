"""The records of a letter run: one render job per row, one manifest row per row, and its outcome."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from reports.documents import documents_for
from reports.models import DocumentKind, Letterhead, Recipient, Referrer
from reports.scored_row import ScoredRow
from risk.cohort.columns import PASSTHROUGH_COLUMNS
from risk.contract import PatientRecord

# The contract §3 and §4 columns close each row, carried through unchanged (contract §1).
MANIFEST_FIELDS = (
    "row_id", "patient_id", "pathway", "priority", "documents", "status", "files", "errors",
    "input_hash", *PASSTHROUGH_COLUMNS,
)  # fmt: skip


def referral_columns(recipient: Recipient | None, referrer: Referrer | None) -> dict[str, str]:
    """The contract §4 columns of a PCP and referrer (address lines joined with ';')."""
    pcp = recipient.model_dump() if recipient else {}
    ref = referrer.model_dump() if referrer else {}
    columns = {f"pcp_{key}": pcp.get(key) for key in ("name", "practice", "phone", "fax", "email")}
    columns["pcp_address"] = ";".join(pcp.get("address", []))
    columns |= {f"referrer_{key}": ref.get(key) for key in ("name", "role", "service")}
    return {key: value or "" for key, value in columns.items()}


def passthrough_cells(cells: Mapping[str, Any]) -> dict[str, str]:
    """The §3/§4 cells of one input row exactly as read (a missing or empty cell is '')."""
    return {name: cell_text(cells.get(name)) for name in PASSTHROUGH_COLUMNS}


def cell_text(value: Any) -> str:
    """A cohort cell as read: its text, or '' when empty or missing (NaN, None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One line of ``manifest.csv``; ``status`` is rendered, unchanged, error or no_documents."""

    row_id: str
    patient_id: str
    pathway: str
    priority: str
    documents: list[str]
    passthrough: dict[str, str]  # the §3/§4 columns
    status: str = "pending"
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    input_hash: str = ""

    @classmethod
    def start(cls, row: ScoredRow, kinds: list[DocumentKind]) -> ManifestRow:
        """The row's identity, before anything is rendered.

        The row's own input cells are copied as they are; without them (rows not read
        from a file) the §4 columns are written from the PCP and referrer.
        """
        if row.cells is None:
            carried = passthrough_cells({}) | referral_columns(row.recipient, row.referrer)
        else:
            carried = passthrough_cells(row.cells)
        return cls(
            row_id=str(row.row_id),
            patient_id=row.record.patient_id,
            pathway=row.assessment.pathway,
            priority=row.assessment.priority,
            documents=[kind.value for kind in kinds],
            passthrough=carried,
        )

    def finish(
        self,
        status: str,
        files: list[str] | None = None,
        errors: list[str] | None = None,
        input_hash: str = "",
    ) -> ManifestRow:
        """The row with its outcome."""
        return replace(self, status=status, files=files or [], errors=errors or [], input_hash=input_hash)

    def as_csv(self) -> dict[str, str]:
        """The row as ``manifest.csv`` cells (lists joined with ';')."""
        return {
            "row_id": self.row_id,
            "patient_id": self.patient_id,
            "pathway": self.pathway,
            "priority": self.priority,
            "documents": ";".join(self.documents),
            "status": self.status,
            "files": ";".join(self.files),
            "errors": ";".join(self.errors),
            "input_hash": self.input_hash,
            **self.passthrough,
        }


@dataclass(frozen=True, slots=True)
class Job:
    """Everything one worker needs to render one row (picklable)."""

    base: ManifestRow
    row: ScoredRow
    letterhead: Letterhead
    html: bool
    output_dir: Path
    digest: str
    keep_pages: bool = False  # send each document's HTML back, for --store to keep as rendered

    @property
    def record(self) -> PatientRecord:
        """The row's patient record."""
        return self.row.record

    def kinds(self) -> list[DocumentKind]:
        """The documents this row produces."""
        return documents_for(self.row.assessment)

    def file_name(self, kind: DocumentKind, extension: str) -> str:
        """``<patient_id>_<kind>.<ext>`` (patient_id is restricted to filename-safe chars)."""
        return f"{self.record.patient_id}_{kind.value}.{extension}"

    def file_names(self) -> list[str]:
        """Every file this row writes, in writing order."""
        extensions = ("html", "pdf") if self.html else ("pdf",)
        return [self.file_name(kind, ext) for kind in self.kinds() for ext in extensions]

    @property
    def sidecar(self) -> Path:
        """The file holding the input hash of the last successful render of this row."""
        return self.output_dir / f"{self.record.patient_id}.inputs.json"

    def unchanged(self) -> bool:
        """True when the last render had the same inputs and all its files still exist."""
        try:
            saved = json.loads(self.sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        files = self.file_names()
        return (
            saved.get("input_hash") == self.digest
            and saved.get("files") == files
            and all((self.output_dir / name).is_file() for name in files)
        )

    def save_sidecar(self, files: list[str]) -> None:
        """Record the inputs of a successful render (written last, so a crash re-renders)."""
        self.sidecar.write_text(json.dumps({"input_hash": self.digest, "files": files}), encoding="utf-8")


@dataclass(frozen=True, slots=True)
class RenderedRow:
    """A row's outcome: the scored row, its manifest line, and the HTML rendered in this run.

    ``pages`` holds each document's HTML when the run was asked to keep it and rendered
    the row now; it is empty for a row that was unchanged, had nothing to render, or failed.
    """

    scored: ScoredRow
    manifest: ManifestRow
    pages: Mapping[DocumentKind, str] = field(default_factory=dict)
