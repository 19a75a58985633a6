"""Shared fixtures: the real packaged embedder (loaded once), real Chroma stores in temp folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ChunkConfig, ingest_folder
from ingest.store import ArticleStore, connect

SEEDS = PROJECT_ROOT / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedding:
    return MiniLMEmbedding(threads=2)


def make_store(path: Path, collection: str = "test") -> ArticleStore:
    return ArticleStore(connect(path=str(path)), collection)


@pytest.fixture()
def store(tmp_path: Path) -> ArticleStore:
    return make_store(tmp_path / "store")


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns("README*"))
    return folder


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedding) -> ArticleStore:
    """The seeds ingested once per session; tests must not modify it."""
    store = make_store(tmp_path_factory.mktemp("seeded"), "seeds")
    report = ingest_folder(SEEDS, store, embedder, ChunkConfig(), progress=False)
    assert not report.failed, report.failed
    return store


@pytest.fixture(scope="session")
def seeded_service(seeded_store: ArticleStore, embedder: MiniLMEmbedding):
    """The answer service over the seeds, instant engine only (the reader's tests give it the real model)."""
    from app.engine.retrieve import HybridRetriever
    from app.service import Parallax

    def no_reader(name: str):
        raise AssertionError(f"this service has no reader (asked for {name})")

    return Parallax(seeded_store, HybridRetriever(seeded_store, embedder), no_reader)
