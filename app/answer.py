"""The `Answer` object: what the CLI, the UI, the API and the eval all read. Nothing here decides anything."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

HEADLINE_WORDS = 8  # of a headline used as a source's name


def display_name(file: str, title: str | None, outlet: str | None) -> str:
    """How answers and cards name a source: its outlet, else its headline (shortened, in quotes), else the file
    (file names are hashes; people recognise outlets and headlines)."""
    if outlet:
        return outlet
    words = (title or "").split()
    if not words or " ".join(words) == file:
        return file
    short = " ".join(words[:HEADLINE_WORDS]) + ("…" if len(words) > HEADLINE_WORDS else "")
    return f"\u201c{short}\u201d"


@dataclass(frozen=True)
class Source:
    """A retrieved passage with its number [n]; the same number everywhere (answer, sources, JSON, UI)."""

    n: int
    file: str
    title: str
    chunk_id: str
    start: int  # offsets into the article's cleaned text
    end: int
    text: str
    score: float
    outlet: str | None = None
    published: str | None = None  # ISO date; None when the article does not say
    also_in: tuple[str, ...] = ()  # syndicated copies of the article: the same story in other files

    @property
    def name(self) -> str:
        """The outlet or headline that names this source in answers (see display_name)."""
        return display_name(self.file, self.title, self.outlet)


@dataclass(frozen=True)
class Citation:
    """The span of source [n] that an answer sentence rests on (offsets into the article)."""

    n: int
    file: str
    chunk_id: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of the answer, the sources it cites, and whether the check found them to support it."""

    text: str
    citations: list[int]
    supported: bool
    reason: str | None = None


@dataclass(frozen=True)
class Claim:
    """One source's value for a conflicting slot, with the sentence that states it."""

    n: int
    file: str
    value: str
    quote: str
    start: int  # the quoted sentence, as offsets into the article
    end: int
    value_start: int  # the value inside the article, for highlighting
    value_end: int
    outlet: str | None = None
    published: str | None = None  # the article's date: a newer report may supersede an older one
    also_in: tuple[str, ...] = ()  # syndicated copies that say the same
    title: str | None = None  # the article's headline
    verdict: str | None = None  # "yes"/"no": what the value says to a yes/no question read as an open one

    @property
    def name(self) -> str:
        """The outlet or headline that names this claim's source in answers (see display_name)."""
        return display_name(self.file, self.title, self.outlet)


@dataclass(frozen=True)
class Conflict:
    """Sources giving different values for the same thing."""

    slot: str
    note: str
    claims: list[Claim]


ABOUT_ELSE = "no answer (about something else:"  # a source set aside unread: it is about another thing or person
NOT_COVERED = "no answer (no source mentions"  # nothing read: no source names what the question names
NOT_READ = ("unread", ABOUT_ELSE, NOT_COVERED)  # how the statuses of sources the LLM never read begin


@dataclass(frozen=True)
class Reading:
    """What the reader found one source to say: one answer with the quote that states it, or why there is none.

    `status` is "answered" (quote found in the source), "no answer" (the source does not answer), "no answer
    (<why>)" (e.g. it restates the question), "quote not found" / "answer not in source" (the LLM's reading was
    discarded), "unread: <why>" (the call failed), or one of NOT_READ's reasons for setting a source aside before
    any call.
    """

    n: int  # the passage [n] holding the quote (the article's best passage when there is no quote)
    file: str
    answers: bool  # True only for a verified answer
    answer: str | None
    quote: str | None
    start: int | None  # the quote, as offsets into the article
    end: int | None
    verified: bool
    status: str

    @property
    def read(self) -> bool:
        """Did the LLM read this source (whatever it made of it)?"""
        return not self.status.startswith(NOT_READ)


@dataclass
class Answer:
    """A checked, cited answer (or an abstention) to one question."""

    question: str
    answer: str
    abstained: bool
    note: str | None
    citations: list[Citation]
    sentences: list[AnswerSentence]
    conflicts: list[Conflict]
    sources: list[Source]
    backend: str  # "extractive" (the instant engine) or the reader's model: local, openai, ollama
    engine: str = "instant"  # "instant" (rules, milliseconds) or "reader" (an LLM read each source)
    readings: list[Reading] = field(default_factory=list)
    complementary: list[Conflict] = field(default_factory=list)  # answers that differ but can all be true
    fallback: str | None = None  # why the reader's answer could not replace the instant one, when it could not
    timings_ms: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)  # LLM calls, prompt and completion tokens
    interpreted_question: str | None = None  # in a conversation: the standalone question that was answered

    def to_dict(self) -> dict:
        """Plain JSON-ready data (the `parallax ask --json` contract)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Answer:
        """The Answer that `to_dict` wrote (a saved conversation's answers); keys it does not know are ignored."""
        conflicts = [_conflict(c) for c in data.get("conflicts", [])]
        complementary = [_conflict(c) for c in data.get("complementary", [])]
        return _build(
            cls,
            data,
            citations=[_build(Citation, c) for c in data.get("citations", [])],
            sentences=[_build(AnswerSentence, x) for x in data.get("sentences", [])],
            conflicts=conflicts,
            complementary=complementary,
            sources=[_build(Source, x, also_in=tuple(x.get("also_in", ()))) for x in data.get("sources", [])],
            readings=[_build(Reading, r) for r in data.get("readings", [])],
        )

    @property
    def disagrees(self) -> bool:
        """True when sources disagree about what was asked."""
        return bool(self.conflicts)


@dataclass(frozen=True)
class Status:
    """What the store holds and which answer writer is in use (the UI's status line)."""

    articles: int
    passages: int
    backend: str


def _build(cls: type, data: dict, **parts: Any) -> Any:
    """cls from the keys of `data` that are its fields, with `parts` (already built) in place of the raw ones."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names and k not in parts}, **parts)


def _conflict(data: dict) -> Conflict:
    claims = [_build(Claim, c, also_in=tuple(c.get("also_in", ()))) for c in data.get("claims", [])]
    return _build(Conflict, data, claims=claims)
