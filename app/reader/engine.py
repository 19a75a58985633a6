"""The reader as one step: numbered sources in; each source's readings, the conflicts among them and the answer's
sentences out, with progress lines on the way ("reading source 2 of 5 with …").

Readings that state the same answer form one group (deterministic checks, app/reader/compare.py); every other
group is then compared with the largest one, by rule where a rule decides and by the LLM otherwise, and the
remaining pairs by rule alone. The groups that contradict it become one Conflict with it; groups that differ but
can all be true are listed as complementary. One article read alone for a yes/no question is read a second time
without the sentence it answered from, since it may state both sides (`_second_look`). A yes/no question read as
the open question for the value it supposes (app/reader/reframe.py) gets each side's yes or no back
(app/reader/verdict.py): "Sources disagree: A says yes (4 May 1902) [1]; B says no (14 May 1902) [2].".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import combinations

from app.answer import ABOUT_ELSE, NOT_COVERED, Claim, Conflict, Reading, Source
from app.engine.compose import said
from app.engine.conflicts import named_as_past
from app.engine.nlp import analyse, terms
from app.engine.question import QuestionInfo
from app.reader.compare import Pair, Relation, adds_up, decide, judge, one_denies, picks_apart
from app.reader.locate import locate
from app.reader.models import ReaderModel, ReplyFailed, Usage
from app.reader.read import (
    CLAIM,
    YES_NO,
    SourceResult,
    asked,
    off_topic,
    read_one,
    unmentioned,
    unnamed_person,
    vocabulary,
    yes_no_question,
)
from app.reader.reframe import Reframed, reframe
from app.reader.sources import Line, SourceText, by_article, select_lines
from app.reader.verdict import verdicts

OFF_TOPIC = f"{ABOUT_ELSE} names nothing the question names)"
Closeness = Callable[[str, list[str]], list[float]]  # (question, texts) -> how close each is to it in meaning
COMPARE_TOKENS = 24  # {"verdict": "contradict"} and nothing more
MAX_SENTENCES = 6


@dataclass
class ReaderResult:
    """Everything the reader concluded about one question."""

    readings: list[Reading]
    conflicts: list[Conflict]
    complementary: list[Conflict]
    sentences: list[str]  # answer sentences, each a verbatim span of its passage followed by [n]
    usage: Usage = field(default_factory=Usage)
    unread: list[str] = field(default_factory=list)  # files whose reading failed
    failure: ReplyFailed | None = None  # set when no source could be read at all
    comparisons_skipped: int = 0
    # A yes/no question read as an open one, its sources not disagreeing: each answering source's claim, with
    # its yes or no, when all say the same one ("A says yes (1852) [1]"); else empty.
    yes_no: list[Claim] = field(default_factory=list)


class Reader:
    """Reads each source alone with `model`, then compares what the sources say."""

    def __init__(
        self,
        model: ReaderModel,
        max_tokens: int,
        timeout: float,
        source_chars: int = 700,
        max_comparisons: int = 10,
        closeness: Closeness | None = None,
        min_closeness: float = 0.5,
    ) -> None:
        self.model = model
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.source_chars = source_chars
        self.max_comparisons = max_comparisons
        self.closeness = closeness
        self.min_closeness = min_closeness

    def run(
        self,
        question: str,
        info: QuestionInfo,
        sources: list[Source],
        article_text: Callable[[str], str | None],
    ) -> Iterator[str | ReaderResult]:
        """Yield progress lines, then the ReaderResult."""
        # A yes/no question supposing a value is read and compared as the question for that value
        # (app/reader/reframe.py); which sources are read, and which of their lines, is decided by the question asked.
        reframed, usage = reframe(self.model, question, self.timeout)
        read_as, read_info = question, info
        if reframed is not None:
            yield f"reading the question as “{reframed.info.text}”…"
            read_as, read_info = reframed.info.text, reframed.info
        texts = by_article(sources, article_text)
        whole = {t.file: f"{t.title}\n{t.article}" for t in texts}
        vocabularies = {file: vocabulary(text) for file, text in whole.items()}  # once: articles are long
        absent = unmentioned(info, list(vocabularies.values()))
        if absent is not None:  # nothing to read: no LLM call
            why = f"{NOT_COVERED} {absent})"
            readings = [Reading(t.first_n, t.file, False, None, None, None, None, False, why) for t in texts]
            yield ReaderResult(readings, [], [], [], usage)
            return
        named_nothing = {t.file for t in texts if off_topic(info.text, *vocabularies[t.file])}
        why_aside = {file: OFF_TOPIC for file in named_nothing - self._close(question, named_nothing, sources)}
        unnamed = {
            t.file: unnamed_person(info, whole[t.file], vocabularies[t.file][0])
            for t in texts
            if t.file not in why_aside
        }
        if any(person is None for person in unnamed.values()):  # some source names everyone the question names
            why_aside |= {file: f"{ABOUT_ELSE} never names {person})" for file, person in unnamed.items() if person}
        unrelated = [Reading(t.first_n, t.file, False, None, None, None, None, False, why_aside[t.file])
                     for t in texts if t.file in why_aside]  # fmt: skip
        texts = [t for t in texts if t.file not in why_aside]
        shown = select_lines(texts, info, self.source_chars)
        results: list[SourceResult] = []
        total, name, near = len(texts), self.model.name, self._near(question)
        if self.model.concurrency <= 1:
            for i, (text, lines) in enumerate(zip(texts, shown, strict=True), 1):
                yield f"reading source {i} of {total} ({text.title or text.file}) with {name}…"
                results.append(read_one(self.model, read_info, text, lines, self.max_tokens, self.timeout, near))
        else:
            yield f"reading {total} sources with {name}, {self.model.concurrency} at a time…"
            with ThreadPoolExecutor(self.model.concurrency, thread_name_prefix="parallax-read") as pool:
                futures = [
                    pool.submit(read_one, self.model, read_info, t, lines, self.max_tokens, self.timeout, near)
                    for t, lines in zip(texts, shown, strict=True)
                ]
                for done, _ in enumerate(as_completed(futures), 1):
                    yield f"read {done} of {total} sources with {name}…"
                results = [f.result() for f in futures]
        if len(results) == 1 and yes_no_question(question):  # nothing to compare with: self-contradiction?
            yield f"reading {texts[0].title or texts[0].file} once more for its other side…"
            results = [self._second_look(read_info, texts[0], shown[0], results[0], reframed, near)]
        for r in results:
            usage.add(r.usage)
        readings = [reading for r in results for reading in r.readings] + unrelated
        failed = [r for r in results if r.failure is not None]
        if results and len(failed) == len(results):
            yield ReaderResult(readings, [], [], [], usage, [r.source.file for r in failed], failed[0].failure)
            return
        groups = _groups(asked(read_as), [r for r in readings if r.answers])
        if len(groups) > 1:
            yield f"comparing {len(groups)} different answers…"
        articles = {t.file: _plain(t.article) for t in texts}
        relations, skipped = self._relations(read_as, groups, articles, usage)
        labels = verdicts(groups, relations, reframed)
        conflicts, complementary = _conflicts(read_as, groups, relations, labels)
        weights = _rarity(info.terms, [vocabularies[t.file][0] for t in texts])
        sentences = _sentences(groups, {s.n: s for s in sources}, weights)
        unanimous = not conflicts and len(set(labels.values())) == 1 and len(labels) == len(groups)
        yes_no = [c for i, g in enumerate(groups) for c in _claims(g, labels.get(i))] if unanimous else []
        yield ReaderResult(
            readings, conflicts, complementary, sentences, usage, [r.source.file for r in failed], None, skipped, yes_no
        )

    def _second_look(
        self,
        info: QuestionInfo,
        text: SourceText,
        lines: list[Line],
        first: SourceResult,
        reframed: Reframed | None,
        near: Callable[[list[str]], bool],
    ) -> SourceResult:
        """The one source read for a yes/no question, read again without the sentence it answered from. A second
        answer that gives the other side ("… thereby stimulates angiogenesis. However, it inhibits angiogenesis.")
        is kept beside the first, for the comparison to judge: one source can state two incompatible things.
        Not when both say the same yes or no ("no (1989)", "no (1947)" to "… in 1988?"), and not for other
        questions: one passage's second date or number is mostly another detail ("laid down in 1746 … the war
        ended in 1748"). Over WikiContradict's 131 single-passage dev items that choice found 4-5 of their 33
        conflicts with one false one; reading every question so found 7 with 8 false (docs/decisions.md). With
        several sources the comparison across them finds a disagreement, and each reading costs an LLM call."""
        reading = first.readings[0]
        rest = [line for line in lines if text.text[line.start : line.end] != reading.quote]
        if not (reading.answers and reading.verified) or not rest or len(rest) == len(lines):
            return first
        again = read_one(self.model, info, text, rest, self.max_tokens, self.timeout, near)
        usage = Usage()
        usage.add(first.usage)
        usage.add(again.usage)
        other = again.readings[0]
        labels = verdicts([[reading], [other]], {}, reframed)
        same_side = len(labels) == 2 and labels[0] == labels[1]
        differs = decide(reading.answer or "", other.answer or "") != "same"
        kept = [reading, other] if other.answers and other.verified and differs and not same_side else [reading]
        return SourceResult(text, kept, usage)

    def _near(self, question: str) -> Callable[[list[str]], bool]:
        """Is any of some sentences close to the question in meaning (`closeness` ≥ `min_closeness`; yes, with no
        closeness)? One batch of embeddings for all of them."""
        if self.closeness is None:
            return lambda sentences: True
        closeness, least, proper = self.closeness, self.min_closeness, asked(question)
        return lambda sentences: max(closeness(proper, sentences), default=0.0) >= least

    def _close(self, question: str, files: set[str], sources: list[Source]) -> set[str]:
        """Of `files`, those with a passage close to the question in meaning (`closeness` ≥ `min_closeness`): a
        source that names nothing the question names may name it otherwise. NatConfQA's evidence says "carbon
        dioxide" or "greenhouse gases" for "anthropogenic CO2", "the researchers" for "NOAA's researchers".

        Counted over the dev sets' documents (question against the whole text, docs/decisions.md): of the 66
        NatConfQA texts the name check sets aside, 21 reach 0.5 (up to 0.67); none of SQuAD's 84 unrelated
        paragraphs does (all ≤ 0.25), nor any of RAMDocs' 46 set-aside pages (≤ 0.50: a sitar's strings for
        Allah Rakha's instrument is 0.47) or WikiContradict's 5 (≤ 0.48)."""
        if self.closeness is None or not files:
            return set()
        passages = [s for s in sources if s.file in files]
        scores = self.closeness(asked(question), [s.text for s in passages])
        return {s.file for s, score in zip(passages, scores, strict=True) if score >= self.min_closeness}

    def _relations(
        self, question: str, groups: list[list[Reading]], articles: dict[str, str], usage: Usage
    ) -> tuple[dict[tuple[int, int], Relation], int]:
        """How each group relates to the largest one (k-1 comparisons, not k(k-1)/2: LLM calls are the cost), and
        which other pairs contradict by rule. When the largest group is a claim (three sources' sentences on how
        warm a summer was) and two smaller ones state "2.1 °C" and "3.4 °C", comparing each only with the largest
        never set the two numbers against each other (a NatConfQA dev item was missed so).

        A sentence standing as a reading's answer (`CLAIM`) words it differently from every other answer; asked
        "How serious is the threat from North Korea?", the packaged model called the five seed articles'
        sentences a conflict. So such a pair, like two points of an account, is compatible unless exactly one of
        the two is negated, which the LLM then judges."""
        relations: dict[tuple[int, int], Relation] = {}
        proper = asked(question)
        judged = skipped = 0
        for j in range(1, len(groups)):
            a, b = groups[0][0], groups[j][0]
            relation = _by_rule(proper, a, b, articles)
            if relation is None:
                if judged == self.max_comparisons:
                    skipped += 1
                    continue
                judged += 1
                pair = Pair(a.answer or "", a.quote or "", b.answer or "", b.quote or "")
                try:
                    relation, spent = judge(self.model, question, pair, COMPARE_TOKENS, self.timeout)
                except ReplyFailed:
                    usage.add(Usage(1))
                    skipped += 1
                    continue
                usage.add(spent)
            relations[(0, j)] = relation
        for i, j in combinations(range(1, len(groups)), 2):  # the other pairs, by rule only: rules cost no call
            if _by_rule(proper, groups[i][0], groups[j][0], articles) == "contradict":
                relations[(i, j)] = "contradict"
        return relations, skipped


def _by_rule(question: str, a: Reading, b: Reading, articles: dict[str, str]) -> Relation | None:
    """How two readings' answers to the question proper relate where the rules can tell; None leaves it to the
    LLM."""
    answers = (a.answer or "", b.answer or "")
    if picks_apart(question, *answers):  # the sources know both options; each picked another
        return "contradict"
    relation = decide(*answers)
    if relation != "same" and (
        _knows_the_other(a, b, articles)
        or _past(a) != _past(b)
        or adds_up(question, *answers)
        or (CLAIM in (a.status, b.status) and not one_denies(*answers))
    ):
        return "compatible"
    return relation


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def _knows_the_other(a: Reading, b: Reading, articles: dict[str, str]) -> bool:
    """True when one source's article states the other's answer too (and is not a yes/no reply): it knows that
    value and answers with another, so the two are different facts it holds together (the country South Korea
    established ties with is Cuba; Japan is the partner it strengthens cooperation with), not a contradiction.
    On the seeds this removed 5 of 13 false conflicts and none of the 8 true ones (docs/decisions.md)."""
    first, second = _plain(a.answer or ""), _plain(b.answer or "")
    if a.file == b.file or not first or not second or YES_NO.match(first) or YES_NO.match(second):
        return False
    return _states(articles.get(a.file, ""), second) or _states(articles.get(b.file, ""), first)


def _states(article: str, value: str) -> bool:
    """Does the (plain) article state `value`, starting at a word and not running on into a longer number? "4 may
    1902" is inside "died 14 may 1902" as characters, not as a date that article states; "japan" in "japanese"
    still counts, as it did."""
    return re.search(rf"(?<!\w){re.escape(value)}(?!\d)", article) is not None


def _past(reading: Reading) -> bool:
    """Does its quote name the answer as a past holder ("under then-President Moon Jae-in")? A past holder and
    the present one are different facts, not rival answers; two past holders can still contradict."""
    quote = reading.quote or ""
    span = locate(reading.answer or "", quote)
    return span is not None and named_as_past(quote[: span.start])


def _groups(question: str, answered: list[Reading]) -> list[list[Reading]]:
    """Readings that state the same answer to `question` (the question proper), together, largest group first
    (ties: best-ranked source first); the first reading of a group is its representative."""
    groups: list[list[Reading]] = []
    for reading in answered:
        for group in groups:
            first, answer = group[0].answer or "", reading.answer or ""
            if decide(first, answer) == "same" and not picks_apart(question, first, answer):
                group.append(reading)
                break
        else:
            groups.append([reading])
    return sorted(groups, key=lambda g: -len(g))


def _claims(group: list[Reading], verdict: str | None = None) -> list[Claim]:
    claims: list[Claim] = []
    seen: set[str] = set()
    for r in group:
        if r.file in seen or r.start is None or r.end is None:
            continue
        seen.add(r.file)
        inside = locate(r.answer or "", r.quote or "")
        value_start, value_end = (r.start + inside.start, r.start + inside.end) if inside else (r.start, r.end)
        claims.append(
            Claim(r.n, r.file, r.answer or "", r.quote or "", r.start, r.end, value_start, value_end, verdict=verdict)
        )
    return claims


def _conflicts(
    question: str,
    groups: list[list[Reading]],
    relations: dict[tuple[int, int], Relation],
    labels: dict[int, str],
) -> tuple[list[Conflict], list[Conflict]]:
    """One Conflict holding every group that contradicts another; one of compatible groups (if any, and not
    already in the conflict). Each claim carries its group's yes or no (`labels`), if it has one."""
    slot = question.strip().rstrip("?")
    against = sorted({g for pair, rel in relations.items() if rel == "contradict" for g in pair})
    conflicts = []
    if against:
        claims = [c for g in against for c in _claims(groups[g], labels.get(g))]
        conflicts.append(Conflict(slot=slot, note=f"Sources disagree: {said(claims)}.", claims=claims))
    together = sorted({g for pair, rel in relations.items() if rel == "compatible" for g in pair} - set(against))
    complementary = []
    if len(together) > 1:
        claims = [c for g in together for c in _claims(groups[g], labels.get(g))]
        note = f"The sources give different answers that can all be true: {said(claims)}."
        complementary.append(Conflict(slot=slot, note=note, claims=claims))
    return conflicts, complementary


def _rarity(words: tuple[str, ...], vocabularies: list[set[str]]) -> dict[str, float]:
    """How much each question word says about a sentence: log((n + 1) / (df + 1)) over the n articles read; a word
    every article holds ("defense", "minister" over the seeds) says nothing."""
    n = len(vocabularies)
    return {w: math.log((n + 1) / (sum(w in v for v in vocabularies) + 1)) for w in words}


def _sentences(groups: list[list[Reading]], by_n: dict[int, Source], weights: dict[str, float]) -> list[str]:
    """For each group, the passage sentence(s) holding its quote, each cited: the answer's evidence, verbatim.
    Of the sources giving one answer, the quote holding most of the question's telling words (`weights`) is
    shown: asked "Did the defence ministers agree to hold regular meetings?", two sources say yes, and the one
    saying "the agreement to hold regular meetings" shows why better than the best-ranked one ("Both ministers
    agreed to activate personnel exchanges"; "defence", "minister" and "agree" are in every article)."""
    out: list[str] = []
    for group in groups:
        r = max(group, key=lambda g: sum(weights.get(t, 0.0) for t in set(terms(g.quote or ""))))  # first of equals
        src = by_n.get(r.n)
        if src is None or r.start is None or r.end is None:
            continue
        a, b = r.start - src.start, r.end - src.start
        spans = [(s.start, s.end) for s in analyse(src.text) if s.end > a and s.start < b] or [(max(a, 0), b)]
        for start, end in spans:
            text = " ".join(src.text[start:end].split())
            sentence = f"{text}{'' if text[-1:] in '.!?' else '.'} [{r.n}]"
            if text and sentence not in out:
                out.append(sentence)
    return out[:MAX_SENTENCES]
