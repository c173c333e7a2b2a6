"""Kept only so ``api/cli_letters_store.py`` and ``benchmarks/bench_api.py`` import ``open_database``
from here until their owners switch to ``api.auth.bootstrap``; the app is assembled in ``api.context``."""

from __future__ import annotations

from api.auth.bootstrap import open_database

__all__ = ["open_database"]
