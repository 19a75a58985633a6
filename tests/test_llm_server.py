"""The reader through an OpenAI-compatible server for real: llama-cpp-python's server with the packaged model
on 127.0.0.1. It accepts only the older structured-output form, so this also tests the switch to it."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from app.answer import Answer
from app.backends import make_reader_model
from app.reader.packaged_model import model_path
from app.service import Parallax
from app.settings import Settings
from tests.servers import free_port, http_ok, running

pytestmark = pytest.mark.slow

CONFLICT_Q = "Which South Korean defense minister attended the January 30 meeting in Yokosuka?"
EXERCISE_Q = "What kind of joint exercises did the ministers agree to resume?"


def server_cmd(port: int) -> list[str]:
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path(Settings().model_dir)),
            "--host", "127.0.0.1", "--port", str(port), "--n_threads", "2", "--flash_attn", "true",
            "--n_ctx", "4096"]  # fmt: skip


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with running(server_cmd(port), http_ok(f"{url}/models"), 120):
        yield url


def served(service: Parallax, url: str, concurrency: int = 2, timeout: float = 120.0) -> Parallax:
    settings = Settings(llm="openai", llm_base_url=url, llm_timeout=timeout, llm_concurrency=concurrency)
    return Parallax(service.store, service.retriever, lambda n: make_reader_model(settings, n), 6, timeout, "openai")


def test_the_reader_runs_on_a_server(seeded_service: Parallax, llama_server: str) -> None:
    events = list(served(seeded_service, llama_server).ask_stream(CONFLICT_Q))
    final = events[-1]
    assert isinstance(final, Answer) and final.engine == "reader" and final.backend == "openai"
    assert any("2 at a time" in e for e in events if isinstance(e, str))
    # Every source was read through the server (none left unread).
    assert not any(r.status.startswith("unread") for r in final.readings)
    # Which borderline source the small model answers varies with request order; each kept one is verified.
    answered = [r for r in final.readings if r.answers]
    assert answered and all(r.quote in seeded_service.article(r.file) for r in answered)
    assert {"Ahn Kyu-back", "Suh Wook"} <= {c.value for conflict in final.conflicts for c in conflict.claims}
    assert final.usage["prompt_tokens"] > 0


def test_no_server_keeps_the_instant_answer(seeded_service: Parallax) -> None:
    answer = served(seeded_service, f"http://127.0.0.1:{free_port()}/v1", timeout=10).ask(EXERCISE_Q)
    assert answer.engine == "instant" and "maritime search and rescue" in answer.answer
    assert answer.fallback and "the LLM server failed" in answer.fallback
    assert "The reader failed, so this is the instant answer" in answer.note


def test_server_dying_mid_answer_leaves_the_rest_unread(seeded_service: Parallax) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with running(server_cmd(port), http_ok(f"{url}/models"), 120) as server:
        events = served(seeded_service, url, concurrency=1, timeout=30).ask_stream(CONFLICT_Q)
        seen = []
        for event in events:
            seen.append(event)
            if isinstance(event, str) and event.startswith("reading source 2 of"):
                server.terminate()
                server.wait(timeout=30)
    final = seen[-1]
    assert isinstance(final, Answer) and final.engine == "reader"
    statuses = [r.status for r in final.readings]
    assert statuses[0] in {"answered", "no answer"} and all(s.startswith("unread") for s in statuses[1:])
    assert "Not read (the LLM failed or timed out)" in final.note
    assert final.answer.startswith("Sources disagree:")  # the rule detector's conflict still stands
