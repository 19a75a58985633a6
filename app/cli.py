"""`parallax` command line: ingest and search over the same components the UI uses."""

from __future__ import annotations

import json
import shutil
import socket
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

import click
from pydantic import ValidationError

from app.answer import Answer
from app.backends import chunk_config, make_embedder, make_folder_service, make_library, make_service, open_store
from app.engine.retrieve import EmptyIndex, HybridRetriever, QuestionError
from app.library import LibraryError
from app.service import Parallax, ReaderUnavailable
from app.settings import LLM_NAMES, PROJECT_ROOT, Settings
from ingest.load import SUPPORTED_TEXT, LoadError
from ingest.pipeline import IngestReport, ingest_folder
from ingest.store import StoreUnavailable

USER_ERRORS = (StoreUnavailable, EmptyIndex, QuestionError, LoadError)
WRAP = 100


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise click.ClickException(f"bad configuration: {exc}") from None


@click.group()
def main() -> None:
    """Parallax: ask questions of a pile of news articles; answers cite their sources."""


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
def ingest(path: Path | None, quiet: bool) -> None:
    """Ingest the articles in PATH (default: the configured data folder, seeds/)."""
    settings = _settings()
    folder = path or settings.data_dir
    try:
        store = open_store(settings)
        report = ingest_folder(folder, store, make_embedder(settings), chunk_config(settings), progress=not quiet)
    except USER_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    _echo_failures(report)
    if not (report.added or report.updated or report.unchanged or report.failed or report.removed):
        click.echo(f"no articles found in {folder} ({SUPPORTED_TEXT})", err=True)
    click.echo(report.summary())
    for group in report.groups:
        click.echo(f"syndicated copies (one story): {', '.join(group)}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def articles(as_json: bool) -> None:
    """List the articles in the library: file, title, outlet, date, passages, syndicated group."""
    settings = _settings()
    try:
        entries = make_library(settings, open_store(settings)).entries()
    except USER_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps([asdict(e) for e in entries], indent=2, ensure_ascii=False))
        return
    if not entries:
        click.echo("the library is empty: run `parallax ingest`", err=True)
    for e in entries:
        about = " · ".join(x for x in (e.outlet, e.published or "undated", f"{e.passages} passages") if x)
        click.echo(f"{e.file}\n  {e.title}\n  {about}")
        if e.group:
            click.echo(f"  same story as: {', '.join(f for f in e.group if f != e.file)}")


@main.command()
@click.argument("file")
@click.option("--delete-file", is_flag=True, help="Also delete the file from the data folder.")
def remove(file: str, delete_file: bool) -> None:
    """Remove FILE's article(s) from the library. The file stays (and is not ingested again) unless --delete-file;
    `parallax restore FILE` brings it back."""
    settings = _settings()
    try:
        removed = make_library(settings, open_store(settings)).remove(file, delete_file)
    except (*USER_ERRORS, LibraryError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"removed {len(removed)} article(s): {', '.join(removed)}" + (" (file deleted)" if delete_file else ""))


@main.command()
@click.argument("file")
def restore(file: str) -> None:
    """Undo `parallax remove FILE` (without --delete-file): ingest the file again."""
    settings = _settings()
    try:
        report = make_library(settings, open_store(settings)).restore(file)
    except (*USER_ERRORS, LibraryError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())


def _echo_failures(report: IngestReport) -> None:
    """One line on stderr for each file that was not ingested, saying why."""
    for _name, message in report.failed:
        click.echo(f"skipped {message}", err=True)


@main.command()
@click.argument("question")
@click.option("--k", "k", type=int, default=None, help="Number of passages (default: settings top_k).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of hits.")
def search(question: str, k: int | None, as_json: bool) -> None:
    """Print the passages that best match QUESTION."""
    settings = _settings()
    try:
        retriever = HybridRetriever(open_store(settings), make_embedder(settings), repeat_weight=settings.repeat_weight)
        hits = retriever.search(question, k or settings.top_k)
    except USER_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        json.dump([h.to_dict() for h in hits], sys.stdout, ensure_ascii=False, indent=2)
        click.echo()
        return
    for rank, hit in enumerate(hits, 1):
        click.echo(f"[{rank}] {hit.file}  chars {hit.start}-{hit.end}  score {hit.score:.4f}")
        click.echo(f"    {hit.title}")
        click.echo("    " + " ".join(hit.text.split())[:400])
        click.echo()


@main.command()
@click.argument("question")
@click.option("--k", "k", type=int, default=None, help="Passages to retrieve (default: settings top_k).")
@click.option(
    "--llm", "llm", type=click.Choice(LLM_NAMES), default=None,
    help="The reader's LLM for this call (default: settings llm, the packaged local model); none = instant only.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
def ask(question: str, k: int | None, llm: str | None, as_json: bool) -> None:
    """Answer QUESTION from the articles, with checked citations and any disagreement between sources."""
    settings = _settings()
    service = _service(settings)
    answer = _answered(service.ask_stream(question, k, llm), llm or settings.llm)
    if as_json:
        json.dump(answer.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        click.echo()
        return
    _print_answer(answer)


@main.command()
@click.option("--k", "k", type=int, default=None, help="Passages to retrieve (default: settings top_k).")
@click.option(
    "--llm", "llm", type=click.Choice(LLM_NAMES), default=None,
    help="The reader's LLM (default: settings llm); none = instant answers only.",
)  # fmt: skip
def chat(k: int | None, llm: str | None) -> None:
    """A conversation in the terminal: follow-ups are read with what came before ("And South Korea's?").
    An empty line or Ctrl-D ends it; the history lasts for the session."""
    settings = _settings()
    service = _service(settings)
    history: list[dict[str, str]] = []
    click.echo("Ask about the articles; follow-ups are read with the conversation. Empty line or Ctrl-D to quit.")
    while True:
        try:
            message = click.prompt("\nyou", default="", show_default=False, prompt_suffix="> ")
        except (EOFError, click.Abort):
            break
        if not message.strip():
            break
        try:
            answer = _answered(service.chat_stream(message, history, k, llm), llm or settings.llm)
        except click.ClickException as exc:
            click.secho(f"Error: {exc.message}", fg="red", err=True)
            continue
        if answer.interpreted_question and answer.interpreted_question != answer.question:
            click.secho(f"Answering: {answer.interpreted_question}", dim=True)
        _print_answer(answer)
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": answer.answer}]


def _service(settings: Settings) -> Parallax:
    try:
        return make_service(settings)
    except USER_ERRORS as exc:
        raise click.ClickException(str(exc)) from None


def _answered(events: Iterator[str | Answer], llm: str) -> Answer:
    """The last Answer of a service stream, its progress lines on stderr; user errors as one clean line."""
    answer = None
    try:
        for event in events:
            if isinstance(event, Answer):
                answer = event
                if event.engine == "instant" and llm != "none":
                    click.echo("instant answer ready; the reader is checking each source…", err=True)
            else:
                click.echo(event, err=True)
    except USER_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    assert answer is not None, "a service stream yields at least the instant Answer"
    return answer


def _print_answer(answer: Answer) -> None:
    if answer.abstained:
        click.secho("No answer in the articles.", bold=True)
    elif answer.conflicts:
        click.secho("Sources disagree.", bold=True, fg="yellow")
    click.echo(textwrap.fill(answer.answer, WRAP))
    for sentence in answer.sentences:
        if not sentence.supported:
            click.secho(f"  [unsupported, removed] {sentence.text} ({sentence.reason})", fg="red")
    if answer.note:
        click.echo()
        click.echo(textwrap.fill(f"Note: {answer.note}", WRAP))
    for conflict in answer.conflicts:
        click.echo()
        click.secho(f"Conflict: {conflict.slot}", bold=True)
        for claim in conflict.claims:
            click.echo(f"  [{claim.n}] {claim.file}: {claim.value}")
            click.echo(textwrap.indent(textwrap.fill(claim.quote, WRAP - 6), "      "))
    click.echo()
    click.secho("Sources" if not answer.abstained else "Closest passages", bold=True)
    cited = {c.n for c in answer.citations}
    for src in answer.sources:
        mark = "*" if src.n in cited else " "
        click.echo(f" {mark}[{src.n}] {src.file} (chars {src.start}-{src.end}) {src.title}")
    if answer.readings:
        click.echo()
        click.secho("What each source says", bold=True)
        for r in answer.readings:
            said = f"{r.answer}: \u201c{r.quote}\u201d" if r.answers else r.status
            click.echo(textwrap.fill(f"[{r.n}] {r.file}: {said}", WRAP, subsequent_indent="      "))
    spent = answer.usage
    cost = (
        f", {spent['calls']} LLM calls, {spent['prompt_tokens']}+{spent['completion_tokens']} tokens" if spent else ""
    )
    click.echo(f"\n{answer.engine} answer ({answer.backend}) in {answer.timings_ms.get('total', 0):.0f} ms{cost}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON (Conflict objects).")
@click.option(
    "--llm", "llm", type=click.Choice(LLM_NAMES), default=None,
    help="The LLM that judges what the rules leave open (default: settings llm); none = rules only.",
)  # fmt: skip
def disagreements(as_json: bool, llm: str | None) -> None:
    """What do the articles disagree about? Scans pairs of articles (only pairs not judged before) and lists each
    disagreement with every side's claim."""
    settings = _settings()
    service = _service(settings)
    try:
        report = service.scan(llm, progress=lambda done, total, what: click.echo(f"[{done}/{total}] {what}", err=True))
    except (*USER_ERRORS, ReaderUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        json.dump([asdict(f) for f in report.findings], sys.stdout, ensure_ascii=False, indent=2)
        click.echo()
        return
    click.echo(report.summary(), err=True)
    if not report.findings:
        click.echo("No disagreements found.")
    for finding in report.findings:
        click.secho(f"\n{finding.conflict.slot}", bold=True)
        for claim in finding.conflict.claims:
            click.echo(f"  {claim.name} ({claim.published or 'undated'}, {claim.file}): {claim.value}")
            click.echo(textwrap.indent(textwrap.fill(" ".join(claim.quote.split()), WRAP - 6), "      "))


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: settings host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: settings port, 7860).")
def serve(host: str | None, port: int | None) -> None:
    """Ingest the data folder if anything changed, then open the chat UI."""
    # Imported here: Gradio takes seconds to import, and only `serve` needs it.
    from app.chat.conversations import ConversationStore
    from app.scan.background import ScanRunner
    from app.web.render import CSS
    from app.web.ui import SHOW_NEW_ANSWER, build_ui

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({exc.strerror}); stop the other server or set PARALLAX_PORT"
            ) from None
    try:
        service = make_service(settings)
        report = ingest_folder(
            settings.data_dir, service.store, make_embedder(settings), chunk_config(settings), progress=True
        )
    except USER_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())
    _echo_failures(report)
    service.retriever.warm()
    library = make_library(settings, service.store)
    conversations = ConversationStore(settings.conversations_file)
    scans = ScanRunner(service, settings.llm, settings.scan_in_background)
    scans.start()  # the disagreement map, in the background: only pairs not judged before reach the LLM
    demo = build_ui(service, library, conversations, scans, settings.llm, settings.top_k)
    auth = None
    if settings.ui_username and settings.ui_password:
        auth = (settings.ui_username, settings.ui_password.get_secret_value())
    click.echo(f"Parallax chat at http://{host}:{port}")
    demo.queue(default_concurrency_limit=settings.ui_concurrency, max_size=200).launch(
        server_name=host,
        server_port=port,
        auth=auth,
        css=CSS,
        head=SHOW_NEW_ANSWER,
        footer_links=["api"],
        max_file_size=int(settings.max_file_mb * 1_000_000),
        quiet=True,
    )


@main.command("eval")
@click.option(
    "--suite", type=click.Choice(["seeds", "dev", "all"]), default=None,
    help="seeds: the known questions; dev: every ../shared/evalsets/*_dev.jsonl; all: both (default: seeds).",
)  # fmt: skip
@click.option(
    "--dataset", "datasets", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A .jsonl set (repeatable).",
)  # fmt: skip
@click.option(
    "--backend", "backends", multiple=True, type=click.Choice(LLM_NAMES),
    help="Engine(s): none = the instant engine; local/openai/ollama = the reader with that LLM. "
    "Default: none and the configured llm.",
)  # fmt: skip
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N items per set (the same N each run).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Results folder.")
@click.option("--name", default=None, help="Run name (default: date and time).")
def eval_command(
    suite: str | None,
    datasets: tuple[Path, ...],
    backends: tuple[str, ...],
    limit: int | None,
    out: Path | None,
    name: str | None,
) -> None:
    """Run the known questions and/or external sets and write results JSON, a Markdown report and a PNG chart."""
    from evals import run as evals

    settings = _settings()
    chosen = list(dict.fromkeys(backends or ["none", settings.llm]))
    sets: dict[str, Path | None] = {}
    if suite in {"seeds", "all"} or (suite is None and not datasets):
        sets["seeds"] = None
    if suite in {"dev", "all"}:
        found = sorted(settings.evalsets_dir.glob("*_dev.jsonl"))
        if not found:
            raise click.ClickException(f"no *_dev.jsonl sets in {settings.evalsets_dir} (set PARALLAX_EVALSETS_DIR)")
        sets.update({p.stem: p for p in found})
    sets.update({p.stem: p for p in datasets})
    results = {}
    try:
        # Every set's throwaway stores live under one folder that goes when the run ends, however it ends
        # (each was left in the temp folder before: ~100 MB a set).
        with tempfile.TemporaryDirectory(prefix="parallax-eval-") as scratch:
            for set_name, path in sets.items():
                root = Path(scratch) / set_name
                if path is None:
                    items = evals.load_questions()
                    service_for = _seed_services(settings, root)
                else:
                    items = evals.load_dataset(path)
                    service_for = evals.dataset_services(lambda f, _: make_folder_service(settings, f), root)
                items = evals.sample(items, limit)
                for backend in chosen:
                    label = f"{set_name}/{'instant' if backend == 'none' else 'reader-' + backend}"
                    results[label] = evals.run(items, service_for, backend, progress=label)
    except (*USER_ERRORS, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    run_name = name or time.strftime("%Y%m%d-%H%M%S")
    summaries, paths = evals.write(run_name, results, out or evals.RESULTS)
    click.echo(evals.markdown(run_name, summaries, results).split("\n### Failing")[0])
    for path in paths:
        click.echo(f"wrote {path}")


def _seed_services(settings: Settings, folder: Path) -> Callable[[object], Parallax]:
    """The seeds in a throwaway store in `folder` (never the user's), one service for every seed question."""
    (folder / "docs").mkdir(parents=True)
    for seed in sorted((PROJECT_ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, folder / "docs")
    service = make_folder_service(settings, folder)
    return lambda _item: service
