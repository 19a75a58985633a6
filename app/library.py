"""The library's contents: adding articles from the UI (checked, safely named copies inside the data folder, then
incremental ingest), listing them, removing and restoring them. The CLI and the UI both call these."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.load import SUPPORTED_SUFFIXES, SUPPORTED_TEXT
from ingest.pipeline import IngestReport, from_file, regroup
from ingest.store import DONE, REMOVED, ArticleStore

UPLOAD_FOLDER = "uploads"
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(ValueError):
    """An uploaded file that is refused; the message names it and says why."""


class LibraryError(ValueError):
    """A library command that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Saved:
    """An accepted upload: the name it was given and where it was stored."""

    original: str
    name: str
    path: Path


def safe_name(original: str) -> str:
    """A file name that cannot leave the upload folder: no directories, no leading dots, plain characters."""
    base = original.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()  # "été" -> "ete"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = UNSAFE.sub("_", stem).strip("._-")[:80] or "article"
    suffix = UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def save_upload(source: Path, original: str, data_dir: Path, max_bytes: int) -> Saved:
    """Copy one uploaded file into data_dir/uploads under a safe, unused name (never overwriting)."""
    name = safe_name(original)
    suffix = Path(name).suffix
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(f"{original}: unsupported file type '{suffix or '(none)'}'; use {SUPPORTED_TEXT}")
    size = source.stat().st_size
    if size > max_bytes:
        raise UploadError(f"{original}: {size / 1e6:.3g} MB is over the {max_bytes / 1e6:.3g} MB limit")
    folder = data_dir / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    counter = 1
    while target.exists():
        if target.read_bytes() == source.read_bytes():
            return Saved(original, target.name, target)  # the same article again: nothing to add

        target = folder / f"{Path(name).stem}-{counter}{suffix}"
        counter += 1
    if folder.resolve() not in target.resolve().parents:  # belt and braces: safe_name already forbids this
        raise UploadError(f"{original}: refused file name")
    shutil.copyfile(source, target)
    return Saved(original, target.name, target)


@dataclass(frozen=True)
class LibraryEntry:
    """One article as `parallax articles` and the library panel list it."""

    file: str
    title: str
    outlet: str | None
    published: str | None
    passages: int
    group: list[str]  # the syndicated group's files (this one included) when it has copies, else empty
    encoding: str | None
    url: str | None


def list_articles(store: ArticleStore) -> list[LibraryEntry]:
    """Every article in the library, by file name, with its syndicated group."""
    records = store.articles()
    members: dict[str, list[str]] = {}
    for file, record in sorted(records.items()):
        members.setdefault(record.group or file, []).append(file)
    return [
        LibraryEntry(
            file=file,
            title=r.title,
            outlet=r.outlet,
            published=r.published,
            passages=r.n_chunks,
            group=group if len(group := members[r.group or file]) > 1 else [],
            encoding=r.encoding,
            url=r.url,
        )
        for file, r in sorted(records.items())
    ]


def remove_article(store: ArticleStore, data_dir: Path, name: str, delete_file: bool = False) -> list[str]:
    """Take an article (or every article of a collection file) out of the library; returns the articles removed.

    Without `delete_file` the file stays and is remembered as removed, so the next ingest does not bring it back
    (`restore_article` undoes that). With it, the file is deleted too (not for one record of a collection: the
    file holds other articles). Groups are recomputed, so its copies stop listing it.
    """
    records = store.records()
    named = [f for f, r in records.items() if from_file(f, name) and r.state == DONE]
    if not named:
        raise LibraryError(f"{name}: not in the library (`parallax articles` lists what is)")
    if delete_file:
        path = (data_dir / name).resolve()
        if "#" in name or data_dir.resolve() not in path.parents:
            raise LibraryError(f"{name}: --delete-file takes a whole file inside {data_dir}")
        path.unlink(missing_ok=True)
        store.remove_articles(named)
    else:
        store.exclude_articles(named)
    regroup(store)
    return sorted(named)


def restore_article(store: ArticleStore, name: str) -> list[str]:
    """Forget that these articles were removed; the next ingest adds them again. Returns those forgotten."""
    restored = store.forget_removed(f for f in store.records() if from_file(f, name))
    if not restored:
        raise LibraryError(f"{name}: not removed from the library")
    return sorted(restored)


@dataclass
class Library:
    """The library's operations on one store and data folder: what the CLI's commands and the chat's Library tab
    both call. `ingest` runs the incremental ingest of the data folder (progress: show a tqdm bar)."""

    store: ArticleStore
    data_dir: Path
    max_bytes: int
    ingest: Callable[[bool], IngestReport]

    def entries(self) -> list[LibraryEntry]:
        """Every article, by file name."""
        return list_articles(self.store)

    def add(self, files: list[tuple[Path, str]], progress: bool = False) -> list[str]:
        """Save each (uploaded path, original name) safely under data_dir/uploads, then ingest; one line per file
        saying what happened."""
        lines: list[str] = []
        saved = []
        for path, original in files:
            try:
                saved.append(save_upload(path, original, self.data_dir, self.max_bytes))
            except UploadError as exc:
                lines.append(f"refused {exc}")
        if not saved:
            return lines
        report = self.ingest(progress)
        failed = dict(report.failed)
        for item in saved:
            key = f"{UPLOAD_FOLDER}/{item.name}"
            new = [f for f in report.added + report.updated if from_file(f, key)]
            if key in failed:
                item.path.unlink(missing_ok=True)
                lines.append(f"refused {failed[key]}")
            elif new:
                count = "" if new == [key] else f" ({len(new)} articles)"
                lines.append(f"added {item.original} as {key}{count}")
            else:
                lines.append(f"{item.original} is already in the library as {key}")
        return lines

    def remove(self, name: str, delete_file: bool = False) -> list[str]:
        """See remove_article."""
        return remove_article(self.store, self.data_dir, name, delete_file)

    def restore(self, name: str, progress: bool = False) -> IngestReport:
        """Undo a remove (see restore_article) and ingest the article again."""
        restore_article(self.store, name)
        return self.ingest(progress)

    def removed(self) -> list[str]:
        """Articles removed from the library whose files are still in the data folder (restorable)."""
        return sorted(f for f, r in self.store.records().items() if r.state == REMOVED)
