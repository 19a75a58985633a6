"""Who does it: a sentence where someone else acts does not answer the question (app/reader/actors.py)."""

from __future__ import annotations

import pytest

from app.reader.actors import other_actor
from tests.test_reader_units import read_alone


@pytest.mark.parametrize(
    ("question", "sentence", "actors"),
    [
        # Another person does it; another agent of a passive verb (made-up texts of SQuAD 2.0's shapes).
        (
            "When Hartley abolished the entrance exam, what was introduced instead?",
            "Margaret O. Byrne, rector 1901-1920, abolished the entrance exam while introducing interviews.",
            ("Hartley", "Byrne"),
        ),
        (
            "What were drawn up by several engineers?",
            "Long before the first bridge was built, detailed plans were drawn up by several surveyors.",
            ("engineers", "surveyors"),
        ),
        # The same actor, a misspelling of it, or a pronoun: the sentence may answer.
        (
            "When Byrne abolished the exam, what was introduced?",
            "Byrne abolished the exam and introduced interviews.",
            None,
        ),
        ("What did Byrnne abolish?", "Byrne abolished the exam.", None),
        ("What did Byrne abolish?", "She abolished the exam.", None),
        # Another verb, or the actor is what is asked for.
        ("What did Hartley abolish?", "Byrne kept the exam.", None),
        ("Who abolished the exam?", "Byrne abolished the exam.", None),
        # A name where the question has a common noun may be the same one, named ("the company" / "Acme").
        ("What did the company announce?", "Acme announced a merger.", None),
        # A place is no person.
        ("Where did Ndiaye die?", "Died 1860 Dagana, in the kingdom.", None),
    ],
)
def test_another_actor(question: str, sentence: str, actors: tuple[str, str] | None) -> None:
    assert other_actor(question, sentence) == actors


def test_a_reading_whose_sentence_has_another_actor_answers_nothing() -> None:
    text = "Margaret O. Byrne, rector 1901-1920, abolished the entrance exam while introducing interviews."
    other = read_alone(text, "When Hartley abolished the entrance exam, what was introduced instead?", "interviews")
    assert (other.answers, other.status) == (False, "no answer (its sentence says Byrne does it, not Hartley)")
    same = read_alone(text, "When Byrne abolished the entrance exam, what was introduced instead?", "interviews")
    assert (same.answers, same.status) == (True, "answered")
    # A yes/no question's premise may be what the sentence denies: left to the yes/no rules.
    asked = read_alone(text, "Did Hartley abolish the entrance exam?", "no")
    assert asked.status != other.status
