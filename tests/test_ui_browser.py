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
from gradio_client.exceptions import AppError
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

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


def shoot(page: Page, name: str) -> None:
    """A screenshot of this state for the docs (test-artifacts/, copied to docs/screenshots/ by hand)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


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


def ask(page: Page, question: str, answers: int = 1) -> Locator:
    """Ask in the chat and wait for the `answers`-th answer; returns it."""
    page.fill("#px-question textarea", question)
    page.click("#px-ask")
    page.wait_for_function(f"document.querySelectorAll('#px-chat .px-answer').length >= {answers}", timeout=60_000)
    return page.locator(f"#px-chat #px-a{answers - 1}")


def open_folds(page: Page) -> None:
    page.evaluate("document.querySelectorAll('#px-chat details').forEach(d => d.open = true)")


CONTRAST = """() => {
  const channels = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = (c) => { const [r, g, b] = channels(c).slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
    const v = channels(c); if (v.length < 4 || v[3] > 0.5) return c; } return "rgb(255, 255, 255)"; };
  const low = [];
  for (const el of document.querySelectorAll("#px-chat .px-answer *")) {
    const hasText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!hasText || !el.offsetParent) continue;
    const [hi, lo] = [lum(getComputedStyle(el).color), lum(background(el))].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) low.push(`${el.tagName}.${el.className} ${ratio.toFixed(2)}: ${el.textContent.slice(0, 40)}`);
  }
  return low;
}"""


def test_conflict_shows_both_ministers_by_outlet_and_file_under_its_answer(page: Page) -> None:
    answer = ask(page, CONFLICT_Q)
    claims = answer.locator(".px-conflicts .px-claim")
    assert claims.count() == 2
    panel = answer.locator(".px-conflicts").inner_text()
    for expected in ["Ahn Kyu-back", "Suh Wook", "Reuters and Yonhap News Agency", "000_6279f3ccf6967646.txt",
                     "001_83c0c4f066b0d405.txt"]:  # fmt: skip
        assert expected in panel
    assert panel.count("undated") == 2  # each side says when it was published; the seeds do not
    assert "Sources disagree" in answer.locator(".px-banner").inner_text()
    assert answer.locator(".px-sources mark.px-cited").count() >= 2
    text = answer.inner_text()
    assert "Reuters and Yonhap News Agency says Suh Wook" in text  # named by outlet, not by hash file name
    assert "000_6279f3ccf6967646.txt says" not in text
    shoot(page, "ui-conflict.png")


def test_the_reader_refines_the_instant_answer_in_place(page: Page) -> None:
    page.click("text=Settings")
    page.get_by_label("Reader model (none = instant answers only)").click()
    page.get_by_role("option", name="local").click()
    answer = ask(page, "What kind of joint exercises did the ministers agree to resume?")
    # The instant answer first, with the reader's progress under it ...
    page.wait_for_function("document.querySelector('#px-chat').innerText.includes('reading source')", timeout=60_000)
    assert "maritime search and rescue" in answer.inner_text()
    # ... then the reader's answer in its place, with what each source says.
    page.wait_for_function("document.querySelector('#px-chat').innerText.includes('Read by local')", timeout=180_000)
    assert "reading source" not in answer.inner_text()
    open_folds(page)
    assert "The reader:" in answer.locator(".px-sources").inner_text()
    shoot(page, "ui-reader.png")


def test_abstention_banner_and_nearest_passages(page: Page) -> None:
    answer = ask(page, "What is the population of Yokosuka?")
    assert answer.locator(".px-abstain").count() == 1
    assert "Yokosuka" in answer.locator(".px-sources").inner_text()


def test_article_markup_shows_as_text_and_never_runs(page: Page) -> None:
    first = ask(page, "What did traders paste onto the Zanzibar notice board?")
    open_folds(page)
    sources = first.locator(".px-sources").inner_text()
    assert '<script>window.__pwned = "script";</script>' in sources
    assert "<img src=x onerror=" in sources
    second = ask(page, "What did the sign near the Pemba harbour quay read?", answers=2)
    open_folds(page)
    assert "<img src=x onerror=" in second.locator(".px-sources").inner_text()
    time.sleep(0.5)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#px-chat script").count() == 0
    assert page.locator("#px-chat img").count() == 0


def test_a_follow_up_is_read_with_the_conversation(page: Page) -> None:
    """The issue's pair: "And South Korea's?" answered about South Korea's ministers, with the disagreement."""
    ask(page, "Who is Japan's defense minister according to the articles?")
    follow = ask(page, "And South Korea's?", answers=2)
    text = follow.inner_text()
    assert "Answering: Who is South Korea's defense minister according to the articles?" in text
    assert "Cuba" not in text
    claims = follow.locator(".px-conflicts").inner_text()
    assert "Ahn Kyu-back" in claims and "Suh Wook" in claims
    shoot(page, "ui-follow-up.png")


def test_each_answer_keeps_its_own_sources(page: Page) -> None:
    """After three questions, [1] of the first answer opens the first answer's passage 1 (it used to open the
    latest answer's), and hovering it previews the cited sentence."""
    first = ask(page, "What kind of joint exercises did the ministers agree to resume?")
    ask(page, "How much will South Korea spend on defense in fiscal 2023?", answers=2)
    ask(page, "What is the population of Yokosuka?", answers=3)
    link = first.locator("a.px-cite").first
    n = link.inner_text().strip("[]")
    preview = link.get_attribute("title")
    link.click()
    target = first.locator(f"#px-a0-src-{n}")
    expect(target).to_be_visible()  # inside the first answer's (folded) Sources, opened by the click
    assert page.url.endswith(f"#px-a0-src-{n}")
    passage = target.locator("xpath=..").inner_text()
    assert preview and " ".join(preview.split())[:60] in " ".join(passage.split())


def test_the_conversation_survives_a_reload_and_stays_in_its_browser(page: Page, browser: Browser, server: str) -> None:
    ask(page, CONFLICT_Q)
    ask(page, "And South Korea's?", answers=2)
    page.reload()
    page.wait_for_function("document.querySelectorAll('#px-chat .px-answer').length == 2", timeout=30_000)
    assert "Suh Wook" in page.inner_text("#px-chat")
    other = browser.new_context()
    try:
        stranger = other.new_page()
        stranger.goto(server)
        stranger.wait_for_selector("#px-question textarea")
        time.sleep(2)  # the page's load event has restored whatever this browser had
        assert stranger.locator("#px-chat .px-answer").count() == 0
        stranger.click("text=Saved conversations")
        stranger.get_by_label("Conversations").click()
        assert stranger.get_by_role("option").count() == 0
    finally:
        other.close()
    page.click("#px-clear")
    page.wait_for_function("document.querySelectorAll('#px-chat .px-answer').length == 0", timeout=10_000)


def test_example_chips_ask(page: Page) -> None:
    page.get_by_role("button", name="What is the population of Yokosuka?").click()
    page.wait_for_selector("#px-chat .px-answer .px-abstain", timeout=60_000)


def test_light_and_dark_mode_are_readable(browser: Browser, server: str) -> None:
    """WCAG AA (4.5:1) for every text of an answer with a conflict, open folds included (dark mode used to
    show near-white text on cream claim cards)."""
    for theme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(f"{server}?__theme={theme}")
        page.wait_for_selector("#px-question textarea")
        ask(page, CONFLICT_Q)
        open_folds(page)
        time.sleep(0.5)
        assert page.evaluate(CONTRAST) == [], theme
        shoot(page, f"ui-{theme}.png")
        context.close()


def test_on_a_phone_the_banner_is_on_the_first_screen_after_the_answer(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(server)
    page.wait_for_selector("#px-question textarea")
    answer = ask(page, CONFLICT_Q)
    time.sleep(0.5)
    top = answer.locator(".px-banner").evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < 844 - 100
    shoot(page, "ui-phone.png")
    context.close()


def test_the_disagreements_tab_finds_them_and_asks_about_one(page: Page) -> None:
    """The background scan (rules only: this server has no LLM) has found "18 months" against 2018; a scan with
    the packaged model adds the ministers; "ask about this" answers with the same disagreement."""
    page.click("#px-disagreements-tab-button")
    findings = page.locator("#px-findings")
    expect(findings).to_contain_text("roughly 18 months", timeout=60_000)
    page.get_by_label("Judge with").click()
    page.get_by_role("option", name="local").click()
    page.click("#px-scan")
    expect(findings).to_contain_text("Suh Wook", timeout=240_000)
    assert "disagreement(s)" in page.inner_text("#px-scan-progress")
    shoot(page, "ui-disagreements.png")
    page.get_by_label("Disagreement", exact=True).click()
    page.get_by_role("option", name="South Korean Defense Minister", exact=True).click()
    page.click("#px-ask-about")
    answer = page.locator("#px-chat #px-a0")
    expect(answer).to_be_visible(timeout=60_000)
    conflicts = answer.locator(".px-conflicts").inner_text()
    assert "Ahn Kyu-back" in conflicts and "Suh Wook" in conflicts


def test_library_lists_removes_and_restores(page: Page) -> None:
    page.click("#px-library-tab-button")
    table = page.locator("#px-library table")
    expect(table).to_contain_text("Japan and South Korea rebuild defense ties with US support")
    expect(page.locator("#px-status")).to_contain_text("7 articles")
    gone = "001_83c0c4f066b0d405.txt"
    page.get_by_label("Article", exact=True).click()
    page.get_by_role("option", name=gone).click()
    page.click("#px-remove")
    expect(page.locator("#px-library-note")).to_contain_text(f"Removed {gone}", timeout=30_000)
    expect(page.locator("#px-status")).to_contain_text("6 articles")
    assert gone not in table.inner_text()
    shoot(page, "ui-library.png")
    page.click("#px-chat-tab-button")
    answer = ask(page, CONFLICT_Q)
    open_folds(page)
    assert gone not in answer.inner_text() and "Suh Wook" not in answer.inner_text()
    page.click("#px-library-tab-button")
    page.get_by_label("Removed article", exact=True).click()
    page.get_by_role("option", name=gone).click()
    page.click("#px-restore")
    expect(page.locator("#px-status")).to_contain_text("7 articles", timeout=60_000)
    assert gone in table.inner_text()


def test_upload_then_ask_about_it(page: Page, tmp_path: Path) -> None:
    article = tmp_path / "lagos ferry.txt"
    article.write_text(
        "Lagos ferry line opens\n\nBy Ade Bello | March 3, 2024\n\n"
        "The new Lagos ferry line carried 4,300 passengers on its first day, "
        "the transport ministry said on Sunday.",
        encoding="utf-8",
    )
    page.click("#px-library-tab-button")
    page.set_input_files("#px-upload input[type=file]", str(article))
    page.wait_for_timeout(500)
    page.click("#px-add")
    expect(page.locator("#px-added")).to_contain_text("added", timeout=60_000)
    assert "uploads/lagos_ferry.txt" in page.inner_text("#px-added")
    expect(page.locator("#px-status")).to_contain_text("8 articles")
    expect(page.locator("#px-library")).to_contain_text("Lagos ferry line opens")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"%PDF-1.7\x00\x01\x02" * 100)
    page.set_input_files("#px-upload input[type=file]", str(binary))
    page.wait_for_timeout(500)
    page.click("#px-add")
    expect(page.locator("#px-added")).to_contain_text("refused", timeout=30_000)
    assert "binary" in page.inner_text("#px-added")
    assert page.locator(".error").count() == 0  # one message where the user acted, no error badges
    page.click("#px-chat-tab-button")
    answer = ask(page, "How many passengers did the Lagos ferry line carry on its first day?")
    assert "4,300" in answer.inner_text()
    open_folds(page)
    assert "lagos_ferry" in answer.locator(".px-sources").inner_text()
    assert "2024-03-03" in answer.locator(".px-sources").inner_text()


@pytest.mark.parametrize(("question", "message"), [("   ", "the question is empty"), ("x" * 20_000, "the limit is")])
def test_a_bad_question_is_one_message_under_the_box(page: Page, question: str, message: str) -> None:
    page.fill("#px-question textarea", question)
    page.click("#px-ask")
    expect(page.locator("#px-error")).to_contain_text(message, timeout=30_000)
    assert page.locator(".error").count() == 0  # no error badges over the chat or anything else
    assert page.locator("#px-chat .px-answer").count() == 0
    ask(page, "What kind of joint exercises did the ministers agree to resume?")
    expect(page.locator("#px-error")).to_have_text("")


def test_api_endpoint_returns_the_engine_json(server: str) -> None:
    result = Client(server, verbose=False).predict(CONFLICT_Q, 6, "none", api_name="/ask")
    assert result["conflicts"] and result["backend"] == "extractive"
    assert {"question", "answer", "abstained", "note", "citations", "sentences", "sources"} <= set(result)


def test_chat_endpoint_reads_the_history(server: str) -> None:
    client = Client(server, verbose=False)
    history = [{"role": "user", "content": "Who is Japan's defense minister according to the articles?"},
               {"role": "assistant", "content": "Sources disagree: Nobuo Kishi [2]."}]  # fmt: skip
    result = client.predict("And South Korea's?", history, 6, "none", api_name="/chat")
    assert result["interpreted_question"] == "Who is South Korea's defense minister according to the articles?"
    assert {"Ahn Kyu-back", "Suh Wook"} <= {c["value"] for c in result["conflicts"][0]["claims"]}


@pytest.mark.parametrize(
    ("k", "backend", "message"),
    [(999, "none", "from 1 to 50"), (0, "none", "from 1 to 50"), (6, "gpt-9", "unknown reader model 'gpt-9'")],
)
def test_the_api_refuses_out_of_bounds_requests(server: str, k: int, backend: str, message: str) -> None:
    client = Client(server, verbose=False)
    for endpoint, args in (("/ask", (CONFLICT_Q,)), ("/chat", (CONFLICT_Q, []))):
        with pytest.raises(AppError, match=message):
            client.predict(*args, k, backend, api_name=endpoint)


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
