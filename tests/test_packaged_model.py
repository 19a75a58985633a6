"""Assembling the packaged model: parts concatenated in order, size and sha256 checked, a stamp so later loads
cost a stat; a corrupt or missing part is one clear error and never leaves a usable-looking file.

The real 1.1 GB parts are assembled by `make install` (and used by tests/test_reader_model.py); here small
stand-in parts keep the logic fast to test.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.reader import packaged_model
from app.reader.packaged_model import FILE_NAME, ModelMissing, model_path


@pytest.fixture()
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    chunks = [bytes([i]) * (1000 + i) for i in range(1, 4)]
    paths = []
    for i, chunk in enumerate(chunks, 1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    whole = b"".join(chunks)
    monkeypatch.setattr(packaged_model, "PARTS", len(paths))
    monkeypatch.setattr(packaged_model, "SIZE", len(whole))
    monkeypatch.setattr(packaged_model, "SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(packaged_model, "part_path", lambda n: paths[n - 1])
    return paths


def test_assembles_once_and_reuses_the_verified_file(parts: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = model_path(cache)
    assert path == cache / FILE_NAME and path.read_bytes() == b"".join(p.read_bytes() for p in parts)
    stamp = path.stat().st_mtime_ns
    parts[0].unlink()  # a verified file is not assembled again, so the parts are not read
    assert model_path(cache) == path and path.stat().st_mtime_ns == stamp


def test_a_changed_file_is_rebuilt_from_the_parts(parts: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = model_path(cache)
    path.write_bytes(b"garbage")
    assert model_path(cache).read_bytes() == b"".join(p.read_bytes() for p in parts)


def test_a_corrupt_part_is_one_clear_error_and_leaves_no_file(parts: list[Path], tmp_path: Path) -> None:
    parts[1].write_bytes(b"\x00" * 1002)
    cache = tmp_path / "cache"
    with pytest.raises(ModelMissing, match=r"corrupt .* reinstall the model parts \(`make install`\)"):
        model_path(cache)
    assert list(cache.iterdir()) == []


def test_a_missing_part_package_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packaged_model, "find_spec", lambda name: None)
    with pytest.raises(ModelMissing, match=r"model part 7 of 22 is not installed: run `make install`"):
        packaged_model.part_path(7)


def test_the_installed_parts_are_found() -> None:
    """`make install` installed all 22 parts (hash-pinned); each is a 50 MiB chunk but the last."""
    sizes = [packaged_model.part_path(n).stat().st_size for n in range(1, packaged_model.PARTS + 1)]
    assert sizes[:-1] == [50 * 1024 * 1024] * 21 and sum(sizes) == packaged_model.SIZE
