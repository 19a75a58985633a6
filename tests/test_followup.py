"""Follow-ups read with the conversation: the rules (no LLM) and the check on what an LLM condenses."""

from __future__ import annotations

import pytest

from app.chat.followup import acceptable, by_rules, condense, needs_context, standalone_questions
from tests.fakes import FakeModel

JAPAN_Q = "Who is Japan's defense minister according to the articles?"


@pytest.mark.parametrize(
    ("message", "previous", "standalone"),
    [
        ("And South Korea's?", JAPAN_Q, "Who is South Korea's defense minister according to the articles?"),
        ("What about South Korea?", JAPAN_Q, "Who is South Korea's defense minister according to the articles?"),
        ("And the finance minister?", JAPAN_Q, "Who is the finance minister according to the articles?"),
        ("When did he take office?", JAPAN_Q, "When did Japan's defense minister take office?"),
        ("When did he take office?", "What did Nobuo Kishi say in Yokosuka?", "When did Nobuo Kishi take office?"),
        ("What about its population?", "Where is Yokosuka?", "What about Yokosuka's population?"),
        ("And what did Kishi say?", JAPAN_Q, "What did Kishi say?"),
        ("And in 2019?", JAPAN_Q, "Who is Japan's defense minister according to the articles (in 2019)?"),
    ],
)
def test_rules_make_a_standalone_question(message: str, previous: str, standalone: str) -> None:
    assert by_rules(message, previous) == standalone


def test_a_question_that_stands_alone_is_left_alone() -> None:
    own = "Which South Korean defense minister attended the January 30 meeting in Yokosuka?"
    assert not needs_context(own)
    assert by_rules(own, JAPAN_Q) == own
    assert by_rules("And South Korea's?", None) == "And South Korea's?"  # nothing to lean on


def test_a_chain_of_follow_ups_keeps_the_topic() -> None:
    assert standalone_questions(
        ["What did Kishi say about North Korea?", "And Lee Jong-sup?", "When did he leave?"]
    ) == [
        "What did Kishi say about North Korea?",
        "What did Lee Jong-sup say about North Korea?",
        "When did Lee Jong-sup leave?",
    ]


HISTORY = [{"role": "user", "content": JAPAN_Q}, {"role": "assistant", "content": "Sources disagree: Nobuo Kishi [1]."}]


def test_the_llm_condenses_with_the_conversation_in_its_prompt() -> None:
    model = FakeModel().enqueue({"question": "Who is South Korea's defense minister according to the articles?"})
    question, usage = condense(model, HISTORY, "And South Korea's?", 64, 5.0)
    assert question == "Who is South Korea's defense minister according to the articles?"
    assert usage.calls == 1
    assert JAPAN_Q in model.prompts[0] and "And South Korea's?" in model.prompts[0]


@pytest.mark.parametrize(
    "reply",
    [
        "Who is China's defense minister?",  # names a country nobody mentioned
        "Who is the defense minister according to the articles?",  # drops the follow-up's South Korea
    ],
)
def test_an_llm_question_that_invents_or_drops_a_name_is_refused(reply: str) -> None:
    model = FakeModel().enqueue({"question": reply})
    assert condense(model, HISTORY, "And South Korea's?", 64, 5.0)[0] is None


def test_acceptable_allows_names_from_the_conversation() -> None:
    said = f"{JAPAN_Q}\nSources disagree: Nobuo Kishi [1].\nAnd his deputy?"
    assert acceptable("Who is Nobuo Kishi's deputy?", "And his deputy?", said)


def test_history_turns_without_content_do_not_break_condensing() -> None:
    """An API caller's history may hold a turn without content (it raised KeyError)."""
    model = FakeModel().enqueue({"question": "Who is South Korea's defense minister according to the articles?"})
    turns = [{"role": "user", "content": JAPAN_Q}, {"role": "assistant"}]
    assert condense(model, turns, "And South Korea's?", 64, 5.0)[0] is not None
