"""A follow-up read with the conversation: "And South Korea's?" after "Who is Japan's defense minister according to
the articles?" asks "Who is South Korea's defense minister according to the articles?".

Two ways to the same standalone question:
- rules (no LLM, milliseconds, spaCy's parse): an elliptical follow-up ("And X?", "What about X?", a fragment
  without a verb) swaps X into the previous question where it names the same kind of thing (a country for a
  country, a person for a person); a follow-up with a pronoun ("When did he leave?") gets the previous question's
  subject in its place. A question that stands on its own is left as it is.
- an LLM (LlamaIndex's condense-question template), asked only when the rules say the question needs its context
  (one call, and only then: LLM calls are the cost). What it writes is checked: it may name nothing that neither
  the conversation nor the follow-up names, and must keep every name the follow-up gives; otherwise the rules win.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from llama_index.core.chat_engine.condense_question import DEFAULT_TEMPLATE
from pydantic import BaseModel, Field
from spacy.tokens import Doc, Span

from app.engine.citations import key_values
from app.engine.nlp import parse, terms
from app.reader.models import ReaderModel, ReplyFailed, Usage

LEAD = re.compile(
    r"^\s*(?:(?:and|but|so|also|ok(?:ay)?|then)\b[\s,]*)*(?:(?:what|how)\s+about\b[\s,]*)?", re.IGNORECASE
)
PRONOUNS = {"he", "him", "his", "she", "her", "hers", "they", "them", "their", "theirs", "it", "its"}
PEOPLE_PRONOUNS = {"he", "him", "his", "she", "her", "hers"}
PLURAL_PRONOUNS = {"they", "them", "their", "theirs"}
SUBJECT_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW")
POSSESSIVE = re.compile(r"['\u2019]s?$")
HISTORY_TURNS = 4  # messages shown to the LLM: prompt tokens are the cost
ANSWER_CHARS = 240  # of each earlier answer shown to the LLM
MAX_CHARS = 400


class Standalone(BaseModel):
    """The LLM's reply: the follow-up rewritten to stand on its own."""

    question: str = Field(min_length=3, max_length=MAX_CHARS)


def _has_lead(message: str) -> bool:
    return bool(LEAD.match(message).group().strip())


def _core(message: str) -> str:
    """The message without its lead words ("and", "what about") and closing punctuation."""
    return message[LEAD.match(message).end() :].strip().rstrip("?!. ").strip()


def _pronouns(doc: Doc) -> list[int]:
    return [t.i for t in doc if (t.lower_ in PRONOUNS and t.pos_ == "PRON") or t.tag_ == "PRP$"]


def needs_context(message: str) -> bool:
    """Does the message lean on the conversation: a lead ("And …", "What about …"), no verb at all, or a pronoun
    standing for something named earlier?"""
    doc = parse(_core(message) or message)
    has_verb = any(t.pos_ in {"VERB", "AUX"} for t in doc)
    return _has_lead(message) or not has_verb or bool(_pronouns(doc))


def _bare(text: str) -> str:
    """An entity's text without a possessive ending ("South Korea's" -> "South Korea")."""
    return POSSESSIVE.sub("", text.strip())


def _swap(previous: Doc, fragment: str) -> str | None:
    """`previous` with the fragment's new subject in place of the thing of the same kind; None when none fits."""
    frag = parse(fragment)
    named = [e for e in frag.ents]
    taken = {_bare(e.text).lower() for e in named}
    for ent in named:
        same_kind = [e for e in previous.ents if e.label_ == ent.label_ and _bare(e.text).lower() not in taken]
        if same_kind:
            old = same_kind[0]
            return _replace(previous, old, _bare(ent.text))
    chunks = list(frag.noun_chunks)
    if len(chunks) == 1 and not named:  # "the finance minister": replaces the phrase with the same head noun
        head = terms(chunks[0].root.text)
        for chunk in previous.noun_chunks:
            if head and terms(chunk.root.text) == head and chunk.text.lower() != chunks[0].text.lower():
                return _replace(previous, chunk, fragment)
    return None


def _replace(doc: Doc, span: Span, new: str) -> str:
    """The doc's text with `span` (its possessive ending kept apart) replaced by `new`."""
    text = doc.text
    end = span.start_char + len(_bare(span.text))
    return f"{text[: span.start_char]}{new}{text[end:]}"


def _subject(previous: Doc, pronoun: str) -> str | None:
    """What a pronoun in the follow-up most likely stands for: the previous question's first person (he/she), its
    people (they, when it names several) or first named thing (it/they), else its first noun phrase that is not a
    question word ("Japan's defense minister")."""
    people = [_bare(e.text) for e in previous.ents if e.label_ == "PERSON"]
    if pronoun in PLURAL_PRONOUNS and len(people) > 1:
        return " and ".join(dict.fromkeys(people))
    wanted = ("PERSON",) if pronoun in PEOPLE_PRONOUNS else SUBJECT_LABELS
    ents = [e for e in previous.ents if e.label_ in wanted]
    if ents:
        return _bare(ents[0].text)
    chunks = [c for c in previous.noun_chunks if c.root.tag_ not in {"WP", "WDT", "PRP"}]
    return chunks[0].text if chunks else None


def _fill_pronouns(message: str, previous: Doc) -> str | None:
    doc = parse(message)
    at = _pronouns(doc)
    if not at:
        return None
    out = message
    for i in reversed(at):  # right to left, so earlier offsets stay valid
        token = doc[i]
        subject = _subject(previous, token.lower_)
        if subject is None:
            return None
        possessive = token.tag_ == "PRP$" or token.lower_ in {"its", "their", "his", "hers", "theirs"}
        new = f"{subject}'s" if possessive else subject
        out = f"{out[: token.idx]}{new}{out[token.idx + len(token.text) :]}"
    return out


def by_rules(message: str, previous: str | None) -> str:
    """The standalone question the rules make of `message` after `previous` (the message itself when it stands
    alone or no rule fits)."""
    message = " ".join(message.split())
    if not previous or not needs_context(message):
        return message
    prev = parse(previous)
    core = _core(message)
    core_doc = parse(core) if core else None
    if core_doc is not None and not any(t.pos_ in {"VERB", "AUX"} for t in core_doc):
        swapped = _swap(prev, core)
        if swapped is not None:
            return swapped
        filled = _fill_pronouns(core, prev)
        if filled is not None:  # "What about its population?" after "Where is Yokosuka?"
            return f"What about {filled}?"
        # A fragment that names nothing swappable ("in 2019", "why"): the previous question, narrowed by it.
        return f"{previous.rstrip(' ?')} ({core})?"
    own = f"{core}?" if _has_lead(message) and core else message  # "And what did Kishi say?" stands alone
    filled = _fill_pronouns(own, prev)
    if filled is None:
        return own[:1].upper() + own[1:]
    return filled[:1].upper() + filled[1:]


def standalone_questions(messages: Sequence[str]) -> list[str]:
    """Each user message of a conversation as a standalone question by the rules (each read after the previous
    one's standalone form, so "And his deputy?" after "And South Korea's?" still knows the topic)."""
    out: list[str] = []
    for message in messages:
        out.append(by_rules(message, out[-1] if out else None))
    return out


def condense(
    model: ReaderModel,
    history: Sequence[Mapping[str, str]],
    message: str,
    max_tokens: int,
    timeout: float,
) -> tuple[str | None, Usage]:
    """The LLM's standalone question for `message` after `history` (list of {role, content}), or None when it
    gives none or its question fails the check."""
    shown = [
        f"{'Human' if turn.get('role') == 'user' else 'Assistant'}: "
        f"{' '.join(str(turn.get('content', '')).split())[:ANSWER_CHARS]}"
        for turn in history[-HISTORY_TURNS:]
    ]
    prompt = DEFAULT_TEMPLATE.format(chat_history="\n".join(shown), question=message)
    system = 'Reply with JSON only: {"question": the standalone question}.'
    try:
        reply, usage = model.reply(system, prompt, Standalone, max_tokens, timeout)
    except ReplyFailed:
        return None, Usage(1)
    question = " ".join(reply.question.split())
    said = "\n".join([*(str(t.get("content", "")) for t in history), message])
    return (question if acceptable(question, message, said) else None), usage


def acceptable(question: str, message: str, conversation: str) -> bool:
    """An LLM's standalone question may name only what the conversation names, and keeps the follow-up's names."""
    known = set(terms(conversation))
    mine = set(terms(question))
    invented = any(not set(terms(value)) <= known for value in key_values(question))
    dropped = any(not set(terms(value)) <= mine for value in key_values(_core(message) or message))
    return bool(mine) and not invented and not dropped
