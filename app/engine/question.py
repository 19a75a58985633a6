"""What a question asks for: its terms, the kind of value that answers it, and the event it is about."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches

from spacy.tokens import Doc, Span
from wordfreq import zipf_frequency

from app.engine.lexicon import same_word
from app.engine.nlp import STOPWORDS, WORD, Entity, normalise_word, parse, terms

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
    **dict.fromkeys(["year", "date", "day", "month", "week", "time", "period", "era", "decade", "century"], WHEN),
    "duration": DURATIONS,
    "age": DURATIONS | AMOUNT,  # as "how old": "38 years" is a DATE to spaCy, "aged 38" a CARDINAL
    **dict.fromkeys(
        ["organization", "organisation", "agency", "company", "ministry", "institute", "newspaper", "outlet"], ORGS
    ),
    **dict.fromkeys(
        """amount budget figure cost number population price sum total spending score size count length distance
        height width depth weight mass area speed percentage proportion share rate capacity volume""".split(),
        AMOUNT,
    ),
}


WH_WORDS = ("which", "what", "whose", "who", "whom", "when", "where", "how", "why")
# Words that point at the corpus, not at the answer ("Who is the president named in the articles?").
CORPUS_WORDS = frozenset(terms("article articles source sources passage passages mentioned named reported"))
FUNCTION_TAGS = frozenset({"WDT", "WP", "WP$", "DT", "PRP$"})  # "which", "what", "the", "his": no part of a focus
LEADING_PREPOSITIONS = frozenset({"on", "in", "at", "by", "for", "from", "to", "since", "until", "during"})


# "Do the articles agree on who the defence ministers are?" asks who they are, and whether the answers differ.
AGREEMENT = re.compile(
    r"^\s*(?:do|does|did)\s+(?:the\s+|these\s+|my\s+|all\s+(?:the\s+)?)?"
    r"(?:articles?|sources?|reports?|stories|story|outlets?|papers?|accounts?|texts?|documents?)\s+(?:all\s+)?"
    r"(?:agree|disagree|differ|conflict|contradict each other)\s+(?:on|about|over|regarding|as to|in)\s+"
    r"(?P<topic>.+?)[\s?]*$",
    re.IGNORECASE,
)
# An embedded question put back in question order: "who the defence ministers are" -> "Who are the defence
# ministers", "when the drills were suspended" -> "When were the drills suspended" (only a subject that starts
# with a determiner: in "how many people were killed" the subject is the wh-phrase itself).
EMBEDDED = re.compile(
    r"^(?P<wh>(?:who|whom|what|which|where|when|why|how)\b.*?)\s+"
    r"(?P<subject>(?:the|a|an|this|that|these|those|its|his|her|their)\s.+?)\s+"
    r"(?P<verb>is|are|was|were|has|have|had|will|would|can|could)(?P<rest>(?:\s.*)?)$",
    re.IGNORECASE,
)


def unframed(question: str) -> str:
    """The question a "do the sources agree on …?" question is about, or the question itself.

    Whether the sources agree is what every answer reports (its disagreement comes first), so such a question is
    answered as the question it embeds: "… agree on who the defence ministers are?" -> "Who are the defence
    ministers?", "… disagree about the death toll?" -> "What do the sources say about the death toll?". A
    "whether" clause is left alone: it has no direct form without rewording.
    """
    match = AGREEMENT.match(question)
    if match is None or match["topic"].lower().startswith(("whether", "if ")):
        return question
    topic = match["topic"]
    if not topic.lower().startswith(WH_WORDS):
        return f"What do the sources say about {topic}?"
    if (clause := EMBEDDED.match(topic)) is not None:
        topic = f"{clause['wh']} {clause['verb']} {clause['subject']}{clause['rest']}"
    return f"{topic[:1].upper()}{topic[1:]}?"


KNOWN_WORD = 3.0  # Zipf: used about once in a million words or more ("stance" 3.9); "ministr", "whcih" are not


def _fuzzy(word: str, vocabulary: Iterable[str], ratio: float = 0.8) -> str:
    """`word`, or the vocabulary word it is a misspelling or a plural of ("whcih" -> "which", "ministr" ->
    "minister", "ministers" -> "minister"); a word English uses in its own right is no misspelling ("stance" is
    not "distance")."""
    match = get_close_matches(word, list(vocabulary), n=1, cutoff=ratio)
    if not match or len(word) <= 3 or match[0] == word:
        return word
    if terms(word) != terms(match[0]) and zipf_frequency(word, "en") >= KNOWN_WORD:
        return word
    return match[0]


SPELLING_CUTOFF = 0.85  # "meating" -> "meeting" (0.86), "maritme" -> "maritime" (0.93); "popular" !-> "population"


def respell(question: str, texts: Iterable[str]) -> str:
    """The question with words the texts never use replaced by the texts' closest word, if close enough.

    Retrieval copes with a misspelt question (dense vectors, enough other words); sentence scoring compares words
    exactly, so it gets the corrected question. Only a word English does not use ("meating") or another form of
    the texts' word ("agree" for "agreed", "meet" for "met") is replaced: "contract" is not "contact", nor
    "signed" "signaled".
    """
    counts = Counter(w.lower() for text in texts for w in WORD.findall(text))

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        if len(word) < 4 or lower in STOPWORDS or word[:1].isdigit():
            return word
        if lower in counts or lower.replace("'", "\u2019") in counts or lower.replace("\u2019", "'") in counts:
            return word  # "Korea's" where the texts write it with a curly apostrophe is no misspelling
        if match.start() < 12 and (wh := _fuzzy(lower, WH_WORDS)) != lower:
            return wh  # "whcih" at the start
        close = get_close_matches(lower, counts, n=3, cutoff=SPELLING_CUTOFF)
        if not close:
            return word
        # Equally close candidates ("ministr": minister, ministry): the texts' more common word wins.
        best = SequenceMatcher(None, lower, close[0]).ratio()
        tied = [c for c in close if SequenceMatcher(None, lower, c).ratio() >= best - 0.01]
        chosen = max(tied, key=lambda c: counts[c])
        if chosen not in WH_WORDS and not same_word(lower, chosen) and zipf_frequency(lower, "en") >= KNOWN_WORD:
            return word  # a word English uses is no misspelling: "Eastern" is not "western", nor "rare" "are"
        return chosen[:1].upper() + chosen[1:] if word[:1].isupper() else chosen  # "Yokosuka" stays a name

    return WORD.sub(fix, question)


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
    role: tuple[str, ...] = ()  # the office a person is asked for by: "Who is the Japanese prime minister?" ->
    #                               ("prime", "minist"); empty when the question asks for no office


def _answer_labels(lower: str, words: list[str], head: str | None) -> frozenset[str]:
    head = _fuzzy(head, NOUN_TYPES) if head else None
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


def _question_words(doc: Doc) -> tuple[list[str], int]:
    """Lower-cased tokens with a misspelt wh-word corrected, and where the wh-word is ("In which year": 1)."""
    words = [t.lower_ for t in doc]
    for i in range(min(2, len(words))):
        words[i] = _fuzzy(words[i], WH_WORDS)
    return words, 1 if words and words[0] in LEADING_PREPOSITIONS else 0


def _focus_chunk(doc: Doc, words: list[str], wh: int) -> Span | None:
    """The noun phrase naming what is asked: "[Which X] did ...", "Who is [X]", "What was [the X] of ...".

    Decided by position, not by the parser's attachments, which are unreliable for wh-words.
    """
    if len(words) <= wh or words[wh] not in {"which", "what", "whose", "who"}:
        return None
    chunks = list(doc.noun_chunks)
    if len(words) > wh + 1 and (doc[wh + 1].lemma_ == "be" or words[wh + 1] == "'s"):
        return next((c for c in chunks if c.start >= wh + 2), None)
    if words[wh] != "who":
        chunk = next((c for c in chunks if c.start <= wh + 1 < c.end or c.start == wh + 1), None)
        return chunk if chunk is not None else _bare_noun(doc, wh)
    return None


def _bare_noun(doc: Doc, wh: int) -> Span | None:
    """ "Which year did he die?", "What year did Oler take the stand?": the parser makes no noun chunk of a wh-word
    and a noun it reads as a time adverb, so the question went untyped; the nouns right after the wh-word are
    its focus all the same."""
    end = wh + 1
    while end < len(doc) and doc[end].pos_ == "NOUN":
        end += 1
    return doc[wh:end] if end > wh + 1 else None


# Words that say when someone holds an office, not which office it is.
TENURE = frozenset(terms("new current former incumbent then previous outgoing acting late ex"))


def _role(focus: Span) -> tuple[str, ...]:
    """The office a "who/which" question asks for, when its head is a person's office ("minister", "commander"):
    the head and the words that qualify it, names and nationalities left out ("the Japanese prime minister" ->
    prime, minister), misspelt heads corrected."""
    office = _fuzzy(focus.root.lower_, NOUN_TYPES)
    if NOUN_TYPES.get(office) != PEOPLE:
        return ()
    qualifiers = [t.text for t in focus if t.i != focus.root.i and not t.ent_type_ and t.tag_ not in FUNCTION_TAGS]
    return tuple(dict.fromkeys(t for t in terms(" ".join([*qualifiers, office])) if t not in TENURE))


def analyse_question(question: str) -> QuestionInfo:
    """Answer type from the wh-word or the head noun it modifies; the focus is that noun's phrase."""
    doc = parse(question)
    words, wh = _question_words(doc)
    focus_span = _focus_chunk(doc, words, wh)
    head = focus_span.root.lower_ if focus_span is not None else None
    labels = _answer_labels(" ".join(words[wh:]), words[wh:], head)
    role = _role(focus_span) if focus_span is not None else ()
    if focus_span is not None:
        kept = [t for t in focus_span if t.tag_ not in FUNCTION_TAGS]
        focus_text = "".join(t.text_with_ws for t in kept).strip()
    elif labels:
        # "Who attended ...": the verb phrase describes the person; keep its content words ("how long" is no
        # description of the answer).
        skip = wh + (2 if words[wh] == "how" else 1)
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
        terms=tuple(t for t in terms(question) if t not in CORPUS_WORDS),
        answer_labels=labels,
        focus=tuple(terms(focus_text)),
        focus_is_role=focus_span is not None,
        anchors=anchors,
        slot=focus_text or question.rstrip("?"),
        role=role,
    )
