"""The one place that picks concrete components (embedder, store, LLM) from settings; the rest receives them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from app.engine.retrieve import HybridRetriever
from app.library import Library
from app.reader.models import OLLAMA_CONSTRAINTS, OPENAI_CONSTRAINTS, LocalModel, ReaderModel, ServerModel
from app.reader.packaged_model import MODEL_NAME, model_path
from app.service import Parallax, ReaderUnavailable
from app.settings import LLM_NAMES, Settings
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ChunkConfig, IngestReport, ingest_folder
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


def make_service(settings: Settings, store: ArticleStore | None = None) -> Parallax:
    """The question-answering service over `store` (default: the configured one), the embedder and the LLM."""
    store = store or open_store(settings)
    return Parallax(
        store=store,
        retriever=HybridRetriever(store, make_embedder(settings), repeat_weight=settings.repeat_weight),
        model_factory=lambda name: make_reader_model(settings, name),
        top_k=settings.top_k,
        llm_timeout=settings.llm_timeout,
        default_llm=settings.llm,
        llm_max_tokens=settings.llm_max_tokens,
        source_chars=settings.reader_source_chars,
        min_closeness=settings.reader_min_closeness,
        llm_names=LLM_NAMES,
    )


def make_folder_service(settings: Settings, folder: Path) -> Parallax:
    """A service over a throwaway store at folder/store holding the articles in folder/docs (evals)."""
    store = ArticleStore(connect(path=str(folder / "store")), "eval")
    ingest_folder(folder / "docs", store, make_embedder(settings), chunk_config(settings), progress=False)
    return make_service(settings, store)


def make_library(settings: Settings, store: ArticleStore) -> Library:
    """The library over `store` and the data folder (uploads, remove, restore, list): the CLI and the UI share it."""

    def ingest(progress: bool) -> IngestReport:
        return ingest_folder(settings.data_dir, store, make_embedder(settings), chunk_config(settings), progress)

    return Library(store, settings.data_dir, int(settings.max_file_mb * 1_000_000), ingest)


def chunk_config(settings: Settings) -> ChunkConfig:
    """Chunking settings for ingest."""
    return ChunkConfig(
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        max_file_bytes=int(settings.max_file_mb * 1_000_000),
    )


def make_reader_model(settings: Settings, name: str | None = None) -> ReaderModel:
    """The reader's LLM named `name` (default: settings.llm): local (the packaged model), openai or ollama.

    Raises ReaderUnavailable (or ModelMissing) with a one-line reason; the caller keeps the instant answer.
    """
    name = name or settings.llm
    if name not in LLM_NAMES or name == "none":
        raise ReaderUnavailable(f"unknown LLM backend '{name}'; choose one of {', '.join(LLM_NAMES[1:])}")
    if name == "local":
        return _local_model(model_path(settings.model_dir), settings.llm_threads, settings.llm_context)
    if name == "openai":
        if not settings.llm_base_url:
            raise ReaderUnavailable("set PARALLAX_LLM_BASE_URL to the server, e.g. http://127.0.0.1:8080/v1")
        from llama_index.llms.openai_like import OpenAILike

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        llm = OpenAILike(
            model=settings.llm_model or "local",
            api_base=settings.llm_base_url,
            api_key=key,
            is_chat_model=True,
            temperature=0.0,
            max_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout,
            max_retries=0,
        )
        return ServerModel(
            llm, settings.llm_model or settings.llm_base_url, settings.llm_concurrency, OPENAI_CONSTRAINTS
        )
    from llama_index.llms.ollama import Ollama

    llm = Ollama(
        model=settings.llm_model or "qwen2.5-coder:1.5b",
        base_url=settings.llm_base_url or "http://127.0.0.1:11434",
        request_timeout=settings.llm_timeout,
        temperature=0.0,
        additional_kwargs={"num_predict": settings.llm_max_tokens},
    )
    return ServerModel(llm, f"ollama {llm.model}", settings.llm_concurrency, OLLAMA_CONSTRAINTS)


@lru_cache(maxsize=1)
def _local_model(path: Path, threads: int, context: int) -> LocalModel:
    """The packaged model, loaded once per process (~1.5 s, ~1.2 GB, and a saved state per instruction text)."""
    try:
        return LocalModel(path, MODEL_NAME, threads, context)
    except ImportError as exc:
        raise ReaderUnavailable("the local model needs llama-cpp-python: run `make install`") from exc
    except ValueError as exc:  # llama.cpp could not load the file
        raise ReaderUnavailable(f"cannot load {path}: {exc}") from None
