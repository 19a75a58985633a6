"""The `Answer` object: what the CLI, the UI, the API and the eval all read. Nothing here decides anything."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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


@dataclass(frozen=True)
class Conflict:
    """Sources giving different values for the same thing."""

    slot: str
    note: str
    claims: list[Claim]


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
    backend: str
    fallback: str | None = None  # why the extractive answer replaced the LLM's, when it did
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-ready data (the `parallax ask --json` contract)."""
        return asdict(self)

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
