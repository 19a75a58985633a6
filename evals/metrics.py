"""Eval metrics as pure functions over Answers and gold items, each returned with its counts."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.answer import Answer, Source
from app.engine.citations import check_sentence, split_answer

SupportCheck = Callable[[str, list[Source]], bool]


@dataclass(frozen=True)
class Item:
    """One known question. `answers` is a list of sides, each a list of aliases (see questions.yaml)."""

    id: str
    question: str
    answers: list[list[str]]
    sources: list[str]  # gold files (or file-name prefixes)
    conflict: bool
    answerable: bool
    kind: str = "single"
    documents: list[dict] = field(default_factory=list)  # external datasets carry their own articles


@dataclass(frozen=True)
class Ratio:
    """A rate with the counts behind it."""

    hits: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        return f"{self.rate:.0%} ({self.hits}/{self.total})" if self.total else "n/a (0/0)"


def _norm(text: str) -> str:
    """Lower-case words; a full stop survives only inside a number ("43.8"), so "2017." matches "2017"."""
    text = re.sub(r"\.(?!\d)", " ", text.lower().replace("\u2019", "'"))
    return " ".join(re.sub(r"[^\w.%]+", " ", text).split())


def answer_correct(answer_text: str, sides: list[list[str]]) -> bool:
    """Every side has one alias in the answer (so a conflict needs all its sides named)."""
    text = f" {_norm(answer_text)} "
    return bool(sides) and all(any(f" {_norm(a)} " in text for a in side) for side in sides)


def engine_support(sentence: str, cited: list[Source]) -> bool:
    """The engine's own support check."""
    return check_sentence(sentence, cited).supported


def strict_support(sentence: str, cited: list[Source]) -> bool:
    """A stricter second check: names and numbers in one passage sentence, 85% of words in the passages."""
    return check_sentence(sentence, cited, window=1, min_overlap=0.85).supported


@dataclass(frozen=True)
class CitationCounts:
    """ALCE citation counts for one answer (Gao et al. 2023, 'Enabling LLMs to generate text with citations')."""

    sentences: int = 0
    supported: int = 0  # citation recall: the sentence's citations together support it
    citations: int = 0
    precise: int = 0  # citation precision: not (redundant given the others and unsupporting alone)

    def __add__(self, other: CitationCounts) -> CitationCounts:
        return CitationCounts(
            self.sentences + other.sentences,
            self.supported + other.supported,
            self.citations + other.citations,
            self.precise + other.precise,
        )


def alce_citations(answer_text: str, sources: list[Source], support: SupportCheck) -> CitationCounts:
    """Citation recall and precision of every sentence of `answer_text`, the ALCE way.

    Recall: a sentence counts when its citations together support it (no citation: not supported).
    Precision: a citation is imprecise when the sentence is supported without it and it alone does not support
    the sentence; when the citations together do not support the sentence, none of them is precise.
    """
    by_n = {s.n: s for s in sources}
    counts = CitationCounts()
    for text, numbers in split_answer(answer_text):
        cited = [by_n[n] for n in dict.fromkeys(numbers) if n in by_n]
        together = bool(cited) and support(text, cited)
        precise = 0
        if together:
            for i, source in enumerate(cited):
                others = cited[:i] + cited[i + 1 :]
                redundant = bool(others) and support(text, others)
                precise += not (redundant and not support(text, [source]))
        counts = counts + CitationCounts(1, int(together), len(numbers), precise)
    return counts


def retrieval_recall(answer: Answer, gold: Sequence[str]) -> Ratio:
    """How many gold files appear among the retrieved passages (recall@k, k = number of sources)."""
    files = [s.file for s in answer.sources]
    return Ratio(sum(any(f.startswith(g) for f in files) for g in gold), len(gold))


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 with their counts."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> Ratio:
        return Ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> Ratio:
        return Ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        p, r = self.precision.rate, self.recall.rate
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


def conflict_prf(predicted: Sequence[bool], gold: Sequence[bool]) -> PRF:
    """Conflict detection against the gold flags, one decision per question."""
    pairs = list(zip(predicted, gold, strict=True))
    return PRF(
        tp=sum(p and g for p, g in pairs),
        fp=sum(p and not g for p, g in pairs),
        fn=sum(g and not p for p, g in pairs),
    )


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
