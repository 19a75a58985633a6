"""A changed detail: a source that speaks only of the opposite of what the question asks about does not answer it.

SQuAD 2.0 makes a question unanswerable by turning one word of a sentence into its opposite: "What monarchy did
Eastern troops protect?" over "… western troops came to protect the Saudi monarchy"; "What are balance in an open
system of particles?" over "in a closed system of particles …". The model answers from that sentence all the
same. A word that is merely different ("annual" / "yearly", "vitamin" / "dietary" supplements) is how sources
phrase things, so only an opposite counts (app/engine/lexicon.py, from WordNet), and only when:
- the question's word is nowhere in the source (a source that has both may be contrasting them);
- the source's opposite word qualifies a word of the same stem as the question's did ("western troops" for
  "Eastern troops", not any "west" in the text);
- the opposite word is not part of a name (a proper noun: "North Korea" against "South Korea" is another country,
  which the question's other words decide) and not part of the answer given (it may be what was asked for).
Offline over the dev sets' and seed questions' sources this fires on three SQuAD questions, all unanswerable
(docs/decisions.md).
"""

from __future__ import annotations

from spacy.tokens import Token

from app.engine.lexicon import opposites
from app.engine.nlp import analyse, normalise_word, parse, terms

WORD_CLASSES = frozenset({"ADJ", "NOUN", "VERB", "ADV", "PROPN"})  # of the question's: it capitalises "Eastern"


def _phrase(word: Token) -> str:
    """The word with the word it qualifies, in the text's order: "Eastern troops", "system of"."""
    pair = sorted((word, word.head), key=lambda t: t.i)
    return " ".join(t.text for t in pair)


def _detail_words(question: str, source_terms: set[str]) -> list[tuple[Token, frozenset[str]]]:
    """The question's words that qualify another, are absent from the source and have opposites."""
    out = []
    for token in parse(question):
        if token.pos_ not in WORD_CLASSES or token.is_stop or token.head.i == token.i:
            continue
        if normalise_word(token.text) in source_terms:
            continue
        if found := opposites(token.text):
            out.append((token, found))
    return out


def opposite_detail(question: str, source: str, answer: str) -> tuple[str, str] | None:
    """(the question's words, the source's words) when the source says the opposite of a detail the question
    gives and never the detail itself ("Eastern troops", "western troops"); else None."""
    source_terms = set(terms(source))
    asked = _detail_words(question, source_terms)
    if not asked:
        return None
    question_terms, answer_terms = set(terms(question)), set(terms(answer))
    wanted = set().union(*(found for _, found in asked))
    for sentence in analyse(source):
        if not wanted & set(terms(sentence.text)):
            continue
        for said in parse(sentence.text):
            stem = normalise_word(said.text)
            if stem not in wanted or stem in question_terms or stem in answer_terms:
                continue
            if said.pos_ not in WORD_CLASSES - {"PROPN"} or said.head.i == said.i:
                continue
            for word, found in asked:
                if stem in found and normalise_word(said.head.text) == normalise_word(word.head.text):
                    return _phrase(word), _phrase(said)
    return None
