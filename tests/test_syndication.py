"""Syndicated copies: grouped at ingest, one witness in answers and conflicts, groups kept up to date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.engine.retrieve import HybridRetriever
from app.service import Parallax
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ingest_folder
from ingest.store import ArticleStore
from tests.conftest import SEED_FILES, SEEDS, make_store

YOKOSUKA = "Which South Korean defense minister attended the January 30 meeting in Yokosuka?"
EXERCISES = "What kind of joint exercises did the ministers agree to resume?"


def edited_copy(text: str) -> str:
    """What a republishing outlet does: a new headline, a few words changed, its own footer."""
    edited = text.replace("agreed to", "decided to", 1).replace("strengthening", "reinforcing", 1)
    edited = edited.replace("both Japan and South Korea", "Japan and South Korea both", 1)
    return "Defence chiefs of Japan and South Korea meet\n\n" + edited + "\n\nRepublished with permission.\n"


@pytest.fixture()
def library(tmp_path: Path, embedder: MiniLMEmbedding) -> tuple[Path, ArticleStore, Parallax]:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    shutil.copy(folder / SEED_FILES[0], folder / "syndicated_000_copy.txt")
    (folder / "syndicated_001_edit.txt").write_text(
        edited_copy((folder / SEED_FILES[1]).read_text(encoding="utf-8")), encoding="utf-8"
    )
    store = make_store(tmp_path / "store")
    report = ingest_folder(folder, store, embedder, progress=False)
    assert report.groups == [
        [SEED_FILES[0], "syndicated_000_copy.txt"],
        [SEED_FILES[1], "syndicated_001_edit.txt"],
    ]
    assert "2 syndicated group(s)" in report.summary()
    return folder, store, Parallax(store, HybridRetriever(store, embedder), lambda name: None)


def test_conflict_has_one_side_per_story_each_listing_its_copy(library) -> None:
    _, _, service = library
    answer = service.instant(YOKOSUKA)
    (conflict,) = answer.conflicts
    groups = {SEED_FILES[0][:3]: {SEED_FILES[0], "syndicated_000_copy.txt"},
              SEED_FILES[1][:3]: {SEED_FILES[1], "syndicated_001_edit.txt"}}  # fmt: skip
    sides = sorted(conflict.claims, key=lambda c: c.value)
    assert [c.value for c in sides] == ["Ahn Kyu-back", "Suh Wook"]
    for claim, members in zip(sides, groups.values(), strict=True):
        assert {claim.file, *claim.also_in} == members
    # No two sources of the answer come from one story.
    files = [s.file for s in answer.sources]
    for members in groups.values():
        assert len({f for f in files if f in members}) == 1


def test_six_sources_come_from_at_least_four_articles(library) -> None:
    _, _, service = library
    sources = service.instant(EXERCISES).sources
    assert len(sources) == 6
    assert len({s.file for s in sources}) >= 4


def test_groups_follow_removed_and_changed_copies(library, embedder: MiniLMEmbedding) -> None:
    folder, store, service = library
    (folder / "syndicated_000_copy.txt").unlink()
    (folder / "syndicated_001_edit.txt").write_text("A different story about fishing quotas in Norway. " * 20)
    report = ingest_folder(folder, store, embedder, progress=False)
    assert report.groups == []
    assert {r.group for r in store.articles().values()} == set(store.articles())
    answer = service.instant(YOKOSUKA)
    assert all(not s.also_in for s in answer.sources)


def test_an_edited_copy_that_changes_a_fact_is_its_own_claim(tmp_path: Path, embedder: MiniLMEmbedding) -> None:
    """A copy whose edit changes the minister's name is the same story, but its claim is not the original's."""
    folder = tmp_path / "articles"
    folder.mkdir()
    original = (SEEDS / SEED_FILES[1]).read_text(encoding="utf-8")
    (folder / "original.txt").write_text(original, encoding="utf-8")
    (folder / "altered.txt").write_text(original.replace("Suh Wook", "Jeong Kyeong-doo"), encoding="utf-8")
    store = make_store(tmp_path / "store")
    assert ingest_folder(folder, store, embedder, progress=False).groups == [["altered.txt", "original.txt"]]
    answer = Parallax(store, HybridRetriever(store, embedder), lambda name: None).instant(YOKOSUKA)
    assert {s.file for s in answer.sources} == {"original.txt", "altered.txt"}
    assert answer.conflicts and {c.value for c in answer.conflicts[0].claims} == {"Suh Wook", "Jeong Kyeong-doo"}
