"""The one place that picks concrete components (embedder, store) from settings; the rest receives them."""

from __future__ import annotations

from functools import lru_cache

from app.settings import Settings
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ChunkConfig
from ingest.store import ArticleStore, connect


@lru_cache(maxsize=4)
def _embedder(threads: int, batch: int) -> MiniLMEmbedding:
    return MiniLMEmbedding(threads=threads, model_batch=batch)


def make_embedder(settings: Settings) -> MiniLMEmbedding:
    """The packaged embedding model, loaded once per process (loading costs ~0.4 s)."""
    return _embedder(settings.embed_threads, settings.embed_batch)


def open_store(settings: Settings) -> ArticleStore:
    """The embedded store at settings.store_path, or the Chroma server when chroma_host is set."""
    client = connect(path=str(settings.store_path), host=settings.chroma_host, port=settings.chroma_port)
    return ArticleStore(client, settings.collection)


def chunk_config(settings: Settings) -> ChunkConfig:
    """Chunking settings for ingest."""
    return ChunkConfig(
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        max_file_bytes=int(settings.max_file_mb * 1_000_000),
    )
