"""The incremental BM25 index: the same scores as bm25s over the store's passages, after any adds and removes."""

from __future__ import annotations

from pathlib import Path

import bm25s
import pytest
import Stemmer

from app.engine.keywords import KeywordIndex
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ingest_folder
from ingest.store import ArticleStore

TEXTS = {
    "a.txt": "The ministers met in Yokosuka on January 30.\n\nThey agreed to resume search and rescue drills.",
    "b.txt": "Suh Wook met Nobuo Kishi in Yokosuka.\n\nNorth Korea fired missiles into the sea.",
    "c.txt": "The harbour in Busan reopened after dredging.\n\nFerries resume on Tuesday, officials said.",
}


def write(folder: Path, texts: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        if old.name not in texts:
            old.unlink()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")


def bm25s_scores(store: ArticleStore, query: str) -> dict[str, float]:
    """What LlamaIndex's BM25Retriever (bm25s, rebuilt from scratch) scores over the same passages."""
    nodes = store.nodes()
    stemmer = Stemmer.Stemmer("english")
    model = bm25s.BM25()
    corpus = bm25s.tokenize([n.get_content() for n in nodes], stopwords="en", stemmer=stemmer, show_progress=False)
    model.index(corpus, show_progress=False)
    tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)[0]
    scores = model.get_scores(tokens)
    return {n.node_id: round(float(s), 4) for n, s in zip(nodes, scores, strict=True) if s > 0}


def ours(index: KeywordIndex, query: str) -> dict[str, float]:
    return {n.node.node_id: round(n.score, 4) for n in index.search(query, 50)}


@pytest.mark.parametrize("query", ["ministers met in Yokosuka", "resume ferries", "Korea missiles sea drills"])
def test_scores_match_bm25s_after_adds_changes_and_removes(
    query: str, tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    folder = tmp_path / "docs"
    write(folder, TEXTS)
    ingest_folder(folder, store, embedder, progress=False)
    index = KeywordIndex()
    assert index.sync(store) and not index.sync(store)  # nothing changed: nothing done
    assert ours(index, query) == bm25s_scores(store, query)

    texts = {**TEXTS, "d.txt": "Ministers from Japan and South Korea met again in Tokyo."}
    texts["b.txt"] = "Lee Jong-sup met Gen Nakatani in Seoul.\n\nNorth Korea fired missiles."
    del texts["c.txt"]
    write(folder, texts)
    ingest_folder(folder, store, embedder, progress=False)
    assert index.sync(store)
    assert ours(index, query) == bm25s_scores(store, query)
    assert len(index) == store.count()


def test_compaction_keeps_scores(tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding) -> None:
    folder = tmp_path / "docs"
    index = KeywordIndex()
    for round_ in range(4):  # every article changes every round: removed passages pile up, then are compacted
        write(folder, {f: t.replace("\n\n", f" Round {round_}.\n\n") for f, t in TEXTS.items()})
        ingest_folder(folder, store, embedder, progress=False)
        index.sync(store)
    assert len(index._nodes) < 4 * len(index)
    assert ours(index, "ministers Yokosuka round") == bm25s_scores(store, "ministers Yokosuka round")


def test_queries_without_known_words_find_nothing(
    tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    assert KeywordIndex().search("ministers") == []  # nothing indexed yet
    write(tmp_path / "docs", TEXTS)
    ingest_folder(tmp_path / "docs", store, embedder, progress=False)
    index = KeywordIndex()
    index.sync(store)
    assert index.search("the and of") == []  # stopwords only
    assert index.search("zzzz") == []


def test_the_change_log_names_what_each_write_touched(
    tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    folder = tmp_path / "docs"
    write(folder, TEXTS)
    ingest_folder(folder, store, embedder, progress=False)
    seq, _ = store.changed_since(None)
    assert store.changed_since(seq) == (seq, [])
    write(folder, {**TEXTS, "b.txt": "Changed text about the harbour in Busan."})
    ingest_folder(folder, store, embedder, progress=False)
    now, files = store.changed_since(seq)
    assert now > seq and files == ["b.txt"]
    assert store.changed_since(None)[1] is None  # an index that never synced reads everything
    store.remove_orphans()  # nothing to remove: no write, no change
    assert store.changed_since(now) == (now, [])
