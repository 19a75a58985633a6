"""A run killed with SIGKILL half way leaves a store that the next run repairs: no duplicates, no orphans."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ingest_folder
from ingest.store import DONE, PENDING
from tests.conftest import SEED_FILES, make_store

# Runs ingest in a child process and SIGKILLs it from inside the store's write path, so the kill lands at an
# exact point: after half the passages of the KILL_AT-th group are written, before its records are marked done.
DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import ingest.pipeline
    from ingest.embed import MiniLMEmbedding
    from ingest.pipeline import ingest_folder
    from ingest.store import ArticleStore, connect
    from llama_index.vector_stores.chroma import ChromaVectorStore

    folder, store_path, kill_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = ArticleStore(connect(path=store_path), "test")
    real_add = ChromaVectorStore.add
    calls = 0

    def add_then_die(self, nodes, **kw):
        global calls
        calls += 1
        if calls == kill_at:
            real_add(self, nodes[: len(nodes) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return real_add(self, nodes, **kw)

    ChromaVectorStore.add = add_then_die
    ingest.pipeline.GROUP_PASSAGES = 8  # several groups, so the kill can land after some are done
    ingest_folder(folder, store, MiniLMEmbedding(), progress=False)
    """
)


def run_killed(folder: Path, store_path: Path, kill_at: int) -> None:
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(folder), str(store_path), str(kill_at)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]


def assert_consistent(store_path: Path) -> None:
    store = make_store(store_path)
    got = store.passages.get(include=["metadatas"])
    records = store.records()
    assert len(got["ids"]) == len(set(got["ids"]))
    assert {r.state for r in records.values()} == {DONE}
    per_file: dict[str, int] = {}
    for meta in got["metadatas"]:
        per_file[meta["file"]] = per_file.get(meta["file"], 0) + 1
    assert per_file == {f: r.n_chunks for f, r in records.items()}


@pytest.mark.parametrize("kill_at", [1, 3])
def test_sigkill_mid_ingest_is_repaired_by_next_run(
    kill_at: int, seeds_copy: Path, tmp_path: Path, embedder: MiniLMEmbedding
) -> None:
    store_path = tmp_path / "store"
    run_killed(seeds_copy, store_path, kill_at)

    half = make_store(store_path)
    pending = [f for f, r in half.records().items() if r.state == PENDING]
    assert pending, "the articles being written when the kill came are left pending"
    assert half.count() < sum(r.n_chunks for r in half.records().values()), "the kill left passages missing"

    report = ingest_folder(seeds_copy, half, embedder, progress=False)

    assert set(pending) <= set(report.updated)
    assert_consistent(store_path)
    assert sorted(half.records()) == SEED_FILES


def test_sigkill_then_file_removed_leaves_no_orphans(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    store_path = tmp_path / "store"
    run_killed(seeds_copy, store_path, 2)
    store = make_store(store_path)
    pending = next(f for f, r in store.records().items() if r.state == PENDING)
    (seeds_copy / pending).unlink()

    report = ingest_folder(seeds_copy, store, embedder, progress=False)

    assert pending in report.removed
    assert_consistent(store_path)
    assert pending not in {m["file"] for m in store.passages.get(include=["metadatas"])["metadatas"]}
