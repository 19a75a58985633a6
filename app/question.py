"""What a question asks for: its terms, the kind of value that answers it, and the event it is about."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span

from app.nlp import Entity, normalise_word, parse, terms

PEOPLE = frozenset({"PERSON"})
WHEN = frozenset({"DATE", "TIME", "DURATION"})
DURATIONS = frozenset({"DURATION"})
WHERE = frozenset({"GPE", "LOC", "FAC"})
AMOUNT = frozenset({"MONEY", "CARDINAL", "QUANTITY", "PERCENT"})
ORGS = frozenset({"ORG"})

# Head nouns after "which/what" and the kind of value they ask for.
NOUN_TYPES: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        """
    minister president leader official spokesman spokesperson chief adviser advisor person man woman
    diplomat general commander premier secretary ambassador editor author reporter analyst scholar
    """.split(),
        PEOPLE,
    ),
    **dict.fromkeys(
        ["country", "city", "nation", "place", "location", "base", "region", "state", "capital", "port"], WHERE
    ),
    **dict.fromkeys(["year", "date", "day", "month", "week", "time"], WHEN),
    **dict.fromkeys(
        ["organization", "organisation", "agency", "company", "ministry", "institute", "newspaper", "outlet"], ORGS
    ),
    **dict.fromkeys(
        ["amount", "budget", "figure", "cost", "number", "population", "price", "sum", "total", "spending"], AMOUNT
    ),
}


@dataclass(frozen=True)
class QuestionInfo:
    """The parts of a question the composer and the conflict detector use."""

    text: str
    terms: tuple[str, ...]
    answer_labels: frozenset[str]  # empty: the answer is a phrase, not a typed value
    focus: tuple[str, ...]  # words that describe the wanted value ("south korea defense minist")
    focus_is_role: bool  # the focus names the wanted thing ("which minister"), not what it did ("who attended")
    anchors: tuple[Entity, ...]  # named things in the question that pin down the event
    slot: str  # a short human name for what is asked


def _answer_labels(lower: str, words: list[str], head: str | None) -> frozenset[str]:
    if lower.startswith(("how many", "how much")):
        return AMOUNT
    if lower.startswith("how long"):
        return DURATIONS
    if lower.startswith("how old"):
        return DURATIONS | AMOUNT
    if head and head in NOUN_TYPES and words[0] in {"which", "what", "whose", "who"}:
        return NOUN_TYPES[head]
    for word, labels in (("who", PEOPLE), ("whom", PEOPLE), ("when", WHEN), ("where", WHERE)):
        if word in words[:3]:
            return labels
    return frozenset()


def _focus_chunk(doc: Doc) -> Span | None:
    """The noun phrase naming what is asked: "[Which X] did ...", "Who is [X]", "What was [the X] of ...".

    Decided by position, not by the parser's attachments, which are unreliable for wh-words.
    """
    words = [t.lower_ for t in doc]
    if not words or words[0] not in {"which", "what", "whose", "who"}:
        return None
    chunks = list(doc.noun_chunks)
    if (len(words) > 1 and doc[1].lemma_ == "be") or words[1:2] == ["'s"]:
        return next((c for c in chunks if c.start >= 2), None)
    if words[0] != "who":
        return next((c for c in chunks if c.start <= 1 < c.end or c.start == 1), None)
    return None


def analyse_question(question: str) -> QuestionInfo:
    """Answer type from the wh-word or the head noun it modifies; the focus is that noun's phrase."""
    doc = parse(question)
    words = [t.lower_ for t in doc]
    lower = question.lower().strip()
    focus_span = _focus_chunk(doc)
    head = focus_span.root.lower_ if focus_span is not None else None
    labels = _answer_labels(lower, words, head)
    if focus_span is not None:
        kept = [t for t in focus_span if t.tag_ not in {"WDT", "WP", "WP$", "DT", "PRP$"}]
        focus_text = "".join(t.text_with_ws for t in kept).strip()
    elif labels:
        # "Who attended ...": the verb phrase describes the person; keep its content words ("how long" is no
        # description of the answer).
        skip = 2 if words[0] == "how" else 1
        focus_text = " ".join(t.text for t in doc[skip:] if t.pos_ in {"VERB", "NOUN", "ADJ"} and t.dep_ != "aux")
    else:
        focus_text = ""
    anchors = tuple(
        Entity(e.text, e.label_, e.start_char, e.end_char)
        for e in doc.ents
        if e.label_ not in {"ORDINAL"} and normalise_word(e.text) not in {"south", "north"}
    )
    return QuestionInfo(
        text=question,
        terms=tuple(terms(question)),
        answer_labels=labels,
        focus=tuple(terms(focus_text)),
        focus_is_role=focus_span is not None,
        anchors=anchors,
        slot=focus_text or question.rstrip("?"),
    )
