"""Test doubles that behave: a queue-driven fake LLM (like simonw/llm's MockModel), registered like a real one."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

from llama_index.core.base.llms.types import CompletionResponse, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import Field


class FakeLLM(CustomLLM):
    """Replies with queued texts, word by word; can be slow (seconds per word) or fail."""

    replies: list[str] = Field(default_factory=list)
    prompts: list[str] = Field(default_factory=list)
    seconds_per_word: float = 0.0
    error: str | None = None

    def enqueue(self, *texts: str) -> FakeLLM:
        self.replies.extend(texts)
        return self

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="fake", is_chat_model=False)

    def _next(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if self.error:
            raise ConnectionError(self.error)
        if not self.replies:
            raise AssertionError("FakeLLM: no reply queued")
        return self.replies.pop(0)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._next(prompt))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> Generator[CompletionResponse, None, None]:
        reply = self._next(prompt)

        def words() -> Generator[CompletionResponse, None, None]:
            text = ""
            for word in reply.split(" "):
                time.sleep(self.seconds_per_word)
                delta = word if not text else " " + word
                text += delta
                yield CompletionResponse(text=text, delta=delta)

        return words()
