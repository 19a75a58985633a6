"""Time from question to the instant answer and to the reader's answer in the chat UI, as a person sees it.

    .venv/bin/python bench/ui_latency.py        # starts `parallax serve` on a free port over the configured store

Drives Debian's chromium with Playwright: five questions with the instant engine only, then three with the local
reader chosen in Settings (first = the instant answer shows with the reader's progress; final = the reader's
answer replaces it).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
QUESTIONS = [
    "Which South Korean defense minister attended the January 30 meeting in Yokosuka?",
    "What kind of joint exercises did the ministers agree to resume?",
    "How much will South Korea spend on defense in fiscal 2023?",
    "Who did Gen Nakatani meet?",
    "Which country did South Korea establish diplomatic ties with?",
]
READING = "document.querySelector('#px-chat').innerText.includes('reading source')"
READ = "document.querySelector('#px-chat').innerText.includes('Read by local')"


def ask(page: Page, question: str, llm: bool) -> tuple[float | None, float]:
    page.fill("#px-question textarea", question)
    start = time.perf_counter()
    page.click("#px-ask")
    first = None
    page.wait_for_function(f"document.querySelector('#px-chat').innerText.includes({question[:25]!r})")
    if llm:
        page.wait_for_function(READING, timeout=180_000)
        first = time.perf_counter() - start
        page.wait_for_function(f"!({READING}) && {READ}", timeout=300_000)
    page.wait_for_selector("#px-sources .px-source")
    return first, time.perf_counter() - start


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PARALLAX_PORT": str(port), "PARALLAX_LLM": "none"}
    server = subprocess.Popen([sys.executable, "-m", "app", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#px-question textarea")
            extractive = [ask(page, q, llm=False)[1] for q in QUESTIONS]
            page.click("text=Settings")
            page.get_by_label("Reader model (none = instant answers only)").click()
            page.get_by_role("option", name="local").click()
            llm = [ask(page, q, llm=True) for q in QUESTIONS[1:4]]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"instant engine, question -> answer: {[round(t, 2) for t in extractive]} s, "
          f"median {statistics.median(extractive):.2f} s")  # fmt: skip
    print(f"local reader, instant answer shown: {[round(f or 0, 2) for f, _ in llm]} s; "
          f"reader's answer: {[round(t, 2) for _, t in llm]} s")  # fmt: skip


if __name__ == "__main__":
    main()
