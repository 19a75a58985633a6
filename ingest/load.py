"""Read article files (.txt, .md, .html) into cleaned `Article`s, refusing bad files with a message that says why."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

from ingest.clean import clean_text

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})

BYLINE = re.compile(r"^(?:by|written by)\s+(?P<name>[^\n]{2,80})$", re.IGNORECASE | re.MULTILINE)
OUTLET = re.compile(
    r"(?:with information from|references reports from|source:)\s+(?P<outlet>[A-Z][^\n)]{1,80}?)[.)]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# HTML elements that never hold the article's own words.
HTML_NOISE = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figcaption", "iframe")
HTML_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td")


class LoadError(ValueError):
    """A file that cannot be ingested; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Article:
    """One cleaned article. `text` is what passages' offsets point into."""

    file: str
    title: str
    text: str
    content_hash: str
    byline: str | None = None
    outlet: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


def content_hash(data: bytes) -> str:
    """Hash of the raw file bytes: an unchanged file keeps its hash, so ingest can skip it."""
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:8192]:
        raise LoadError(f"{name}: looks like a binary file (contains NUL bytes); only text articles are ingested")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save it as UTF-8"
        ) from None


def _html_to_text(html: str) -> tuple[str, str | None, str | None, str | None]:
    """(text, title, byline, outlet) from an HTML page; scripts and page chrome are dropped."""
    soup = BeautifulSoup(html, "html.parser")

    def meta(*names: str) -> str | None:
        for name in names:
            tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
            if tag and tag.get("content", "").strip():
                return str(tag["content"]).strip()
        return None

    title = meta("og:title") or (soup.title.get_text(" ", strip=True) if soup.title else None)
    byline = meta("author", "article:author")
    outlet = meta("og:site_name")
    for tag in soup(HTML_NOISE):
        tag.decompose()
    root = soup.find("article") or soup.body or soup
    blocks = [el.get_text(" ", strip=True) for el in root.find_all(HTML_BLOCKS)]
    blocks = [b for b in blocks if b]
    text = "\n\n".join(blocks) if blocks else root.get_text("\n", strip=True)
    return text, title, byline, outlet


def _headline(text: str, limit: int = 100) -> str:
    """The first line, cut at a word boundary: articles without a headline start with their lede."""
    line = next((ln.strip().lstrip("#").strip() for ln in text.split("\n") if ln.strip()), "")
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def parse_article(name: str, data: bytes) -> Article:
    """Turn a file's bytes into an Article, or raise LoadError naming the problem."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"{name}: unsupported file type '{suffix or '(none)'}'; use .txt, .md or .html")
    raw = _decode(data, name)
    title = byline = outlet = None
    if suffix in (".html", ".htm"):
        raw, title, byline, outlet = _html_to_text(raw)
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
        content_hash=content_hash(data),
        byline=byline,
        outlet=outlet,
    )


def load_file(path: Path, name: str | None = None, max_bytes: int | None = None) -> Article:
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
    return parse_article(name, data)


def list_files(folder: Path) -> list[Path]:
    """Every regular file under `folder` (sorted, hidden files skipped); type checks happen per file."""
    if not folder.is_dir():
        raise LoadError(f"{folder}: not a folder")
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
