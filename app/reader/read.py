"""Read each source alone: ask the LLM what it says in answer to the question, and keep only what checks out.

The reply names one of the numbered sentences the model was shown; that sentence is the quote. A reading is
kept when its answer's names and numbers, and at least half its content words, occur in that sentence (or, when
the model was off by one, in a neighbouring one; or, when it named a sentence it was not shown, in any shown
sentence; or, for a name or number, in another shown sentence naming what the question names), which then
becomes the quote. A person asked for by office must be called that in the article (`called`), and an office
given for the person asked for stands for the one person the source names with it (`office_holder`); a "yes"
whose sentence states another number of the kind the yes/no question supposes is a "no" (`denies_premise`), and
so is a "none" where a shown sentence about the premise does (`premise_sentence`); a time the answer only points back
to ("since then") is the date of the sentence before (`pointed_back`); an answer that only echoes a word of a
question asking for a claim ("possible", "reliable") is the sentence it points at (`_echoes`). A sentence where
someone else does what the question asks about answers nothing (app/reader/actors.py), nor does a source that
speaks only of the opposite of a detail the question gives (app/reader/details.py). Everything else is
discarded and counted.
When no source names something the question names (`unmentioned`), none is read: the library does not cover it;
a source that never names a person the question names, when another source does, is not read either
(`unnamed_person`). Each source is one call with only that source's text, so an instruction planted in one
article cannot change the reading of another.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from difflib import get_close_matches

from text_to_num import alpha2digit
from wordfreq import zipf_frequency

from app.answer import Reading
from app.engine.citations import key_values
from app.engine.nlp import TIME_BACK, analyse, normalise_word, parse, terms
from app.engine.question import NOUN_TYPES, PEOPLE, WHEN, QuestionInfo
from app.reader.actors import other_actor
from app.reader.details import opposite_detail
from app.reader.models import ReaderModel, ReplyFailed, Usage
from app.reader.prompts import (
    ANSWER_CHARS,
    DECIDE_SYSTEM,
    NO_ANSWER,
    READ_SYSTEM,
    Decision,
    SourceReply,
    read_prompt,
)
from app.reader.sources import Line, SourceText

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MIN_WORDS = 0.5  # share of the answer's content words its sentence must hold
# A person's full name: two or more capitalised words ("Gen Nakatani", "Park Cheol-hee"). spaCy also tags
# "COVID-19", "Elemi" and "Norman" as people, and excerpts name a person once and then say "he".
FULL_NAME = re.compile(r"[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*)+")
NAME_RATIO = 0.84  # a name word spelt this close counts as named ("Nurbaksh" / "Nurbakhsh", "Shaikh" / "Sheikh")
YES_NO = re.compile(r"^\s*(yes|no)\b[\s,.;:-]*", re.IGNORECASE)
CHOICE = re.compile(r"\bor\b", re.IGNORECASE)  # "Which was first: A or B?" offers its answers
YES_NO_QUESTION = re.compile(
    r"^\s*(?:[^,?]{0,60},\s*"  # a leading frame: "As of 2011, are …", "In the end, did …"
    r"|(?:in|during|at|on|by|after|before|since|until|as of)\s+"  # or one without a comma: "In the history
    r"(?:(?!\b(?:what|which|who|whom|whose|when|where|why|how)\b)[^,?]){1,60}?\s+)?"  # of Bihar did …"
    r"(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|may|might)\b",
    re.IGNORECASE,
)
# Between the sentences of a question that sets the scene first; not after "Jr.", "St.", "D.A." or "Mrs.".
SCENE = re.compile(r"(?:(?<=[a-z]{3}\.)|(?<=\d\.)|(?<=[!?]))\s+(?=[A-Z])")
# A lone letter naming a variable or a symbol ("a function of x"); not "a", "I", an initial ("J.") or "R&B"'s parts.
SYMBOL = re.compile(r"(?<![\w.'\u2019&-])(?![aAI]\b)[A-Za-z](?![\w.'\u2019&-])")
ASIDE = re.compile(r"\([^()]*\)")  # "the Novo Kwanza (1990 - 1995)": a clarification, not a premise
# The dependencies joining a word to the phrase it is part of ("German army", "Hemoglobin-Based Oxygen Carrier").
PHRASE_PARTS = frozenset({"amod", "compound", "nmod", "npadvmod", "poss", "nummod", "hyph"})
PHRASE_HEADS = frozenset({"NOUN", "PROPN"})
RARE = 4.0  # Zipf: used less than about once in 100,000 words ("headache" 3.97, "vitamin" 4.01, "sport" 4.73)
SHARED_WORDS = 4  # a source naming none of the question's names is read if it shares this many of its words
KINDS = frozenset(terms("kind sort type form variety"))  # "What kind of X": X is no answer
WORDS = re.compile(r"[\w'-]+")
TOKENS = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th)?(?![\w-])|[\w'-]+")  # words; numbers whole ("652,723")
YEAR = "<year>"  # the kind of a number that reads as a year: years compare with years whatever the words
MONTH = "<month>"  # the kind word of any month's name
MONTH_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
COPIED_WORDS = 3  # an answer that is this many consecutive words of the question copies it
AMOUNTS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})  # answer types of "how many", "the population"
ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)\b|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b",
                     re.IGNORECASE)  # fmt: skip
TITLES = frozenset(t for word, labels in NOUN_TYPES.items() if labels == PEOPLE for t in terms(word))
# A number standing alone ("2 March 1881", "1st", "652,723"), not inside a name ("CD19", "T-7") or a decade
# ("the 1840s"); and the words that make a question's number a bound rather than a value ("more than 115").
VALUE = re.compile(r"(?<![\w.,-])(\d+(?:[.,]\d+)*)(?:st|nd|rd|th)?(?![\w-])")
# … when one of them comes at most three words before it ("more than 115", "before February 2025", "over the
# age of 20", "as of 2023"; text_to_num leaves "one" a word); "relations between South Korea and Japan" or
# "headed by Farnese" bound no number. GREATER and LESS say which way (app/reader/verdict.py checks a value
# against them); the others only make the number approximate or a starting point.
GREATER = frozenset("more greater higher longer larger bigger over above after exceeding least".split())
LESS = frozenset("less fewer lower shorter smaller under below before most".split())
BOUND_WORDS = GREATER | LESS | {"than", "between", "since", "until", "by", "about", "around", "approximately",
                                "nearly", "almost", "up to", "as of"}  # fmt: skip
BOUND = re.compile(rf"\b({'|'.join(sorted(BOUND_WORDS))})\b(?:\s+[^\s\d]+){{0,3}}\s+(?:\d|one\b)", re.IGNORECASE)
PREMISE_SHARE, PREMISE_MIN = 0.5, 2  # the question's words a sentence must hold to be about its premise
CLAIM = "answered (its sentence states the claim)"
CLAIM_CHARS = 200  # of a sentence standing as a reading's answer (`_echoes`): what a comparison shows of it
NATION = frozenset({"NORP", "GPE"})  # "South Korean", "Japan's": what an office given instead of a name may name
NATION_NAMES = re.compile(r"\b[A-Z][\w.'\u2019-]*")  # capitalised words; the office is a word besides them
OFFICE_WORDS = 5  # words before a person's name that make their title ("South Korean Defence Minister")
NEAR = 3  # words either side of a supposed number that say what it counts ("in 2017" of "maritime exercises")


@dataclass
class SourceResult:
    """The reading of one source and what it cost."""

    source: SourceText
    readings: list[Reading]
    usage: Usage = field(default_factory=Usage)
    failure: ReplyFailed | None = None


def missing_value(text: str, words: set[str], numbers: set[str]) -> str | None:
    """The first name or number of `text` that the words and numbers of a source do not hold, if any."""
    return next((value for value in key_values(text) if not _holds(value, words, numbers)), None)


def _holds(value: str, words: set[str], numbers: set[str]) -> bool:
    digits = value.replace(",", "")
    return bool(NUMBER.fullmatch(digits) and digits in numbers) or set(terms(value)) <= words


def asked(text: str) -> str:
    """The question proper: the last sentence of a message that sets the scene first ("Michael J. Murray (a.k.a.
    Valgard Murray) of Arizona, a former vice-president. Did Murray …?")."""
    return SCENE.split(text.strip())[-1]


def yes_no_question(question: str) -> bool:
    """Is the question proper a yes/no question (not an either/or one, whose options are its answers)?"""
    proper = asked(question)
    return bool(YES_NO_QUESTION.match(proper)) and not CHOICE.search(proper)


def unmentioned(question: QuestionInfo, vocabularies: list[tuple[set[str], set[str]]]) -> str | None:
    """A name or number of the question that none of the sources (their `vocabulary`) holds: then no source
    answers it.

    "What was Tugh's Japanese-style name?" cannot be answered from sources that never say "Japanese" (SQuAD 2.0's
    unanswerable questions change one such detail). Asked of all sources together, not of each: one source may
    name the thing otherwise ("SARS-CoV-2" for "COVID-19") while another names it (docs/decisions.md). A yes/no
    question's premise may be what the sources contradict, so it is never checked, nor is an aside in brackets
    ("the Novo Kwanza (1990 - 1995)", "1.5 kg (3.3 lb)"): it clarifies, the sources need not repeat it. A person
    is mentioned by any one of their names: texts say "Dickson" for "Barbara Dickson", "Murray" for "Valgard
    Murray" (3 WikiContradict and 3 RAMDocs questions were abstained on for a first name; SQuAD's catches stay),
    and a description no source uses is no such name (`_described`: "the German army"). A lone letter is a name
    too: "a function of x" over sources saying "a function of n" (SQuAD; no other dev or seed question has one).
    """
    text = asked(question.text)
    if YES_NO_QUESTION.match(text):
        return None
    words = set().union(*(w for w, _ in vocabularies))
    numbers = set().union(*(n for _, n in vocabularies))
    named = [names for names in map(_name_words, _people(question)) if names & words]
    text = ASIDE.sub(" ", text)
    values = key_values(text) + SYMBOL.findall(text)
    missing = [
        v for v in values if not _holds(v, words, numbers) and not any(set(terms(v)) <= names for names in named)
    ]
    held = [v for v in values if v not in missing]
    return next(
        (v for v in missing if not _an_option_of(v, held, text) and not _described(v, text, words, question)),
        None,
    )


def _described(value: str, text: str, words: set[str], question: QuestionInfo) -> bool:
    """Is `value` part of a phrase the question describes a participant by, whose head noun, an everyday word,
    no source has either ("the German army", "the Spanish Empire", "the Hemoglobin-Based Oxygen Carrier"; not
    "Barbara Streisand")? The sources name that participant otherwise ("Fallschirmjäger", "HBOC's"): the
    description is the asker's, no detail a source contradicts. SQuAD 2.0's changed details qualify a word the
    sources do have ("Eastern troops" where they say "western troops", "Spanish Parliament" / "Scottish
    Parliament") or the thing asked for ("Tugh's Japanese-style name"), and a bare name or year ("in France",
    "in 2014") describes nothing: those still count as unmentioned (docs/decisions.md counts both)."""
    asked_for = set(question.focus) if question.focus_is_role else set()
    at = text.find(value)
    for token in (t for t in parse(text) if at <= t.idx < at + len(value)):
        head = token
        while head.dep_ in PHRASE_PARTS and head.head.i != head.i:
            head = head.head
        described = head.i != token.i or any(c.dep_ in PHRASE_PARTS for c in head.children)
        stem = normalise_word(head.text)
        if described and head.pos_ in PHRASE_HEADS and stem not in (words | asked_for) and _everyday(head.lower_):
            return True
    return False


def _an_option_of(value: str, held: list[str], question: str) -> bool:
    """Is `value` one option of an either/or question whose other option (a value in `held`) the sources name?
    Asked "What club did Ger Browne play for: Cashel King Cormacs or Knockavilla Kickhams?", a page naming only
    the second one answers it (WikiContradict: such a question went unread)."""
    if not CHOICE.search(question) or (at := question.find(value)) < 0:
        return False
    for other in held:
        if (there := question.find(other)) >= 0:
            between = question[min(at, there) : max(at, there)]
            if CHOICE.search(between):
                return True
    return False


def _people(question: QuestionInfo) -> list[str]:
    """The people the question names by full name (FULL_NAME)."""
    return [a.text for a in question.anchors if a.label in PEOPLE and FULL_NAME.fullmatch(a.text)]


def _name_words(person: str) -> set[str]:
    """A person's name words, titles left out ("Gen", "President")."""
    return set(terms(person)) - TITLES


def off_topic(question: str, words: set[str], numbers: set[str]) -> bool:
    """Is the source about something else: it names none of the names and numbers of the question proper (or,
    for a question without any, shares no content word with it)? `words`, `numbers`: its `vocabulary`.

    Counted on the dev sets' documents (docs/decisions.md): it sets aside 57 of the 60 unrelated SQuAD paragraphs
    whose question names something and none of the 24 gold paragraphs of answerable questions. A source that
    shares SHARED_WORDS of the question's content words is about it all the same: a Wikipedia excerpt leaves its
    subject unnamed ("The precinct covered an area of around 1.6 hectares"), an abstract says "CO₂" for "CO2";
    with that, 5 of WikiContradict's 329 passages and 84 of NatConfQA's 285 evidence texts are set aside (12 and
    87 without it; no SQuAD or RAMDocs count changes). Nor is a source sharing a word general English rarely uses
    (`rare_words`): an abstract on "remdesivir" or "myalgia" may never write the "COVID-19" the question names;
    that keeps 18 more of NatConfQA's texts (66 set aside) and 2 SQuAD paragraphs, nothing else changes.
    """
    question = asked(question)
    values, wanted = key_values(question), set(terms(question))
    if rare_words(question) & words:
        return False
    if values:
        return not any(_holds(v, words, numbers) for v in values) and len(wanted & words) < SHARED_WORDS
    return bool(wanted) and not wanted & words


def _everyday(word: str) -> bool:
    """Does general English use the word often (wordfreq's Zipf frequency RARE or more: "army", not "Streisand")?"""
    return zipf_frequency(word, "en") >= RARE


def rare_words(text: str) -> set[str]:
    """The terms of the words of `text` that general English rarely uses (wordfreq's Zipf frequency below RARE):
    "remdesivir", "myalgia", "ibuprofen", "correlation" — a text sharing one is about the same subject, though
    it names it otherwise ("the drug" for remdesivir; "patients" for COVID-19 patients)."""
    words = (w.lower().removesuffix("'s").removesuffix("\u2019s") for w in WORDS.findall(text))
    return {t for w in words if zipf_frequency(w, "en") < RARE for t in terms(w)}


def unnamed_person(question: QuestionInfo, text: str, words: set[str]) -> str | None:
    """A person the question names of whom a source (its `text` and content `words`) says not even one name word.

    News articles about different meetings are retrieved together; asked "Which South Korean minister did Gen
    Nakatani meet?", an article that never mentions Nakatani reports another meeting, and its minister is no
    rival answer (the seeds' false conflict "Lee Jong-sup / Suh Wook / Ahn Kyu-back"). One name word is
    enough ("Myers" for "Michael Myers", a misspelling within NAME_RATIO, "Vanpersie" for "Van Persie"):
    sources naming a person otherwise stay. Only people, by full name (FULL_NAME): places and dates are named
    otherwise too often ("SARS-CoV-2", "by 2100"; docs/decisions.md). Not for yes/no or either/or questions:
    what they name may be what a source denies.
    """
    people = _people(question)
    if not people or YES_NO_QUESTION.match(asked(question.text)) or CHOICE.search(question.text):
        return None
    squashed = "".join(text.lower().split())
    for person in people:
        names = _name_words(person)
        if not names or "".join(person.lower().split()) in squashed:
            continue
        if not any(n in words or get_close_matches(n, words, 1, NAME_RATIO) for n in names):
            return person
    return None


def vocabulary(text: str) -> tuple[set[str], set[str]]:
    """(content words, numbers without thousands separators) of `text`: what the name checks compare with. A number
    written as words counts as its digits: "forty-two gliders" states the model's answer "42"."""
    digits = alpha2digit(text, "en")
    words, numbers = set(terms(text)), NUMBER.findall(text)
    if digits != text:
        words |= set(terms(digits))
        numbers += NUMBER.findall(digits)
    return words, {n.replace(",", "") for n in numbers}


def supports(answer: str, sentence: str) -> bool:
    """Does `sentence` state `answer`? Its names and numbers all occur there, and most of its words.

    A leading "yes"/"no" is the model's verdict on the sentence, not a word the sentence must contain.
    """
    answer = YES_NO.sub("", answer)
    words, numbers = vocabulary(sentence)
    if missing_value(answer, words, numbers) is not None:
        return False
    own = terms(answer)
    return not own or sum(w in words for w in own) / len(own) >= MIN_WORDS


def called(answer: str, question: QuestionInfo, article: str) -> bool:
    """Does the article call the person `answer` names by the office the question asks about (its `role`), in a
    sentence naming them or next to one ("Defense Minister Nobuo Kishi … Kishi announced")?

    Asked "Who is the commander of US Forces?", the model answers with any name in a sentence that mentions US
    forces ("Kim Jong Un", "Suh Wook"); asked for the South Korean president, with the defence minister. A source
    that never calls that person a commander or a president does not answer. On the dev sets' and seeds' gold
    answers to such questions, every source stating one also calls the person by the office (docs/decisions.md).
    """
    names = {t for value in key_values(answer) for t in terms(value)} - set(question.terms) - TITLES
    if not question.role or not names:
        return True
    sentences = [set(terms(s.text)) for s in analyse(article)]
    return any(
        set(question.role) <= set().union(*sentences[max(i - 1, 0) : i + 2])
        for i, words in enumerate(sentences)
        if names & words
    )


def _restates(answer: str, question: QuestionInfo) -> bool:
    """Is the answer made of the question's own words where that says nothing? Asked who/when/where/how many,
    "the South Korean defense minister" names nothing new; asked what kind of joint exercises, "joint exercises"
    names no kind. Elsewhere such an answer can be right: "Penny Black" answers "A or Penny Black?", "mercury"
    what a mercury turbine uses, "pets can contract it" what is possible for pets. But three or more of the
    question's words in its own order are a copy, whatever is asked ("Level 3 Communications" for "Level 3
    Communications launched what?"): no gold answer over the dev sets and seeds is one, outside either/or
    questions."""
    if not _question_words_only(answer, question) or CHOICE.search(question.text):
        return False
    copied = " ".join(WORDS.findall(answer.lower()))
    if len(copied.split()) >= COPIED_WORDS and f" {copied} " in f" {' '.join(WORDS.findall(question.text.lower()))} ":
        return True
    return _typed(question)


def _question_words_only(answer: str, question: QuestionInfo) -> set[str]:
    """The answer's content words (a leading yes/no aside) when every one is the question's, else none."""
    own = set(terms(YES_NO.sub("", answer)))
    return own if own <= set(question.terms) else set()


def _typed(question: QuestionInfo) -> bool:
    """Does the question ask for a typed value (who/when/where/how many) or a kind ("What kind of X")?"""
    return bool(question.answer_labels) or bool(KINDS & set(question.focus))


def _echoes(answer: str, question: QuestionInfo, sentence: str) -> bool:
    """Is the answer a word or two the question asked with ("possible" for "What is possible in regards to pets
    being able to contract coronavirus?", "reliable" for "How reliable are global climate models …?",
    "correlation"), where the question asks for a claim rather than a typed value, from a sentence about the
    question? Then the model found where the source takes its stance but did not say what it is: the sentence
    states it ("Dogs and cats cannot transmit the virus …"). Not for who/when/where/how-many or what-kind
    questions (an echo there names nothing: `_restates`), yes/no or either/or questions, nor a copy of three or
    more of the question's words ("Level 3 Communications" for "Level 3 communications launched what?": SQuAD's
    unanswerable questions are answered so)."""
    own = _question_words_only(answer, question)
    text = asked(question.text)
    if not own or len(WORDS.findall(answer)) >= COPIED_WORDS:
        return False
    if _typed(question) or YES_NO_QUESTION.match(text) or CHOICE.search(text):
        return False
    return bool(set(terms(sentence)) & (set(question.terms) - own))


def _claim(sentence: str) -> str:
    """A sentence as a reading's answer: whitespace made single, cut at a word within CLAIM_CHARS."""
    text = " ".join(sentence.split())
    return text if len(text) <= CLAIM_CHARS else text[:CLAIM_CHARS].rsplit(" ", 1)[0]


def _proper(question: str) -> str:
    """The question proper, asides left out and number words as digits: what a yes/no premise is read from."""
    return alpha2digit(ASIDE.sub(" ", asked(question)), "en")


def _values(text: str) -> set[str]:
    return {n.replace(",", "") for n in VALUE.findall(alpha2digit(text, "en"))}


@dataclass(frozen=True)
class _Number:
    """A number a text states and what it counts: the words around it ("members", "March"), or a year."""

    value: str
    kind: frozenset[str]


def _numbers(text: str) -> list[_Number]:
    """The standalone numbers of `text` (VALUE) with their kinds: one content word before and two after each."""
    tokens = TOKENS.findall(alpha2digit(text, "en"))
    out = []
    for i, token in enumerate(tokens):
        if (number := VALUE.fullmatch(token)) is None:
            continue
        value = number[1].replace(",", "")
        before = [t for w in reversed(tokens[max(i - NEAR, 0) : i]) if not VALUE.fullmatch(w) for t in _kind_terms(w)]
        after = [t for w in tokens[i + 1 : i + 1 + 2 * NEAR] if not VALUE.fullmatch(w) for t in _kind_terms(w)]
        kind = {*before[:1], *after[:2]}
        year = len(value) == 4 and value.isdigit() and 1000 <= int(value) <= 2100
        out.append(_Number(value, frozenset({YEAR} if year else kind)))
    return out


def _kind_terms(word: str) -> list[str]:
    """A word's terms, a month's name read as any month: "8 December" and "12 August" are both days."""
    return [MONTH] if word.lower().rstrip(".") in MONTH_NAMES else terms(word)


def _supposed(question: str) -> list[_Number]:
    """The numbers a yes/no question supposes ("Did Karl Weyprecht die on 2 March 1881?": 2, 1881), with their
    kinds; none for other questions, a number in an aside, or one the question gives as a bound ("more than 115
    years", "before 1503": then a source stating another number may agree)."""
    proper = _proper(question)
    if not YES_NO_QUESTION.match(proper) or BOUND.search(proper):
        return []
    values = _values(proper)
    return [n for n in _numbers(proper) if n.value in values]


def _denies(supposed: list[_Number], sentence: str) -> bool:
    """Does `sentence` state another number of the kind of one of the `supposed` ones, and not that one?"""
    stated = _numbers(sentence)
    values = {n.value for n in stated}
    return any(n.value != s.value and n.kind & s.kind for n in supposed if n.value not in values for s in stated)


def denies_premise(question: str, sentence: str) -> bool:
    """Does the sentence a "yes" rests on state another number of the kind the yes/no question supposes ("Did Karl
    Weyprecht die on 2 March 1881?" — "Died 3 March 1881"; "born on the 1st February?" — "born 10 February";
    "Does it have 652,723 members?" — "Members 650,000")? Then the source's answer is no. The packaged model
    answers "yes" from such sentences: it does not read the number (docs/decisions.md). Of the same kind: both
    years, or sharing a word around them; "the first visit in 18 months?" is not denied by "the meeting on
    January 30th"."""
    return _denies(_supposed(question), sentence)


def premise_sentence(question: str, sentences: list[str]) -> int | None:
    """The index of the sentence about a yes/no question's premise that states another number of the kind it
    supposes (`denies_premise`), if any: the source's answer is then no, though the model read "none" ("Does the
    federation have 652,723 members?" — "Members 650,000"; "Was A Life on Film published in 1971?" — "A Life on
    Film (1967)"). About the premise: it holds at least half (and two) of the question's other content words and
    half of those within NEAR words of the supposed number ("members"; "Film", "published"), more than any other
    sentence stating a number. News articles share their subject's words in most sentences: without the words
    next to the number, "… issue a new joint declaration in 2025" denied that the last joint maritime exercises
    were in 2017 (docs/decisions.md)."""
    supposed = _supposed(question)
    if not supposed:
        return None
    words = TOKENS.findall(_proper(question))
    at = {i for i, w in enumerate(words) if VALUE.fullmatch(w)}
    wanted = set(terms(" ".join(w for i, w in enumerate(words) if i not in at)))
    near = {j for i in at for j in range(i - NEAR, i + NEAR + 1)} - at
    near_words = set(terms(" ".join(w for j, w in enumerate(words) if j in near)))
    need = max(PREMISE_MIN, math.ceil(PREMISE_SHARE * len(wanted)))
    shared = [(wanted & set(terms(s)), i) for i, s in enumerate(sentences) if _values(s)]
    close = math.ceil(PREMISE_SHARE * len(near_words))
    fits = [(len(common), i) for common, i in shared if len(common) >= need and len(common & near_words) >= close]
    best = max(fits, default=None, key=lambda c: (c[0], -c[1]))
    return best[1] if best is not None and _denies(supposed, sentences[best[1]]) else None


def pointed_back(answer: str, question: QuestionInfo, source: SourceText, line: Line) -> tuple[str, Line] | None:
    """A time that the answer and its sentence only point back to ("since then", "at that time"), made the date of
    the sentence just before, which then belongs to the quote: asked how long it had been since the ministers
    last met, the model answered "since then" from "The Japanese and South Korean defense ministers have not met
    since then.", after "… jammed its targeting radar on an SDF jet in 2018." — the answer is "since 2018". The
    scan reads such sentences the same way (app/scan/candidates.py)."""
    back = TIME_BACK.search(answer)
    if back is None or not question.answer_labels & WHEN or NUMBER.search(answer):
        return None
    if not TIME_BACK.search(source.text[line.start : line.end]):
        return None
    previous = next((s for s in reversed(analyse(source.text)) if s.end <= line.start), None)
    if previous is None or source.text[previous.end : line.start].strip():
        return None  # not the sentence right before it (another passage follows a gap)
    dates = [e.text for e in previous.entities if e.label in WHEN - {"DURATION"}]
    if not dates:
        return None
    pointer = back.group()
    date = f"{pointer.split()[0]} {dates[-1]}" if pointer.lower().endswith(" then") else dates[-1]
    return f"{answer[: back.start()]}{date}{answer[back.end() :]}", Line(previous.start, line.end)


def office_holder(answer: str, question: QuestionInfo, source: SourceText) -> tuple[str, Line] | None:
    """The person a sentence of the source's passages names with the office the answer gives instead of a name,
    and that sentence.

    Asked "Whom did Japan's defence chief Gen Nakatani hold talks with?", the model answers "South Korean
    counterpart" from "… Gen Nakatani met with his South Korean counterpart …"; the article names him in another
    sentence: "… between Nakatani and South Korean Defence Minister Lee Jong-sup …". Only for a question asking
    for a person, an answer naming no person but a country or nationality (NATION) and a word for the office,
    and a person whose title (the OFFICE_WORDS words before the name) holds that country, not named by the
    question; when two such people differ, the source does not say which one is meant.
    """
    if question.answer_labels != PEOPLE:
        return None
    named = [e for s in analyse(answer) for e in s.entities]
    office = set(terms(NATION_NAMES.sub(" ", answer))) - set(question.terms)
    if not named or any(e.label not in NATION for e in named) or not office:
        return None
    country = {t for e in named for t in terms(e.text)}
    found: list[tuple[set[str], str, Line]] = []
    for sentence in analyse(source.text):
        for e in sentence.entities:
            title = WORDS.findall(source.text[sentence.start : e.start])[-OFFICE_WORDS:]
            people = set(terms(e.text))
            if e.label in PEOPLE and country <= set(terms(" ".join(title))) and not people & set(question.terms):
                found.append((people, e.text, Line(sentence.start, sentence.end)))
    if not found:
        return None
    fullest, name, line = max(found, key=lambda f: len(f[0]))
    # One person, perhaps named in full once and by surname after ("Mette Holm" … "Minister Holm").
    return (name, line) if all(people <= fullest for people, _, _ in found) else None


def _only_ranks(answer: str, question: QuestionInfo) -> bool:
    """Is the answer to a question asking for an amount a rank and nothing else ("7th Fleet" for the population
    of Yokosuka)? A rank counts nothing; an answer without any number may still be one ("a substantial
    percentage": 4 of 57 gold answers to amount questions over the dev sets and seeds are such words)."""
    if not question.answer_labels or not question.answer_labels <= AMOUNTS or not ORDINAL.search(answer):
        return False
    return not NUMBER.search(alpha2digit(ORDINAL.sub(" ", answer), "en"))


def _reading(source: SourceText, lines: list[Line], reply: SourceReply, question: QuestionInfo) -> Reading:
    reading = _reply_reading(source, lines, reply, question)
    text = asked(question.text)
    if not reading.answers or reading.quote is None or YES_NO_QUESTION.match(text) or CHOICE.search(text):
        return reading  # a yes/no question's premise may be what the sentence denies
    if (actors := other_actor(text, reading.quote)) is not None:
        why = f"no answer (its sentence says {actors[1]} does it, not {actors[0]})"
        return replace(reading, answers=False, status=why)
    if (detail := opposite_detail(text, source.text, reading.answer or "")) is not None:
        why = f"no answer (this source speaks of {detail[1]}, never of {detail[0]})"
        return replace(reading, answers=False, status=why)
    return reading


def _reply_reading(source: SourceText, lines: list[Line], reply: SourceReply, question: QuestionInfo) -> Reading:
    answer = reply.answer
    if len(answer) >= ANSWER_CHARS:  # cut off mid-word ("… President Yoo"): keep the words it finished
        answer = answer.rsplit(" ", 1)[0]
    answer = " ".join(answer.split()).strip(" .,;:")
    first = source.first_n
    if not answer or answer.lower() == NO_ANSWER or reply.sentence == 0:
        shown = [source.text[line.start : line.end] for line in lines]
        if (i := premise_sentence(question.text, shown)) is not None:
            return _quoting(source, lines[i], "no", True, "answered (states another number)")
        return Reading(first, source.file, False, None, None, None, None, False, "no answer")
    k = reply.sentence - 1
    if 0 <= k < len(lines):
        if (back := pointed_back(answer, question, source, lines[k])) is not None:
            return _quoting(source, back[1], back[0], True, "answered (the time of the sentence before)")
        if _echoes(answer, question, pointed := source.text[lines[k].start : lines[k].end]):
            return _quoting(source, lines[k], _claim(pointed), True, CLAIM)
    if _restates(answer, question):
        return Reading(first, source.file, False, answer, None, None, None, False, "no answer (restates the question)")
    if _only_ranks(answer, question):
        return Reading(first, source.file, False, answer, None, None, None, False, "no answer (a rank, not an amount)")
    if (holder := office_holder(answer, question, source)) is not None:
        why = f"answered (the person this source calls its {answer})"
        return _quoting(source, holder[1], holder[0], True, why)
    if not called(answer, question, source.article):
        why = f"no answer (this source never calls them the {question.slot})"
        return Reading(first, source.file, False, answer, None, None, None, False, why)
    # The named sentence; small models are sometimes off by one, or name one they were not shown.
    nearby = [i for i in (k, k - 1, k + 1) if 0 <= i < len(lines)]
    for i in nearby or range(len(lines)):
        sentence = source.text[lines[i].start : lines[i].end]
        if supports(answer, sentence):
            if answer.lower() == "yes" and denies_premise(question.text, sentence):
                answer = "no"
            return _quoting(source, lines[i], answer, True, "answered")
    if not nearby:
        return Reading(first, source.file, False, answer, None, None, None, False, "quote not found")
    if (line := _elsewhere(answer, question, source, lines)) is not None:
        return _quoting(source, line, answer, True, "answered")
    return _quoting(source, lines[nearby[0]], answer, False, "answer not in source")


def _elsewhere(answer: str, question: QuestionInfo, source: SourceText, lines: list[Line]) -> Line | None:
    """The first shown sentence stating a name or number answer and naming something the question names: the model
    pointed at the wrong sentence ("Park Cheol-hee is a key foreign policy adviser …" given sentence 7 of 9
    while sentence 2 says it). Wordy answers are not searched for: most words of a paraphrase are in
    many sentences."""
    if not key_values(YES_NO.sub("", answer)):
        return None
    wanted = key_values(asked(question.text))
    for line in lines:
        text = source.text[line.start : line.end]
        if supports(answer, text) and any(_holds(v, *vocabulary(text)) for v in wanted):
            return line
    return None


def _quoting(source: SourceText, line: Line, answer: str, answers: bool, status: str) -> Reading:
    """A reading whose quote is `line` of the source."""
    n, start, end = source.to_article(line.start, line.end)
    return Reading(n, source.file, answers, answer, source.text[line.start : line.end], start, end, True, status)


def read_one(
    model: ReaderModel,
    question: QuestionInfo,
    source: SourceText,
    lines: list[Line],
    max_tokens: int,
    timeout: float,
    speaks_of: Callable[[list[str]], bool] = lambda sentences: True,
) -> SourceResult:
    """One source's reading (an unread source gets a Reading saying why). `speaks_of` tells whether any of some
    sentences speaks of the question in meaning: only then is a "none" to a yes/no question asked for its yes or
    no."""
    shown = [source.text[line.start : line.end] for line in lines]
    prompt = read_prompt(question.text, shown)
    try:
        reply, usage = model.reply(READ_SYSTEM, prompt, SourceReply, max_tokens, timeout)
    except ReplyFailed as exc:
        why = "timed out" if exc.kind == "timeout" else str(exc)
        unread = Reading(source.first_n, source.file, False, None, None, None, None, False, f"unread: {why}")
        return SourceResult(source, [unread], Usage(1), exc)
    read = _reading(source, lines, reply, question)
    # Asked again only when no rule found its no either.
    if (
        not read.answers
        and reply.answer.strip().lower() == NO_ANSWER
        and _on_the_point(reply, question, shown, speaks_of)
    ):
        try:
            decision, more = model.reply(DECIDE_SYSTEM, prompt, Decision, max_tokens, timeout)
        except ReplyFailed:
            usage.add(Usage(1))  # the first reading stands
        else:
            usage.add(more)
            if decision.answer != NO_ANSWER and _on_the_point(decision, question, shown, speaks_of):
                decided = SourceReply(answer=decision.answer, sentence=decision.sentence)
                read = _reading(source, lines, decided, question)
    return SourceResult(source, [read], usage)


def _on_the_point(
    reply: SourceReply | Decision, question: QuestionInfo, shown: list[str], speaks_of: Callable[[list[str]], bool]
) -> bool:
    """Does a reply to a yes/no question rest on what speaks of the question: the sentence it names, or (when it
    names none) any of the source's sentences, shares a content word with the question and is close to it in
    meaning (`speaks_of`)? The packaged model answers "none" rather than "no" to most sources that say otherwise
    ("… led to worse treatment response when compared to benzoyl peroxide" for "Is azelaic acid as effective as
    benzoyl peroxide …?"); a source whose "none" so rests is asked for its yes or no (DECIDE_SYSTEM). That prompt
    says "no" to almost any sentence about something else, so it is asked only of a source close to the
    question, and its yes or no stands only on a sentence that speaks of it too: asked "Is Ned Price a US State
    Department spokesman?", seed articles' sentences on a US general (closeness 0.22) were otherwise read as a
    no (docs/decisions.md)."""
    if not yes_no_question(question.text):
        return False
    if 0 < reply.sentence <= len(shown):
        named = [shown[reply.sentence - 1]]
    elif reply.sentence == 0:
        named = shown
    else:
        return False
    wanted = set(terms(asked(question.text)))
    sharing = [sentence for sentence in named if set(terms(sentence)) & wanted]
    return bool(sharing) and speaks_of(sharing)
