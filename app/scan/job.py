"""The disagreement scan: candidate pairs (app/scan/candidates.py, no LLM) judged by the reader's comparison
(app/reader/compare.py: rules first, the LLM only for what they leave open), verdicts kept in the store.

Incremental: a verdict is stored under its candidate's key (both sentences and values) the moment it is made,
so a second scan with nothing changed sends nothing to the LLM, a killed scan resumes where it stopped, and a
changed or removed article only brings new pairs (its old verdicts are dropped). Findings are the contradicting
pairs, joined when they share a side: one finding per disagreement, with every article's claim.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from app.answer import Claim, Conflict
from app.engine.compose import said
from app.engine.nlp import Entity
from app.engine.timeline import oldest_first
from app.reader.compare import Pair, decide, judge
from app.reader.models import ReaderModel, ReplyFailed
from app.scan.candidates import Candidate, Statement, candidates
from ingest.store import ArticleStore, DocRecord

COMPARE_TOKENS = 24
# (candidates done, candidates in all, what is happening) -> None
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Finding:
    """One disagreement: its topic, the kind of value, the question "ask about this" asks, and its claims."""

    topic: str
    family: str
    question: str
    conflict: Conflict


@dataclass
class ScanReport:
    """What one scan did and found."""

    considered: int = 0  # candidate pairs left after the cheap filters
    reused: int = 0  # judged by an earlier scan
    sent: int = 0  # sent to the LLM by this scan
    undecided: int = 0  # the rules could not decide and no LLM did (none configured, or it failed)
    contradicting: int = 0  # pairs judged to state incompatible values
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI and the tab."""
        left = f", {self.undecided} left for an LLM" if self.undecided else ""
        return (
            f"{len(self.findings)} disagreement(s) from {self.contradicting} contradicting pair(s); "
            f"{self.considered} pairs considered, {self.reused} judged before, {self.sent} sent to the LLM{left}; "
            f"{self.seconds:.1f} s"
        )


def question_for(topic: str, family: str, values: list[str] | None = None) -> str:
    """The question a pair is judged under, and the one "ask about this" asks (with the values, so the answer
    quotes the sentences that state them)."""
    if family == "person":
        return f"Who is the {topic}?"
    offered = f": {' or '.join(dict.fromkeys(values))}" if values else ""
    return f"What do the articles say about the {topic}{offered}?"


def scan(
    store: ArticleStore,
    model: ReaderModel | None,
    timeout: float = 60.0,
    per_article: int = 6,
    progress: Progress | None = None,
) -> ScanReport:
    """Judge every candidate pair not judged yet; returns the report with the findings."""
    started = time.perf_counter()
    records = store.articles()
    texts = {f: (r.group or f, text) for f, r in records.items() if (text := store.article_text(f)) is not None}
    found = candidates(texts, per_article)
    verdicts = store.scan_verdicts()
    report = ScanReport(considered=len(found))
    todo = [c for c in found if c.key not in verdicts]
    report.reused = len(found) - len(todo)
    workers = model.concurrency if model is not None else 1  # a server LLM judges several pairs at once
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="parallax-scan") as pool:
        futures = {pool.submit(_judge, c, model, timeout): c for c in todo}
        for done, future in enumerate(as_completed(futures), 1):
            c = futures[future]
            verdict, asked = future.result()
            report.sent += asked
            if progress is not None:
                progress(report.reused + done, len(found), f"compared {c.first.file} and {c.second.file}")
            if verdict is None:
                report.undecided += 1
                continue
            store.save_scan_verdict(c.key, verdict)  # now, not at the end: a killed scan resumes from here
            verdicts[c.key] = verdict
    contradicting = [c for c in found if verdicts.get(c.key, {}).get("relation") == "contradict"]
    current = {c.key for c in found}
    store.drop_scan_verdicts([k for k in verdicts if k not in current])
    report.contradicting = len(contradicting)
    report.findings = findings(contradicting, records)
    report.seconds = round(time.perf_counter() - started, 1)
    if progress is not None:
        progress(len(found), len(found), report.summary())
    return report


def _judge(c: Candidate, model: ReaderModel | None, timeout: float) -> tuple[dict | None, int]:
    """(the relation of a candidate's two values by the rules, else by the LLM — None when neither decides,
    LLM calls made)."""
    relation = decide(c.first_value.text, c.second_value.text)
    if relation is not None:
        return {"relation": relation, "by": "rules"}, 0
    if model is None:
        return None, 0
    pair = Pair(c.first_value.text, c.first.text, c.second_value.text, c.second.text)
    try:
        relation, _ = judge(model, question_for(c.topic, c.family), pair, COMPARE_TOKENS, timeout)
    except ReplyFailed:
        return None, 1
    return {"relation": relation, "by": model.name}, 1


def _claim(n: int, side: tuple, records: dict[str, DocRecord]) -> Claim:
    statement, value = side
    r = records.get(statement.file)
    return Claim(
        n=n,
        file=statement.file,
        value=value.text,
        quote=statement.text,
        start=statement.start,
        end=statement.end,
        value_start=value.start,
        value_end=value.end,
        outlet=r.outlet if r else None,
        published=r.published if r else None,
        title=r.title if r else None,
    )


def findings(pairs: list[Candidate], records: dict[str, DocRecord]) -> list[Finding]:
    """One Conflict per disagreement: contradicting pairs of one kind of value that share a side are joined (the
    South Korean minister of 000 against 001's and 004's is one finding with three claims)."""
    parent: dict[tuple, tuple] = {}

    def root(x: tuple) -> tuple:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def side(statement: Statement, value: Entity, family: str) -> tuple:
        return (family, statement.file, statement.start, value.text)

    for c in pairs:
        parent[root(side(c.first, c.first_value, c.family))] = root(side(c.second, c.second_value, c.family))
    groups: dict[tuple, list[Candidate]] = {}
    for c in pairs:
        groups.setdefault(root(side(c.first, c.first_value, c.family)), []).append(c)
    out = []
    for members in groups.values():
        sides = {}
        for c in members:
            for statement, value in ((c.first, c.first_value), (c.second, c.second_value)):
                sides.setdefault((statement.file, value.text), (statement, value))
        dated = oldest_first([_claim(0, s, records) for s in sorted(sides.values(), key=lambda s: s[0].file)])
        claims = [replace(c, n=n) for n, c in enumerate(dated, 1)]
        topics = Counter(c.topic for c in members)
        topic = min(topics, key=lambda t: (-topics[t], len(t)))
        family = members[0].family
        slot = topic if family == "person" else f"{topic} ({family})"
        note = f"Sources disagree on the {slot}: {said(claims, cite=False)}."
        conflict = Conflict(slot=slot, note=note, claims=claims)
        out.append(Finding(topic, family, question_for(topic, family, [c.value for c in claims]), conflict))
    return sorted(out, key=lambda f: (-len(f.conflict.claims), f.conflict.slot))
