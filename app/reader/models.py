"""The reader's one seam to an LLM: "reply to these two turns with JSON of this schema", with token counts.

Three backends answer it: the packaged model in process (llama-cpp-python, grammar-constrained from the JSON
schema), an OpenAI-compatible server (`response_format`), and Ollama (`format`), the last two through
LlamaIndex's LLM classes. Whatever comes back is parsed into the pydantic schema; anything else is a ReplyFailed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM
from pydantic import BaseModel, ValidationError

Reply = TypeVar("Reply", bound=BaseModel)


class ReplyFailed(RuntimeError):
    """One LLM call gave no usable reply; `kind` is "timeout", "down" (unreachable or erroring) or "bad"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Usage:
    """LLM calls and tokens spent (prompt tokens are the cost on a CPU)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


class ReaderModel(Protocol):
    """What the reader needs from an LLM."""

    name: str
    concurrency: int  # calls that may run at once (1 for the in-process model)

    def reply(
        self, system: str, user: str, schema: type[Reply], max_tokens: int, timeout: float
    ) -> tuple[Reply, Usage]:
        """The parsed reply and what it cost; ReplyFailed when there is none."""
        ...


def parse_reply(text: str, schema: type[Reply]) -> Reply:
    """The JSON object in `text` (fences and chatter around it ignored) validated against `schema`."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ReplyFailed("bad", f"the LLM's reply is not JSON: {text[:80]!r}")
    try:
        return schema.model_validate(json.loads(text[start : end + 1]))
    except (ValueError, ValidationError) as exc:
        raise ReplyFailed(
            "bad", f"the LLM's reply does not fit {schema.__name__}: {str(exc).splitlines()[0]}"
        ) from None


class LocalModel:
    """The packaged GGUF run in this process by llama-cpp-python; one call at a time (a lock), 2 threads.

    Consecutive calls share their prompt prefix (instructions and question), which llama.cpp keeps in its KV
    cache, so only each source's own text is computed anew. That context holds one prompt; a question switches
    instructions (rewrite, read, compare), so a state is saved for each instruction text and restored on a switch
    (app/reader/prompt_cache.py). The reply is streamed so that the deadline can stop generation between tokens;
    tokens are counted from the context (one streamed chunk is one token).
    """

    concurrency = 1

    def __init__(self, path: Path, name: str, threads: int = 2, context: int = 4096) -> None:
        from llama_cpp import Llama

        from app.reader.prompt_cache import InstructionStates

        self.name = name
        self._llama = Llama(model_path=str(path), n_ctx=context, n_threads=threads, flash_attn=True, verbose=False)
        self._states = InstructionStates(self._llama)
        self._lock = threading.Lock()

    def reply(
        self, system: str, user: str, schema: type[Reply], max_tokens: int, timeout: float
    ) -> tuple[Reply, Usage]:
        with self._lock:  # waiting for another question's reading is not this reading's time
            deadline = time.monotonic() + timeout
            parts: list[str] = []
            self._states.resume(system)
            try:
                stream = self._llama.create_chat_completion(
                    messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                    response_format={"type": "json_object", "schema": schema.model_json_schema()},
                    temperature=0.0,
                    max_tokens=max_tokens,
                    stream=True,
                )
                for chunk in stream:
                    parts.append(chunk["choices"][0]["delta"].get("content") or "")
                    if time.monotonic() > deadline:
                        stream.close()  # stops generating
                        raise ReplyFailed("timeout", f"the reading took longer than {timeout:g} s")
            except ReplyFailed:
                raise
            except (RuntimeError, ValueError) as exc:  # e.g. the prompt does not fit the context
                raise ReplyFailed("bad", f"the local model failed: {exc}") from None
            self._states.keep(system)
            generated = sum(1 for p in parts if p)
            spent = Usage(1, max(self._llama.n_tokens - generated, 0), generated)
        return parse_reply("".join(parts), schema), spent


class ServerModel:
    """An LLM behind a server (OpenAI-compatible or Ollama) through its LlamaIndex class.

    `constraints` are the ways, best first, of asking that server to decode to a JSON schema; a server that
    rejects one (HTTP 400/422, or llama-cpp-python's 500 naming `response_format`) is asked the next way, which is
    then kept for later calls.
    """

    def __init__(self, llm: LLM, name: str, concurrency: int, constraints: list[Constraint]) -> None:
        self.llm = llm
        self.name = name
        self.concurrency = concurrency
        self._constraints = list(constraints)
        self._switching = threading.Lock()

    def reply(
        self, system: str, user: str, schema: type[Reply], max_tokens: int, timeout: float
    ) -> tuple[Reply, Usage]:
        messages = [
            ChatMessage(role=MessageRole.SYSTEM, content=system),
            ChatMessage(role=MessageRole.USER, content=user),
        ]
        started = time.monotonic()
        while True:
            constraint = self._constraints[0]
            try:
                response = self.llm.chat(messages, **constraint(schema.model_json_schema()))
                break
            except Exception as exc:  # every client library raises its own errors; all mean "no reply"
                rejected = getattr(exc, "status_code", None) in {400, 422} or "response_format" in str(exc)
                with self._switching:  # concurrent readings may all be rejected; switch once, all retry
                    if rejected and constraint is self._constraints[0] and len(self._constraints) > 1:
                        self._constraints.pop(0)
                    if rejected and constraint is not self._constraints[0]:
                        continue
                took = time.monotonic() - started
                kind = "timeout" if took >= timeout or "timed out" in str(exc).lower() else "down"
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ReplyFailed(kind, f"the LLM server failed: {first}") from None
        counts = response.additional_kwargs or {}
        raw = response.raw if isinstance(response.raw, dict) else {}
        prompt = counts.get("prompt_tokens", raw.get("prompt_eval_count", 0)) or 0
        completion = counts.get("completion_tokens", raw.get("eval_count", 0)) or 0
        return parse_reply(response.message.content or "", schema), Usage(1, int(prompt), int(completion))


Constraint = Callable[[dict], dict[str, Any]]

# OpenAI-style structured output (OpenAI, vLLM, llama.cpp's C++ server), then the older form that
# llama-cpp-python's server and others accept.
OPENAI_CONSTRAINTS: list[Constraint] = [
    lambda schema: {"response_format": {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}},
    lambda schema: {"response_format": {"type": "json_object", "schema": schema}},
]
# Ollama's `format` takes the JSON schema itself.
OLLAMA_CONSTRAINTS: list[Constraint] = [lambda schema: {"format": schema}]
