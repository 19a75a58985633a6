"""Uploads from the UI: names that cannot escape the upload folder, limits, no overwrites."""

from pathlib import Path

import pytest

from app.library import Library, UploadError, safe_name, save_upload
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ChunkConfig, IngestReport, ingest_folder
from ingest.store import ArticleStore


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


def test_removing_an_article_updates_counts_and_answers_and_restore_undoes_it(
    seeds_copy: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    """The Library tab's operations (the CLI's too): counts count only the articles in the library (a removed one
    was still counted), answers stop citing a removed article, restore brings it back."""
    from app.engine.retrieve import HybridRetriever
    from app.service import Parallax

    def ingest(progress: bool) -> IngestReport:
        return ingest_folder(seeds_copy, store, embedder, ChunkConfig(200, 30), progress)

    library = Library(store, seeds_copy, 10_000_000, ingest)
    library.ingest(False)
    service = Parallax(store, HybridRetriever(store, embedder), lambda name: None)
    question = "Which South Korean defense minister attended the January 30 meeting in Yokosuka?"
    gone = "001_83c0c4f066b0d405.txt"
    assert gone in {s.file for s in service.ask(question, llm="none").sources}
    assert service.status().articles == 5
    assert library.remove(gone) == [gone]
    assert service.status().articles == 4 and library.removed() == [gone]
    assert gone not in [e.file for e in library.entries()]
    assert gone not in {s.file for s in service.ask(question, llm="none").sources}
    assert library.restore(gone).added == [gone]
    assert service.status().articles == 5 and library.removed() == []
    assert gone in {s.file for s in service.ask(question, llm="none").sources}
