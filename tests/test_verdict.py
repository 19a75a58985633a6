"""A side's yes or no to a yes/no question read as an open one: the supposed value, a value contradicting it, and
a bound the question sets ("more than 115 years", "before February 2025")."""

from __future__ import annotations

import pytest

from app.answer import Reading
from app.engine.question import analyse_question
from app.reader.reframe import Reframed
from app.reader.verdict import verdicts


def _group(answer: str) -> list[Reading]:
    return [Reading(1, "a.txt", True, answer, answer, 0, len(answer), True, "answered")]


def _labels(
    question: str, supposed: str | tuple[str, ...], answers: list[str], relations: dict | None = None
) -> list[str | None]:
    supposed = (supposed,) if isinstance(supposed, str) else supposed
    reframed = Reframed(analyse_question("How many?"), supposed, question)
    got = verdicts([_group(a) for a in answers], relations or {}, reframed)
    return [got.get(i) for i in range(len(answers))]


@pytest.mark.parametrize(
    ("question", "supposed", "answers", "labels"),
    [
        ("Did Ada Byron die in 1852?", "1852", ["27 November 1852", "1850", "London"], ["yes", "no", None]),
        (
            "Did the dynasty rule for more than 115 years?",
            "more than 115 years",
            ["138 years", "115 years", "52 years", "from 799 to 684 BC"],
            ["yes", "no", "no", None],  # two numbers: which one counts is not for a rule to say
        ),
        ("Has the band released more than one live album?", "more than one", ["two live albums", "1"], ["yes", "no"]),
        (
            "Did the album sell more than three million units?",
            "more than three million",
            ["over five million units", "2.5 million"],
            ["yes", "no"],
        ),
        (
            "Was the race longer than 615 km (382 mi)?",
            "615 km",
            ["630 km", "600 km (373 mi)", "400 miles"],  # the aside is no second number; miles are no km
            ["yes", "no", None],
        ),
        ("Was the jet rolled out before February 2025?", "February 2025", ["28 April 2022", "2025"], ["yes", None]),
        ("Was the quarters built before 1920?", "1920", ["1920", "1918", "1925"], ["no", "yes", "no"]),
        ("Are many members over the age of 20?", "20", ["25%", "30"], [None, "yes"]),  # a share is no age
        # Was "no (2 kg)": the aside's "4.4 lb" was taken for a second value the answer had to state
        ("Does the parcel weigh 2 kg (4.4 lb)?", ("2 kg", "4.4 lb"), ["2 kg", "3 kg"], ["yes", "no"]),
        ("Was the memoir (about Ada Byron) published in 1971?", ("Ada Byron", "1971"), ["1971"], ["yes"]),
        # A word that only makes the number approximate is no bound; one before a bound does not hide it.
        ("Did the dynasty rule for about 115 years?", "115 years", ["115 years", "138 years"], ["yes", "no"]),
        ("Has the band played since more than 5 years?", "more than 5 years", ["7 years", "3 years"], ["yes", "no"]),
    ],
)
def test_a_value_says_yes_or_no_where_rules_can_tell(
    question: str, supposed: str | tuple[str, ...], answers: list[str], labels: list[str | None]
) -> None:
    assert _labels(question, supposed, answers) == labels


def test_a_value_contradicting_a_yes_is_a_no_and_no_question_read_as_asked_gets_any() -> None:
    question = "Did Hans Ebert die in Munich?"
    assert _labels(question, "Munich", ["Munich", "Bremen"], {(0, 1): "contradict"}) == ["yes", "no"]
    assert _labels(question, "Munich", ["Munich", "Bremen"], {(0, 1): "compatible"}) == ["yes", None]
    assert verdicts([_group("Munich")], {}, None) == {}
