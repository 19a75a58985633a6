from pathlib import Path

import pytest

from app.engine.keywords import Groups
from app.engine.retrieve import (
    MAX_QUESTION_CHARS,
    EmptyIndex,
    Hit,
    HybridRetriever,
    QuestionError,
    check_question,
    diversify,
)
from ingest.embed import MiniLMEmbedding
from ingest.pipeline import ingest_folder
from ingest.store import DONE, ArticleStore, DocRecord


def hit(file: str, score: float, text: str = "The ministers met.") -> Hit:
    return Hit(file, f"{file}-{score}", 0, len(text), text, score, file)


def record(file: str, group: str | None = None) -> DocRecord:
    return DocRecord(file, "h", DONE, 3, file, group=group or file)


def test_diversify_weighs_down_repeats_and_keeps_one_copy_of_a_story() -> None:
    ranked = [hit("a", 0.9), hit("a", 0.8), hit("a", 0.7), hit("copy", 0.65), hit("b", 0.5), hit("c", 0.3)]
    records = {f: record(f, "a" if f == "copy" else None) for f in ("a", "copy", "b", "c")}
    texts = {"a": "The ministers met."}.get
    groups = Groups.of_records(records)
    assert [h.file for h in diversify(ranked, 4, 1.0, groups, texts)] == ["a", "a", "a", "b"]
    chosen = diversify(ranked, 4, 0.5, groups, texts)
    assert [(h.file, h.score) for h in chosen] == [("a", 0.9), ("b", 0.5), ("a", 0.8), ("c", 0.3)]
    assert chosen[0].also_in == ("copy",) and chosen[1].also_in == ()
    assert [h.file for h in diversify(ranked, 6, 0.0, groups, texts)] == ["a", "b", "c", "a", "a"]


def test_diversify_keeps_a_copy_that_states_other_facts() -> None:
    ranked = [hit("a", 0.9, "Suh Wook met Kishi on January 30."), hit("copy", 0.8, "Lee Jong-sup met Kishi.")]
    records = {"a": record("a"), "copy": record("copy", "a")}
    chosen = diversify(ranked, 2, 0.5, Groups.of_records(records), {"a": "Suh Wook met Kishi on January 30."}.get)
    assert [h.file for h in chosen] == ["a", "copy"]
    assert chosen[0].also_in == () and chosen[1].also_in == ()


def test_yokosuka_question_finds_both_disagreeing_sources(
    seeded_store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    question = "Who attended the January 30 meeting in Yokosuka?"
    hits = HybridRetriever(seeded_store, embedder).search(question, 5)
    files = [h.file[:3] for h in hits]
    assert "000" in files and "001" in files
    assert len(set(files)) >= 3, "sources spread over the articles"
    plain = HybridRetriever(seeded_store, embedder, repeat_weight=1.0).search(question, 5)
    assert [h.score for h in plain] == sorted((h.score for h in plain), reverse=True)
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


def test_closeness_is_high_for_a_text_on_the_question_in_other_words(
    seeded_store: ArticleStore, embedder: MiniLMEmbedding
) -> None:
    """The reader reads a source naming nothing the question names when it is this close in meaning: the same
    subject in other words is well above the reader's 0.5, an unrelated paragraph far below it."""
    question = "How does anthropogenic CO2 affect climate change?"
    same = "Scientists have determined that the major factors causing the current climate change are greenhouse gases."
    other = "The sitar's playable strings are strung in this fashion: Sa high, Sa middle, and Pa."
    close, far = HybridRetriever(seeded_store, embedder).closeness(question, [same, other])
    assert close >= 0.55 and far < 0.2
