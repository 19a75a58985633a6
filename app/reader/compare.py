"""Do two sources' answers agree? Cheap deterministic checks first; the LLM judges only what they leave open.

Deterministic:
- same: equal after normalisation, one's words contained in the other's ("Boston" / "located in Boston",
  "Kishi" / "Nobuo Kishi"), number words read as numbers ("four" = 4), unless only one of them is negated;
- contradict: the same words around different numbers ("1962" / "1958", "January 30" / "January 31"), a
  plain yes against a plain no, or two different options of an either/or question (`picks_apart`).
Everything else is a pair for the LLM: do they conflict (contradict) or can both be listed (compatible)?
Except when the question asks for an account (`adds_up`), or an answer is a sentence standing as the source's
claim (the reader's `_relations`): then different answers are parts of one picture, and only a pair where one
answer is negated and the other not (`one_denies`) goes to the LLM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from text_to_num import alpha2digit

from app.engine.nlp import terms
from app.reader.models import ReaderModel, Usage
from app.reader.prompts import COMPARE_SYSTEM, Verdict, compare_prompt
from app.reader.read import CHOICE, YES_NO

Relation = Literal["same", "compatible", "contradict"]
NUMBER = re.compile(r"\d+(?:\.\d+)?")
NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|without|cannot|lacks?|lacking)\b|n't\b", re.IGNORECASE)
# Questions whose answer is an account or a list: a summary, a why, "what obstacles/reasons/…" in the plural.
ACCOUNT = re.compile(
    r"^\s*(?:(?:please\s+)?(?:summari[sz]e|describe|explain|outline|list|tell me)\b"
    r"|what\s+(?:do|does|did)\s+(?:the\s+)?(?:articles?|sources?|reports?|texts?|documents?)\s+say\b"
    r"|why\b"
    r"|what\s+(?:are\s+the\s+|were\s+the\s+)?(?:main\s+|key\s+|other\s+)?"
    r"(?:obstacles|challenges|reasons|causes|factors|concerns|issues|problems|difficulties|hurdles|barriers"
    r"|areas|steps|ways|topics|points|goals|aims|motives)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pair:
    """Two answers (with the quotes they rest on) to compare."""

    first: str
    first_quote: str
    second: str
    second_quote: str


def _numbers(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(numbers, other content words) of an answer, number words converted and thousands separators dropped."""
    digits = alpha2digit(text, "en").replace(",", "")
    numbers = frozenset(str(float(n)).removesuffix(".0") for n in NUMBER.findall(digits))
    words = frozenset(t for t in terms(NUMBER.sub(" ", digits)) if not t[:1].isdigit())
    return numbers, words


def picks_apart(question: str, first: str, second: str) -> bool:
    """Do the two answers pick different options of an either/or question ("Is Castle Donington a town or a
    village?" town / village; "… selective or non-selective?")? The options exclude each other, however the
    words overlap ("selective" is inside "non-selective") and although every source may know both words."""
    if not CHOICE.search(question):
        return False
    offered, a, b = set(terms(question)), set(terms(first)), set(terms(second))
    return bool(a) and bool(b) and a != b and a <= offered and b <= offered


def decide(first: str, second: str) -> Relation | None:
    """The relation the rules can settle whatever was asked, or None when the LLM must judge."""
    yes_a, yes_b = YES_NO.match(first), YES_NO.match(second)
    if yes_a and yes_b:
        return "same" if yes_a.group(1).lower() == yes_b.group(1).lower() else "contradict"
    if one_denies(first, second):
        return None
    nums_a, words_a = _numbers(first)
    nums_b, words_b = _numbers(second)
    if nums_a and nums_b and nums_a != nums_b:
        if words_a == words_b or (not nums_a & nums_b and (words_a <= words_b or words_b <= words_a)):
            return "contradict"  # "1962" / "1958"; "$43.8 billion" / "$46 billion"
        return None
    if nums_a != nums_b and (nums_a or nums_b) and not (nums_a <= nums_b or nums_b <= nums_a):
        return None
    ta, tb = set(terms(first)), set(terms(second))
    if ta and tb and (ta <= tb or tb <= ta) and (nums_a <= nums_b or nums_b <= nums_a):
        return "same"
    return None


def adds_up(question: str, first: str, second: str) -> bool:
    """Are two different answers parts of one account rather than rival answers? The question asks for a summary,
    a reason or several obstacles ("Why did the exercises stop?" — a flag dispute and a radar incident are both
    reasons), and neither answer denies what the other states (one negated, the other not: "it does not", which
    the LLM still judges). Asked such questions, the packaged model called every pair of different points a
    conflict (seed questions "What obstacles stand in the way of closer cooperation?", "Summarize what the
    articles say about North Korea.")."""
    return bool(ACCOUNT.match(question)) and not one_denies(first, second)


def one_denies(first: str, second: str) -> bool:
    """Is exactly one of two answers negated ("no evidence it helps" / "it helps")? Between two points of an
    account, or two sentences standing as claims, only that is a sign of a disagreement worth the LLM's call."""
    return bool(NEGATION.search(first)) != bool(NEGATION.search(second))


def judge(model: ReaderModel, question: str, pair: Pair, max_tokens: int, timeout: float) -> tuple[Relation, Usage]:
    """The LLM's verdict on a pair the rules left open (ReplyFailed when it gives none)."""
    prompt = compare_prompt(question, (pair.first, pair.first_quote), (pair.second, pair.second_quote))
    reply, usage = model.reply(COMPARE_SYSTEM, prompt, Verdict, max_tokens, timeout)
    return ("contradict" if reply.conflict else "compatible"), usage
