"""Who does it: a sentence where someone else does what the question asks about does not answer it.

SQuAD 2.0 makes a question unanswerable by changing one detail of a sentence that answers it: "When Channing
eliminated Christianity from the curriculum, what was allowed instead?" over "Charles W. Eliot … eliminated
the favored position of Christianity from the curriculum while opening it to student self-direction". The model
answers from that sentence all the same, and every word of its answer is there. What the sentence says is
that another person did it. News articles about different meetings are retrieved together the same way.

Only the one who acts is compared — the subject of a verb, or its passive agent ("laid out by various
companies" / "by various researchers") — and only with the same verb in the same role: other words for the
same thing (a modifier, an object, a place) are how sources phrase things differently (docs/decisions.md
counts the candidates this would have caught, and the false ones, over the dev sets and seeds).
"""

from __future__ import annotations

from collections.abc import Iterator
from difflib import get_close_matches

from spacy.tokens import Doc, Token
from wordfreq import zipf_frequency

from app.engine.nlp import normalise_word, parse, terms
from app.engine.question import KNOWN_WORD, WH_WORDS

NOUNS = frozenset({"NOUN", "PROPN"})
MISSPELT = 0.84  # a word that is no English word and this close to one of the sentence is a misspelling of it


def _actors(doc: Doc) -> Iterator[tuple[str, str, Token]]:
    """(verb stem, role, actor) of each verb's subject ("subject") and passive agent ("agent") in `doc`."""
    for token in doc:
        if token.pos_ not in NOUNS:
            continue
        if token.dep_ == "nsubj" and token.head.pos_ == "VERB":
            yield normalise_word(token.head.text), "subject", token
        elif token.dep_ == "pobj" and token.head.dep_ == "agent" and token.head.head.pos_ == "VERB":
            yield normalise_word(token.head.head.text), "agent", token


def _misspelt(word: str, sentence: Doc) -> bool:
    """Is `word` no English word (KNOWN_WORD: "eastern" for "western" is a change) but a misspelling of one of
    the sentence's ("Nors" for "Norse")?"""
    lower = word.lower()
    return zipf_frequency(lower, "en") < KNOWN_WORD and bool(
        get_close_matches(lower, [t.lower_ for t in sentence], 1, MISSPELT)
    )


def _same_kind(asked: Token, said: Token) -> bool:
    """Could `said` stand where the question has `asked`: names of one kind, or both common nouns? A name spaCy
    did not label may be of any kind (it tags "Eliot" a person, not "Channing"); a name where the question has a
    common noun may be the one it means ("the company" / "Acme")."""
    if asked.ent_type_ and said.ent_type_:
        return asked.ent_type_ == said.ent_type_
    return asked.pos_ == said.pos_


def other_actor(question: str, sentence: str) -> tuple[str, str] | None:
    """(who the question says acts, who the sentence says does it instead), when the sentence has the question's
    verb with another subject or agent and never names the question's one; else None."""
    asked, said = parse(question), parse(sentence)
    sentence_terms, question_terms = set(terms(sentence)), set(terms(question))
    for verb, role, actor in _actors(asked):
        if any(t.lower_ in WH_WORDS for t in actor.subtree):
            continue  # the actor is what is asked for
        if set(terms(actor.text)) & sentence_terms or _misspelt(actor.text, said):
            continue
        for other_verb, other_role, other in _actors(said):
            if (other_verb, other_role) != (verb, role) or not (words := set(terms(other.text))):
                continue
            if not words & question_terms and _same_kind(actor, other):
                return actor.text, other.text
    return None
