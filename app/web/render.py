"""Answer -> HTML for the chat UI. Every string that comes from a document or a model is escaped here.

Pure functions: the UI passes in an Answer (and article texts) and shows what comes back; nothing here decides
what is true, only how it looks.
"""

from __future__ import annotations

import re
from html import escape

from app.answer import Answer, Citation, Conflict, Reading, Source, Status
from app.engine.nlp import CITATION
from app.library import LibraryEntry
from app.scan.background import ScanState
from app.scan.job import Finding

# Gradio scopes this CSS to its container; a `.dark` rule must be a single selector (in a comma list only the
# first one keeps the dark-mode prefix).
CSS = """
.px-answer { line-height: 1.5; }
.px-asked { font-size: 0.88em; color: #4b5160; margin: 0 0 4px 0; }
.px-banner { padding: 8px 12px; border-radius: 8px; margin: 4px 0 8px 0; font-weight: 600; }
.px-disagree { background: #fff4e5; border: 1px solid #f0a030; color: #5c3200; }
.px-abstain { background: #eef2f7; border: 1px solid #9aa7b8; color: #1f2a38; }
.px-fallback { background: #fdecec; border: 1px solid #d88; color: #6b1515; }
.px-block { margin-top: 8px; }
.px-block > summary { cursor: pointer; font-weight: 600; }
.px-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 6px 0; }
.px-source h4 { margin: 0 0 4px 0; font-size: 0.95em; }
.px-passage, .px-article { white-space: pre-wrap; font-size: 0.9em; line-height: 1.45; }
.px-article { max-height: 320px; overflow: auto; border-top: 1px dashed #999; margin-top: 6px; padding-top: 6px; }
.px-claims { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 8px; }
.px-claim { border: 1px solid #f0a030; border-radius: 8px; padding: 8px; background: #fffaf2; color: #1d1d1d; }
.px-claim a { color: #0b4f9c; }
.px-claim .px-meta { color: #4a4a4a; }
.dark .px-claim { color: #f1f1f1; }
.dark .px-claim .px-meta { color: #e0e0e0; }
.px-value { background: #ffd27a; color: #1d1d1d; font-weight: 700; padding: 0 2px; }
.px-unsupported { color: #b42318; }
.dark .px-unsupported { color: #ff9c8f; }
.px-complementary .px-claim { border-color: #7aa7d8; background: #f3f8fe; }
.px-reading { font-size: 0.88em; margin: 4px 0; padding: 4px 6px; border-left: 3px solid #7aa7d8; }
.px-reading.px-none { border-left-color: #bbb; }
.px-meta, .px-engine, .px-progress { font-size: 0.85em; color: #4b5160; margin: 2px 0; }
.dark .px-asked { color: #c3c7d0; }
.dark .px-meta { color: #c3c7d0; }
.dark .px-engine { color: #c3c7d0; }
.dark .px-progress { color: #c3c7d0; }
.dark .px-claim { background: #33260f; border-color: #b7791f; }
.dark .px-claim a { color: #9cc8ff; }
.dark .px-complementary .px-claim { background: #132437; border-color: #5b8cc4; }
.dark .px-value { background: #7a4d00; color: #fff7e6; }
.dark mark.px-cited { background: #5c5200; color: #fffbe0; }
.dark mark.px-passage-in-article { background: #1f3a5c; color: #eef5ff; }
mark.px-cited { background: #fff07a; color: #1d1d1d; }
mark.px-passage-in-article { background: #dcebff; color: #1d1d1d; }
.px-error { color: #b42318; font-weight: 600; }
.dark .px-error { color: #ff9c8f; }
.px-library { width: 100%; border-collapse: collapse; font-size: 0.92em; }
.px-library th, .px-library td { text-align: left; padding: 4px 6px; }
.px-library tr { border-bottom: 1px solid var(--border-color-primary); }
.px-bar { height: 6px; background: #e3e6ea; border-radius: 3px; overflow: hidden; }
.px-bar > div { height: 100%; background: #e8710a; }
.px-chip { white-space: normal !important; text-align: left !important; }
"""


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def text(value: str) -> str:
    """Escape for HTML; keep line breaks as they are (the panels use pre-wrap)."""
    return escape(value, quote=True)


def chat_text(value: str) -> str:
    """Escape for the chat, which renders Markdown: HTML escaped, then Markdown's special characters."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", escape(value, quote=False))


def _highlight(body: str, spans: list[tuple[int, int]], css_class: str) -> str:
    """`body` escaped, with the (start, end) spans wrapped in <mark class=css_class>."""
    out, last = [], 0
    for start, end in sorted(spans):
        start, end = max(start, last), min(end, len(body))
        if start >= end:
            continue
        out.append(text(body[last:start]))
        out.append(f'<mark class="{css_class}">{text(body[start:end])}</mark>')
        last = end
    out.append(text(body[last:]))
    return "".join(out)


def _preview(sentence: str, cites: list[Citation]) -> str:
    """The cited sentence a marker points at (shown when hovering [n]): the one sharing most words."""
    words = set(sentence.lower().split())
    best = max(cites, key=lambda c: len(words & set(c.quote.lower().split())))
    return " ".join(best.quote.split())


def _linked(sentence: str, anchor: str, by_n: dict[int, list[Citation]]) -> str:
    """An answer sentence, escaped, with each [n] a link to this answer's source n, previewing what it cites."""
    parts, last = [], 0
    for m in CITATION.finditer(sentence):
        parts.append(text(sentence[last : m.start()]))
        n = int(m.group(1))
        cites = by_n.get(n)
        title = f' title="{text(_preview(sentence, cites))}"' if cites else ""
        parts.append(f' <a href="#{anchor}-src-{n}" class="px-cite"{title}>[{n}]</a>')
        last = m.end()
    parts.append(text(sentence[last:]))
    return "".join(parts)


def _body(answer: Answer, anchor: str) -> str:
    """The checked answer: kept sentences with linked markers, removed ones struck out, and which engine wrote it."""
    by_n: dict[int, list[Citation]] = {}
    for c in answer.citations:
        by_n.setdefault(c.n, []).append(c)
    kept = [_linked(s.text, anchor, by_n) for s in answer.sentences if s.supported]
    body = f"<p>{' '.join(kept) if kept else text(answer.answer)}</p>"
    removed = [
        f'<li class="px-unsupported"><del>{text(s.text)}</del> — removed: {text(s.reason or "unsupported")}</li>'
        for s in answer.sentences
        if not s.supported
    ]
    if removed:
        body += '<p class="px-unsupported">Not supported by the cited passages:</p><ul>' + "".join(removed) + "</ul>"
    return f'{body}<p class="px-engine">{text(engine_line(answer))}</p>'


def answer_block(
    answer: Answer, turn: int, articles: dict[str, str], show_passages: bool = True, progress: str | None = None
) -> str:
    """One answer as a chat message that carries everything of its own: the question it answered, the
    disagreement banner, the cited text, its conflicts (open) and its sources (folded). Anchors are numbered by
    turn, so [2] of the first answer opens the first answer's source 2 however many answers follow.

    One HTML block without blank lines: the chat renders Markdown, and a blank line would end the block."""
    anchor = f"px-a{turn}"
    asked = ""
    if answer.interpreted_question and answer.interpreted_question != answer.question:
        asked = f'<p class="px-asked">Answering: {text(answer.interpreted_question)}</p>'
    doing = f'<p class="px-progress">⏳ {text(progress)}</p>' if progress else ""
    parts = [asked, banner(answer), _body(answer, anchor), doing]
    if answer.conflicts or answer.complementary:
        count = len(answer.conflicts)
        label = f"Conflicts ({count})" if count else "Different answers that can all be true"
        parts.append(
            f'<details class="px-block px-conflicts" open><summary>{label}</summary>'
            f"{conflicts_panel(answer, anchor)}</details>"
        )
    label, fold = ("Closest passages", " open") if answer.abstained else ("Sources", "")
    parts.append(
        f'<details class="px-block px-sources"{fold}><summary>{label} ({len(answer.sources)})</summary>'
        f"{sources_panel(answer, articles, show_passages, anchor)}</details>"
    )
    block = f'<div class="px-answer" id="{anchor}">{"".join(parts)}</div>'
    return block.replace("\n", "&#10;")


def engine_line(answer: Answer) -> str:
    """Which engine answered, and what the LLM cost."""
    if answer.engine == "instant":
        return "Instant answer (rules, no LLM)."
    read = len({r.file for r in answer.readings if r.read})
    u = answer.usage
    seconds = answer.timings_ms.get("reader", 0) / 1000
    return (
        f"Read by {answer.backend}: {read} source(s), {u.get('calls', 0)} LLM calls, "
        f"{u.get('prompt_tokens', 0)} prompt + {u.get('completion_tokens', 0)} generated tokens, {seconds:.1f} s."
    )


def banner(answer: Answer) -> str:
    """Plain banners: sources disagree, abstained, fell back to the extractive answer."""
    out = []
    if answer.conflicts:
        slots = ", ".join(text(c.slot) for c in answer.conflicts)
        out.append(f'<div class="px-banner px-disagree">⚠ Sources disagree on: {slots}. See Conflicts below.</div>')
    if answer.abstained:
        out.append(
            '<div class="px-banner px-abstain">The articles do not answer this question. '
            "The closest passages are shown below.</div>"
        )
    if answer.fallback:
        out.append(
            f'<div class="px-banner px-fallback">The reader could not run ({text(answer.fallback)}); '
            "showing the instant answer.</div>"
        )
    return "".join(out)


def conflicts_panel(answer: Answer, anchor: str) -> str:
    """Each conflict: its note, then the claims side by side with the value highlighted in its sentence."""
    parts = [_conflict(c, anchor) for c in answer.conflicts]
    parts += [_conflict(c, anchor, "px-complementary") for c in answer.complementary]
    return "".join(parts)


def _conflict(conflict: Conflict, anchor: str, css_class: str = "px-conflict", linked: bool = True) -> str:
    cards = []
    for claim in conflict.claims:
        value_at = (claim.value_start - claim.start, claim.value_end - claim.start)
        quote = _highlight(claim.quote, [value_at], "px-value")
        link = f'<a href="#{anchor}-src-{claim.n}">[{claim.n}]</a>' if linked else ""
        verdict, closing = (f"<b>{text(claim.verdict)}</b> (", ")") if claim.verdict else ("", "")  # "yes (1852)"
        cards.append(
            f'<div class="px-claim"><div>{link} <b>{text(claim.name)}</b></div>'
            f'<div class="px-meta">{_about(claim.file, claim.name, claim.published, claim.also_in)}</div>'
            f'<div>says {verdict}<span class="px-value">{text(claim.value)}</span>{closing}</div>'
            f'<div class="px-passage">{quote}</div></div>'
        )
    return (
        f'<div class="{css_class}"><h4>{text(conflict.slot)}</h4><p>{text(conflict.note)}</p>'
        f'<div class="px-claims">{"".join(cards)}</div></div>'
    )


def _about(file: str, name: str, published: str | None, also_in: tuple[str, ...]) -> str:
    """'2021-01-30 · 000_ab.txt · also in: copy.txt' (escaped): the date ("undated" when the article gives none),
    then the file name when the outlet or headline named the source first."""
    parts = [text(published) if published else "undated"]
    if name != file:
        parts.append(text(file))
    if also_in:
        parts.append(f"also in: {text(', '.join(also_in))}")
    return " · ".join(parts)


def sources_panel(answer: Answer, articles: dict[str, str], show_passages: bool, anchor: str) -> str:
    """Every numbered passage: file and title, cited spans highlighted, and the whole article on demand."""
    if not answer.sources:
        return "<p><em>No passages.</em></p>"
    by_n: dict[int, list[Citation]] = {}
    for c in answer.citations:
        by_n.setdefault(c.n, []).append(c)
    readings: dict[int, list[Reading]] = {}
    for r in answer.readings:
        readings.setdefault(r.n, []).append(r)
    return "".join(
        _source(s, by_n.get(s.n, []), articles.get(s.file), show_passages, readings.get(s.n, []), anchor)
        for s in answer.sources
    )


def _reading(r: Reading) -> str:
    if r.answers:
        return f'<div class="px-reading">The reader: this source says <b>{text(r.answer or "")}</b></div>'
    said = f" (it said “{text(r.answer)}”)" if r.answer else ""
    return f'<div class="px-reading px-none">The reader: {text(r.status)}{said}</div>'


def _source(
    src: Source, cites: list[Citation], article: str | None, show_passages: bool, readings: list[Reading], anchor: str
) -> str:
    mark = " · cited" if cites else ""
    headline = f" — {text(src.title)}" if src.outlet and src.title else ""
    head = f'<h4 id="{anchor}-src-{src.n}">[{src.n}] {text(src.name)}{headline}{mark}</h4>'
    head += f'<div class="px-meta">{_about(src.file, src.name, src.published, src.also_in)}</div>'
    head += "".join(_reading(r) for r in readings)
    if not show_passages:
        return f'<div class="px-source">{head}</div>'
    spans = [(c.start - src.start, c.end - src.start) for c in cites]
    passage = f'<div class="px-passage">{_highlight(src.text, spans, "px-cited")}</div>'
    whole = ""
    if article is not None:
        body = _highlight(article, [(src.start, src.end)], "px-passage-in-article")
        whole = f'<details><summary>Open the whole article</summary><div class="px-article">{body}</div></details>'
    return f'<div class="px-source">{head}{passage}{whole}</div>'


def status_line(status: Status) -> str:
    """'5 articles, 29 passages indexed · reader: local'."""
    reader = "none (instant engine only)" if status.backend == "none" else status.backend
    return f"{status.articles} articles, {status.passages} passages indexed · reader: {text(reader)}"


def library_table(entries: list[LibraryEntry], removed: list[str]) -> str:
    """Every article: headline, outlet, date, passages, syndicated copies, file; then the removed ones."""
    if not entries and not removed:
        return "<p><em>The library is empty: add articles below.</em></p>"
    rows = "".join(
        f"<tr><td><b>{text(e.title or e.file)}</b></td><td>{text(e.outlet or '—')}</td>"
        f"<td>{text(e.published or 'undated')}</td><td>{e.passages}</td>"
        f"<td>{text(', '.join(f for f in e.group if f != e.file) or '—')}</td><td>{text(e.file)}</td></tr>"
        for e in entries
    )
    head = "<tr><th>Headline</th><th>Outlet</th><th>Date</th><th>Passages</th><th>Same story as</th><th>File</th></tr>"
    out = f'<table class="px-library">{head}{rows}</table>'
    if removed:
        out += f'<p class="px-meta">Removed (restore below): {text(", ".join(removed))}</p>'
    return out


def error(message: str) -> str:
    """One clear line where the user acted."""
    return f'<p class="px-error" role="alert">{text(message)}</p>'


def scan_progress(state: ScanState) -> str:
    """'Scanning: 3 of 5 pairs …' while the scan runs; the last report's line when it is done."""
    if state.running:
        share = f"{state.done} of {state.total} pairs" if state.total else "reading the articles"
        width = int(100 * state.done / state.total) if state.total else 0
        bar = f'<div class="px-bar"><div style="width:{width}%"></div></div>'
        return f'<p class="px-progress">⏳ Scanning: {share} · {text(state.doing)}</p>{bar}'
    if state.error:
        return error(f"The scan failed: {state.error}")
    if state.report is None:
        return '<p class="px-meta">No scan yet: press Scan.</p>'
    return f'<p class="px-meta">{text(state.report.summary())}</p>'


def findings_panel(findings: list[Finding]) -> str:
    """Each disagreement under its topic, the sides side by side (as in an answer's Conflicts)."""
    if not findings:
        return "<p><em>No disagreements found between different stories.</em></p>"
    return "".join(_conflict(f.conflict, "", linked=False) for f in findings)
