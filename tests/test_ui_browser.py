"""The chat UI in a real browser (Debian chromium driven by Playwright) against a real `parallax serve`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gradio_client import Client
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import SEEDS
from tests.servers import free_port, http_ok, running

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
CONFLICT_Q = "Which South Korean defense minister attended the January 30 meeting in Yokosuka?"


def serve_cmd(tmp: Path, data: Path, port: int) -> tuple[list[str], dict]:
    # The instant engine by default (fast tests); the reader test picks the local model in Settings.
    env = {**os.environ, "PARALLAX_STORE_PATH": str(tmp / "store"), "PARALLAX_DATA_DIR": str(data),
           "PARALLAX_PORT": str(port), "PARALLAX_LLM": "none"}  # fmt: skip
    return [sys.executable, "-m", "app", "serve"], {"cwd": ROOT, "env": env}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui")
    data = tmp / "articles"
    shutil.copytree(SEEDS, data)
    shutil.copy(ROOT / "tests" / "data" / "xss_article.txt", data)
    shutil.copy(ROOT / "tests" / "data" / "xss_page.html", data)
    port = free_port()
    cmd, popen = serve_cmd(tmp, data, port)
    url = f"http://127.0.0.1:{port}/"
    with running(cmd, http_ok(url), 180, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server)
    page.wait_for_selector("#px-question textarea")
    yield page
    assert dialogs == [], f"a script opened a dialog: {dialogs}"
    context.close()


def ask(page: Page, question: str) -> None:
    page.fill("#px-question textarea", question)
    page.click("#px-ask")


def test_conflict_shows_both_ministers_and_files_side_by_side(page: Page) -> None:
    ask(page, CONFLICT_Q)
    page.wait_for_selector("#px-conflicts .px-claim", timeout=60_000)
    claims = page.locator("#px-conflicts .px-claim")
    assert claims.count() == 2
    panel = page.inner_text("#px-conflicts")
    for expected in ["Ahn Kyu-back", "Suh Wook", "000_6279f3ccf6967646.txt", "001_83c0c4f066b0d405.txt"]:
        assert expected in panel
    assert panel.count("undated") == 2  # each side says when it was published; the seeds do not
    assert "Sources disagree" in page.inner_text("#px-banner")
    assert page.locator("#px-sources mark.px-cited").count() >= 2
    chat = page.inner_text("#px-chat")
    assert "Ahn Kyu-back" in chat and "Suh Wook" in chat
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-conflict.png"), full_page=True)


def test_the_reader_refines_the_instant_answer_in_place(page: Page) -> None:
    page.click("text=Settings")
    page.get_by_label("Reader model (none = instant answers only)").click()
    page.get_by_role("option", name="local").click()
    ask(page, "What kind of joint exercises did the ministers agree to resume?")
    # The instant answer first, with the reader's progress under it ...
    page.wait_for_function("document.querySelector('#px-chat').innerText.includes('reading source')", timeout=60_000)
    assert "maritime search and rescue" in page.inner_text("#px-chat")
    # ... then the reader's answer in its place, with what each source says.
    page.wait_for_function("document.querySelector('#px-chat').innerText.includes('Read by local')", timeout=180_000)
    assert "reading source" not in page.inner_text("#px-chat")
    assert "The reader:" in page.inner_text("#px-sources")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-reader.png"), full_page=True)


def test_abstention_banner_and_nearest_passages(page: Page) -> None:
    ask(page, "What is the population of Yokosuka?")
    page.wait_for_selector("#px-banner .px-abstain", timeout=60_000)
    assert "Yokosuka" in page.inner_text("#px-sources")


def test_article_markup_shows_as_text_and_never_runs(page: Page) -> None:
    ask(page, "What did traders paste onto the Zanzibar notice board?")
    page.wait_for_selector("#px-sources .px-source", timeout=60_000)
    sources = page.inner_text("#px-sources")
    assert '<script>window.__pwned = "script";</script>' in sources
    assert "<img src=x onerror=" in sources
    ask(page, "What did the sign near the Pemba harbour quay read?")
    page.wait_for_function("document.querySelector('#px-sources').innerText.includes('Pemba')", timeout=60_000)
    assert "<img src=x onerror=" in page.inner_text("#px-sources")
    for details in page.locator("#px-sources details").all():
        details.locator("summary").click()
    time.sleep(0.5)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#px-sources script, #px-chat script, #px-conflicts script").count() == 0
    assert page.locator("#px-sources img, #px-chat img[onerror]").count() == 0


def test_upload_then_ask_about_it(page: Page, tmp_path: Path) -> None:
    article = tmp_path / "lagos ferry.txt"
    article.write_text(
        "Lagos ferry line opens\n\nBy Ade Bello | March 3, 2024\n\n"
        "The new Lagos ferry line carried 4,300 passengers on its first day, "
        "the transport ministry said on Sunday.",
        encoding="utf-8",
    )
    page.click("text=Add articles")
    page.set_input_files("#px-upload input[type=file]", str(article))
    page.wait_for_timeout(500)
    page.click("#px-add")
    page.wait_for_function("document.querySelector('#px-added').innerText.includes('added')", timeout=60_000)
    assert "uploads/lagos_ferry.txt" in page.inner_text("#px-added")
    assert "8 articles" in page.inner_text("#px-status")
    ask(page, "How many passengers did the Lagos ferry line carry on its first day?")
    page.wait_for_function("document.querySelector('#px-sources').innerText.includes('lagos_ferry')", timeout=60_000)
    assert "4,300" in page.inner_text("#px-chat")
    assert "2024-03-03" in page.inner_text("#px-sources")


def test_empty_question_shows_an_error_not_a_crash(page: Page) -> None:
    ask(page, "   ")
    page.wait_for_selector("text=the question is empty", timeout=30_000)
    ask(page, "What kind of joint exercises did the ministers agree to resume?")
    page.wait_for_function("document.querySelector('#px-chat').innerText.includes('maritime')", timeout=60_000)


def test_api_endpoint_returns_the_engine_json(server: str) -> None:
    result = Client(server, verbose=False).predict(CONFLICT_Q, 6, "none", api_name="/ask")
    assert result["conflicts"] and result["backend"] == "extractive"
    assert {"question", "answer", "abstained", "note", "citations", "sentences", "sources"} <= set(result)


def test_twenty_concurrent_clients_all_succeed(server: str) -> None:
    questions = [CONFLICT_Q, "What is the population of Yokosuka?", "Who did Gen Nakatani meet?",
                 "How much will South Korea spend on defense in fiscal 2023?"] * 5  # fmt: skip

    def one(question: str) -> dict:
        return Client(server, verbose=False).predict(question, 6, "none", api_name="/ask")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, questions))
    assert len(results) == 20
    assert all(r["question"] == q for r, q in zip(results, questions, strict=True))
    assert sum(r["abstained"] for r in results) == 5


def test_port_in_use_is_a_clear_error(server: str, tmp_path: Path) -> None:
    port = int(server.rstrip("/").rsplit(":", 1)[1])
    cmd, popen = serve_cmd(tmp_path, SEEDS, port)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in out.decode()
    assert "Traceback" not in out.decode()
