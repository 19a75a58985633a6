"""Which sentences of the retrieved passages answer the question, and how well (question-term coverage)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from app.answer import Source
from app.engine.nlp import Entity, Sentence, analyse, terms, value_key
from app.engine.question import QuestionInfo

# Share of a sentence's weight that the rest of its passage can contribute: a sentence naming the minister
# gets partial credit for "January 30" and "Yokosuka" stated in the sentence before it.
CONTEXT_WEIGHT = 0.5


@dataclass(frozen=True)
class Evidence:
    """A sentence of source [n] scored against the question."""

    source: Source
    sentence: Sentence  # offsets relative to source.text
    coverage: float  # IDF-weighted share of question terms found (sentence, plus context credit)
    answer_entities: tuple[Entity, ...]  # entities of the wanted type that the question does not already name

    @property
    def start(self) -> int:
        """Offset of the sentence in the article."""
        return self.source.start + self.sentence.start

    @property
    def end(self) -> int:
        return self.source.start + self.sentence.end

    @property
    def file(self) -> str:
        return self.source.file


def _is_new_value(entity: Entity, question: QuestionInfo) -> bool:
    key = value_key(entity.text)
    return bool(key) and not set(key.split()) <= set(question.terms)


def _asks(sentence: Sentence) -> bool:
    return sentence.text.rstrip('"\u201d\u2019 ').endswith("?")


def _units(text: str) -> list[tuple[str, Sentence]]:
    """(text to score, sentence to quote) for each statement of the passage.

    A question in an article asks, it does not answer; but in "Q? A." (an FAQ) the answer is scored with its
    question's words, and only the answer is quoted.
    """
    units: list[tuple[str, Sentence]] = []
    sentences = analyse(text)
    for i, sentence in enumerate(sentences):
        if _asks(sentence):
            continue
        before = sentences[i - 1] if i else None
        if before is not None and _asks(before) and "\n" not in text[before.end : sentence.start]:
            units.append((f"{before.text} {sentence.text}", sentence))
        else:
            units.append((sentence.text, sentence))
    return units


def score_evidence(question: QuestionInfo, sources: list[Source]) -> list[Evidence]:
    """Every sentence of every source, best first."""
    units = [(src, scored, sentence) for src in sources for scored, sentence in _units(src.text)]
    if not units or not question.terms:
        return []
    sentences = [(src, sentence) for src, _, sentence in units]
    sentence_terms = [set(terms(scored)) for _, scored, _ in units]
    passage_terms: dict[int, set[str]] = defaultdict(set)
    for (src, _), own in zip(sentences, sentence_terms, strict=True):
        passage_terms[src.n] |= own
    qterms = set(question.terms)
    n = len(sentences)
    idf = {q: math.log(1 + n / (1 + sum(1 for ts in sentence_terms if q in ts))) for q in qterms}
    total = sum(idf.values())
    out = []
    for (src, sentence), own in zip(sentences, sentence_terms, strict=True):
        in_sentence = qterms & own
        in_passage = (qterms & passage_terms[src.n]) - in_sentence
        weight = sum(idf[q] for q in in_sentence) + CONTEXT_WEIGHT * sum(idf[q] for q in in_passage)
        wanted = tuple(e for e in sentence.entities if e.label in question.answer_labels and _is_new_value(e, question))
        out.append(Evidence(src, sentence, weight / total, wanted))
    out.sort(key=lambda e: (-e.coverage, e.source.n, e.sentence.start))
    return out
