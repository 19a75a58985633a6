"""What the reader reads for one article: its retrieved passages, merged where they overlap, in article order,
shown as numbered sentences chosen within a character budget.

The text the LLM sees is built from the article's own cleaned text (so a quote found in it maps back to article
offsets, which is what the UI highlights) and each character knows which numbered passage [n] it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.answer import Source
from app.engine.evidence import score_evidence
from app.engine.nlp import Sentence, analyse, terms
from app.engine.question import QuestionInfo

GAP = "\n…\n"  # between non-adjacent passages of one article
WHY = re.compile(r"^\W*why\b", re.IGNORECASE)
# Words that give a cause ("… led to a standstill in the exercises"); not "after" or "since", mostly times.
CAUSE = re.compile(
    r"\b(because|due to|owing to|as a result|result(?:ed|s)? (?:in|from)|led to|lead(?:s|ing)? to|caus(?:e|ed|es)|"
    r"prompt(?:ed|s)|trigger(?:ed|s)|reasons?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Piece:
    """A stretch of the reading text: text[at:at+length] is article[start:start+length], from passage [n]."""

    at: int
    start: int
    length: int
    n: int


@dataclass(frozen=True)
class SourceText:
    """One article as the reader sees it; `article` is its whole text when the store has it (else the passages)."""

    file: str
    title: str
    text: str
    pieces: tuple[Piece, ...]
    article: str

    @property
    def first_n(self) -> int:
        """The article's best-ranked passage number (cited when a reading has no quote)."""
        return min(p.n for p in self.pieces)

    def to_article(self, start: int, end: int) -> tuple[int, int, int]:
        """(n, article start, article end) of text[start:end]; n is the passage holding its start."""
        first = next((p for p in self.pieces if p.at <= start < p.at + p.length), self.pieces[-1])
        last = next((p for p in reversed(self.pieces) if p.at < end <= p.at + p.length), first)
        a = first.start + max(start - first.at, 0)
        b = last.start + min(end - last.at, last.length)
        return first.n, a, max(b, a)


def by_article(sources: list[Source], article_text: Callable[[str], str | None]) -> list[SourceText]:
    """One SourceText per file, in the order of each file's best-ranked passage."""
    files: dict[str, list[Source]] = {}
    for src in sources:
        files.setdefault(src.file, []).append(src)
    return [_merge(group, article_text(file)) for file, group in files.items()]


def _merge(passages: list[Source], article: str | None) -> SourceText:
    parts: list[str] = []
    pieces: list[Piece] = []
    at = 0
    end = -1
    for src in sorted(passages, key=lambda s: s.start):
        if article is None or article[src.start : src.end] != src.text:
            begin, text = src.start, src.text  # no article text to merge against: the passage as retrieved
        elif src.start <= end:
            if src.end <= end:
                continue  # wholly inside what is already there
            begin, text = end, article[end : src.end]  # overlapping neighbour: only its new part
        else:
            begin, text = src.start, src.text
        if parts and begin != end:
            parts.append(GAP)
            at += len(GAP)
        pieces.append(Piece(at, begin, len(text), src.n))
        parts.append(text)
        at += len(text)
        end = max(end, begin + len(text))
    text = "".join(parts)
    return SourceText(passages[0].file, passages[0].title, text, tuple(pieces), article or text)


@dataclass(frozen=True)
class Line:
    """A numbered sentence shown to the LLM: text[start:end] of its SourceText."""

    start: int
    end: int


def select_lines(texts: list[SourceText], question: QuestionInfo, budget: int) -> list[list[Line]]:
    """For each source, its sentences most about the question, at most `budget` characters, in article order.

    Prompt tokens are the reader's cost (~60 a second on 2 cores), so a long article is cut to what the instant
    engine's question-term coverage ranks highest; a short one is shown whole. A single overlong "sentence"
    (scraped pages without full stops) is cut at the budget.
    """
    pseudo = [Source(i, t.file, t.title, "", 0, len(t.text), t.text, 0.0) for i, t in enumerate(texts)]
    ranked: dict[int, list[Sentence]] = {i: [] for i in range(len(texts))}
    for ev in score_evidence(question, pseudo):  # best first; empty when the question has no content words
        ranked[ev.source.n].append(ev.sentence)
    out = []
    for i, text in enumerate(texts):
        order = ranked[i] or [s for s in analyse(text.text) if not s.text.rstrip().endswith("?")]
        if WHY.match(question.text):
            order = _causes_first(order, text.text, question)
        chosen: list[Sentence] = []
        used = 0
        for sentence in order:
            if not any(ch.isalnum() for ch in sentence.text):
                continue  # the gap marker between passages, stray punctuation
            size = sentence.end - sentence.start
            if chosen and used + size > budget:
                continue
            chosen.append(sentence)
            used += size
        chosen.sort(key=lambda s: s.start)
        out.append([Line(s.start, min(s.end, s.start + budget)) for s in chosen])
    return out


def _causes_first(order: list[Sentence], text: str, question: QuestionInfo) -> list[Sentence]:
    """A why-question asks for a cause: after the best-ranked sentence, those giving one that share a word with
    the question come next.

    Coverage of the question's words ranks "… agreed to resume joint maritime exercises" above "Subsequently, a
    series of events … led to a standstill in the exercises", which is the answer to why they stopped; the best
    one stays first, as it may state the cause in words the pattern does not know.
    """
    asked = set(question.terms)
    causes = [s for s in analyse(text) if CAUSE.search(s.text) and asked & set(terms(s.text)) and s not in order[:1]]
    return order[:1] + causes + [s for s in order[1:] if s not in causes]
