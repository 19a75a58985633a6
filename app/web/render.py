"""Answer -> HTML for the chat UI. Every string that comes from a document or a model is escaped here.

Pure functions: the UI passes in an Answer (and article texts) and shows what comes back; nothing here decides
what is true, only how it looks.
"""

from __future__ import annotations

import re
from html import escape

from app.answer import Answer, Citation, Conflict, Reading, Source, Status
from app.engine.nlp import CITATION

CSS = """
.px-banner { padding: 10px 14px; border-radius: 8px; margin: 4px 0; font-weight: 600; }
.px-disagree { background: #fff4e5; border: 1px solid #f0a030; color: #7a4300; }
.px-abstain { background: #eef2f7; border: 1px solid #9aa7b8; color: #2d3a4a; }
.px-fallback { background: #fdecec; border: 1px solid #d88; color: #7a1f1f; }
.px-source { border: 1px solid #ddd; border-radius: 8px; padding: 8px 10px; margin: 6px 0; }
.px-source h4 { margin: 0 0 4px 0; font-size: 0.95em; }
.px-passage, .px-article { white-space: pre-wrap; font-size: 0.9em; line-height: 1.45; }
.px-article { max-height: 320px; overflow: auto; border-top: 1px dashed #ccc; margin-top: 6px; padding-top: 6px; }
.px-claims { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 8px; }
.px-claim { border: 1px solid #f0a030; border-radius: 8px; padding: 8px; background: #fffaf2; }
.px-value { background: #ffd27a; font-weight: 700; padding: 0 2px; }
.px-unsupported { color: #a33; }
.px-complementary .px-claim { border-color: #7aa7d8; background: #f3f8fe; }
.px-reading { font-size: 0.88em; margin: 4px 0; padding: 4px 6px; border-left: 3px solid #7aa7d8; }
.px-reading.px-none { border-left-color: #bbb; color: #555; }
.px-meta { font-size: 0.85em; opacity: 0.8; margin: 2px 0; }
.px-engine, .px-progress { font-size: 0.85em; color: #555; }
mark.px-cited { background: #fff07a; }
mark.px-passage-in-article { background: #e4f0ff; }
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


def _linked(sentence: str) -> str:
    """An answer sentence, escaped, with each [n] turned into a link to source n."""
    parts, last = [], 0
    for m in CITATION.finditer(sentence):
        parts.append(chat_text(sentence[last : m.start()]))
        n = int(m.group(1))
        parts.append(f' <a href="#px-src-{n}" class="px-cite">[{n}]</a>')
        last = m.end()
    parts.append(chat_text(sentence[last:]))
    return "".join(parts)


def answer_message(answer: Answer) -> str:
    """The chat message for a checked answer: kept sentences with linked markers, removed ones struck out."""
    if answer.abstained:
        return chat_text(answer.answer)
    kept = [_linked(s.text) for s in answer.sentences if s.supported]
    body = " ".join(kept) if kept else chat_text(answer.answer)
    removed = [
        f'<li class="px-unsupported"><del>{chat_text(s.text)}</del> — removed: '
        f"{chat_text(s.reason or 'unsupported')}</li>"
        for s in answer.sentences
        if not s.supported
    ]
    if removed:
        body += '<p class="px-unsupported">Not supported by the cited passages:</p><ul>' + "".join(removed) + "</ul>"
    return f'{body}<p class="px-engine">{chat_text(engine_line(answer))}</p>'


def progress_message(answer: Answer, line: str) -> str:
    """The instant answer while the reader works, with what it is doing ("reading source 2 of 5 with …")."""
    return f'{answer_message(answer)}<p class="px-progress">⏳ {chat_text(line)}</p>'


def engine_line(answer: Answer) -> str:
    """Which engine answered, and what the LLM cost."""
    if answer.engine == "instant":
        return "Instant answer (rules, no LLM)."
    read = len({r.file for r in answer.readings if not r.status.startswith("unread")})
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
        out.append(f'<div class="px-banner px-disagree">⚠ Sources disagree on: {slots}. See Conflicts.</div>')
    if answer.abstained:
        out.append(
            '<div class="px-banner px-abstain">The articles do not answer this question. '
            "The closest passages are shown under Sources.</div>"
        )
    if answer.fallback:
        out.append(
            f'<div class="px-banner px-fallback">The reader could not run ({text(answer.fallback)}); '
            "showing the instant answer.</div>"
        )
    return "".join(out)


def conflicts_panel(answer: Answer) -> str:
    """Each conflict: its note, then the claims side by side with the value highlighted in its sentence."""
    parts = [_conflict(c) for c in answer.conflicts]
    if not parts:
        parts.append("<p><em>No conflicting values found among the sources for this question.</em></p>")
    parts += [_conflict(c, "px-complementary") for c in answer.complementary]
    return "".join(parts)


def _conflict(conflict: Conflict, css_class: str = "px-conflict") -> str:
    cards = []
    for claim in conflict.claims:
        value_at = (claim.value_start - claim.start, claim.value_end - claim.start)
        quote = _highlight(claim.quote, [value_at], "px-value")
        cards.append(
            f'<div class="px-claim"><div><a href="#px-src-{claim.n}">[{claim.n}]</a> <b>{text(claim.file)}</b></div>'
            f'<div class="px-meta">{_about(claim.outlet, claim.published, claim.also_in)}</div>'
            f'<div>says <span class="px-value">{text(claim.value)}</span></div>'
            f'<div class="px-passage">{quote}</div></div>'
        )
    return (
        f'<div class="{css_class}"><h4>{text(conflict.slot)}</h4><p>{text(conflict.note)}</p>'
        f'<div class="px-claims">{"".join(cards)}</div></div>'
    )


def _about(outlet: str | None, published: str | None, also_in: tuple[str, ...]) -> str:
    """'Reuters · 2021-01-30 · also in: copy.txt' (escaped); "undated" when the article gives no date."""
    parts = [text(outlet)] if outlet else []
    parts.append(text(published) if published else "undated")
    if also_in:
        parts.append(f"also in: {text(', '.join(also_in))}")
    return " · ".join(parts)


def sources_panel(answer: Answer, articles: dict[str, str], show_passages: bool = True) -> str:
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
        _source(s, by_n.get(s.n, []), articles.get(s.file), show_passages, readings.get(s.n, []))
        for s in answer.sources
    )


def _reading(r: Reading) -> str:
    if r.answers:
        return f'<div class="px-reading">The reader: this source says <b>{text(r.answer or "")}</b></div>'
    said = f" (it said “{text(r.answer)}”)" if r.answer else ""
    return f'<div class="px-reading px-none">The reader: {text(r.status)}{said}</div>'


def _source(
    src: Source, cites: list[Citation], article: str | None, show_passages: bool, readings: list[Reading]
) -> str:
    mark = " · cited" if cites else ""
    head = f'<h4 id="px-src-{src.n}">[{src.n}] {text(src.file)} — {text(src.title)}{mark}</h4>'
    head += f'<div class="px-meta">{_about(src.outlet, src.published, src.also_in)}</div>'
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
