"""The evidence composer: the default answer writer. It quotes the best sentences, cites them, needs no LLM.

Every sentence it writes is a verbatim sentence of a numbered passage followed by that passage's [n], except
the lead sentence of a disagreement, which only names the sources' values next to the sources that state them.
"""

from __future__ import annotations

from app.answer import Claim, Conflict
from app.engine.evidence import Evidence
from app.engine.nlp import terms
from app.engine.question import QuestionInfo

ABSTAIN_BELOW = 0.5  # best coverage of the question's terms below which the passages do not answer it
MAX_SENTENCES = 3
NEAR_DUPLICATE = 0.6  # term Jaccard above which a second sentence adds nothing
RUNNER_UP = 0.75  # a further sentence must cover at least this share of what the best one covers

ABSTAIN_TEXT = "The articles do not answer this question. The closest passages are listed as sources."


def answering_evidence(question: QuestionInfo, evidence: list[Evidence]) -> list[Evidence]:
    """The sentences that answer the question, best first; empty when the passages do not answer it.

    A question asking for a typed value (who, when, how much) is answered only by sentences holding such a
    value that the question does not already name.
    """
    pool = [e for e in evidence if e.answer_entities] if question.answer_labels else evidence
    if not pool or pool[0].coverage < ABSTAIN_BELOW:
        return []
    floor = max(ABSTAIN_BELOW, RUNNER_UP * pool[0].coverage)
    chosen: list[Evidence] = []
    seen: list[set[str]] = []
    for ev in pool:
        if ev.coverage < floor or len(chosen) == MAX_SENTENCES:
            break
        words = set(terms(ev.sentence.text))
        if any(len(words & s) / max(len(words | s), 1) > NEAR_DUPLICATE for s in seen):
            continue
        chosen.append(ev)
        seen.append(words)
    return chosen


def _quote(ev: Evidence) -> str:
    text = " ".join(ev.sentence.text.split())
    if text[-1] not in '.!?"\u201d\u2019':
        text += "."
    return f"{text} [{ev.source.n}]"


def said(claims: list[Claim], cite: bool = True) -> str:
    """'Reuters says X [1]; “Headline…” says Y [2]': each claim's value next to its source's name (notes and the
    disagreement lead; `cite=False` leaves out the [n], for claims outside an answer), after its yes or no when
    it answers a yes/no question ("says no (14 May 1902)"). When any claim is dated, each source shows its date
    or "undated"."""
    dated = any(c.published for c in claims)
    files: dict[str, set[str]] = {}
    for c in claims:
        files.setdefault(c.name, set()).add(c.file)
    shared = {name for name, named in files.items() if len(named) > 1}

    def who(claim: Claim) -> str:
        name = f"{claim.name}, {claim.file}" if claim.name in shared else claim.name  # two articles, one headline
        return f"{name} ({claim.published or 'undated'})" if dated else name

    def value(claim: Claim) -> str:
        return f"{claim.verdict} ({claim.value})" if claim.verdict else claim.value  # "yes (4 May 1902)"

    return "; ".join(f"{who(c)} says {value(c)}" + (f" [{c.n}]" if cite else "") for c in claims)


def disagreement_sentence(conflicts: list[Conflict]) -> str:
    """'Sources disagree: A says X [1]; B says Y [2].' for every conflict (the values, next to their sources)."""
    return f"Sources disagree: {said([c for conflict in conflicts for c in conflict.claims])}."


def compose(chosen: list[Evidence], conflicts: list[Conflict], evidence: list[Evidence]) -> str:
    """The answer text: the disagreement first when there is one, then the quoted evidence, each cited."""
    if not chosen and not conflicts:
        return ABSTAIN_TEXT
    sentences: list[str] = []
    if conflicts:
        sentences.append(disagreement_sentence(conflicts))
        quoted = dict.fromkeys((c.n, c.start) for conflict in conflicts for c in conflict.claims)
        by_span = {(e.source.n, e.start): e for e in evidence}
        sentences.extend(_quote(by_span[key]) for key in quoted if key in by_span)
    else:
        sentences.extend(_quote(ev) for ev in chosen)
    return " ".join(sentences)
