"""HTML news pages -> article text and metadata with trafilatura (the field's extractor: main text without page
chrome, plus title, author, date and site name from the page's metadata)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ingest.dates import parse_date


@dataclass(frozen=True)
class Page:
    """What trafilatura found in one page; metadata is None when the page does not say."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    outlet: str | None
    url: str | None


def extract_page(html: str) -> Page:
    """The page's main text (paragraphs separated by blank lines) and metadata.

    Precision first, so menus, captions and related-story lists stay out of passages; a page where that keeps
    nothing (a bare fragment without article markup) is read again favouring recall.
    """
    doc = _extract(html, favor_precision=True) or _extract(html, favor_recall=True)
    if doc is None:
        return Page("", None, None, None, None, None)
    text = "\n\n".join(line.strip() for line in (doc.text or "").split("\n") if line.strip())
    return Page(
        text=text,
        title=doc.title or None,
        author=doc.author or None,
        published=parse_date(doc.date) if doc.date else None,
        outlet=doc.sitename or None,
        url=doc.url or None,
    )


@cache
def _trafilatura() -> tuple[Any, Any]:
    """trafilatura and its configuration, imported on first use: it takes half a second to import, and only HTML
    needs it (not `parallax ask`). Its timeout uses SIGALRM, which only works in the main thread, and uploads are
    ingested in a worker thread, so it is off."""
    import trafilatura
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return trafilatura, config


def _extract(html: str, **mode: bool) -> Any:
    trafilatura, config = _trafilatura()
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        config=config,
        **mode,
    )
    return doc if doc is not None and (doc.text or "").strip() else None
