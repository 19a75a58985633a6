"""The rule support check, calibrated on planted cases (see docs/decisions.md)."""

import pytest

from app.answer import Source
from app.engine.citations import check_answer, check_sentence, key_values, split_answer

PASSAGE = Source(
    n=1, file="001_a.txt", title="t", chunk_id="c1", start=100, end=100 + 226, score=1.0,
    text="On January 30, the Defense Minister of Japan and the Defense Minister of South Korea held a meeting in "
    "Yokosuka, Japan. They agreed to resume joint maritime search and rescue exercises. The last joint exercises "
    "were in 2017.",
)  # fmt: skip
OTHER = Source(
    2, "003_b.txt", "t", "c2", 0, 86, "South Korea plans to spend U$43.8 billion on defense in fiscal 2023.", 0.5
)


def test_split_keeps_markers_with_their_sentence() -> None:
    assert split_answer("They met in Yokosuka. [1] The U.S. Navy has a base there [2][1].") == [
        ("They met in Yokosuka. [1]", [1]),
        ("The U.S. Navy has a base there [2][1].", [2, 1]),
    ]
    assert split_answer("A says X [2]; B says Y [1].") == [("A says X [2]; B says Y [1].", [2, 1])]


def test_key_values_are_names_numbers_dates() -> None:
    assert key_values("Sources disagree: Suh Wook met on January 30th in the U.S.") == [
        "Suh", "Wook", "January", "30th", "U.S.",
    ]  # fmt: skip
    assert key_values("Under then-President Moon Jae-in") == ["Moon", "Jae-in"]


@pytest.mark.parametrize(
    ("sentence", "cited", "supported", "why"),
    [
        ("The ministers met in Yokosuka on January 30 [1].", [PASSAGE], True, None),
        ("They agreed to resume joint maritime search and rescue exercises [1].", [PASSAGE], True, None),
        ("The last joint exercises were held in 2017 [1].", [PASSAGE], True, None),
        # planted: a made-up number
        ("Yokosuka has a population of 1.1 million [1].", [PASSAGE], False, "'1.1'"),
        # planted: a made-up amount, close to a real one
        ("South Korea plans to spend U$45.8 billion on defense [2].", [OTHER], False, "45.8' does not appear"),
        # planted: a wrong citation (the fact is in [2], not in [1])
        ("South Korea plans to spend U$43.8 billion on defense [1].", [PASSAGE], False, "43.8' does not appear"),
        # planted: a name the passage does not have
        ("Defense Minister Ahn Kyu-back attended the meeting [1].", [PASSAGE], False, "'Ahn'"),
        # planted: a relation error; every word is in [2], but South Korea spends the 43.8 billion
        (
            "North Korea plans to spend U$43.8 billion [2].",
            [
                Source(
                    2,
                    "003_b.txt",
                    "t",
                    "c2",
                    0,
                    140,
                    "South Korea plans to spend U$43.8 billion on defense in fiscal 2023. The figure rose again. "
                    "Seoul agreed. North Korea held a parade.",
                    0.5,
                )
            ],
            False,
            "not stated together",
        ),
        (
            "Under then-President Moon Jae-in, South Korea notified Tokyo [1].",
            [
                Source(
                    1,
                    "x",
                    "t",
                    "c",
                    0,
                    80,
                    "South Korea, under then-President Moon Jae-in, notified Tokyo that it would not renew the pact.",
                    1,
                )
            ],
            True,
            None,
        ),
        # British and American spellings are the same word, hyphenated or not
        (
            "The talks covered the Japanese Self-Defense Forces [1].",
            [Source(1, "x", "t", "c", 0, 60, "The talks covered the Japanese Self-Defence Forces and drills.", 1)],
            True,
            None,
        ),
        # planted: right names, unrelated claim
        (
            "Japan and South Korea signed a trade treaty banning tariffs on semiconductors [1].",
            [PASSAGE],
            False,
            "of its words",
        ),
        ("Nothing cites anything here.", [], False, "no citation"),
    ],
)
def test_check_sentence(sentence: str, cited: list[Source], supported: bool, why: str | None) -> None:
    result = check_sentence(sentence, cited)
    assert result.supported is supported
    if why:
        assert why in result.reason


def test_check_answer_flags_unknown_source_numbers_and_spans_the_right_sentence() -> None:
    sentences, citations = check_answer(
        "They agreed to resume joint maritime search and rescue exercises [1]. It was sunny [7].", [PASSAGE, OTHER]
    )
    assert [s.supported for s in sentences] == [True, False]
    assert "not one of the 2 sources" in sentences[1].reason
    [cite] = citations
    assert cite.quote == "They agreed to resume joint maritime search and rescue exercises."
    assert PASSAGE.text[cite.start - PASSAGE.start : cite.end - PASSAGE.start] == cite.quote


def test_source_names_and_dates_in_a_disagreement_are_no_claims() -> None:
    """ "Reuters (2023-01-30) says X [1]" names the source; only X must be in the passage (a regression: the
    article's date and outlet were checked as claims and the disagreement sentence was removed)."""
    dated = Source(1, "001_a.txt", "Ministers meet", "c1", 100, 326, PASSAGE.text, 1.0, "Reuters", "2023-01-30")
    headline = Source(2, "003_b.txt", "Seoul budget grows", "c2", 0, 86, OTHER.text, 0.5)
    sentence = (
        f"Sources disagree: Reuters (2023-01-30) says Yokosuka [1]; {headline.name} (undated) says U$43.8 billion [2]."
    )
    assert check_sentence(sentence, [dated, headline]).supported
    assert not check_sentence("Reuters (2023-01-30) says Seoul [1].", [dated]).supported


def test_a_disagreement_over_a_yes_no_question_is_kept() -> None:
    """Was: "Sources disagree: A says yes [1]; B says no [2]." was removed from the reader's answer (no passage
    says "yes"), so a yes/no disagreement showed in the panel but not in the answer text."""
    headline = Source(2, "003_b.txt", "Seoul budget grows", "c2", 0, 86, OTHER.text, 0.5)
    sentence = f"Sources disagree: 001_a.txt says yes [1]; {headline.name} says no [2]."
    assert check_sentence(sentence, [PASSAGE, headline]).supported
    assert not check_sentence("001_a.txt says yes, in Seoul [1].", [PASSAGE]).supported


def test_each_sides_yes_or_no_with_its_value_is_checked_by_the_value() -> None:
    """A yes/no question read as an open one: "A says yes (Yokosuka) [1]" keeps its yes, and its value must still
    be in the passage."""
    headline = Source(2, "003_b.txt", "Seoul budget grows", "c2", 0, 86, OTHER.text, 0.5)
    sentence = f"Sources disagree: 001_a.txt says yes (Yokosuka) [1]; {headline.name} says no (U$43.8 billion) [2]."
    assert check_sentence(sentence, [PASSAGE, headline]).supported
    assert not check_sentence("001_a.txt says yes (Seoul) [1].", [PASSAGE]).supported


@pytest.mark.parametrize("name", ["T-7", "F-35", "COVID-19"])
def test_a_passage_sentence_naming_a_lettered_model_is_its_own_support(name: str) -> None:
    """Was: "T-7" was read as the name "T-" (no such word in the passage), so the reader's verbatim sentence
    "The first production T-7 was rolled out on 28 April 2022." was removed and the answer said nothing."""
    text = f"The first production {name} was rolled out on 28 April 2022."
    src = Source(1, "a.txt", "t", "c1", 0, len(text), text, 1.0)
    assert name in key_values(text)
    assert check_sentence(f"{text} [1]", [src]).supported


def test_a_named_source_cites_the_sentence_with_the_value_not_its_headline() -> None:
    """The headline names the source in "“Headline” says X [1]"; the highlighted span must be X's sentence."""
    text = "Ministers meet in Yokosuka\n\nThe ministers met in Yokosuka on January 30. Suh Wook attended for Seoul."
    src = Source(1, "a.txt", "Ministers meet in Yokosuka", "c1", 0, len(text), text, 1.0)
    _, citations = check_answer(f"Sources disagree: {src.name} says Suh Wook [1].", [src])
    assert [c.quote for c in citations] == ["Suh Wook attended for Seoul."]


def test_a_headline_naming_a_source_is_not_cut_into_two_sentences() -> None:
    """Was: the parser cut "“Japan-South Korea Defense Talks: Boosting Security Amid North…” says Ahn Kyu-back
    [3]" after "Talks:"; neither half passed the check, and the seeds' disagreement over which minister met in
    Yokosuka vanished from the answer (it stayed in the panel). A quotation is now never cut."""
    texts = [
        "South Korean Defense Minister Suh Wook met Nobuo Kishi in Yokosuka.",
        "Nakatani met South Korean Defence Minister Lee Jong-sup in Seoul.",
        "Defense Minister Ahn Kyu-back met his Japanese counterpart in Yokosuka.",
    ]
    titles = [
        "t",
        "During a historic visit, Japan\u2019s Defence Minister Gen Nakatani meets his counterpart",
        "Japan-South Korea Defense Talks: Boosting Security Amid North Korea Threats",
    ]
    outlets = ["Reuters and Yonhap News Agency", None, None]
    sources = [Source(n, f"{n}.txt", title, f"c{n}", 0, len(text), text, 1.0, outlet)
               for n, (text, title, outlet) in enumerate(zip(texts, titles, outlets, strict=True), 1)]  # fmt: skip
    values = ["Suh Wook", "Lee Jong-sup", "Ahn Kyu-back"]
    said = "; ".join(f"{s.name} says {value} [{s.n}]" for s, value in zip(sources, values, strict=True))
    sentences, _ = check_answer(f"Sources disagree: {said}. Suh Wook met Nobuo Kishi. [1]", sources)
    assert [(s.citations, s.supported) for s in sentences] == [([1, 2, 3], True), ([1], True)]
    assert split_answer("He said \u201cWe will go. They will come.\u201d [1] Next. [2]") == [
        ("He said \u201cWe will go. They will come.\u201d [1]", [1]),
        ("Next. [2]", [2]),
    ]
