"""The Gradio chat: asks the service, renders each Answer (app/web/render.py) under its own question, keeps the
conversation (app/chat/conversations.py) and manages the library (app/library.py); decides nothing.

Tabs: Chat (conversation, saved conversations, examples, settings) and Library (every article, remove, restore,
upload). Errors show as one line where the user acted (under the question box, under the upload), never as
error badges over the other components. API: /ask and /chat (Answer JSON), /add_articles.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import gradio as gr

from app.answer import Answer
from app.chat.conversations import ConversationStore, Turn
from app.engine.retrieve import EmptyIndex, QuestionError
from app.library import Library, LibraryError, UploadError
from app.scan.background import ScanRunner
from app.service import Parallax
from app.settings import LLM_NAMES
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
# A new answer scrolls into view from its top (its question, banner and conflicts first, on a phone too); the
# chat's own autoscroll would show its end, the sources. Passed to launch(head=...).
SHOW_NEW_ANSWER = """<script>
new MutationObserver(() => {
  const answers = document.querySelectorAll("#px-chat .px-answer");
  const last = answers[answers.length - 1];
  if (last && last !== window.pxShown) { window.pxShown = last; last.scrollIntoView({block: "start"}); }
}).observe(document.documentElement, {childList: true, subtree: true});
</script>"""
TRACK_INGEST = gr.Progress(track_tqdm=True)  # Gradio shows the ingest's tqdm bar as the event's progress


@dataclass
class Shown:
    """One turn as the page holds it: the message as the user wrote it and its Answer."""

    message: str
    answer: Answer


def _owner(browser_key: str, request: gr.Request | None) -> str:
    """Whose conversations these are: the logged-in user when login is on, else this browser's own key."""
    user = getattr(request, "username", None) if request is not None else None
    return f"user:{user}" if user else f"browser:{browser_key}"


def build_ui(
    service: Parallax,
    library: Library,
    conversations: ConversationStore,
    scans: ScanRunner,
    default_llm: str,
    top_k: int,
) -> gr.Blocks:
    """The chat page; everything goes through `service`, `library`, `conversations` and `scans`."""

    def articles_of(answer: Answer) -> dict[str, str]:
        files = {s.file for s in answer.sources}
        return {f: text for f in files if (text := service.article(f)) is not None}

    def message_pair(
        i: int, turn: Shown, show_passages: bool, progress: str | None = None, articles: dict[str, str] | None = None
    ) -> list[dict]:
        """The question and its answer block (`articles`: the answer's article texts, when already read)."""
        articles = articles_of(turn.answer) if articles is None else articles
        block = render.answer_block(turn.answer, i, articles, show_passages, progress)
        return [{"role": "user", "content": render.chat_text(turn.message)}, {"role": "assistant", "content": block}]

    def chat_of(turns: list[Shown], show_passages: bool) -> list[dict]:
        return [m for i, t in enumerate(turns) for m in message_pair(i, t, show_passages)]

    def saved_choices(owner: str) -> list[tuple[str, str]]:
        return [(c.title, c.id) for c in conversations.list(owner)]

    def respond(
        message: str,
        chat: list[dict],
        turns: list[Shown],
        conversation: str | None,
        browser_key: str,
        k: int,
        backend: str,
        show_passages: bool,
        request: gr.Request,
    ) -> Iterator[tuple]:
        owner = _owner(browser_key, request)
        history = [m for t in turns for m in ({"role": "user", "content": t.message},
                                              {"role": "assistant", "content": t.answer.answer})]  # fmt: skip
        try:
            events = service.chat_stream(message, history, int(k), backend)
            first = next(events)  # validation and retrieval errors surface here, before the chat changes
        except USER_ERRORS as exc:
            yield gr.skip(), gr.skip(), render.error(str(exc)), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        turns = [*turns, Shown(message, first)]
        position = len(turns) - 1
        chat = [*chat, {"role": "user", "content": render.chat_text(message)}, {}]
        articles: dict[str, str] = {}
        for event in _chain(first, events):
            if isinstance(event, Answer):
                turns[-1] = Shown(message, event)
                articles = articles_of(event)  # read once per answer, not once per progress line
                conversation = conversations.save_turn(owner, conversation, position, Turn(message, event.to_dict()))
                chat[-1] = message_pair(position, turns[-1], show_passages, articles=articles)[1]
                choices = gr.update(choices=saved_choices(owner), value=conversation)
                yield "", chat, "", turns, conversation, choices, gr.skip()
            else:  # the reader's progress under the instant answer
                chat[-1] = message_pair(position, turns[-1], show_passages, event, articles)[1]
                yield gr.skip(), chat, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def open_conversation(
        conversation: str | None, browser_key: str, show_passages: bool, request: gr.Request
    ) -> tuple:
        owner = _owner(browser_key, request)
        if not conversation:
            return [], [], None, ""
        turns = [Shown(t.message, Answer.from_dict(t.answer)) for t in conversations.turns(owner, conversation)]
        return chat_of(turns, show_passages), turns, conversation, ""

    def start(browser_key: str, show_passages: bool, request: gr.Request) -> tuple:
        """On page load: this browser's key (made on its first visit), its latest conversation, fresh counts."""
        browser_key = browser_key or secrets.token_urlsafe(24)
        owner = _owner(browser_key, request)
        choices = saved_choices(owner)
        latest = choices[0][1] if choices else None
        chat, turns, conversation, error = open_conversation(latest, browser_key, show_passages, request)
        picker = gr.update(choices=choices, value=conversation)
        return browser_key, chat, turns, conversation, picker, error, render.status_line(service.status())

    def new_conversation() -> tuple:
        return [], [], None, gr.update(value=None), "", ""

    def delete_conversation(conversation: str | None, browser_key: str, request: gr.Request) -> tuple:
        owner = _owner(browser_key, request)
        if conversation:
            conversations.delete(owner, conversation)
        return [], [], None, gr.update(choices=saved_choices(owner), value=None), "", ""

    def rerender(turns: list[Shown], show_passages: bool) -> list[dict]:
        return chat_of(turns, show_passages)

    def library_view() -> tuple[str, dict, dict, str]:
        entries, removed = library.entries(), library.removed()
        return (
            render.library_table(entries, removed),
            gr.update(choices=[e.file for e in entries], value=None),
            gr.update(choices=removed, value=None),
            render.status_line(service.status()),
        )

    def upload(files: list[str] | None, progress: gr.Progress = TRACK_INGEST) -> tuple:
        if not files:
            return render.error(f"Choose one or more files first ({SUPPORTED_TEXT})."), *library_view(), gr.skip()
        progress(0, desc="Saving and reading the files…")
        try:
            lines = library.add([(Path(f), Path(f).name) for f in files], progress=True)
        except (UploadError, StoreUnavailable) as exc:
            return render.error(str(exc)), *library_view(), gr.skip()
        scans.start()
        shown = "<br>".join(render.error(line) if line.startswith("refused") else render.text(line) for line in lines)
        return shown, *library_view(), None

    def remove(file: str | None) -> tuple:
        if not file:
            return render.error("Choose an article to remove."), *library_view()
        try:
            gone = library.remove(file)
        except (LibraryError, StoreUnavailable) as exc:
            return render.error(str(exc)), *library_view()
        scans.start()
        return render.text(f"Removed {', '.join(gone)} (the file stays; restore brings it back)."), *library_view()

    def restore(file: str | None, progress: gr.Progress = TRACK_INGEST) -> tuple:
        if not file:
            return render.error("Choose a removed article to restore."), *library_view()
        try:
            report = library.restore(file, progress=True)
        except (LibraryError, StoreUnavailable) as exc:
            return render.error(str(exc)), *library_view()
        scans.start()
        return render.text(report.summary()), *library_view()

    def rescan(progress: gr.Progress = TRACK_INGEST) -> tuple:
        try:
            report = library.ingest(True)
        except StoreUnavailable as exc:
            return render.error(str(exc)), *library_view()
        scans.start()
        return render.text(report.summary()), *library_view()

    def scan_view(shown: int | None) -> tuple:
        """The tab's progress line always; the findings and their picker only when a new report arrived."""
        state = scans.state()
        line = render.scan_progress(state)
        report = state.report
        if report is None or id(report) == shown:
            return line, gr.skip(), gr.skip(), shown
        choices = [(f.conflict.slot, f.question) for f in report.findings]
        return line, render.findings_panel(report.findings), gr.update(choices=choices, value=None), id(report)

    def scan_now(llm: str, shown: int | None) -> tuple:
        scans.start(llm, asked=True)
        return scan_view(shown)

    def ask_about(question: str | None) -> tuple:
        if not question:
            return gr.skip(), gr.skip(), render.error("Choose a disagreement first.")
        return gr.Tabs(selected="chat"), question, ""

    def disagreements_api() -> list[dict]:
        """The disagreement map as it stands (the last finished scan; an empty list before the first): each
        finding's topic, question and Conflict JSON."""
        report = scans.state().report
        return [asdict(f) for f in report.findings] if report is not None else []

    def ask_api(question: str, k: int = top_k, backend: str = default_llm) -> dict:
        """Ask one question; returns the engine's Answer as JSON (the `parallax ask --json` object)."""
        try:
            return service.ask(question, _whole(k), backend).to_dict()
        except USER_ERRORS as exc:
            raise gr.Error(str(exc)) from None

    def chat_api(message: str, history: list[dict] | None = None, k: int = top_k, backend: str = default_llm) -> dict:
        """Answer `message` in a conversation: `history` is the earlier turns as [{role, content}], oldest first.
        Returns the Answer JSON; `interpreted_question` is the standalone question that was answered."""
        turns = [t for t in history or [] if isinstance(t, dict) and t.get("role") in {"user", "assistant"}]
        try:
            answer = None
            for event in service.chat_stream(message, turns, _whole(k), backend):
                if isinstance(event, Answer):
                    answer = event
            assert answer is not None
            return answer.to_dict()
        except USER_ERRORS as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="Parallax") as demo:
        gr.Markdown("# Parallax\nAnswers from the articles, every sentence cited and checked; disagreements shown.")
        status = gr.HTML(render.status_line(service.status()), elem_id="px-status")
        browser_key = gr.BrowserState("", storage_key="parallax-browser")
        turns = gr.State([])
        conversation = gr.State(None)
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat", elem_id="px-chat-tab"):
                chat = gr.Chatbot(
                    label="Chat", height=640, elem_id="px-chat", buttons=["copy"], resizable=True, autoscroll=False
                )
                question = gr.Textbox(
                    label="Question", placeholder="Ask about the articles… (follow-ups welcome)", elem_id="px-question"
                )
                error = gr.HTML(elem_id="px-error")
                with gr.Row():
                    ask = gr.Button("Ask", variant="primary", elem_id="px-ask")
                    clear = gr.Button("Clear", elem_id="px-clear")
                gr.Markdown("Try:")
                with gr.Row():
                    chips = [gr.Button(q, size="sm", elem_classes=["px-chip"]) for q in EXAMPLES]
                with gr.Accordion("Saved conversations", open=False), gr.Row():
                    picker = gr.Dropdown(
                        [],
                        value=None,
                        label="Conversations",
                        elem_id="px-conversations",
                        scale=4,
                        allow_custom_value=False,
                    )
                    new = gr.Button("New conversation", elem_id="px-new", scale=1)
                    delete = gr.Button("Delete", elem_id="px-delete", scale=1, variant="stop")
                with gr.Accordion("Settings", open=False):
                    k = gr.Slider(1, 12, value=top_k, step=1, label="Passages to retrieve (top-k)")
                    backend = gr.Dropdown(
                        list(LLM_NAMES), value=default_llm, label="Reader model (none = instant answers only)"
                    )
                    show_passages = gr.Checkbox(True, label="Show passages under Sources")
            with gr.Tab("Disagreements", id="disagreements", elem_id="px-disagreements-tab"):
                gr.Markdown(
                    "What the articles disagree about, found before anyone asks: pairs of sentences from "
                    "different stories that give different values for the same thing, judged by the reader."
                )
                with gr.Row():
                    scan_llm = gr.Dropdown(list(LLM_NAMES), value=default_llm, label="Judge with", scale=1,
                                           elem_id="px-scan-llm")  # fmt: skip
                    scan_button = gr.Button("Scan now", elem_id="px-scan", scale=1)
                scan_line = gr.HTML(elem_id="px-scan-progress")
                findings = gr.HTML(elem_id="px-findings")
                with gr.Row():
                    finding_pick = gr.Dropdown([], label="Disagreement", elem_id="px-finding-pick", scale=3)
                    ask_about_button = gr.Button("Ask about this", elem_id="px-ask-about", scale=1)
                ask_about_error = gr.HTML(elem_id="px-ask-about-error")
                shown_report = gr.State(None)
                timer = gr.Timer(2)
            with gr.Tab("Library", id="library", elem_id="px-library-tab"):
                table = gr.HTML(elem_id="px-library")
                library_note = gr.HTML(elem_id="px-library-note")
                with gr.Row():
                    pick = gr.Dropdown([], label="Article", elem_id="px-pick", scale=3)
                    remove_button = gr.Button("Remove from the library", elem_id="px-remove", scale=1)
                with gr.Row():
                    removed_pick = gr.Dropdown([], label="Removed article", elem_id="px-removed", scale=3)
                    restore_button = gr.Button("Restore and re-ingest", elem_id="px-restore", scale=1)
                rescan_button = gr.Button("Re-ingest the data folder (picks up changed files)", elem_id="px-rescan")
                files = gr.File(
                    label=f"Add articles: {SUPPORTED_TEXT}",
                    file_count="multiple",
                    file_types=sorted(SUPPORTED_SUFFIXES),
                    elem_id="px-upload",
                )
                add = gr.Button("Add to the library", elem_id="px-add")
                added = gr.HTML(elem_id="px-added")

        ask_inputs = [question, chat, turns, conversation, browser_key, k, backend, show_passages]
        ask_outputs = [question, chat, error, turns, conversation, picker, status]
        ask.click(respond, ask_inputs, ask_outputs, api_visibility="private", show_progress="hidden")
        question.submit(respond, ask_inputs, ask_outputs, api_visibility="private", show_progress="hidden")
        for chip in chips:
            chip.click(respond, [chip, *ask_inputs[1:]], ask_outputs, api_visibility="private", show_progress="hidden")
        reset = [chat, turns, conversation, picker, error, question]
        new.click(new_conversation, None, reset, api_visibility="private")
        clear.click(new_conversation, None, reset, api_visibility="private")
        chat.clear(new_conversation, None, reset, api_visibility="private")  # the chat's own bin icon
        delete.click(delete_conversation, [conversation, browser_key], reset, api_visibility="private")
        picker.input(
            open_conversation, [picker, browser_key, show_passages], [chat, turns, conversation, error],
            api_visibility="private",
        )  # fmt: skip
        show_passages.change(rerender, [turns, show_passages], [chat], api_visibility="private")
        library_outputs = [table, pick, removed_pick, status]
        add.click(upload, [files], [added, *library_outputs, files], api_name="add_articles", concurrency_limit=1)
        remove_button.click(remove, [pick], [library_note, *library_outputs], api_visibility="private",
                            concurrency_limit=1)  # fmt: skip
        restore_button.click(restore, [removed_pick], [library_note, *library_outputs], api_visibility="private",
                             concurrency_limit=1)  # fmt: skip
        rescan_button.click(rescan, None, [library_note, *library_outputs], api_visibility="private",
                            concurrency_limit=1)  # fmt: skip
        demo.load(
            start, [browser_key, show_passages], [browser_key, chat, turns, conversation, picker, error, status],
            api_visibility="private",
        )  # fmt: skip
        demo.load(library_view, None, library_outputs, api_visibility="private")
        scan_outputs = [scan_line, findings, finding_pick, shown_report]
        timer.tick(scan_view, [shown_report], scan_outputs, api_visibility="private", show_progress="hidden")
        scan_button.click(scan_now, [scan_llm, shown_report], scan_outputs, api_visibility="private")
        ask_about_button.click(
            ask_about, [finding_pick], [tabs, question, ask_about_error], api_visibility="private"
        ).success(respond, ask_inputs, ask_outputs, api_visibility="private", show_progress="hidden")
        gr.api(disagreements_api, api_name="disagreements")
        gr.api(ask_api, api_name="ask")
        gr.api(chat_api, api_name="chat")
    return demo


def _chain(first: str | Answer, rest: Iterator[str | Answer]) -> Iterator[str | Answer]:
    yield first
    yield from rest


def _whole(k: int | float) -> int | float:
    """An API client's 6.0 is 6; anything else goes to the service's check as it came."""
    return int(k) if isinstance(k, float) and k.is_integer() else k
