"""Server mode against a real `chroma run` on 127.0.0.1."""

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.backends import open_store
from app.engine.retrieve import HybridRetriever
from app.settings import Settings
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ingest_folder
from ingest.store import StoreUnavailable
from tests.conftest import SEEDS
from tests.servers import free_port, port_open, running

pytestmark = pytest.mark.slow


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[int]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "the chroma CLI comes with the chromadb package"
    port = free_port()
    cmd = [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)]
    with running(cmd, port_open(port), 60):
        yield port


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
