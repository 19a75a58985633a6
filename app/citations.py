"""Does each answer sentence rest on the passages it cites? A rule check, because no NLI model ships on PyPI.

A sentence is supported by its cited passages when
1. it cites at least one passage that exists;
2. every name, number and date in it occurs in those passages (a made-up "$1.1 billion" fails here); and
3. at least MIN_OVERLAP of its content words occur in them (a sentence stitched from unrelated words fails).
The thresholds are calibrated in tests/test_citations.py and documented in docs/decisions.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.answer import AnswerSentence, Citation, Source
from app.nlp import CITATION, analyse, normalise_word, terms

MIN_OVERLAP = 0.7
# Capitalised words (names), numbers (with decimals, ordinals, %), and currency amounts.
KEY_VALUE = re.compile(r"(?:[$€£¥₩]\s?)?\d+(?:[.,]\d+)*(?:st|nd|rd|th|%)?|\b[A-Z][a-zA-Z'\u2019-]+")
LEADING_CITATIONS = re.compile(r"^((?:\s*\[\d+\])+)\s*")
# Words that frame a claim rather than make one ("Sources disagree: A says X [1]").
FRAMING = frozenset(
    terms("source sources disagree disagrees article articles passage passages says say states name names")
)
# Capitalised words that are not claims about the world.
NEUTRAL_CAPS = frozenset(
    "Sources Source According However Both The They This These That It In On At As For And But Also "
    "While When Where Which Who What He She We A An Meanwhile".split()
)


@dataclass(frozen=True)
class Check:
    """Result of checking one sentence against its cited passages."""

    supported: bool
    reason: str | None


def split_answer(answer: str) -> list[tuple[str, list[int]]]:
    """Answer text -> [(sentence with its [n] markers, cited numbers)].

    Markers written after the full stop ("... purpose. [1] Next ...") belong to the sentence before them.
    """
    pieces: list[str] = []
    for sentence in analyse(answer.strip()):
        text = sentence.text
        if pieces and (lead := LEADING_CITATIONS.match(text)):
            pieces[-1] += " " + lead.group(1).strip()
            text = text[lead.end() :]
        if pieces and not any(ch.isalnum() for ch in text):
            pieces[-1] += text.strip()  # a stray "." after "[1]"
        elif pieces and text.lstrip()[:1] in {";", ",", ":"}:
            pieces[-1] += text.rstrip()  # "A says X [2]; B says Y [1]." is one sentence
        elif text.strip():
            pieces.append(text.strip())
    return [(p, [int(n) for n in CITATION.findall(p)]) for p in pieces]


def key_values(sentence: str, ignore: Iterable[str] = ()) -> list[str]:
    """The names, numbers and dates a sentence asserts (file names and citation markers excluded)."""
    text = CITATION.sub(" ", sentence)
    for name in ignore:
        text = text.replace(name, " ")
    values = []
    for i, m in enumerate(KEY_VALUE.finditer(text)):
        word = m.group().rstrip("'\u2019")
        if word in NEUTRAL_CAPS or (i == 0 and m.start() == len(text) - len(text.lstrip()) and word.isalpha()):
            continue
        values.append(word)
    return values


def _value_terms(value: str) -> list[str]:
    digits = re.sub(r"[^\d.]", "", value).strip(".")
    return [digits] if digits else [normalise_word(value)]


def check_sentence(sentence: str, cited: list[Source], ignore: Iterable[str] = ()) -> Check:
    """Is `sentence` supported by the union of the `cited` passages?"""
    if not cited:
        return Check(False, "no citation")
    evidence = set()
    for src in cited:
        evidence |= set(terms(src.text))
        evidence |= {re.sub(r"[^\d.]", "", w).strip(".") for w in re.findall(r"\d+(?:[.,]\d+)*", src.text)}
    ignore = list(ignore)
    for value in key_values(sentence, ignore):
        if not set(_value_terms(value)) <= evidence:
            cites = ", ".join(f"[{s.n}]" for s in cited)
            return Check(False, f"'{value}' does not appear in {cites}")
    text = CITATION.sub(" ", sentence)
    for name in ignore:
        text = text.replace(name, " ")
    words = [w for w in terms(text) if w not in FRAMING]
    if words:
        overlap = sum(w in evidence for w in words) / len(words)
        if overlap < MIN_OVERLAP:
            return Check(False, f"only {overlap:.0%} of its words appear in the cited passages")
    return Check(True, None)


def best_span(sentence: str, source: Source) -> Citation:
    """The sentence of `source` closest to `sentence` (most shared words): what the UI highlights."""
    wanted = set(terms(CITATION.sub(" ", sentence)))
    best, best_score = None, -1.0
    for s in analyse(source.text):
        own = set(terms(s.text))
        score = len(wanted & own) / (len(own) ** 0.5 or 1.0)
        if score > best_score:
            best, best_score = s, score
    if best is None:
        return Citation(source.n, source.file, source.chunk_id, source.start, source.end, source.text)
    return Citation(
        n=source.n,
        file=source.file,
        chunk_id=source.chunk_id,
        start=source.start + best.start,
        end=source.start + best.end,
        quote=best.text,
    )


def _segments(sentence: str) -> list[tuple[int, str]]:
    """(n, the words just before [n]) for each marker: 'A says X [1]; B says Y [2]' cites X in 1, Y in 2."""
    out, last = [], 0
    for m in CITATION.finditer(sentence):
        segment = sentence[last : m.start()].strip(" ;,")
        out.append((int(m.group(1)), segment or sentence))
        last = m.end()
    return out


def check_answer(answer: str, sources: list[Source]) -> tuple[list[AnswerSentence], list[Citation]]:
    """Check every sentence of `answer`; return the sentences (supported or not) and the cited spans."""
    by_n = {s.n: s for s in sources}
    files = sorted({s.file for s in sources}, key=len, reverse=True)
    sentences: list[AnswerSentence] = []
    citations: dict[tuple[int, int], Citation] = {}
    for text, numbers in split_answer(answer):
        unknown = [n for n in numbers if n not in by_n]
        if unknown:
            reason = f"cites [{unknown[0]}], which is not one of the {len(sources)} sources"
            sentences.append(AnswerSentence(text, numbers, False, reason))
            continue
        cited = [by_n[n] for n in dict.fromkeys(numbers)]
        check = check_sentence(text, cited, files)
        sentences.append(AnswerSentence(text, numbers, check.supported, check.reason))
        if check.supported:
            for n, segment in _segments(text):
                span = best_span(segment, by_n[n])
                citations.setdefault((span.n, span.start), span)
    return sentences, sorted(citations.values(), key=lambda c: (c.n, c.start))
