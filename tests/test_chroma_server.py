"""Server mode against a real `chroma run` on 127.0.0.1."""

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.backends import open_store
from app.retrieve import HybridRetriever
from app.settings import Settings
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ingest_folder
from ingest.store import StoreUnavailable
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[int]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "the chroma CLI comes with the chromadb package"
    port = free_port()
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, "chroma run exited"
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start listening in 60 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_ingest_and_search_through_a_real_chroma_server(chroma_server: int, embedder: MiniLMEmbedding) -> None:
    settings = Settings(chroma_host="127.0.0.1", chroma_port=chroma_server, collection="server_test")
    store = open_store(settings)
    report = ingest_folder(SEEDS, store, embedder, progress=False)
    assert len(report.added) == 5 and store.count() == report.passages_embedded

    hits = HybridRetriever(store, embedder).search("Who attended the January 30 meeting in Yokosuka?", 5)
    assert {"000", "001"} <= {h.file[:3] for h in hits}
    assert ingest_folder(SEEDS, open_store(settings), embedder, progress=False).embedded_files == 0


def test_server_gone_is_a_clear_error() -> None:
    settings = Settings(chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreUnavailable, match=r"cannot reach Chroma server at 127\.0\.0\.1:\d+"):
        open_store(settings)
