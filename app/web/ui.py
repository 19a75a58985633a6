"""The Gradio chat: asks the service, renders the Answer (app/web/render.py), adds uploaded articles; decides
nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import gradio as gr

from app.answer import Answer
from app.backends import LLM_NAMES
from app.engine.retrieve import EmptyIndex, QuestionError
from app.library import UploadError
from app.service import Parallax
from app.web import render
from ingest.load import SUPPORTED_SUFFIXES, SUPPORTED_TEXT
from ingest.store import StoreUnavailable

EXAMPLES = [
    "Which South Korean defense minister attended the January 30 meeting in Yokosuka?",
    "What kind of joint exercises did the ministers agree to resume?",
    "How much will South Korea spend on defense in fiscal 2023?",
    "What is the population of Yokosuka?",
]
USER_ERRORS = (QuestionError, EmptyIndex, StoreUnavailable)

# (uploaded temp path, original file name) pairs -> one line per file saying what happened
AddArticles = Callable[[list[tuple[Path, str]]], list[str]]


def _articles(service: Parallax, answer: Answer) -> dict[str, str]:
    files = {s.file for s in answer.sources}
    return {f: text for f in files if (text := service.article(f)) is not None}


def _panels(service: Parallax, answer: Answer, show_passages: bool) -> tuple[str, str, str]:
    return (
        render.banner(answer),
        render.conflicts_panel(answer),
        render.sources_panel(answer, _articles(service, answer), show_passages),
    )


def build_ui(service: Parallax, add_articles: AddArticles, default_llm: str, top_k: int) -> gr.Blocks:
    """The chat page. `add_articles` stores and ingests uploads; everything else goes through `service`."""

    def respond(
        message: str, history: list[dict], k: int, backend: str, show_passages: bool
    ) -> Iterator[tuple[list[dict], str, str, str, str, Answer | None]]:
        try:
            events = service.ask_stream(message, int(k), backend)
            first = next(events)  # validation and retrieval errors surface here, before the chat changes
        except USER_ERRORS as exc:
            raise gr.Error(str(exc)) from None
        history = [*history, {"role": "user", "content": render.chat_text(message)}]
        history.append({"role": "assistant", "content": ""})
        latest: Answer | None = None
        for event in _chain(first, events):
            if isinstance(event, Answer):
                latest = event
                history[-1] = {"role": "assistant", "content": render.answer_message(event)}
                yield history, "", *_panels(service, event, show_passages), event
            elif latest is not None:  # the reader's progress under the instant answer
                history[-1] = {"role": "assistant", "content": render.progress_message(latest, event)}
                yield history, "", gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def rerender(answer: Answer | None, show_passages: bool) -> str:
        if answer is None:
            return gr.skip()
        return render.sources_panel(answer, _articles(service, answer), show_passages)

    def upload(files: list[str] | None) -> tuple[str, str, None]:
        if not files:
            raise gr.Error(f"Choose one or more files first ({SUPPORTED_TEXT}).")
        pairs = [(Path(f), Path(f).name) for f in files]
        try:
            lines = add_articles(pairs)
        except (UploadError, StoreUnavailable) as exc:
            raise gr.Error(str(exc)) from None
        return "<br>".join(render.text(line) for line in lines), render.status_line(service.status()), None

    def ask_api(question: str, k: int = top_k, backend: str = default_llm) -> dict:
        """Ask a question; returns the engine's Answer as JSON (the `parallax ask --json` object)."""
        try:
            return service.ask(question, int(k), backend).to_dict()
        except USER_ERRORS as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="Parallax") as demo:
        gr.Markdown("# Parallax\nAnswers from the articles, every sentence cited and checked; disagreements shown.")
        status = gr.HTML(render.status_line(service.status()), elem_id="px-status")
        last_answer = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=460, elem_id="px-chat", buttons=["copy"])
                question = gr.Textbox(label="Question", placeholder="Ask about the articles…", elem_id="px-question")
                ask = gr.Button("Ask", variant="primary", elem_id="px-ask")
                gr.Examples(EXAMPLES, inputs=[question], label="Try")
                with gr.Accordion("Settings", open=False):
                    k = gr.Slider(1, 12, value=top_k, step=1, label="Passages to retrieve (top-k)")
                    backend = gr.Dropdown(
                        list(LLM_NAMES), value=default_llm, label="Reader model (none = instant answers only)"
                    )
                    show_passages = gr.Checkbox(True, label="Show passages under Sources")
                with gr.Accordion("Add articles", open=False):
                    files = gr.File(
                        label=f"Upload {SUPPORTED_TEXT}",
                        file_count="multiple",
                        file_types=sorted(SUPPORTED_SUFFIXES),
                        elem_id="px-upload",
                    )
                    add = gr.Button("Add to the library", elem_id="px-add")
                    added = gr.HTML(elem_id="px-added")
            with gr.Column(scale=2):
                banner = gr.HTML(elem_id="px-banner")
                with gr.Accordion("Conflicts", open=True):
                    conflicts = gr.HTML("<p><em>Ask a question.</em></p>", elem_id="px-conflicts")
                with gr.Accordion("Sources", open=True):
                    sources = gr.HTML("<p><em>Ask a question.</em></p>", elem_id="px-sources")

        outputs = [chat, question, banner, conflicts, sources, last_answer]
        inputs = [question, chat, k, backend, show_passages]
        ask.click(respond, inputs, outputs, api_visibility="private")
        question.submit(respond, inputs, outputs, api_visibility="private")
        show_passages.change(rerender, [last_answer, show_passages], [sources], api_visibility="private")
        add.click(upload, [files], [added, status, files], api_name="add_articles", concurrency_limit=1)
        gr.api(ask_api, api_name="ask")
    return demo


def _chain(first: str | Answer, rest: Iterator[str | Answer]) -> Iterator[str | Answer]:
    yield first
    yield from rest
