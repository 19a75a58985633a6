"""The LLM path for real: llama.cpp's OpenAI-compatible server with the packaged SmolLM2 on 127.0.0.1.

SmolLM2-135M is tiny and invents things; these tests show the checker keeps its inventions out of answers.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from app.answer import Answer
from app.backends import make_llm, packaged_gguf
from app.citations import check_answer
from app.service import Parallax
from app.settings import Settings
from tests.servers import free_port, http_ok, running

pytestmark = pytest.mark.slow

QUESTIONS = [
    "How much will South Korea spend on defense in fiscal 2023?",
    "What kind of joint exercises did the ministers agree to resume?",
    "Which South Korean defense minister attended the January 30 meeting in Yokosuka?",
    "When did South Korea and Japan last hold joint maritime exercises?",
]


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", packaged_gguf(), "--host", "127.0.0.1",
           "--port", str(port), "--n_threads", "2", "--flash_attn", "true", "--n_ctx", "4096"]  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    with running(cmd, http_ok(f"{url}/models"), 120):
        yield url


def served(service: Parallax, url: str, timeout: float = 120.0) -> Parallax:
    settings = Settings(llm="openai", llm_base_url=url, llm_timeout=timeout, llm_max_tokens=160)
    return Parallax(service.store, service.retriever, lambda name: make_llm(settings, name), 6, timeout, "openai")


def test_streams_and_keeps_only_checked_sentences(seeded_service: Parallax, llama_server: str) -> None:
    service = served(seeded_service, llama_server)
    removed = 0
    for question in QUESTIONS:
        events = list(service.ask_stream(question))
        drafts, answer = events[:-1], events[-1]
        assert isinstance(answer, Answer)
        assert len(drafts) > 1, "the reply arrives in pieces"
        draft_sentences, _ = check_answer(drafts[-1], answer.sources)
        made_up = [s.text for s in draft_sentences if not s.supported]
        removed += len(made_up)
        for text in made_up:
            assert text not in answer.answer
        kept = {s.text for s in answer.sentences if s.supported}
        assert answer.answer == " ".join(s.text for s in answer.sentences if s.supported)
        assert kept, question
        if answer.backend == "extractive":
            assert "Showing the extractive answer" in answer.note
    assert removed > 0, "the small model always invents something on these questions"


def test_timeout_falls_back_to_the_extractive_answer(seeded_service: Parallax, llama_server: str) -> None:
    answer = served(seeded_service, llama_server, timeout=0.05).ask(QUESTIONS[1])
    assert answer.backend == "extractive"
    assert "did not finish within 0.05 s" in answer.note
    assert "maritime search and rescue" in answer.answer


def test_server_gone_falls_back(seeded_service: Parallax) -> None:
    answer = served(seeded_service, f"http://127.0.0.1:{free_port()}/v1", timeout=10).ask(QUESTIONS[1])
    assert answer.backend == "extractive"
    assert "the LLM failed" in answer.note


def test_embedded_llama_cpp_answers_through_the_same_check(seeded_service: Parallax) -> None:
    settings = Settings(llm="llamacpp", llm_max_tokens=120)
    service = Parallax(
        seeded_service.store, seeded_service.retriever, lambda n: make_llm(settings, n), 6, 120, "llamacpp"
    )
    answer = service.ask(QUESTIONS[1])
    assert answer.backend in {"llamacpp", "extractive"}
    assert all(s.supported for s in answer.sentences if s.text in answer.answer)
    assert answer.answer.strip()
