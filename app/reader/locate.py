"""Where does a quote the LLM copied lie in the source? Offsets for highlighting, or None when it is not there.

Small models copy almost verbatim: they change quote marks and dashes, whitespace, case, or drop a word. The
quote is matched on a normalised form of both texts (a map keeps the original offsets); when no exact match
exists, rapidfuzz's best partial alignment is accepted above FUZZY_MIN. A quote that matches nowhere is not
evidence, and the reading that rests on it is discarded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

FUZZY_MIN = 90.0  # partial-ratio score (0-100) at which a near-verbatim quote counts as found
MIN_QUOTE_CHARS = 3
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Span:
    """A located quote: character offsets into the searched text, and how closely it matched (100 = exact)."""

    start: int
    end: int
    score: float


def _normalise(text: str) -> tuple[str, list[int]]:
    """Casefolded text with quotes, dashes and runs of whitespace unified; index i maps back to text[map[i]]."""
    out: list[str] = []
    where: list[int] = []
    last_space = True
    for i, ch in enumerate(text):
        ch = unicodedata.normalize("NFKC", ch).translate(_FOLD).casefold()
        if not ch:
            continue
        if ch.isspace():
            if last_space:
                continue
            ch, last_space = " ", True
        else:
            last_space = False
        for c in ch:
            out.append(c)
            where.append(i)
    return "".join(out), where


def _trim(quote: str) -> str:
    """Drop what small models wrap quotes in: surrounding quote marks, ellipses, a trailing full stop."""
    return quote.strip().strip("\"'\u201c\u201d\u2018\u2019").strip().removesuffix("...").removesuffix("\u2026").strip()


def locate(quote: str, text: str) -> Span | None:
    """The span of `text` that `quote` copies, or None."""
    quote = _trim(quote)
    if len(quote) < MIN_QUOTE_CHARS or not _WORD.search(quote):
        return None
    hay, where = _normalise(text)
    needle, _ = _normalise(quote)
    needle = needle.strip().rstrip(".")
    if not needle:
        return None
    at = hay.find(needle)
    if at >= 0:
        return Span(where[at], where[at + len(needle) - 1] + 1, 100.0)
    if len(needle) > len(hay):
        return None
    match = fuzz.partial_ratio_alignment(needle, hay, score_cutoff=FUZZY_MIN)
    if match is None or match.dest_end <= match.dest_start:
        return None
    return Span(where[match.dest_start], where[match.dest_end - 1] + 1, round(match.score, 1))
