"""A small Flesch–Kincaid grade level, for checking that the patient copy reads plainly."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?;:]+")


def syllables(word: str) -> int:
    """Vowel groups, less a silent final 'e'; at least one (a common heuristic)."""
    word = word.lower()
    count = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def fk_grade(sentences: list[str]) -> float:
    """0.39 × words/sentence + 11.8 × syllables/word − 15.59 (Kincaid et al., 1975)."""
    parts = [p for s in sentences for p in _SENTENCE_END.split(s) if _WORD.search(p)]
    words = [w for p in parts for w in _WORD.findall(p)]
    if not words:
        return 0.0
    total_syllables = sum(syllables(w) for w in words)
    return 0.39 * len(words) / len(parts) + 11.8 * total_syllables / len(words) - 15.59
