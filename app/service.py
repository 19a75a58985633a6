"""ask(question) -> Answer: retrieval, evidence, conflicts, the answer writer and the citation check, composed.

The CLI, the UI, the API and the eval all call this one service.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator

from llama_index.core.llms import LLM

from app.answer import Answer, Conflict, Source, Status
from app.citations import check_answer
from app.compose import answering_evidence, compose, disagreement_sentence
from app.conflicts import detect_conflicts
from app.evidence import score_evidence
from app.llm import LLMFailed, build_messages, stream_reply
from app.nlp import value_key
from app.question import analyse_question, respell
from app.retrieve import HybridRetriever, check_question
from ingest.store import ArticleStore

LLMFactory = Callable[[str | None], LLM | None]


class Parallax:
    """One service shared by every front end."""

    def __init__(
        self,
        store: ArticleStore,
        retriever: HybridRetriever,
        llm_factory: LLMFactory,
        top_k: int = 6,
        llm_timeout: float = 60.0,
        default_llm: str = "none",
    ) -> None:
        self.store = store
        self.retriever = retriever
        self.llm_factory = llm_factory
        self.top_k = top_k
        self.llm_timeout = llm_timeout
        self.default_llm = default_llm

    def ask(self, question: str, k: int | None = None, llm: str | None = None) -> Answer:
        """The checked answer (an LLM, when used, is streamed internally and checked at the end)."""
        for event in self.ask_stream(question, k, llm):
            if isinstance(event, Answer):
                return event
        raise AssertionError("ask_stream ends with an Answer")  # pragma: no cover

    def ask_stream(self, question: str, k: int | None = None, llm: str | None = None) -> Iterator[str | Answer]:
        """Yield the LLM's draft text as it grows (if an LLM writes), then the checked Answer."""
        timings: dict[str, float] = {}
        clock = _Clock(timings)
        question = check_question(question)
        with clock("retrieve"):
            hits = self.retriever.search(question, k or self.top_k)
        sources = [
            Source(i, h.file, h.title, h.chunk_id, h.start, h.end, h.text, h.score) for i, h in enumerate(hits, 1)
        ]
        with clock("analyse"):
            info = analyse_question(respell(question, (s.text for s in sources)))
            evidence = score_evidence(info, sources)
            conflicts = detect_conflicts(info, evidence, self.store.article_text)
            chosen = answering_evidence(info, evidence)
            extractive = compose(chosen, conflicts, evidence)
        abstained = not chosen and not conflicts
        notes = [c.note for c in conflicts]
        text, backend, fallback = extractive, "extractive", None
        llm_name = llm or self.default_llm
        if llm_name != "none" and abstained:
            notes.append("The passages do not answer this question, so the LLM was not asked.")
        elif llm_name != "none":
            with clock("llm"):
                drafted, reason = yield from self._draft(question, sources, conflicts, llm_name)
            if drafted is not None:
                text, backend = _with_disagreement(drafted, conflicts), llm_name
            else:
                fallback = reason
        with clock("check"):
            # An abstention cites nothing and claims nothing, so there is nothing to check.
            sentences, citations = check_answer(text, sources) if not abstained else ([], [])
            kept = [s for s in sentences if s.supported]
            if backend != "extractive" and not kept:
                fallback = "no sentence of the LLM's answer was supported by its citations"
                text, backend = extractive, "extractive"
                sentences, citations = check_answer(text, sources)
                kept = [s for s in sentences if s.supported]
            dropped = len(sentences) - len(kept)
            if dropped:
                notes.append(f"Removed {dropped} sentence(s) that the cited passages do not support.")
                text = " ".join(s.text for s in kept)
        if fallback:
            notes.append(f"Showing the extractive answer: {fallback}.")
        timings["total"] = round(sum(timings.values()), 1)
        yield Answer(
            question=question,
            answer=text,
            abstained=abstained,
            note=" ".join(notes) or None,
            citations=citations,
            sentences=sentences,
            conflicts=conflicts,
            sources=sources,
            backend=backend,
            fallback=fallback,
            timings_ms=timings,
        )

    def status(self) -> Status:
        """Articles and passages indexed, and the default answer writer."""
        return Status(len(self.store.records()), self.store.count(), self.default_llm)

    def article(self, file: str) -> str | None:
        """The cleaned text of an ingested article (what all offsets point into)."""
        return self.store.article_text(file)

    def _draft(
        self, question: str, sources: list[Source], conflicts: list[Conflict], llm_name: str
    ) -> Generator[str, None, tuple[str | None, str | None]]:
        """Stream the LLM's draft (yielding the growing text); return (text, None) or (None, why it failed)."""
        try:
            model = self.llm_factory(llm_name)
            if model is None:
                return None, f"no LLM is configured for '{llm_name}'"
            text = ""
            for delta in stream_reply(model, build_messages(question, sources, conflicts), self.llm_timeout):
                text += delta
                yield text
        except (LLMFailed, RuntimeError) as exc:
            return None, str(exc)
        return (text, None) if text.strip() else (None, "the LLM returned nothing")


def _with_disagreement(text: str, conflicts: list[Conflict]) -> str:
    """Lead with the detected disagreement when the LLM's text leaves out a side of it."""
    mentioned = set(value_key(text).split())
    values = [c.value for conflict in conflicts for c in conflict.claims]
    if all(set(value_key(v).split()) <= mentioned for v in values):
        return text
    return f"{disagreement_sentence(conflicts)} {text.strip()}"


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
