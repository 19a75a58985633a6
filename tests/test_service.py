"""The answer engine end to end on the seeds: real retrieval, real model, real Chroma; LLMs are fakes here."""

from __future__ import annotations

import json
import re

import pytest

from app.answer import Answer, Source
from app.engine.compose import ABSTAIN_TEXT
from app.reader.packaged_model import ModelMissing
from app.service import Parallax, _checked

CONFLICT_Q = "Which South Korean defense minister attended the January 30 meeting in Yokosuka?"
EXERCISE_Q = "What kind of joint exercises did the ministers agree to resume?"
POPULATION_Q = "What is the population of Yokosuka?"


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


def test_asking_whether_the_articles_agree_answers_what_they_say_and_where_they_differ(
    seeded_service: Parallax,
) -> None:
    # Before, the instant engine searched for "agree" and listed three quotes without a conflict.
    question = "Do the articles agree on who the defense ministers are?"
    answer = seeded_service.ask(question)
    assert answer.question == question and answer.interpreted_question == "Who are the defense ministers?"
    values = {c.value for conflict in answer.conflicts for c in conflict.claims}
    assert {"Ahn Kyu-back", "Suh Wook"} <= values and answer.answer.startswith("Sources disagree")


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


def test_without_an_llm_there_is_one_instant_answer(seeded_service: Parallax) -> None:
    events = list(seeded_service.ask_stream(EXERCISE_Q, llm="none"))
    assert len(events) == 1 and isinstance(events[0], Answer)
    assert events[0].engine == "instant" and events[0].readings == [] and events[0].usage == {}


def test_a_reader_that_cannot_start_leaves_the_instant_answer_with_the_reason(seeded_service: Parallax) -> None:
    def missing(name: str):
        raise ModelMissing("model part 3 of 22 is not installed: run `make install`")

    service = Parallax(seeded_service.store, seeded_service.retriever, missing, default_llm="local")
    events = list(service.ask_stream(CONFLICT_Q))
    instant, final = events
    assert isinstance(instant, Answer) and isinstance(final, Answer)
    assert final.engine == "instant" and final.answer == instant.answer and final.conflicts
    assert final.fallback == "model part 3 of 22 is not installed: run `make install`"
    assert "The reader could not start: model part 3 of 22" in final.note


@pytest.mark.parametrize("bad", ["", "  ", "?" * 3000])
def test_bad_questions_raise_before_any_work(seeded_service: Parallax, bad: str) -> None:
    from app.engine.retrieve import QuestionError

    with pytest.raises(QuestionError):
        seeded_service.ask(bad)


JAPAN_Q = "Who is Japan's defense minister according to the articles?"


def test_a_follow_up_is_answered_as_a_standalone_question(seeded_service: Parallax) -> None:
    """The issue's pair: "And South Korea's?" after Japan's minister answers about South Korea's, with the
    disagreement (it answered with a sentence about Cuba)."""
    history = [{"role": "user", "content": JAPAN_Q}, {"role": "assistant", "content": "…"}]
    (answer,) = list(seeded_service.chat_stream("And South Korea's?", history, llm="none"))
    assert answer.question == "And South Korea's?"
    assert answer.interpreted_question == "Who is South Korea's defense minister according to the articles?"
    assert answer.conflicts and {"Ahn Kyu-back", "Suh Wook"} <= {c.value for c in answer.conflicts[0].claims}
    assert "Cuba" not in answer.answer
    assert answer.to_dict()["interpreted_question"] == answer.interpreted_question


def test_with_an_llm_a_follow_up_is_condensed_once_and_counted(seeded_service: Parallax) -> None:
    """The LLM's standalone question replaces the rules' when it reads differently (the instant answer is redone
    for it before the reader starts); its call is in the Answer's usage. A fake model (prompting only)."""
    from tests.fakes import FakeModel

    model = FakeModel(by_source={"Source:": '{"answer": "none", "sentence": 0}'})
    model.enqueue({"question": "Which South Korean defense minister met Japan's defense minister?"})
    service = Parallax(
        seeded_service.store, seeded_service.retriever, lambda name: model, default_llm="fake", llm_names=["fake"]
    )
    history = [{"role": "user", "content": JAPAN_Q}, {"role": "assistant", "content": "…"}]
    events = list(service.chat_stream("And South Korea's?", history))
    answers = [e for e in events if isinstance(e, Answer)]
    assert [a.interpreted_question for a in answers] == [
        "Who is South Korea's defense minister according to the articles?",
        "Which South Korean defense minister met Japan's defense minister?",
        "Which South Korean defense minister met Japan's defense minister?",
    ]
    assert answers[-1].engine == "reader" and answers[-1].usage["calls"] == len(model.prompts)
    assert "understanding the follow-up with fake…" in events
    # a question that stands alone costs no condensing call
    model.prompts.clear()
    list(service.chat_stream("Who attended the January 30 meeting in Yokosuka?", history))
    assert not any("Follow Up Message" in p for p in model.prompts)


@pytest.mark.parametrize(
    ("k", "llm", "message"),
    [
        (0, "none", "k must be a whole number from 1 to 50 (got 0)"),
        (999, "none", "k must be a whole number from 1 to 50 (got 999)"),
        (6, "gpt-9", "unknown reader model 'gpt-9': choose one of none, local, openai, ollama"),
    ],
)
def test_out_of_bounds_requests_are_refused_not_replaced(
    seeded_service: Parallax, k: int, llm: str, message: str
) -> None:
    """k=0 used to mean 6, k=999 gave 26 sources, an unknown backend fell back with a note (issue #11)."""
    from app.engine.retrieve import QuestionError

    for call in (
        lambda: seeded_service.ask(CONFLICT_Q, k, llm),
        lambda: list(seeded_service.chat_stream(CONFLICT_Q, [], k, llm)),
    ):
        with pytest.raises(QuestionError, match="^" + re.escape(message) + "$"):
            call()


def test_an_answer_survives_its_json(seeded_service: Parallax) -> None:
    """Saved conversations store Answer JSON and render it again after a reload."""
    answer = seeded_service.ask(CONFLICT_Q, llm="none")
    again = Answer.from_dict(json.loads(json.dumps(answer.to_dict())))
    assert again == answer
    assert Answer.from_dict({**answer.to_dict(), "added_later": 1}) == answer


def test_an_answer_whose_every_sentence_is_unsupported_abstains_rather_than_say_nothing() -> None:
    """Was: the check removed the only sentence and the answer was empty, neither an answer nor an abstention."""
    text = "The ferry terminal opened in 1990."
    src = Source(1, "a.txt", "t", "c1", 0, len(text), text, 1.0)
    notes: list[str] = []
    said, sentences, citations, abstained = _checked("The bridge opened in 2001. [1]", [src], False, notes)
    assert (said, sentences, citations, abstained) == (ABSTAIN_TEXT, [], [], True)
    assert notes == ["Removed 1 sentence(s) that the cited passages do not support."]
    kept = _checked("The ferry terminal opened in 1990. [1] The bridge opened in 2001. [1]", [src], False, [])
    assert kept[0] == "The ferry terminal opened in 1990. [1]" and not kept[3]


def test_sources_agreeing_on_what_a_yes_no_question_supposes_answer_it_yes_first(tmp_path) -> None:
    """Was: "Did Ada Byron die in 1852?", read as "When did Ada Byron die?", was answered with the dates alone; the
    yes the question asks for was left to the reader. A fake model (prompting only); real store and retrieval."""
    from app.backends import make_folder_service
    from app.settings import Settings
    from tests.fakes import FakeModel, reading

    (tmp_path / "docs").mkdir()
    for name, text in {
        "gazette.txt": "Obituaries\n\nThe mathematician Ada Byron died on 27 November 1852 in London.",
        "almanac.txt": "Almanac of science\n\nAda Byron wrote the first published program. She died in 1852, aged 36.",
    }.items():
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    folder = make_folder_service(Settings(), tmp_path)
    model = FakeModel(
        by_source={
            "Answer A": '{"conflict": false}',
            "Question: Did Ada": '{"question": "When did Ada Byron die?"}',
            "in London": reading("27 November 1852", 1),
            "aged 36": reading("1852", 2),
        }
    )
    service = Parallax(folder.store, folder.retriever, lambda name: model, default_llm="fake", llm_names=["fake"])
    answer = service.ask("Did Ada Byron die in 1852?")
    lead = answer.sentences[0].text
    assert answer.engine == "reader" and not answer.conflicts and answer.answer.startswith(lead)
    assert lead == "“Obituaries” says yes (27 November 1852) [1]; “Almanac of science” says yes (1852) [2]."
    assert all(s.supported for s in answer.sentences) and len(answer.sentences) == 3  # the lead, two quotes
