"""Which sentences of different stories might state different values for the same thing: cheap filters before
any LLM call.

A statement is an article sentence holding a value (a person, a date or span of time, an amount with digits).
Two statements are a candidate when they come from different syndicated groups, share enough
content words (term cosine, most similar first), and each holds a value of the same kind that the other does
not mention. Values are paired by the words right before them ("South Korean Defense Minister Ahn Kyu-back" /
"South Korean Defense Minister Suh Wook"), which also name the topic. At most `per_article` candidates per pair
of articles are kept, so a long article cannot flood the LLM. Sentence embeddings were measured as the
similarity and do not separate true from false pairs here (bench/scan_similarity.py, docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations, takewhile

from app.engine.conflicts import named_as_past
from app.engine.nlp import STOPWORDS, TIME_BACK, Entity, analyse, terms

FAMILIES = {
    "PERSON": "person",
    "DATE": "time", "TIME": "time", "DURATION": "time",
    "CARDINAL": "amount", "MONEY": "amount", "PERCENT": "amount", "QUANTITY": "amount",
}  # fmt: skip
# Places and organisations are left out: sentences list countries and agencies side by side ("Japan, South Korea
# and the United States"), and on the seeds every place or organisation candidate was a false one.
CONTEXT_CHARS = 48  # before a value: the words that say what it is the value of
MIN_SHARED = 3  # content words two statements share
MIN_COSINE = 0.2  # term cosine of two statements (set on the seeds: the ministers' sentences score 0.21-0.33)
MIN_CONTEXT = 0.6  # share of the shorter value context that the other value's context must hold
MIN_ROLE_WORDS = 2  # "Minister" alone does not say which minister; "Defense Minister" does
COMMON = 0.5  # a word in more than this share of all statements (and more than COMMON_POSTINGS) pairs nothing:
COMMON_POSTINGS = 500  # it would only cost time (pairs are still scored on all their words)


@dataclass(frozen=True)
class Statement:
    """One article sentence with its values; offsets into the article."""

    file: str
    group: str
    start: int
    end: int
    text: str
    values: tuple[Entity, ...]  # offsets into the article
    words: frozenset[str]


@dataclass(frozen=True)
class Candidate:
    """Two statements that may disagree: `first` says `first_value`, `second` says `second_value` about `topic`."""

    first: Statement
    second: Statement
    first_value: Entity
    second_value: Entity
    topic: str
    family: str
    score: float

    @property
    def key(self) -> str:
        """Stable while both sentences and values stay the same: a verdict stored under it is reused."""
        sides = sorted(
            [f"{self.first.file}\0{self.first.text}\0{self.first_value.text}",
             f"{self.second.file}\0{self.second.text}\0{self.second_value.text}"]
        )  # fmt: skip
        return hashlib.sha256("\0\0".join(sides).encode()).hexdigest()[:32]


def statements(file: str, group: str, article: str) -> list[Statement]:
    """The article's sentences that hold a value of a known kind. A sentence that points back in time ("have not
    met since then") holds the previous sentence's dates, found at the words that point back; its quote is both
    sentences."""
    out = []
    previous = None
    for sentence in analyse(article):
        values = tuple(e for e in sentence.entities if e.label in FAMILIES and _is_value(e))
        start = sentence.start
        back = TIME_BACK.search(sentence.text)
        if back and previous is not None and not any(FAMILIES[e.label] == "time" for e in values):
            at = sentence.start + back.start()
            dates = [e for e in previous.entities if FAMILIES.get(e.label) == "time"]
            if dates:
                values += tuple(Entity(d.text, d.label, at, at + len(back.group())) for d in dates)
                start = previous.start
        if values:
            text = article[start : sentence.end]
            out.append(Statement(file, group, start, sentence.end, text, values, frozenset(terms(text))))
        previous = sentence
    return out


def _is_value(entity: Entity) -> bool:
    """An amount is a value when it has digits: "the two countries" counts nothing anyone disagrees about."""
    return FAMILIES[entity.label] != "amount" or any(ch.isdigit() for ch in entity.text)


def _context(article_text: str, statement: Statement, value: Entity) -> list[str]:
    """The words just before a value, in order (what it is the value of). Before a name, its title when it has
    one ("South Korean Defense Minister Ahn Kyu-back", "Harbour Master Ana Silva")."""
    begin = max(statement.start, value.start - CONTEXT_CHARS)
    words = article_text[begin : value.start].split()
    if words and begin > statement.start and not article_text[begin - 1].isspace():
        words = words[1:]  # the window began inside a word
    if FAMILIES[value.label] == "person":
        title = list(takewhile(lambda w: w[:1].isupper(), reversed(words)))[::-1]
        words = title or words
    others = {t for v in statement.values if v != value for t in terms(v.text)}  # "Ana Silva told …": whose
    return [w for w in words if w.lower().strip(",.;:'\u2019s") not in STOPWORDS and not set(terms(w)) <= others]


def _qualifiers(context: list[str], other: set[str]) -> set[str]:
    """The context's capitalised words that the other context lacks ("Japanese" against "South Korean")."""
    return {t for w in context if w[:1].isupper() for t in terms(w)} - other


def _past_holder(article_text: str, statement: Statement, value: Entity) -> bool:
    """ "then-President Moon Jae-in", "former adviser Kim": who held a role before is no rival value (the rule
    the instant engine's conflict detector applies too)."""
    before = article_text[max(statement.start, value.start - CONTEXT_CHARS) : value.start]
    return FAMILIES[value.label] == "person" and named_as_past(before)


def _rivals(statement: Statement, other: Statement, family: str, article_text: str) -> list[Entity]:
    """The statement's values of `family` that `other` does not mention, past holders of a role left out."""
    return [
        v
        for v in _unmentioned(statement.values, other)
        if FAMILIES[v.label] == family and not _past_holder(article_text, statement, v)
    ]


def _unmentioned(values: tuple[Entity, ...], other: Statement) -> list[Entity]:
    """The values the other statement does not mention (by their words)."""
    return [v for v in values if not set(terms(v.text)) <= other.words]


def _pairs(a: Statement, b: Statement, texts: dict[str, str]) -> list[tuple[Entity, Entity, str, str]]:
    """(a's value, b's value, topic, family) for values of one kind that the other statement does not mention and
    whose preceding words say they are values of the same thing: most of the shorter context is in the other, and
    not both name something the other does not ("South Korean Defense Minister" / "South Korean Defence
    Minister", not "Japanese Defense Minister")."""
    out = []
    for family in sorted(set(FAMILIES.values())):
        mine = _rivals(a, b, family, texts[a.file])
        theirs = [(v, _context(texts[b.file], b, v)) for v in _rivals(b, a, family, texts[b.file])]
        used: set[int] = set()
        for value in mine:
            context = _context(texts[a.file], a, value)
            own = set(terms(" ".join(context)))
            best, best_share = None, MIN_CONTEXT
            for i, (_, other_context) in enumerate(theirs):
                other = set(terms(" ".join(other_context)))
                shared = own & other
                share = len(shared) / min(len(own), len(other)) if len(shared) >= MIN_ROLE_WORDS else 0.0
                if _qualifiers(context, other) and _qualifiers(other_context, own):
                    continue  # each side names something the other does not: two different roles
                if i not in used and share >= best_share:
                    best, best_share = i, share
            if best is None:
                continue
            used.add(best)
            other = set(terms(" ".join(theirs[best][1])))
            topic = " ".join(w for w in context if set(terms(w)) & other)
            out.append((value, theirs[best][0], topic.strip(" ,;:"), family))
    return out


def candidates(articles: dict[str, tuple[str, str]], per_article: int = 6) -> list[Candidate]:
    """Candidate pairs among `articles` (file -> (group, text)), most similar first, at most `per_article` for
    each pair of articles."""
    found = [s for file, (group, text) in sorted(articles.items()) for s in statements(file, group, text)]
    texts = {file: text for file, (_, text) in articles.items()}
    frequency = Counter(w for s in found for w in s.words)
    common = {w for w, n in frequency.items() if n > max(COMMON_POSTINGS, COMMON * len(found))}
    postings: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(found):
        for w in s.words - common:
            postings[w].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in postings.values():
        for i, j in combinations(ids, 2):
            if found[i].group != found[j].group:
                shared[(i, j)] += 1
    scored = []
    for i, j in shared:
        a, b = found[i], found[j]
        n = len(a.words & b.words)
        cosine = n / math.sqrt(len(a.words) * len(b.words))
        if n >= MIN_SHARED and cosine >= MIN_COSINE:
            for va, vb, topic, family in _pairs(a, b, texts):
                scored.append(Candidate(a, b, va, vb, topic, family, round(cosine, 4)))
    scored.sort(key=lambda c: (-c.score, c.key))
    kept: list[Candidate] = []
    per_pair: Counter[tuple[str, str]] = Counter()
    for c in scored:
        pair = (c.first.file, c.second.file)
        if per_pair[pair] < per_article:
            per_pair[pair] += 1
            kept.append(c)
    return kept
