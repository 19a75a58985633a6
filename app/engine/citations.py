"""Does each answer sentence rest on the passages it cites? A rule check, because no NLI model ships on PyPI.

A sentence is supported by its cited passages when
1. it cites at least one passage that exists;
2. every name, number and date in it occurs in those passages (a made-up "$1.1 billion" fails here); and
3. when it cites one passage, those names and numbers occur within WINDOW consecutive sentences of it
   ("North Korea plans to spend $43.8 billion" fails on a passage where South Korea spends it); and
4. at least MIN_OVERLAP of its content words occur in them (a sentence stitched from unrelated words fails).
The thresholds are calibrated in tests/test_citations.py and documented in docs/decisions.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.answer import AnswerSentence, Citation, Source
from app.engine.nlp import CITATION, STOPWORDS, analyse, normalise_word, parse, terms

MIN_OVERLAP = 0.7
WINDOW = 2  # a sentence's names and numbers must all occur within this many consecutive passage sentences
# Capitalised words (names), numbers (with decimals, ordinals, %), and currency amounts.
KEY_VALUE = re.compile(
    r"(?:[$€£¥₩]\s?)?\d+(?:[.,]\d+)*(?:st|nd|rd|th|%)?|(?<![\w'-])(?:[A-Z]\.){2,}"
    r"|(?<![\w'-])[A-Z][a-zA-Z'\u2019-]+(?:(?<=-)\d+)?"  # a name, with its number: "T-7", "COVID-19"
)
LEADING_CITATIONS = re.compile(r"^((?:\s*\[\d+\])+)\s*")
# Words that frame a claim rather than make one ("Sources disagree: A says X [1]"); a yes/no question's verdicts
# too ("A says yes [1]; B says no [2]"): no passage says "yes", its sentence is the claim, shown with it.
FRAMING = frozenset(
    terms("source sources disagree disagrees article articles passage passages says say states name names yes no")
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

    Markers written after the full stop ("... purpose. [1] Next ...") belong to the sentence before them, and a
    quotation is not cut: the parser split "“Japan-South Korea Defense Talks: Boosting Security Amid North…” says
    Ahn Kyu-back [3]" (a source's headline as its name) after "Talks:", and both halves failed the check, so a
    seed disagreement vanished from the answer.
    """
    pieces: list[str] = []
    for sentence in parse(answer.strip()).sents:  # the parser splits around "[1]" markers reliably
        text = sentence.text
        if pieces and _open_quote(pieces[-1]) and "\u201d" in text:
            pieces[-1] += " " + text.strip()
            continue
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


def _open_quote(text: str) -> bool:
    """Does `text` open a quotation (“) that it does not close?"""
    return text.count("\u201c") > text.count("\u201d")


def key_values(text: str) -> list[str]:
    """The names, numbers and dates a sentence asserts (call it without citation markers and file names)."""
    values = []
    first = len(text) - len(text.lstrip())
    for m in KEY_VALUE.finditer(text):
        word = m.group().rstrip("'\u2019")
        if word in NEUTRAL_CAPS or word.lower() in STOPWORDS:
            continue  # "During" after an opening quote is no name
        if m.start() == first and word.isalpha() and not _is_name(text):
            continue  # a capital that only starts the sentence is no name
        values.append(word)
    return values


def _is_name(sentence: str) -> bool:
    """Is the sentence's first word a proper noun ("North Korea fired", not "Both ministers")?"""
    doc = parse(sentence.strip())
    return len(doc) > 0 and doc[0].pos_ == "PROPN"


def _value_terms(value: str) -> set[str]:
    digits = re.sub(r"[^\d.]", "", value).strip(".")
    return {digits} if digits else {normalise_word(value)}


def _evidence_terms(text: str) -> set[str]:
    """Words of a passage as the check compares them, numbers bare ("U$43.8" -> "43.8")."""
    return set(terms(text)) | {re.sub(r"[^\d.]", "", w).strip(".") for w in re.findall(r"\d+(?:[.,]\d+)*", text)}


def _stated_together(values: list[set[str]], source: Source, window_size: int) -> bool:
    """Do all the values occur within `window_size` consecutive sentences of the passage?"""
    sentences = [_evidence_terms(s.text) for s in analyse(source.text)]
    for i in range(max(len(sentences) - window_size + 1, 1)):
        window = set().union(*sentences[i : i + window_size])
        if all(v <= window for v in values):
            return True
    return False


def check_sentence(sentence: str, cited: list[Source], window: int = WINDOW, min_overlap: float = MIN_OVERLAP) -> Check:
    """Is `sentence` supported by the union of the `cited` passages? (`window`/`min_overlap`: see module doc.)

    The cited sources' names (file, outlet or headline) and dates may appear in the sentence ("Reuters
    (2023-01-30) says ... [1]") and are no claims.
    """
    if not cited:
        return Check(False, "no citation")
    text = without_labels(CITATION.sub(" ", sentence), cited)
    evidence = set().union(*(_evidence_terms(src.text) for src in cited))
    values = key_values(text)
    cites = ", ".join(f"[{s.n}]" for s in cited)
    for value in values:
        if not _value_terms(value) <= evidence:
            return Check(False, f"'{value}' does not appear in {cites}")
    together = [_value_terms(v) for v in values]
    if len(cited) == 1 and len(values) > 1 and not _stated_together(together, cited[0], window):
        return Check(False, f"its names and numbers are not stated together in {cites}")
    words = [w for w in terms(text) if w not in FRAMING]
    if words:
        overlap = sum(w in evidence for w in words) / len(words)
        if overlap < min_overlap:
            return Check(False, f"only {overlap:.0%} of its words appear in the cited passages")
    return Check(True, None)


def without_labels(text: str, sources: list[Source]) -> str:
    """`text` without the sources' names, files and dates ("Reuters (2023-01-30) says X" -> " ( ) says X")."""
    labels = {label for s in sources for label in (s.file, s.name, s.published) if label}
    for label in sorted(labels, key=len, reverse=True):
        text = text.replace(label, " ")
    return text


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
    sentences: list[AnswerSentence] = []
    citations: dict[tuple[int, int], Citation] = {}
    for text, numbers in split_answer(answer):
        unknown = [n for n in numbers if n not in by_n]
        if unknown:
            reason = f"cites [{unknown[0]}], which is not one of the {len(sources)} sources"
            sentences.append(AnswerSentence(text, numbers, False, reason))
            continue
        cited = [by_n[n] for n in dict.fromkeys(numbers)]
        check = check_sentence(text, cited)
        sentences.append(AnswerSentence(text, numbers, check.supported, check.reason))
        if check.supported:
            for n, segment in _segments(text):
                span = best_span(without_labels(segment, [by_n[n]]), by_n[n])
                citations.setdefault((span.n, span.start), span)
    return sentences, sorted(citations.values(), key=lambda c: (c.n, c.start))
