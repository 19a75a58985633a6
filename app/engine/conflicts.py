"""Do the sources disagree? Compare each source's value for what the question asks, without any LLM.

A conflict needs: a question that asks for a typed value (a person, date, place, amount); two or more articles
whose best answering sentences give different values of that type for the same role ("South Korean Defense
Minister") or, for dates and amounts, in sentences holding most of the words that describe the value; and each
of those articles mentioning the question's anchors (its dates, places, names), so two different meetings are
not taken for one. Phrase answers ("what kind of exercises") are never compared: the
detector cannot tell complementary phrases from contradictory ones, and a false alarm costs trust.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from app.answer import Claim, Conflict
from app.engine.compose import said
from app.engine.evidence import Evidence
from app.engine.nlp import Entity, terms, value_key
from app.engine.question import PEOPLE, QuestionInfo

CLAIM_MIN_COVERAGE = 0.4  # below this a sentence is not about what was asked (calibrated on the seed questions)
ROLE_WINDOW = 4  # content words before a name that make up its role ("South Korean Defense Minister")
ROLE_SAME = 0.5  # Jaccard overlap at which two roles are the same role
# "then-President Moon Jae-in", "former adviser Kim": someone who held the role before is not a rival value.
PAST_ROLE = re.compile(r"\b(then-|former|ex-|late|previous|outgoing|erstwhile)", re.IGNORECASE)
PAST_WINDOW = 6  # words before a name searched for "former", "then-": "former national security advisor Kim"
ANCHOR_SKIP = frozenset({"NORP"})  # "South Korean" pins down no event
FOCUS_MIN = 0.6  # a date or amount counts only from a sentence holding most (IDF-weighted) of the words
#                   that describe it


def named_as_past(before: str) -> bool:
    """Do the words just before a name make its bearer a past holder of the role ("then-President", "former
    adviser")? Used by the scan and the reader, which both treat a past holder as no rival of the present one."""
    return bool(PAST_ROLE.search(" ".join(before.split()[-PAST_WINDOW:])))


@dataclass(frozen=True)
class _Candidate:
    evidence: Evidence
    entity: Entity
    role: frozenset[str]
    role_text: str

    @property
    def claim(self) -> Claim:
        ev, src = self.evidence, self.evidence.source
        return Claim(
            n=src.n,
            file=src.file,
            value=self.entity.text,
            quote=ev.sentence.text,
            start=ev.start,
            end=ev.end,
            value_start=src.start + self.entity.start,
            value_end=src.start + self.entity.end,
        )


def _candidates(ev: Evidence) -> list[_Candidate]:
    """Each wanted entity of the sentence with the words just before it (back to the previous one)."""
    out = []
    boundary = ev.sentence.start
    for entity in ev.answer_entities:
        prefix = ev.source.text[boundary : entity.start]
        role_terms = terms(prefix)[-ROLE_WINDOW:]
        raw = [w.strip(",;:()\u201c\u201d\"'") for w in prefix.split()]
        role_text = " ".join(w for w in raw[-ROLE_WINDOW:] if w and w.lower() not in {"and", "the", "between"})
        if not PAST_ROLE.search(" ".join(raw[-ROLE_WINDOW:])):
            out.append(_Candidate(ev, entity, frozenset(role_terms), role_text))
        boundary = entity.end
    return out


def _focus_filter(cands: list[_Candidate], focus: frozenset[str]) -> list[_Candidate]:
    """Keep the candidates whose role best matches the question's focus (all of them if none matches)."""
    scores = [len(c.role & focus) for c in cands]
    best = max(scores, default=0)
    return [c for c, s in zip(cands, scores, strict=True) if s == best] if best else cands


def _same_value(a: str, b: str, label: str) -> bool:
    ka, kb = set(value_key(a).split()), set(value_key(b).split())
    if label in PEOPLE or label == "ORG":
        return bool(ka and kb) and (ka <= kb or kb <= ka)  # "Kishi" is "Nobuo Kishi"
    return ka == kb


def _about_same_event(question: QuestionInfo, article: str | None) -> bool:
    if article is None:
        return False
    words = set(terms(article))
    return all(set(terms(a.text)) <= words for a in question.anchors if a.label not in ANCHOR_SKIP)


def _clusters(cands: list[_Candidate], by_role: bool) -> list[list[_Candidate]]:
    if not by_role:
        return [cands]
    clusters: list[list[_Candidate]] = []
    for c in cands:
        for cluster in clusters:
            role = cluster[0].role
            if c.role and role and len(c.role & role) / len(c.role | role) >= ROLE_SAME:
                cluster.append(c)
                break
        else:
            clusters.append([c])
    return clusters


def _conflict(cluster: list[_Candidate], slot: str) -> Conflict | None:
    first_per_file: dict[str, _Candidate] = {}
    for c in cluster:
        first_per_file.setdefault(c.evidence.file, c)
    groups: list[list[_Candidate]] = []
    for c in first_per_file.values():
        for group in groups:
            if _same_value(group[0].entity.text, c.entity.text, c.entity.label):
                group.append(c)
                break
        else:
            groups.append([c])
    if len(groups) < 2:
        return None
    claims = [c.claim for group in groups for c in group]
    return Conflict(slot=slot, note=f"Sources disagree on the {slot}: {said(claims)}.", claims=claims)


def detect_conflicts(
    question: QuestionInfo, evidence: list[Evidence], article_text: Callable[[str], str | None]
) -> list[Conflict]:
    """Conflicts among the sources' answers to `question` (evidence must be sorted best first)."""
    if not question.answer_labels:
        return []
    best: dict[str, Evidence] = {}
    for ev in evidence:
        if ev.answer_entities and ev.coverage >= CLAIM_MIN_COVERAGE:
            best.setdefault(ev.file, ev)
    by_role = bool(question.answer_labels & PEOPLE)
    focus = frozenset(question.focus)
    pool = [set(terms(ev.sentence.text)) for ev in evidence]
    weight = {t: math.log(1 + len(pool) / (1 + sum(t in p for p in pool))) for t in focus}

    def focus_share(words: set[str] | frozenset[str]) -> float:
        """The IDF-weighted share of the focus words among `words` (rare words count most)."""
        return sum(weight[t] for t in focus & words) / (sum(weight.values()) or 1.0)

    cands: list[_Candidate] = []
    for file, ev in best.items():
        if not _about_same_event(question, article_text(file)):
            continue
        if not by_role and focus and focus_share(set(terms(ev.sentence.text))) < FOCUS_MIN:
            continue  # "2017" from a sentence about exercises is no answer to "when did they last visit"
        mine = _candidates(ev)
        if question.focus_is_role and by_role:
            # "Which Japanese prime minister": the role must carry the rare words ("prime"), not just "minister".
            mine = [c for c in mine if focus_share(c.role) >= FOCUS_MIN]
        if question.focus_is_role or not by_role:
            mine = _focus_filter(mine, focus)
        cands.extend(mine if by_role else mine[:1])
    conflicts = []
    for cluster in _clusters(cands, by_role):
        slot = question.slot if question.focus_is_role or not by_role else (cluster[0].role_text or question.slot)
        if conflict := _conflict(cluster, slot):
            conflicts.append(conflict)
    return conflicts
