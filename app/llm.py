"""LLM-assisted prose: the prompt from numbered passages and detected conflicts, and a streamed call with a deadline.

The LLM's text is never trusted: the service checks every sentence against its citations afterwards.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from app.answer import Conflict, Source

SYSTEM_PROMPT = (
    "You answer questions about news articles using ONLY the numbered passages given. "
    "Write 1 to 3 short sentences. End every sentence with the number of the passage it comes from, "
    "like [1] or [2]. Copy names, numbers and dates exactly as the passages write them. "
    "If the passages disagree, say so and give each side with its number. "
    "If the passages do not answer the question, say: The articles do not answer this question."
)


class LLMFailed(RuntimeError):
    """The LLM errored, was unreachable or timed out; the message says which, for the answer's note."""


def build_messages(question: str, sources: list[Source], conflicts: list[Conflict]) -> list[ChatMessage]:
    """System + user messages: the passages as [n] blocks, the detected disagreements, the question."""
    blocks = [f"[{s.n}] ({s.file}) {' '.join(s.text.split())}" for s in sources]
    user = "Passages:\n" + "\n\n".join(blocks)
    if conflicts:
        user += "\n\nThe passages disagree:\n" + "\n".join(f"- {c.note}" for c in conflicts)
    user += f"\n\nQuestion: {question}\nAnswer (cite [n] after every sentence):"
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=SYSTEM_PROMPT),
        ChatMessage(role=MessageRole.USER, content=user),
    ]


def stream_reply(llm: LLM, messages: list[ChatMessage], timeout_s: float) -> Iterator[str]:
    """Yield the reply's text as it arrives; raise LLMFailed on error or when `timeout_s` passes.

    The call runs in a worker thread so a server that stops sending cannot hold the caller past the deadline.
    """
    chunks: queue.Queue[tuple[str, object]] = queue.Queue()

    def work() -> None:
        try:
            for part in llm.stream_chat(messages):
                chunks.put(("delta", part.delta or ""))
            chunks.put(("end", None))
        except Exception as exc:  # any backend error becomes a fallback with a note
            chunks.put(("error", exc))

    threading.Thread(target=work, name="parallax-llm", daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LLMFailed(f"the LLM did not finish within {timeout_s:g} s")
        try:
            kind, payload = chunks.get(timeout=remaining)
        except queue.Empty:
            raise LLMFailed(f"the LLM did not finish within {timeout_s:g} s") from None
        if kind == "end":
            return
        if kind == "error":
            reason = str(payload).splitlines()[0] if str(payload) else type(payload).__name__
            raise LLMFailed(f"the LLM failed: {reason}")
        yield str(payload)
