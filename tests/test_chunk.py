from llama_index.core.utils import get_tokenizer

from ingest.chunk import chunk_article
from ingest.load import load_file, parse_article
from tests.conftest import SEED_FILES, SEEDS


def test_offsets_point_into_article_text_and_respect_token_budget() -> None:
    tokens = get_tokenizer()
    for name in SEED_FILES:
        article = load_file(SEEDS / name).articles[0]
        passages = chunk_article(article, 120, 20)
        assert len(passages) > 1
        for p in passages:
            assert article.text[p.start : p.end] == p.text
            assert len(tokens(p.text)) <= 120
        covered = "".join(article.text[p.start : p.end] for p in passages)
        assert "Ahn Kyu-back" in covered or name != SEED_FILES[0]


def test_ids_are_stable_and_depend_on_file_and_text() -> None:
    article = load_file(SEEDS / SEED_FILES[1]).articles[0]
    first = [p.chunk_id for p in chunk_article(article, 200, 30)]
    again = [p.chunk_id for p in chunk_article(load_file(SEEDS / SEED_FILES[1]).articles[0], 200, 30)]
    assert first == again
    assert len(set(first)) == len(first)
    renamed = parse_article("other.txt", (SEEDS / SEED_FILES[1]).read_bytes())
    assert not set(first) & {p.chunk_id for p in chunk_article(renamed, 200, 30)}


def test_repeated_text_in_one_file_gets_distinct_ids() -> None:
    paragraph = "The ministers met again and agreed to meet once more next year. " * 12
    article = parse_article("rep.txt", f"{paragraph}\n\n{paragraph}".encode())
    passages = chunk_article(article, 100, 0)
    texts = [p.text for p in passages]
    assert len(set(texts)) < len(texts)
    assert len({p.chunk_id for p in passages}) == len(passages)


def test_no_seed_boilerplate_line_reaches_a_passage() -> None:
    furniture = {"15.7 C", "New York", "No menu items!", "Leave a Comment", "You may also like", "Related articles",
                 "Recent articles", "Check out our other content", "\u00d7"}  # fmt: skip
    for name in SEED_FILES:
        for passage in chunk_article(load_file(SEEDS / name).articles[0], 200, 30):
            lines = {line.strip() for line in passage.text.split("\n")}
            assert not lines & furniture, (name, lines & furniture)
            assert "(Photo internet reproduction)" not in passage.text
            assert "in the comments below" not in passage.text
