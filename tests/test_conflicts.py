"""Conflict detection on hand-made passages: disagreements found, complementary facts and other events not."""

from app.answer import Source
from app.engine.conflicts import detect_conflicts
from app.engine.evidence import score_evidence
from app.engine.question import analyse_question


def src(n: int, file: str, text: str) -> Source:
    return Source(n, file, file, f"c{n}", 0, len(text), text, 1.0)


def conflicts_for(question: str, sources: list[Source], articles: dict[str, str] | None = None):
    info = analyse_question(question)
    texts = articles or {s.file: s.text for s in sources}
    return detect_conflicts(info, score_evidence(info, sources), texts.get)


MEETING_A = src(1, "a.txt", "On March 3 in Busan, Trade Minister Kim Ji-ho met the Japanese trade minister Taro Sato.")
MEETING_B = src(2, "b.txt", "Trade Minister Park Min-su met Taro Sato in Busan on March 3 to discuss tariffs.")


def test_different_people_in_the_same_role_conflict() -> None:
    [conflict] = conflicts_for("Which trade minister met Taro Sato in Busan on March 3?", [MEETING_A, MEETING_B])
    assert {c.file: c.value for c in conflict.claims} == {"a.txt": "Kim Ji-ho", "b.txt": "Park Min-su"}
    assert conflict.note.startswith("Sources disagree on the trade minister")
    claim = conflict.claims[0]
    assert MEETING_A.text[claim.value_start : claim.value_end] == "Kim Ji-ho"


def test_same_person_named_differently_is_no_conflict() -> None:
    c = src(3, "c.txt", "In Busan on March 3, Trade Minister Kim met the Japanese trade minister Taro Sato.")
    assert conflicts_for("Which trade minister met Taro Sato in Busan on March 3?", [MEETING_A, c]) == []


def test_a_different_event_is_not_a_conflict() -> None:
    other = src(3, "c.txt", "Trade Minister Lee Han-gyeol met Taro Sato in Osaka in October to discuss tariffs.")
    assert conflicts_for("Which trade minister met Taro Sato in Busan on March 3?", [MEETING_A, other]) == []


def test_different_amounts_conflict_and_equal_ones_do_not() -> None:
    a = src(1, "a.txt", "The city will spend $4.2 billion on the new port in 2025.")
    b = src(2, "b.txt", "In 2025 the city will spend $3.9 billion on the new port.")
    c = src(3, "c.txt", "The new port will cost the city $4.2 billion in 2025, officials said.")
    question = "How much will the city spend on the new port in 2025?"
    [conflict] = conflicts_for(question, [a, b, c])
    assert sorted(x.value for x in conflict.claims) == ["$3.9 billion", "$4.2 billion", "$4.2 billion"]
    assert conflicts_for(question, [a, c]) == []


def test_phrase_answers_are_never_compared() -> None:
    a = src(1, "a.txt", "The ministers agreed to resume joint search and rescue drills.")
    b = src(2, "b.txt", "The ministers agreed to hold joint missile defence exercises.")
    assert conflicts_for("What kind of exercises did the ministers agree to hold?", [a, b]) == []


def test_one_source_alone_cannot_disagree() -> None:
    assert conflicts_for("Which trade minister met Taro Sato in Busan on March 3?", [MEETING_A]) == []
