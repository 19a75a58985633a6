"""Dates explain disagreements: claims carry their article's date and outlet, oldest first, and the note says when
the newer report may supersede the older."""

from dataclasses import replace

from app.answer import Claim, Conflict, Source
from app.engine.compose import said
from app.engine.timeline import sourced, with_dates


def source(n: int, file: str, published: str | None, outlet: str | None = None, title: str = "") -> Source:
    return Source(n, file, title, f"c{n}", 0, 10, "text", 1.0, outlet, published, (f"copy-of-{file}",))


def conflict(*claims: Claim) -> Conflict:
    return Conflict("minister", f"Sources disagree on the minister: {said(list(claims))}.", list(claims))


A = Claim(1, "new.txt", "Ahn Kyu-back", "q", 0, 5, 0, 3)
B = Claim(2, "old.txt", "Suh Wook", "q", 0, 5, 0, 3)
C = Claim(3, "undated.txt", "Lee Jong-sup", "q", 0, 5, 0, 3)


def test_dated_sides_are_ordered_and_the_note_says_the_newer_may_supersede() -> None:
    sources = [
        source(1, "new.txt", "2025-01-30", "Daily"),
        source(2, "old.txt", "2021-01-30", title="Ministers meet in Yokosuka"),
        source(3, "undated.txt", None),
    ]
    (dated,) = with_dates([conflict(A, B, C)], sources)
    assert [c.file for c in dated.claims] == ["old.txt", "new.txt", "undated.txt"]
    assert dated.claims[1].outlet == "Daily" and dated.claims[0].also_in == ("copy-of-old.txt",)
    assert dated.note == (
        "Sources disagree on the minister: \u201cMinisters meet in Yokosuka\u201d (2021-01-30) says Suh Wook [2]; "
        "Daily (2025-01-30) says Ahn Kyu-back [1]; undated.txt (undated) says Lee Jong-sup [3]. "
        "The reports are from different dates "
        "(2021-01-30 to 2025-01-30): the newer one may supersede the older."
    )
    assert with_dates([dated], sources) == [dated]  # applying it again changes nothing


def test_undated_sides_keep_the_plain_note() -> None:
    sources = [source(1, "new.txt", None), source(2, "old.txt", None)]
    (same,) = with_dates([conflict(A, B)], sources)
    assert same.note == "Sources disagree on the minister: new.txt says Ahn Kyu-back [1]; old.txt says Suh Wook [2]."
    one_date = with_dates([conflict(A, B)], [source(1, "new.txt", "2025-01-30"), source(2, "old.txt", None)])[0]
    assert "undated" in one_date.note and "supersede" not in one_date.note


def test_two_articles_with_one_headline_are_told_apart_by_file() -> None:
    sources = [
        source(1, "new.txt", None, title="Same wire headline"),
        source(2, "old.txt", None, title="Same wire headline"),
    ]
    (named,) = with_dates([conflict(A, B)], sources)
    assert named.note == (
        "Sources disagree on the minister: \u201cSame wire headline\u201d, new.txt says Ahn Kyu-back [1]; "
        "\u201cSame wire headline\u201d, old.txt says Suh Wook [2]."
    )


def test_a_yes_no_sides_verdict_comes_before_its_value_and_sources_name_it() -> None:
    """A yes/no question read as an open one: each source's yes or no, then the value it rests on."""
    sources = [source(1, "new.txt", None, "Daily"), source(2, "old.txt", None, title="Ministers meet")]
    claims = sourced([replace(A, verdict="yes"), replace(B, verdict="no")], sources)
    assert said(claims) == "Daily says yes (Ahn Kyu-back) [1]; \u201cMinisters meet\u201d says no (Suh Wook) [2]"
