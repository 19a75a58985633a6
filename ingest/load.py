"""Read article files into cleaned `Article`s, refusing bad files with a message that says why.

One file is one article (.txt, .md, .html) or a collection of articles (.jsonl, .json, .csv: ingest/collections.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.clean import clean_text
from ingest.collections import COLLECTION_SUFFIXES, CollectionError, Record, read_records, value_of
from ingest.dates import date_in_text, parse_date
from ingest.decode import DecodeError, decode
from ingest.html import extract_page

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
SUPPORTED_SUFFIXES = ARTICLE_SUFFIXES | COLLECTION_SUFFIXES
SUPPORTED_TEXT = ".txt, .md, .html, or a collection (.jsonl, .json, .csv)"

BYLINE = re.compile(r"^(?:by|written by)\s+(?P<name>[^\n|]{2,80}?)\s*(?:\||$)", re.IGNORECASE | re.MULTILINE)
OUTLET = re.compile(
    r"(?:with information from|references reports from|source:)\s+(?P<outlet>[A-Z][^\n)]{1,80}?)[.)]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)


class LoadError(ValueError):
    """A file that cannot be ingested; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Article:
    """One cleaned article. `text` is what passages' offsets point into; `published` is an ISO date or None."""

    file: str
    title: str
    text: str
    content_hash: str
    byline: str | None = None
    outlet: str | None = None
    published: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # how it was read: encoding, url, extractor


@dataclass(frozen=True)
class Loaded:
    """A file's articles, and the records of a collection that held no article (name, why)."""

    articles: list[Article]
    skipped: list[tuple[str, str]] = field(default_factory=list)


def content_hash(data: bytes) -> str:
    """Hash of the raw bytes: an unchanged article keeps its hash, so ingest can skip it."""
    return hashlib.sha256(data).hexdigest()


def parse_file(name: str, data: bytes) -> Loaded:
    """Every article in a file's bytes, or LoadError naming the problem."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"{name}: unsupported file type '{suffix or '(none)'}'; use {SUPPORTED_TEXT}")
    if suffix in COLLECTION_SUFFIXES:
        return _parse_collection(name, suffix, data)
    return Loaded([parse_article(name, data)])


def parse_article(name: str, data: bytes) -> Article:
    """One article from a .txt, .md or .html file's bytes."""
    suffix = Path(name).suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise LoadError(f"{name}: unsupported file type '{suffix or '(none)'}'; use {SUPPORTED_TEXT}")
    is_html = suffix in (".html", ".htm")
    text, encoding = _decode(data, name, html=is_html)
    meta = {"encoding": encoding}
    if not is_html:
        return _article(name, text, content_hash(data), meta)
    page = extract_page(text)
    meta["extractor"] = "trafilatura"
    if page.url:
        meta["url"] = page.url
    return _article(name, page.text, content_hash(data), meta, page.title, page.author, page.outlet, page.published)


def load_file(path: Path, name: str | None = None, max_bytes: int | None = None) -> Loaded:
    """Read and parse one file (`name` defaults to the file name); bad files raise LoadError."""
    name = name or path.name
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise LoadError(
                f"{name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit; "
                "raise PARALLAX_MAX_FILE_MB to ingest it"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{name}: cannot read ({exc.strerror})") from None
    return parse_file(name, data)


def list_files(folder: Path) -> list[Path]:
    """Every regular file under `folder` (sorted, hidden files skipped); type checks happen per file."""
    if not folder.is_dir():
        raise LoadError(f"{folder}: not a folder")
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _decode(data: bytes, name: str, html: bool = False) -> tuple[str, str]:
    try:
        return decode(data, html=html)
    except DecodeError as exc:
        raise LoadError(f"{name}: {exc}") from None


def _article(
    name: str,
    raw: str,
    digest: str,
    meta: dict[str, str],
    title: str | None = None,
    byline: str | None = None,
    outlet: str | None = None,
    published: str | None = None,
) -> Article:
    """Clean the text and fill what the metadata did not say from the text itself (byline, outlet, date)."""
    text = clean_text(raw)
    if not text.strip():
        raise LoadError(f"{name}: empty after removing boilerplate; nothing to ingest")
    if byline is None and (m := BYLINE.search(text[:2000])):
        byline = m.group("name").strip()
    if outlet is None and (m := OUTLET.search(text)):
        outlet = m.group("outlet").strip()
    return Article(
        file=name,
        title=title or _headline(text),
        text=text,
        content_hash=digest,
        byline=byline,
        outlet=outlet,
        published=published or date_in_text(text),
        meta=meta,
    )


def _parse_collection(name: str, suffix: str, data: bytes) -> Loaded:
    text, encoding = _decode(data, name)
    articles: list[Article] = []
    skipped: list[tuple[str, str]] = []
    try:
        for record in read_records(text, suffix):
            article_name = f"{name}#{record.number}"
            try:
                articles.append(_record_article(article_name, record, encoding))
            except LoadError as exc:
                skipped.append((article_name, str(exc).removeprefix(f"{article_name}: ")))
    except CollectionError as exc:
        raise LoadError(f"{name}: {exc}") from None
    if not articles:
        raise LoadError(f"{name}: no articles found (each record needs a text field such as 'text' or 'content')")
    return Loaded(articles, skipped)


def _record_article(name: str, record: Record, encoding: str) -> Article:
    body = value_of(record, "text")
    if not isinstance(body, str) or not body.strip():
        raise LoadError(f"{name}: no text")
    meta = {"encoding": encoding}
    if url := value_of(record, "url"):
        meta["url"] = str(url)

    def text_of(key: str) -> str | None:
        value = value_of(record, key)
        return " ".join(str(value).split()) if value is not None else None

    return _article(
        name,
        body,
        content_hash(record.raw.encode("utf-8")),
        meta,
        title=text_of("title"),
        byline=text_of("author"),
        outlet=text_of("outlet"),
        published=parse_date(value_of(record, "published")),
    )


def _headline(text: str, limit: int = 100) -> str:
    """The first line, cut at a word boundary: articles without a headline start with their lede."""
    line = next((ln.strip().lstrip("#").strip() for ln in text.split("\n") if ln.strip()), "")
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
