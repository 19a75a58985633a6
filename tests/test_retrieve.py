from pathlib import Path

import pytest

from app.retrieve import MAX_QUESTION_CHARS, EmptyIndex, HybridRetriever, QuestionError, check_question
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ingest_folder
from ingest.store import ArticleStore


def test_yokosuka_question_finds_both_disagreeing_sources(
    seeded_store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    hits = HybridRetriever(seeded_store, embedder).search("Who attended the January 30 meeting in Yokosuka?", 5)
    files = [h.file[:3] for h in hits]
    assert "000" in files and "001" in files
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert seeded_store.article_text(hit.file)[hit.start : hit.end] == hit.text
        assert len(hit.chunk_id) == 32 and hit.title


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        ("What kind of joint exercises did the ministers agree to resume?", "001"),
        ("How much will South Korea spend on defense in fiscal 2023?", "003"),
        ("Which country did South Korea establish diplomatic ties with?", "002"),
        ("Gen Nakatani visit to South Korea", "004"),
    ],
)
def test_top_hit_comes_from_the_article_that_answers(
    question: str, gold: str, seeded_store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    hits = HybridRetriever(seeded_store, embedder).search(question, 3)
    assert hits[0].file.startswith(gold)


def test_bm25_side_finds_rare_exact_terms(seeded_store: ArticleStore, embedder: MiniLMEmbedding) -> None:
    hits = HybridRetriever(seeded_store, embedder).search("LaCamera", 1)
    assert "LaCamera" in hits[0].text


def test_new_article_becomes_searchable_without_a_new_retriever(
    tmp_path: Path, store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("The harbour festival in Busan drew large crowds.", encoding="utf-8")
    ingest_folder(folder, store, embedder, progress=False)
    retriever = HybridRetriever(store, embedder)
    assert retriever.search("zebra migration", 1)[0].file == "a.txt"
    (folder / "b.txt").write_text("Zebra migration across the Serengeti peaks in July.", encoding="utf-8")
    ingest_folder(folder, store, embedder, progress=False)
    assert retriever.search("zebra migration", 1)[0].file == "b.txt"


def test_empty_store_says_to_ingest(store: ArticleStore, embedder: MiniLMEmbedding) -> None:
    with pytest.raises(EmptyIndex, match="parallax ingest"):
        HybridRetriever(store, embedder).search("anything", 3)


@pytest.mark.parametrize("bad", ["", "   \n\t", "x" * (MAX_QUESTION_CHARS + 1)])
def test_bad_questions_are_refused(bad: str) -> None:
    with pytest.raises(QuestionError):
        check_question(bad)


def test_question_whitespace_is_normalised() -> None:
    assert check_question("  who \n met   whom? ") == "who met whom?"
