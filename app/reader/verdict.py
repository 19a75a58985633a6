"""Each side's yes or no to a yes/no question the reader read as an open one (app/reader/reframe.py).

"Did Ingrid Halvorsen die on 4 May 1902?" is read as "When did … die?", and the sources answer with dates; the
user asked for a yes or a no. Where rules can tell, each group of answers gets one: the value the question
supposes is a yes ("27 November 1852" to "… die in 1852?"), a value contradicting it by rule is a no ("14 May
1902" to "… on 4 May 1902?"), and so is a group contradicting a yes ("Bremen" against a source saying "Munich").
A bound the question sets ("more than 115 years", "before February 2025") is checked against the number or the
year the value states: "138 years" is a yes, "one live album" to "more than one?" a no. What the question says in
brackets only clarifies ("1.5 kg (3.3 lb)"). Anything else stays unlabelled: "Marylebone" to "… in London?" may
be either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from text_to_num import alpha2digit

from app.answer import Reading
from app.engine.nlp import terms
from app.reader.compare import Relation, decide
from app.reader.read import ASIDE, BOUND, GREATER, LESS, YES_NO
from app.reader.reframe import Reframed

NUMBER = re.compile(r"(?<![\w.])(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s+(1000|1000000|1000000000)\b)?")
UNIT = re.compile(r"\s*(%|[^\W\d_]+)")  # what a number counts: the word or "%" right after it
YEAR = re.compile(r"\b(1\d{3}|20\d{2})\b")


@dataclass(frozen=True)
class Bound:
    """A bound a yes/no question sets: "more than 115 years" is more than 115 in years; "before February 2025" is
    less than 2025 compared as years (`is_year`), and `year_only` when the bound names no month or day."""

    direction: str
    number: float
    is_year: bool
    year_only: bool
    unit: str | None = None  # "year" of "115 years", "%"; None when the number stands alone


def verdicts(
    groups: list[list[Reading]], relations: dict[tuple[int, int], Relation], reframed: Reframed | None
) -> dict[int, str]:
    """Each group's yes or no (by index into `groups`) to the yes/no question `reframed` was read from, where the
    rules can tell; none when the question was read as asked."""
    if reframed is None:
        return {}
    plain = ASIDE.sub(" ", reframed.asked)  # "1.5 kg (3.3 lb)": the aside clarifies, it supposes nothing more
    limits = {s: bound(reframed.asked, s) for s in reframed.supposed if s in plain}
    bounds = [b for b in limits.values() if b is not None]
    values = [s for s, b in limits.items() if b is None]
    out: dict[int, str] = {}
    for i, group in enumerate(groups):
        value = group[0].answer or ""
        if YES_NO.match(value) or not (bounds or values):
            continue
        checks = [_against_bound(value, b) for b in bounds] + [_against_value(value, s) for s in values]
        if None not in checks:
            out[i] = "yes" if all(c == "yes" for c in checks) else "no"
        elif "no" in checks:
            out[i] = "no"
    for (a, b), relation in relations.items():
        for one, other in ((a, b), (b, a)):
            if relation == "contradict" and out.get(one) == "yes" and other not in out:
                out[other] = "no"
    return out


def bound(question: str, supposed: str) -> Bound | None:
    """The bound the question sets on `supposed` ("more than one" in "… released more than one live album?"), if
    the words just before its number say more or less, earlier or later."""
    text = _digits(ASIDE.sub(" ", question))
    value = _digits(supposed)
    at = text.find(value)
    if at < 0 or not (numbers := NUMBER.findall(value)):
        return None
    words = [w for w in _bound_words(text[max(0, at - 40) : at + len(value)]) if w in GREATER | LESS]
    if not words:
        return None  # no bound, or one that only makes the number approximate ("about 115")
    word = words[-1]
    direction = ">" if word in GREATER else "<"
    years = YEAR.findall(value)
    if years and word in {"before", "after"}:
        return Bound(direction, float(years[-1]), True, value.strip() == years[-1])
    return Bound(direction, _amount(*numbers[0]), False, False, _unit(text[at:], numbers[0]))


def _bound_words(text: str) -> Iterator[str]:
    """Each word of `text` bounding a number (read.BOUND), overlapping: "since more than 5" holds "since" and
    "more"."""
    at = 0
    while (match := BOUND.search(text, at)) is not None:
        yield match.group(1).lower()
        at = match.start() + 1


def _against_bound(value: str, limit: Bound) -> str | None:
    """Is the value's one number (or, for a date bound, its year) on the bound's side? None when it states no
    such number, or several, or the same year as a bound naming a month ("before February 2025")."""
    if limit.is_year:
        years = {float(y) for y in YEAR.findall(value)}
        if len(years) != 1:
            return None
        (year,) = years
        if year == limit.number:
            return "no" if limit.year_only else None  # "1920" is not before 1920
        return "yes" if (year > limit.number) == (limit.direction == ">") else "no"
    plain = _digits(ASIDE.sub(" ", value))  # "600 km (373 mi)": one distance
    numbers = NUMBER.findall(plain)
    if len({_amount(*n) for n in numbers}) != 1:
        return None
    unit = _unit(plain, numbers[0])
    if unit != limit.unit and unit is not None and (limit.unit is not None or unit == "%"):
        return None  # "25%" is no age: "members over the age of 20?"
    amount = _amount(*numbers[0])
    if amount == limit.number:
        return "no"  # "more than one": one is not more
    return "yes" if (amount > limit.number) == (limit.direction == ">") else "no"


def _against_value(value: str, supposed: str) -> str | None:
    """Yes when the value states all the supposed value does; no when they contradict by rule."""
    if set(terms(supposed)) <= set(terms(value)):
        return "yes"
    return "no" if decide(value, supposed) == "contradict" else None


def _unit(text: str, number: tuple[str, str]) -> str | None:
    """The unit after the first occurrence of `number` in `text` (a term, or "%"), if any."""
    written = number[0] + (f" {number[1]}" if number[1] else "")
    at = text.find(written)
    match = UNIT.match(text, at + len(written)) if at >= 0 else None
    if match is None:
        return None
    word = match.group(1)
    return "%" if word == "%" or word.lower() == "percent" else next(iter(terms(word)), None)


def _digits(text: str) -> str:
    """Number words as digits, "one" too ("more than one" -> "more than 1")."""
    return alpha2digit(text, "en", threshold=0)


def _amount(number: str, scale: str = "") -> float:
    """ "5.5", "1000000" (text_to_num's "million") -> 5500000.0; "47,195" -> 47195.0."""
    return float(number.replace(",", "")) * (float(scale) if scale else 1.0)
