"""The disagreement scan's cheap filters and bookkeeping (no LLM; a fake model only where the prompt is the
point). The packaged model's run over the seeds is in tests/test_reader_model.py."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.reader.models import ReplyFailed
from app.scan.candidates import candidates
from app.scan.job import scan
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ingest_folder
from ingest.store import ArticleStore
from tests.conftest import SEEDS
from tests.fakes import FakeModel

HARBOUR = (
    "Harbour talks resume\n\nThe harbour authority met the unions on Monday in Port Vale. "
    "Port Director {who} told reporters the port handled {boxes} containers last year. "
    "The talks covered wages, shifts and the new crane contract."
)
QUAY = (
    "Unions and port agree on shifts\n\nAfter a week of strikes, dock workers returned to the quays of Port Vale. "
    "Port Director {who} said the port handled {boxes} containers last year, a record. "
    "Fishing boats were allowed back into the inner basin on Friday, and the ferry to the islands resumed."
)


def write(folder: Path, name: str, story: str, who: str, boxes: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(story.format(who=who, boxes=boxes), encoding="utf-8")


def test_candidates_pair_values_of_the_same_thing_from_different_stories() -> None:
    a = HARBOUR.format(who="Ana Silva", boxes="40,000")
    b = HARBOUR.format(who="Rui Costa", boxes="52,000").replace("Monday", "Tuesday")
    found = candidates({"a.txt": ("a.txt", a), "b.txt": ("b.txt", b), "copy.txt": ("a.txt", a + " Extra.")})
    pairs = {(c.family, c.first_value.text, c.second_value.text) for c in found}
    assert ("person", "Ana Silva", "Rui Costa") in pairs
    assert ("amount", "40,000", "52,000") in pairs
    assert all({c.first.file, c.second.file} != {"a.txt", "copy.txt"} for c in found)  # one story, one witness
    person = next(c for c in found if c.family == "person")
    assert person.topic == "Port Director"


def test_values_of_different_roles_are_not_paired() -> None:
    a = "Defense ministers met in Yokosuka on Monday. South Korean Defense Minister Ahn Kyu-back arrived first."
    b = "Defense ministers met in Yokosuka on Monday. Japanese Defense Minister Gen Nakatani arrived first."
    assert [c for c in candidates({"a": ("a", a), "b": ("b", b)}) if c.family == "person"] == []


def test_a_sentence_that_points_back_holds_the_previous_sentences_date() -> None:
    a = "The ministers met in Tokyo, the first visit by a South Korean defense minister in roughly 18 months."
    b = "Talks stopped after a radar incident in 2018. South Korean defense ministers have not met since then."
    (found,) = [c for c in candidates({"a": ("a", a), "b": ("b", b)}) if c.family == "time"]
    side = found.second if found.second.file == "b" else found.first
    value = found.second_value if side is found.second else found.first_value
    assert value.text == "2018" and b[value.start : value.end] == "since then"
    assert side.text.startswith("Talks stopped") and side.text.endswith("since then.")


def test_scan_keeps_verdicts_and_judges_only_what_changed(
    tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    folder = tmp_path / "articles"
    write(folder, "a.txt", HARBOUR, "Ana Silva", "40,000")
    write(folder, "b.txt", QUAY, "Rui Costa", "52,000")
    ingest_folder(folder, store, embedder, progress=False)
    model = FakeModel().enqueue({"conflict": True})
    first = scan(store, model)
    assert (first.sent, first.reused, first.undecided) == (1, 0, 0)  # the amounts by rule, the names by the LLM
    assert "Who is the Port Director?" in model.prompts[0]
    slots = sorted(f.conflict.slot for f in first.findings)
    assert slots == ["Port Director", "port handled (amount)"], slots
    assert all(len(f.conflict.claims) == 2 for f in first.findings)
    again = scan(store, FakeModel())  # nothing queued: any LLM call would fail the test
    assert (again.sent, again.reused) == (0, 2) and len(again.findings) == 2
    write(folder, "b.txt", QUAY, "Rui Costa", "40,000")  # b now agrees on the amount
    ingest_folder(folder, store, embedder, progress=False)
    changed = scan(store, FakeModel().enqueue({"conflict": True}))
    assert changed.sent == 1 and [f.topic for f in changed.findings] == ["Port Director"]
    assert len(store.scan_verdicts()) == 1  # the old pairs' verdicts are gone


def test_without_an_llm_only_the_rules_decide(tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    ingest_folder(folder, store, embedder, progress=False)
    report = scan(store, None)
    assert report.sent == 0 and report.undecided >= 3  # the ministers wait for an LLM
    (finding,) = report.findings
    assert {c.value for c in finding.conflict.claims} == {"roughly 18 months", "2018"}
    assert {c.file[:3] for c in finding.conflict.claims} == {"000", "003"}
    assert "18 months or 2018" in finding.question


def test_a_server_llm_judges_pairs_concurrently_and_a_failed_call_waits(
    tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    ingest_folder(folder, store, embedder, progress=False)
    model = FakeModel(concurrency=4, by_source={"Question:": '{"conflict": true}'})
    report = scan(store, model)
    assert report.sent == len(model.prompts) >= 3 and report.undecided == 0
    assert any({"Ahn Kyu-back", "Suh Wook"} <= {c.value for c in f.conflict.claims} for f in report.findings)
    store.drop_scan_verdicts(list(store.scan_verdicts()))
    down = scan(store, FakeModel(fail=ReplyFailed("down", "connection refused")))
    assert down.undecided == down.sent >= 3  # counted, not stored: the next scan asks again
    assert len(store.scan_verdicts()) == down.considered - down.undecided


def test_a_past_holder_of_a_role_is_no_rival_value() -> None:
    """ "then-President Moon Jae-in" against "President Yoon Suk Yeol": a former holder, not a disagreement (the
    scan paired them, and a former adviser with the president)."""
    a = "South Korean President Yoon Suk Yeol met Japanese leaders in Tokyo on Monday to discuss export controls."
    b = "Under then-South Korean President Moon Jae-in, Seoul and Tokyo discussed export controls in Tokyo."
    assert [c for c in candidates({"a": ("a", a), "b": ("b", b)}) if c.family == "person"] == []
