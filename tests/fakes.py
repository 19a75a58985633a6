"""Test doubles that behave: a queue-driven fake reader model (like simonw/llm's MockModel), used like a real one.

Only for unit tests of parsing, prompting and the reader's bookkeeping; the reader's integration tests use the
real packaged model (tests/test_reader_model.py).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from pydantic import BaseModel

from app.reader.models import ReplyFailed, Usage, parse_reply


@dataclass
class FakeModel:
    """Replies with queued texts (JSON strings or dicts), or by a rule on the prompt; can fail like a server.

    `by_source` maps a substring of the prompt to the reply for prompts containing it, so concurrent readings
    get their own replies whatever order they run in.
    """

    name: str = "fake"
    concurrency: int = 1
    replies: list[str] = field(default_factory=list)
    by_source: dict[str, str] = field(default_factory=dict)
    prompts: list[str] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)  # each call's instructions, in the prompts' order
    fail: ReplyFailed | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue(self, *replies: str | dict) -> FakeModel:
        self.replies.extend(r if isinstance(r, str) else json.dumps(r) for r in replies)
        return self

    def reply(self, system: str, user: str, schema: type[BaseModel], max_tokens: int, timeout: float):
        with self._lock:
            self.prompts.append(user)
            self.systems.append(system)
            if self.fail is not None:
                raise self.fail
            text = next((r for key, r in self.by_source.items() if key in user), None)
            if text is None:
                if not self.replies:
                    raise AssertionError(f"FakeModel: no reply queued for {user[:120]!r}")
                text = self.replies.pop(0)
        return parse_reply(text, schema), Usage(1, len(user.split()), len(text.split()))


def reading(answer: str, sentence: int) -> str:
    """A reading's reply: the answer and the number of the sentence stating it."""
    return json.dumps({"answer": answer, "sentence": sentence})
