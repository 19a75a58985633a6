"""The answer engine end to end on the seeds: real retrieval, real model, real Chroma; LLMs are fakes here."""

from __future__ import annotations

import itertools
import json

import pytest

from app.answer import Answer
from app.compose import ABSTAIN_TEXT
from app.service import Parallax
from tests.fakes import FakeLLM

CONFLICT_Q = "Which South Korean defense minister attended the January 30 meeting in Yokosuka?"
EXERCISE_Q = "What kind of joint exercises did the ministers agree to resume?"
POPULATION_Q = "What is the population of Yokosuka?"


def with_llm(service: Parallax, llm: FakeLLM, timeout: float = 30.0) -> Parallax:
    return Parallax(service.store, service.retriever, lambda name: llm, llm_timeout=timeout, default_llm="fake")


def n_of(answer: Answer, prefix: str) -> int:
    return next(s.n for s in answer.sources if s.file.startswith(prefix))


def assert_citations_point_into_sources(answer: Answer) -> None:
    by_n = {s.n: s for s in answer.sources}
    for c in answer.citations:
        src = by_n[c.n]
        assert src.file == c.file and src.chunk_id == c.chunk_id
        assert src.start <= c.start < c.end <= src.end
        assert src.text[c.start - src.start : c.end - src.start] == c.quote


def test_disagreeing_sources_are_named_side_by_side(seeded_service: Parallax) -> None:
    answer = seeded_service.ask(CONFLICT_Q)
    assert not answer.abstained and answer.backend == "extractive"
    assert answer.answer.startswith("Sources disagree:")
    assert "Ahn Kyu-back" in answer.answer and "Suh Wook" in answer.answer
    assert answer.note and "disagree" in answer.note
    [conflict] = answer.conflicts
    claims = {c.file[:3]: c.value for c in conflict.claims}
    assert claims == {"000": "Ahn Kyu-back", "001": "Suh Wook"}
    assert "South Korean defense minister" in conflict.slot
    for claim in conflict.claims:
        src = next(s for s in answer.sources if s.n == claim.n)
        article = seeded_service.store.article_text(claim.file)
        assert article[claim.value_start : claim.value_end] == claim.value
        assert article[claim.start : claim.end] == claim.quote and src.file == claim.file
    assert all(s.supported and s.citations for s in answer.sentences)
    assert_citations_point_into_sources(answer)


def test_single_source_fact_has_no_conflict(seeded_service: Parallax) -> None:
    answer = seeded_service.ask(EXERCISE_Q)
    assert not answer.abstained and not answer.conflicts and answer.note is None
    first = answer.sentences[0]
    assert "maritime search and rescue" in first.text
    assert all(answer.sources[n - 1].file.startswith("001") for n in first.citations)
    assert_citations_point_into_sources(answer)


def test_unanswerable_question_abstains_but_shows_nearest_passages(seeded_service: Parallax) -> None:
    answer = seeded_service.ask(POPULATION_Q)
    assert answer.abstained
    assert answer.answer == ABSTAIN_TEXT
    assert answer.citations == [] and answer.conflicts == []
    assert any("Yokosuka" in s.text for s in answer.sources)


def test_json_contract_has_every_field(seeded_service: Parallax) -> None:
    data = json.loads(json.dumps(seeded_service.ask(CONFLICT_Q).to_dict()))
    assert {"question", "answer", "abstained", "note", "citations", "sentences", "conflicts", "backend",
            "timings_ms", "sources"} <= set(data)  # fmt: skip
    assert {"n", "file", "chunk_id", "start", "end", "quote"} <= set(data["citations"][0])
    assert {"text", "citations", "supported"} <= set(data["sentences"][0])
    assert {"slot", "note", "claims"} <= set(data["conflicts"][0])
    assert {"file", "value", "quote", "start", "end"} <= set(data["conflicts"][0]["claims"][0])
    assert data["timings_ms"]["total"] > 0


def test_planted_wrong_citation_and_made_up_number_are_removed(seeded_service: Parallax) -> None:
    sources = seeded_service.ask(EXERCISE_Q)
    n001 = n_of(sources, "001")
    other = next(s.n for s in sources.sources if "search and rescue" not in s.text)
    llm = FakeLLM().enqueue(
        f"The ministers agreed to resume joint maritime search and rescue exercises [{n001}]. "
        f"The exercises were agreed in search and rescue talks at the Yokosuka base [{other}]. "
        f"The exercises will involve 4,500 sailors [{n001}]."
    )
    answer = with_llm(seeded_service, llm).ask(EXERCISE_Q)
    assert answer.backend == "fake"
    verdicts = [s.supported for s in answer.sentences]
    assert verdicts == [True, False, False]
    assert "4,500" not in answer.answer and f"[{other}]" not in answer.answer
    assert "4,500" in answer.sentences[2].reason
    assert "Removed 2 sentence(s)" in answer.note
    assert "Passages:" in llm.prompts[0] and f"[{n001}] (001_" in llm.prompts[0]


def test_llm_answer_with_nothing_supported_falls_back(seeded_service: Parallax) -> None:
    llm = FakeLLM().enqueue("Yokosuka has a population of 1.1 million people [1].")
    answer = with_llm(seeded_service, llm).ask(EXERCISE_Q)
    assert answer.backend == "extractive"
    assert "maritime search and rescue" in answer.answer
    assert "no sentence of the LLM's answer was supported" in answer.note


def test_slow_llm_times_out_and_falls_back(seeded_service: Parallax) -> None:
    llm = FakeLLM(seconds_per_word=0.5).enqueue("word " * 20)
    answer = with_llm(seeded_service, llm, timeout=1.0).ask(EXERCISE_Q)
    assert answer.backend == "extractive"
    assert "did not finish within 1 s" in answer.note


def test_llm_down_falls_back(seeded_service: Parallax) -> None:
    llm = FakeLLM(error="Connection refused")
    answer = with_llm(seeded_service, llm).ask(CONFLICT_Q)
    assert answer.backend == "extractive" and answer.conflicts
    assert "the LLM failed: Connection refused" in answer.note


def test_llm_leaving_out_a_side_gets_the_disagreement_first(seeded_service: Parallax) -> None:
    extractive = seeded_service.ask(CONFLICT_Q)
    n001 = n_of(extractive, "001")
    llm = FakeLLM().enqueue(f"South Korean Defense Minister Suh Wook attended the meeting [{n001}].")
    answer = with_llm(seeded_service, llm).ask(CONFLICT_Q)
    assert answer.backend == "fake"
    assert answer.answer.startswith("Sources disagree:") and "Ahn Kyu-back" in answer.answer
    assert all(s.supported for s in answer.sentences)
    assert "The passages disagree:" in llm.prompts[0]


def test_streaming_yields_growing_drafts_then_the_answer(seeded_service: Parallax) -> None:
    n001 = n_of(seeded_service.ask(EXERCISE_Q), "001")
    llm = FakeLLM().enqueue(f"They agreed to resume joint maritime search and rescue exercises [{n001}].")
    events = list(with_llm(seeded_service, llm).ask_stream(EXERCISE_Q))
    drafts, final = events[:-1], events[-1]
    assert isinstance(final, Answer) and len(drafts) > 3
    assert all(isinstance(d, str) for d in drafts)
    assert all(b.startswith(a) for a, b in itertools.pairwise(drafts))
    assert final.answer == drafts[-1]


def test_abstention_does_not_ask_the_llm(seeded_service: Parallax) -> None:
    llm = FakeLLM()
    answer = with_llm(seeded_service, llm).ask(POPULATION_Q)
    assert answer.abstained and llm.prompts == []
    assert "LLM was not asked" in answer.note


@pytest.mark.parametrize("bad", ["", "  ", "?" * 3000])
def test_bad_questions_raise_before_any_work(seeded_service: Parallax, bad: str) -> None:
    from app.retrieve import QuestionError

    with pytest.raises(QuestionError):
        seeded_service.ask(bad)
