"""News dumps: one file holding many articles (JSON lines, a JSON array, CSV with a header row) -> one record per
article. Each record becomes an article named `<file>#<record number>`, so a dump that grows by appending keeps
its earlier articles' names and only new or changed records are embedded again."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

COLLECTION_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv"})

# Column names news dumps use for each field, most specific first (compared case-insensitively).
FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "maintext", "content", "body", "article", "story", "description"),
    "title": ("title", "headline", "name"),
    "published": ("published", "date_publish", "published_at", "publish_date", "pubdate", "date", "datetime"),
    "outlet": ("outlet", "source_name", "sitename", "site_name", "publisher", "source", "domain"),
    "author": ("author", "authors", "byline", "creator"),
    "url": ("url", "link", "source_url"),
}
csv.field_size_limit(1 << 30)  # one cell holds a whole article


class CollectionError(ValueError):
    """The file is not a readable collection (bad JSON on line N, no header row, no text column)."""


@dataclass(frozen=True)
class Record:
    """One article of a collection, with its fields mapped to Parallax's names (values may be missing)."""

    number: int  # 1-based: the line of a JSON-lines file, the row of a CSV (header excluded), the array index
    fields: dict[str, object]
    raw: str  # the record as stored, for the content hash


def read_records(text: str, suffix: str) -> Iterator[Record]:
    """Every record of a collection file's text, in order."""
    if suffix == ".csv":
        yield from _csv_records(text)
    elif suffix == ".json":
        yield from _json_array(text)
    else:
        yield from _json_lines(text)


def value_of(record: Record, name: str) -> object:
    """The first non-empty value among FIELDS[name]'s column names, or None."""
    lowered = {str(k).lower(): v for k, v in record.fields.items()}
    for column in FIELDS[name]:
        value = lowered.get(column)
        if isinstance(value, list):  # authors: ["A", "B"]
            value = ", ".join(str(v) for v in value if v)
        if isinstance(value, dict):  # source: {"name": ..., "url": ...}
            value = value.get("name") or value.get("title")
        if value not in (None, ""):
            return value
    return None


def _json_lines(text: str) -> Iterator[Record]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CollectionError(f"line {number} is not JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise CollectionError(f"line {number} is not a JSON object")
        yield Record(number, value, line.strip())


def _json_array(text: str) -> Iterator[Record]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectionError(f"not JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(value, dict):  # {"articles": [...]} as news APIs return them
        value = next((v for v in value.values() if isinstance(v, list)), None)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CollectionError("expected a list of article objects")
    for number, item in enumerate(value, 1):
        yield Record(number, item, json.dumps(item, sort_keys=True, ensure_ascii=False))


def _csv_records(text: str) -> Iterator[Record]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise CollectionError("no header row (expected columns such as title, date, text, url)")
    columns = {c.lower() for c in reader.fieldnames if c}
    if not columns & set(FIELDS["text"]):
        raise CollectionError(f"no text column (expected one of: {', '.join(FIELDS['text'])})")
    try:
        for number, row in enumerate(reader, 1):
            yield Record(number, {k: v for k, v in row.items() if k}, json.dumps(row, sort_keys=True))
    except csv.Error as exc:
        raise CollectionError(f"row {reader.line_num}: {exc}") from None
