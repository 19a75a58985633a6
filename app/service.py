"""ask(question) -> Answer, in two stages: the instant engine (rules, milliseconds), then the reader (an LLM per
source, seconds), each emitting a complete Answer. The CLI, the UI, the API and the eval all call this service.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import replace

from app.answer import Answer, AnswerSentence, Citation, Conflict, Source, Status
from app.chat.followup import by_rules, condense, needs_context, standalone_questions
from app.engine.citations import check_answer
from app.engine.compose import ABSTAIN_TEXT, answering_evidence, compose, disagreement_sentence, said
from app.engine.conflicts import detect_conflicts
from app.engine.evidence import score_evidence
from app.engine.question import QuestionInfo, analyse_question, respell, unframed
from app.engine.retrieve import HybridRetriever, QuestionError, check_question
from app.engine.timeline import sourced, with_dates
from app.reader.engine import Reader, ReaderResult
from app.reader.models import ReaderModel, Usage
from app.scan.job import Progress, ScanReport, scan
from app.settings import LLM_NAMES
from ingest.store import ArticleStore

MAX_K = 50  # sources one answer may number

# name -> the reader's model; raises ReaderUnavailable (or ModelMissing) with a one-line reason
ModelFactory = Callable[[str], ReaderModel]


class ReaderUnavailable(RuntimeError):
    """The reader's LLM cannot be built or reached; the instant answer stands and the note says why."""


class Parallax:
    """One service shared by every front end."""

    def __init__(
        self,
        store: ArticleStore,
        retriever: HybridRetriever,
        model_factory: ModelFactory,
        top_k: int = 6,
        llm_timeout: float = 60.0,
        default_llm: str = "none",
        llm_max_tokens: int = 256,
        source_chars: int = 700,
        min_closeness: float = 0.5,
        llm_names: Sequence[str] = LLM_NAMES,
    ) -> None:
        self.store = store
        self.retriever = retriever
        self.model_factory = model_factory
        self.top_k = top_k
        self.llm_timeout = llm_timeout
        self.default_llm = default_llm
        self.llm_max_tokens = llm_max_tokens
        self.source_chars = source_chars
        self.min_closeness = min_closeness
        self.llm_names = tuple(llm_names)
        self._scan_lock = threading.Lock()  # one scan at a time: a second one would judge the same pairs

    def check_request(self, k: int | None, llm: str | None) -> tuple[int, str]:
        """(k, reader model name) with the defaults filled in; QuestionError when either is out of bounds (an API
        caller's k=0 or k=999 or a misspelt model is refused, not quietly replaced)."""
        k = self.top_k if k is None else k
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise QuestionError(f"k must be a whole number from 1 to {MAX_K} (got {k!r})")
        name = llm or self.default_llm
        if name not in self.llm_names:
            raise QuestionError(f"unknown reader model {name!r}: choose one of {', '.join(self.llm_names)}")
        return k, name

    def ask(self, question: str, k: int | None = None, llm: str | None = None) -> Answer:
        """The final answer: the reader's when an LLM is used, else the instant one."""
        answer = None
        for event in self.ask_stream(question, k, llm):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None, "ask_stream yields at least the instant Answer"
        return answer

    def ask_stream(self, question: str, k: int | None = None, llm: str | None = None) -> Iterator[str | Answer]:
        """Yield the instant Answer, then (with an LLM) progress lines and the reader's Answer."""
        k, name = self.check_request(k, llm)
        instant, info = self._instant(question, k)
        yield instant
        yield from self._read(instant, info, name, time.perf_counter())

    def chat_stream(
        self, message: str, history: Sequence[Mapping[str, str]], k: int | None = None, llm: str | None = None
    ) -> Iterator[str | Answer]:
        """ask_stream for a message in a conversation (`history`: earlier {role, content} turns, oldest first).

        The message is answered as a standalone question (`Answer.interpreted_question`): by the rules at once;
        with an LLM, a follow-up that needs its context is also condensed by the LLM (one call), and when that
        reads differently the instant answer is redone for it before the reader starts.
        """
        k, name = self.check_request(k, llm)
        message = check_question(message)
        asked = [str(t.get("content", "")) for t in history if t.get("role") == "user"]
        previous = standalone_questions(asked)[-1] if asked else None
        question = by_rules(message, previous)
        instant, info = self._instant(question, k, asked=message)
        yield instant
        started = time.perf_counter()
        if name == "none" or previous is None or not needs_context(message):
            yield from self._read(instant, info, name, started)
            return
        model = yield from self._model(instant, name)
        if model is None:
            return
        yield f"understanding the follow-up with {model.name}…"
        condensed, spent = condense(model, history, message, self.llm_max_tokens, self.llm_timeout)
        if condensed is not None and condensed.lower() != question.lower():
            instant, info = self._instant(condensed, k, asked=message)
            yield instant
        yield from self._read(instant, info, name, started, model, spent)

    def _model(self, instant: Answer, name: str) -> Generator[Answer, None, ReaderModel | None]:
        """The reader's model; when it cannot start, yields the instant answer with the reason and returns None."""
        try:
            return self.model_factory(name)
        except RuntimeError as exc:  # ReaderUnavailable, ModelMissing: the instant answer stands, with the reason
            yield _with_note(instant, f"The reader could not start: {exc}.", fallback=str(exc))
            return None

    def _read(
        self,
        instant: Answer,
        info: QuestionInfo,
        name: str,
        started: float,
        model: ReaderModel | None = None,
        spent: Usage | None = None,
    ) -> Iterator[str | Answer]:
        """Progress lines and the reader's Answer (nothing when `name` is "none")."""
        if name == "none":
            return
        if model is None:
            model = yield from self._model(instant, name)
            if model is None:
                return
        result = None
        reader = Reader(
            model,
            self.llm_max_tokens,
            self.llm_timeout,
            self.source_chars,
            closeness=self.retriever.closeness,
            min_closeness=self.min_closeness,
        )
        question = instant.interpreted_question or instant.question
        for event in reader.run(question, info, instant.sources, self.store.article_text):
            if isinstance(event, ReaderResult):
                result = event
            else:
                yield event
        assert result is not None
        if spent is not None:
            result.usage.add(spent)
        yield self._refine(instant, result, name, (time.perf_counter() - started) * 1000)

    def instant(self, question: str, k: int | None = None) -> Answer:
        """The LLM-free answer: retrieval, evidence, rule conflicts, the composer, the citation check."""
        return self._instant(question, self.check_request(k, "none")[0])[0]

    def _instant(self, question: str, k: int, asked: str | None = None) -> tuple[Answer, QuestionInfo]:
        """The instant Answer to `question`; in a conversation `asked` is the message as the user wrote it (the
        Answer's `question`) and `question` its standalone reading. A "do the sources agree on …" question is
        answered as the question it embeds, shown as the interpreted question."""
        timings: dict[str, float] = {}
        clock = _Clock(timings)
        question = check_question(question)
        if (plain := unframed(question)) != question:  # "Do the articles agree on who …?" asks who
            asked, question = asked or question, plain
        with clock("retrieve"):
            hits = self.retriever.search(question, k)
        sources = [
            Source(i, h.file, h.title, h.chunk_id, h.start, h.end, h.text, h.score, h.outlet, h.published, h.also_in)
            for i, h in enumerate(hits, 1)
        ]
        with clock("analyse"):
            info = analyse_question(respell(question, (s.text for s in sources)))
            evidence = score_evidence(info, sources)
            conflicts = with_dates(detect_conflicts(info, evidence, self.store.article_text), sources)
            chosen = answering_evidence(info, evidence)
            text = compose(chosen, conflicts, evidence)
        abstained = not chosen and not conflicts
        notes = [c.note for c in conflicts]
        with clock("check"):
            text, sentences, citations, abstained = _checked(text, sources, abstained, notes)
        timings["total"] = round(sum(timings.values()), 1)
        answer = Answer(
            question=asked or question,
            answer=text,
            abstained=abstained,
            note=" ".join(notes) or None,
            citations=citations,
            sentences=sentences,
            conflicts=conflicts,
            sources=sources,
            backend="extractive",
            timings_ms=timings,
            interpreted_question=question if asked is not None else None,
        )
        return answer, info

    def _refine(self, instant: Answer, result: ReaderResult, name: str, reader_ms: float) -> Answer:
        """The reader's Answer: its conflicts plus the rule conflicts it does not cover, its verified quotes."""
        usage = {
            "calls": result.usage.calls,
            "prompt_tokens": result.usage.prompt_tokens,
            "completion_tokens": result.usage.completion_tokens,
        }
        timings = {**instant.timings_ms, "reader": round(reader_ms, 1)}
        if result.failure is not None:
            why = str(result.failure)
            failed = _with_note(instant, f"The reader failed, so this is the instant answer: {why}.", why)
            return replace(failed, readings=result.readings, timings_ms=timings, usage=usage)
        conflicts = with_dates(_merge(result.conflicts, instant.conflicts), instant.sources)
        complementary = _outside(result.complementary, conflicts)
        if conflicts:
            lead = [disagreement_sentence(conflicts)]
        elif result.yes_no:  # "Reuters says yes (4 May 1902) [1]." before the quotes
            lead = [f"{said(sourced(result.yes_no, instant.sources))}."]
        else:
            lead = []
        rule_quotes = [s.text for c in instant.conflicts if c in conflicts for s in _quoted(instant, c)]
        body = list(dict.fromkeys([*rule_quotes, *result.sentences]))
        abstained = not body and not conflicts
        text = ABSTAIN_TEXT if abstained else " ".join([*lead, *body])
        notes = [c.note for c in conflicts] + [c.note for c in complementary]
        text, sentences, citations, abstained = _checked(text, instant.sources, abstained, notes)
        if result.unread:
            notes.append(f"Not read (the LLM failed or timed out): {', '.join(result.unread)}.")
        discarded = sum(r.status in {"quote not found", "answer not in source"} for r in result.readings)
        if discarded:
            notes.append(f"Discarded {discarded} reading(s) whose quote or answer is not in the source.")
        timings["total"] = round(instant.timings_ms.get("total", 0) + reader_ms, 1)
        return replace(
            instant,
            answer=text,
            abstained=abstained,
            note=" ".join(notes) or None,
            citations=citations,
            sentences=sentences,
            conflicts=conflicts,
            complementary=complementary,
            readings=result.readings,
            backend=name,
            engine="reader",
            timings_ms=timings,
            usage=usage,
        )

    def scan(self, llm: str | None = None, progress: Progress | None = None) -> ScanReport:
        """The disagreement map: judge the candidate pairs not judged yet (app/scan/job.py) with the named LLM
        (none: rules only, the rest waits for an LLM); returns every finding."""
        _, name = self.check_request(None, llm)
        model = None
        if name != "none":
            try:
                model = self.model_factory(name)
            except RuntimeError as exc:
                raise ReaderUnavailable(f"the scan's LLM could not start: {exc}") from None
        with self._scan_lock:
            return scan(self.store, model, self.llm_timeout, progress=progress)

    def status(self) -> Status:
        """Articles and passages indexed, and the default reader model."""
        return Status(len(self.store.articles()), self.store.count(), self.default_llm)

    def article(self, file: str) -> str | None:
        """The cleaned text of an ingested article (what all offsets point into)."""
        return self.store.article_text(file)


def _checked(
    text: str, sources: list[Source], abstained: bool, notes: list[str]
) -> tuple[str, list[AnswerSentence], list[Citation], bool]:
    """Check every sentence against its cited passages; the text keeps the supported ones (a note says how many
    went), and when none is left the answer abstains rather than say nothing. An abstention cites nothing and
    claims nothing, so there is nothing to check. Returns (text, sentences, citations, abstained)."""
    if abstained:
        return text, [], [], True
    sentences, citations = check_answer(text, sources)
    kept = [s for s in sentences if s.supported]
    if len(kept) < len(sentences):
        notes.append(f"Removed {len(sentences) - len(kept)} sentence(s) that the cited passages do not support.")
        text = " ".join(s.text for s in kept)
    if not kept:
        return ABSTAIN_TEXT, [], [], True
    return text, sentences, citations, False


def _merge(found: list[Conflict], rules: list[Conflict]) -> list[Conflict]:
    """The reader's conflicts, each joined by the rule detector's claims about the same sources; rule conflicts
    about other sources are kept as they are (the rule detector is precise where it fires)."""
    merged = list(found)
    for rule in rules:
        overlapping = next(
            (i for i, c in enumerate(merged) if {x.file for x in c.claims} & {x.file for x in rule.claims}), None
        )
        if overlapping is None:
            merged.append(rule)
            continue
        base = merged[overlapping]
        have = {x.file for x in base.claims}
        claims = base.claims + [x for x in rule.claims if x.file not in have]
        merged[overlapping] = replace(base, claims=claims, note=f"Sources disagree: {said(claims)}.")
    return merged


def _outside(complementary: list[Conflict], conflicts: list[Conflict]) -> list[Conflict]:
    """Complementary answers minus the sources already on a side of a conflict (at least two must remain)."""
    taken = {x.file for c in conflicts for x in c.claims}
    out = []
    for group in complementary:
        claims = [x for x in group.claims if x.file not in taken]
        if len(claims) > 1:
            out.append(
                replace(
                    group,
                    claims=claims,
                    note=f"The sources give different answers that can all be true: {said(claims)}.",
                )
            )
    return out


def _quoted(instant: Answer, conflict: Conflict) -> list:
    """The instant answer's supported sentences that quote one of this conflict's claims."""
    quotes = {" ".join(c.quote.split()) for c in conflict.claims}
    return [s for s in instant.sentences if s.supported and any(q in s.text for q in quotes)]


def _with_note(answer: Answer, note: str, fallback: str) -> Answer:
    """The instant answer, kept because the reader could not replace it, saying why."""
    joined = f"{answer.note} {note}" if answer.note else note
    return replace(answer, note=joined, fallback=fallback)


class _Clock:
    """`with clock("step"):` adds the step's wall time in ms to the timings dict."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self._step = ""
        self._start = 0.0

    def __call__(self, step: str) -> _Clock:
        self._step = step
        return self

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self._step] = round((time.perf_counter() - self._start) * 1000, 1)
