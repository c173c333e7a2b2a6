"""Scoring beyond one call: chunked streaming, Dask partitions, and site recalibration."""

from risk.scale.chunk import REPORT_INPUTS, ScoredChunk, score_chunk, scored_columns
from risk.scale.chunked import ScaleSummary, errors_path_for, score_file_chunked
from risk.scale.memory import PeakRss

__all__ = [
    "REPORT_INPUTS",
    "PeakRss",
    "ScaleSummary",
    "ScoredChunk",
    "errors_path_for",
    "score_chunk",
    "score_file_chunked",
    "scored_columns",
]
