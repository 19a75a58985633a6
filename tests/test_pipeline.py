"""Incremental ingest against a real embedded Chroma store and the real embedder."""

from pathlib import Path

import pytest

from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ChunkConfig, ingest_folder
from ingest.store import DONE, ArticleStore
from tests.conftest import SEED_FILES


def chunk_files(store: ArticleStore) -> dict[str, int]:
    counts: dict[str, int] = {}
    for meta in store.passages.get(include=["metadatas"])["metadatas"]:
        counts[meta["file"]] = counts.get(meta["file"], 0) + 1
    return counts


def test_first_run_embeds_everything_and_second_run_nothing(
    seeds_copy: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    first = ingest_folder(seeds_copy, store, embedder, progress=False)
    assert sorted(first.added) == SEED_FILES and not first.failed
    records = store.records()
    assert {r.state for r in records.values()} == {DONE}
    assert chunk_files(store) == {f: r.n_chunks for f, r in records.items()}
    assert store.count() == first.passages_embedded > len(SEED_FILES)

    second = ingest_folder(seeds_copy, store, embedder, progress=False)
    assert second.embedded_files == 0 and second.passages_embedded == 0
    assert sorted(second.unchanged) == SEED_FILES
    assert "0 articles embedded" in second.summary()


def test_changed_file_is_reembedded_and_removed_file_leaves(
    seeds_copy: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    ingest_folder(seeds_copy, store, embedder, progress=False)
    changed = seeds_copy / SEED_FILES[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new closing paragraph.\n", encoding="utf-8")
    (seeds_copy / SEED_FILES[2]).unlink()
    old_ids = set(store.passages.get(where={"file": SEED_FILES[1]})["ids"])

    report = ingest_folder(seeds_copy, store, embedder, progress=False)

    assert report.updated == [SEED_FILES[1]] and report.removed == [SEED_FILES[2]] and not report.added
    assert SEED_FILES[2] not in chunk_files(store) and SEED_FILES[2] not in store.records()
    new = store.passages.get(where={"file": SEED_FILES[1]}, include=["documents"])
    assert any("A new closing paragraph." in d for d in new["documents"])
    assert old_ids & set(new["ids"]), "unchanged leading passages keep their ids"
    assert store.article_text(SEED_FILES[1]).endswith("A new closing paragraph.")


def test_chunk_settings_change_reembeds(seeds_copy: Path, store: ArticleStore, embedder: MiniLMEmbedding) -> None:
    ingest_folder(seeds_copy, store, embedder, progress=False)
    report = ingest_folder(seeds_copy, store, embedder, ChunkConfig(chunk_tokens=120, chunk_overlap=10), False)
    assert sorted(report.updated) == SEED_FILES
    assert store.count() == sum(r.n_chunks for r in store.records().values())


def test_bad_files_get_messages_and_do_not_stop_the_rest(
    tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("Ministers met in Seoul on Monday to discuss radar incidents.", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "latin1.txt").write_bytes("Caf\u00e9 au lait in Tokyo.".encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "huge.txt").write_bytes(b"The ministers met. " * 60_000)  # 1.1 MB
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")

    report = ingest_folder(folder, store, embedder, ChunkConfig(max_file_bytes=1_000_000), progress=False)

    messages = dict(report.failed)
    assert sorted(report.added) == ["good.txt", "latin1.txt"]  # Latin-1 is decoded, not refused
    assert set(messages) == {"binary.txt", "empty.txt", "huge.txt", "photo.jpg"}
    assert "binary" in messages["binary.txt"]
    assert "empty" in messages["empty.txt"]
    assert "1.1 MB is over the 1.0 MB limit" in messages["huge.txt"]
    assert "unsupported file type '.jpg'" in messages["photo.jpg"]
    assert set(chunk_files(store)) == {"good.txt", "latin1.txt"}
    assert store.article_text("latin1.txt") == "Caf\u00e9 au lait in Tokyo."


def test_empty_folder_is_a_clean_no_op(tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding) -> None:
    (tmp_path / "none").mkdir()
    report = ingest_folder(tmp_path / "none", store, embedder, progress=False)
    assert (report.added, report.failed, store.count()) == ([], [], 0)


def test_file_turned_bad_keeps_its_earlier_version(
    seeds_copy: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    ingest_folder(seeds_copy, store, embedder, progress=False)
    before = chunk_files(store)[SEED_FILES[0]]
    (seeds_copy / SEED_FILES[0]).write_bytes(b"\xff\xfe broken \x00 bytes")

    report = ingest_folder(seeds_copy, store, embedder, progress=False)

    assert "kept the version ingested before" in dict(report.failed)[SEED_FILES[0]]
    assert chunk_files(store)[SEED_FILES[0]] == before
    assert report.removed == []


def test_generation_changes_with_every_write_and_only_then(
    seeds_copy: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    ingest_folder(seeds_copy, store, embedder, progress=False)
    first = store.generation()
    assert first and store.generation() == first
    ingest_folder(seeds_copy, store, embedder, progress=False)
    assert store.generation() == first, "an ingest that changes nothing keeps the caches"
    (seeds_copy / SEED_FILES[3]).unlink()
    ingest_folder(seeds_copy, store, embedder, progress=False)
    assert store.generation() != first


def test_reads_page_through_big_collections(
    seeds_copy: Path, store: ArticleStore, embedder: MiniLMEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.store

    ingest_folder(seeds_copy, store, embedder, progress=False)
    everything = (len(store.records()), len(store.nodes()))
    monkeypatch.setattr(ingest.store, "READ_PAGE", 4)  # many pages, one of them partial
    assert (len(store.records()), len(store.nodes())) == everything == (5, store.count())
    assert len({n.node_id for n in store.nodes()}) == store.count()
