"""The one settings object: defaults that work, overridden by parallax.toml, overridden by PARALLAX_* env vars."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _toml_file() -> Path:
    """parallax.toml in the working directory, or the file named by PARALLAX_CONFIG."""
    return Path(os.environ.get("PARALLAX_CONFIG", "parallax.toml"))


LLMName = Literal["none", "local", "openai", "ollama"]
LLM_NAMES: tuple[str, ...] = get_args(LLMName)  # none = the instant engine only


class Settings(BaseSettings):
    """Everything a user can configure. Field docs double as the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="PARALLAX_", extra="forbid")

    data_dir: Path = Field(PROJECT_ROOT / "seeds", description="Folder of articles to ingest.")
    store_path: Path = Field(
        PROJECT_ROOT / "vectorstore", description="Embedded Chroma data folder (PersistentClient)."
    )
    chroma_host: str | None = Field(
        None, description="Chroma server host; when set, Parallax uses HttpClient instead of the embedded store."
    )
    chroma_port: int = Field(8000, description="Chroma server port (server mode only).")
    collection: str = Field("parallax", description="Chroma collection name for passages.")
    chunk_tokens: int = Field(200, ge=32, le=2048, description="Passage size in tiktoken (cl100k) tokens.")
    chunk_overlap: int = Field(30, ge=0, description="Tokens shared by neighbouring passages.")
    embed_batch: int = Field(8, ge=1, le=1024, description="Passages per model call (8 is fastest on 2 cores).")
    embed_threads: int = Field(2, ge=1, le=64, description="CPU threads for the embedding model.")
    max_file_mb: float = Field(
        50.0, gt=0, description="Files larger than this are skipped with a message (a collection is one file)."
    )
    top_k: int = Field(6, ge=1, le=50, description="Passages retrieved per question (numbered [1]..[k]).")
    repeat_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Score weight of an article's next passage per passage of it already chosen "
        "(0: every article once first; 1: plain rank order).",
    )
    llm: LLMName = Field(
        "local",
        description="The reader's LLM: local (the packaged Qwen2.5-Coder-1.5B, in process), openai (any "
        "OpenAI-compatible server), ollama, or none (the instant engine only).",
    )
    model_dir: Path = Field(
        PROJECT_ROOT / ".cache" / "models", description="Where the packaged model's GGUF is assembled (1.1 GB)."
    )
    lexicon_dir: Path = Field(
        PROJECT_ROOT / ".cache" / "lexicon",
        description="What is taken from WordNet (opposites, irregular forms) is kept here (one 0.6 MB JSON file).",
    )
    llm_threads: int = Field(2, ge=1, le=64, description="CPU threads for the local model.")
    llm_context: int = Field(4096, ge=512, le=32768, description="Context window of the local model, in tokens.")
    llm_concurrency: int = Field(
        4, ge=1, le=32, description="Sources read at once with a server LLM (the local model reads one at a time)."
    )
    llm_model: str = Field("", description="Model name sent to an OpenAI-compatible server or Ollama.")
    llm_base_url: str | None = Field(
        None, description="Server URL, e.g. http://127.0.0.1:8080/v1 (OpenAI-compatible) or http://127.0.0.1:11434."
    )
    llm_api_key: SecretStr | None = Field(None, description="API key for an OpenAI-compatible server, if it needs one.")
    llm_timeout: float = Field(
        60.0, gt=0, description="Seconds one LLM call may take; a source whose reading takes longer is left unread."
    )
    llm_max_tokens: int = Field(64, ge=16, le=4096, description="Longest reply of one LLM call, in tokens.")
    reader_source_chars: int = Field(
        700, ge=100, le=20000,
        description="Characters of each source the reader shows the LLM (its sentences most about the question).",
    )  # fmt: skip
    reader_min_closeness: float = Field(
        0.5, ge=-1.0, le=1.0,
        description="A source naming nothing the question names is still read when one of its passages is this "
        "close to the question in meaning (cosine of the embeddings, -1 to 1).",
    )  # fmt: skip

    evalsets_dir: Path = Field(
        PROJECT_ROOT.parent / "shared" / "evalsets", description="Folder of the external eval sets (`--suite dev`)."
    )

    host: str = Field("127.0.0.1", description="Address the chat UI listens on (`parallax serve`).")
    port: int = Field(7860, ge=1, le=65535, description="Port of the chat UI.")
    ui_username: str | None = Field(None, description="With ui_password, the chat UI asks for this login.")
    ui_password: SecretStr | None = Field(None, description="Password for the chat UI (needs ui_username).")
    scan_in_background: bool = Field(
        True, description="`parallax serve` scans for disagreements after ingest and after every library change."
    )
    conversations_path: Path | None = Field(
        None, description="SQLite file of the chat's saved conversations (default: conversations.sqlite in store_path)."
    )
    ui_concurrency: int = Field(2, ge=1, le=16, description="Questions answered at once; more wait in the queue.")

    @field_validator("chroma_host")
    @classmethod
    def _blank_host_means_embedded(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _login_needs_both(self) -> Settings:
        if (self.ui_username is None) != (self.ui_password is None):
            raise ValueError("set both ui_username and ui_password, or neither")
        return self

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_tokens ({self.chunk_tokens})"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence: explicit arguments, then env vars, then parallax.toml, then defaults."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_toml_file()))

    @property
    def conversations_file(self) -> Path:
        """Where the chat keeps conversations."""
        return self.conversations_path or self.store_path / "conversations.sqlite"

    @property
    def server_mode(self) -> bool:
        """True when a Chroma server is configured."""
        return self.chroma_host is not None
