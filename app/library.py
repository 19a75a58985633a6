"""Adding articles from the UI: checked, safely named copies inside the data folder, then incremental ingest."""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.load import SUPPORTED_SUFFIXES

UPLOAD_FOLDER = "uploads"
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(ValueError):
    """An uploaded file that is refused; the message names it and says why."""


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
        raise UploadError(f"{original}: unsupported file type '{suffix or '(none)'}'; use .txt, .md or .html")
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
