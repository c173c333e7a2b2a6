"""A digest of this package's code and templates: a letter run re-renders when they change."""

from __future__ import annotations

import functools
import hashlib
from importlib.resources import files
from importlib.resources.abc import Traversable


def _walk(node: Traversable) -> list[Traversable]:
    if node.is_file():
        return [node] if node.name.endswith((".py", ".j2")) else []
    return [leaf for child in node.iterdir() for leaf in _walk(child)]


@functools.cache
def code_digest() -> str:
    """SHA-256 over every ``.py`` and template file of ``reports``, in a stable order."""
    digest = hashlib.sha256()
    for leaf in sorted(_walk(files("reports")), key=str):
        digest.update(leaf.name.encode())
        digest.update(leaf.read_bytes())
    return digest.hexdigest()
