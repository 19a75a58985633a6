"""Which sentences of the retrieved passages answer the question, and how well (question-term coverage)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from app.answer import Source
from app.nlp import Entity, Sentence, analyse, terms, value_key
from app.question import QuestionInfo

# Share of a sentence's weight that the rest of its passage can contribute: a sentence naming the minister
# gets partial credit for "January 30" and "Yokosuka" stated in the sentence before it.
CONTEXT_WEIGHT = 0.5
FUZZY_MIN_LEN = 5
FUZZY_RATIO = 0.84  # "meating"~"meeting", "defens"~"defenc"; "korea"!~"korean" is handled by normalisation


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


def _matcher(question_terms: set[str], vocabulary: set[str]) -> dict[str, set[str]]:
    """For each question term, the vocabulary terms that count as it (itself, or a near spelling)."""
    matches: dict[str, set[str]] = {}
    for q in question_terms:
        found = {q} if q in vocabulary else set()
        if len(q) >= FUZZY_MIN_LEN and not q.isdigit():
            found |= {
                v
                for v in vocabulary
                if v != q
                and abs(len(v) - len(q)) <= 2
                and not v.isdigit()
                and SequenceMatcher(None, q, v).ratio() >= FUZZY_RATIO
            }
        matches[q] = found
    return matches


def _is_new_value(entity: Entity, question: QuestionInfo) -> bool:
    key = value_key(entity.text)
    return bool(key) and not set(key.split()) <= set(question.terms)


def score_evidence(question: QuestionInfo, sources: list[Source]) -> list[Evidence]:
    """Every sentence of every source, best first."""
    sentences = [(src, s) for src in sources for s in analyse(src.text)]
    if not sentences or not question.terms:
        return []
    sentence_terms = [set(terms(s.text)) for _, s in sentences]
    passage_terms: dict[int, set[str]] = defaultdict(set)
    for (src, _), own in zip(sentences, sentence_terms, strict=True):
        passage_terms[src.n] |= own
    vocabulary = set().union(*sentence_terms)
    qterms = set(question.terms)
    matches = _matcher(qterms, vocabulary)
    n = len(sentences)
    idf = {q: math.log(1 + n / (1 + sum(1 for ts in sentence_terms if ts & matches[q]))) for q in qterms}
    total = sum(idf.values())
    out = []
    for (src, sentence), own in zip(sentences, sentence_terms, strict=True):
        in_sentence = {q for q in qterms if own & matches[q]}
        in_passage = {q for q in qterms if passage_terms[src.n] & matches[q]} - in_sentence
        weight = sum(idf[q] for q in in_sentence) + CONTEXT_WEIGHT * sum(idf[q] for q in in_passage)
        wanted = tuple(e for e in sentence.entities if e.label in question.answer_labels and _is_new_value(e, question))
        out.append(Evidence(src, sentence, weight / total, wanted))
    out.sort(key=lambda e: (-e.coverage, e.source.n, e.sentence.start))
    return out
