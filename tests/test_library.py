"""Uploads from the UI: names that cannot escape the upload folder, limits, no overwrites."""

from pathlib import Path

import pytest

from app.library import UploadError, safe_name, save_upload


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.txt", "evil.txt"),
        (".hidden.md", "hidden.md"),
        ("a b?c.HTML", "a_b_c.html"),
        ("été 2024.txt", "ete_2024.txt"),
        ("...", "article"),
    ],
)
def test_safe_names(original: str, expected: str) -> None:
    assert safe_name(original) == expected


def test_upload_is_copied_under_uploads_and_never_overwrites(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("First article.", encoding="utf-8")
    second.write_text("Second article.", encoding="utf-8")
    a = save_upload(first, "../news.txt", data, 1_000_000)
    b = save_upload(second, "news.txt", data, 1_000_000)
    again = save_upload(first, "news.txt", data, 1_000_000)
    assert (a.path, b.path) == (data / "uploads" / "news.txt", data / "uploads" / "news-1.txt")
    assert again.path == a.path, "the same bytes again are recognised, not copied"
    assert a.path.read_text(encoding="utf-8") == "First article."
    assert sorted(p.name for p in (data / "uploads").iterdir()) == ["news-1.txt", "news.txt"]


def test_refused_uploads_say_why(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2_000)
    with pytest.raises(UploadError, match=r"big\.txt: 0\.002 MB is over the 0\.001 MB limit"):
        save_upload(big, "big.txt", tmp_path / "data", 1_000)
    with pytest.raises(UploadError, match=r"unsupported file type '\.exe'"):
        save_upload(big, "setup.exe", tmp_path / "data", 1_000_000)
    assert not (tmp_path / "data" / "uploads").exists() or not any((tmp_path / "data" / "uploads").iterdir())
