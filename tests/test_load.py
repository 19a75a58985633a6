import json
from pathlib import Path

import pytest

from ingest.load import LoadError, list_files, load_file, parse_article, parse_file
from tests.conftest import SEED_FILES, SEEDS


def seed(n: int):
    return load_file(SEEDS / SEED_FILES[n]).articles[0]


def test_seed_metadata() -> None:
    article = seed(0)
    assert article.file == SEED_FILES[0]
    assert article.title == "Japan-South Korea Defense Talks: Boosting Security Amid North Korea Threats"
    assert article.byline == "Chief Editor"
    assert len(article.content_hash) == 64
    assert article.meta["encoding"] == "utf-8"
    assert seed(1).outlet == "Reuters and Yonhap News Agency"
    assert seed(3).outlet == "Valor"
    # The seeds carry no publication date ("January 30th" has no year): undated, never guessed.
    assert [seed(n).published for n in range(5)] == [None] * 5


def test_headline_less_article_gets_a_short_title() -> None:
    article = seed(4)
    assert article.title.startswith("During a historic visit")
    assert len(article.title) <= 101 and article.title.endswith("…")


def test_html_goes_through_trafilatura_text_and_metadata() -> None:
    html = b"""<html><head><title>Page title | Daily Example</title><meta name="author" content="Jane Roe">
    <meta property="og:site_name" content="Daily Example">
    <meta property="article:published_time" content="2025-01-31T08:00:00Z"><script>alert('x')</script></head>
    <body><nav>Home | World</nav><article><h1>Ministers meet</h1><p>The ministers met on Friday.</p>
    <figure><img src="a.jpg"><figcaption>A caption</figcaption></figure><p>They agreed.</p></article>
    <footer>Copyright</footer></body></html>"""
    article = parse_article("page.html", html)
    assert article.byline == "Jane Roe"
    assert article.outlet == "Daily Example"
    assert article.published == "2025-01-31"
    assert article.meta["extractor"] == "trafilatura"
    assert "The ministers met on Friday.\n\nThey agreed." in article.text
    for chrome in ("Home | World", "A caption", "Copyright", "alert"):
        assert chrome not in article.text


def test_cp1252_article_is_read_with_the_right_characters() -> None:
    text = (
        "Minister Ren\u00e9e Dupr\u00e9 said \u201cwe agree\u201d \u2013 it\u2019s settled.\n\nThe caf\u00e9 reopened."
    )
    article = parse_article("legacy.txt", text.encode("cp1252"))
    assert article.text == text
    assert article.meta["encoding"].startswith("cp1252")


def test_dates_from_byline_and_wire_dateline() -> None:
    byline = parse_article("a.txt", b"Ministers meet\n\nBy Jane Roe | Jan. 5, 2023\n\nThe ministers met.")
    assert (byline.byline, byline.published) == ("Jane Roe", "2023-01-05")
    wire = parse_article("b.txt", b"Talks\n\nSEOUL, Jan. 30, 2021 (Yonhap) -- The ministers met on Saturday.")
    assert wire.published == "2021-01-30"
    event = parse_article(
        "c.txt", b"Talks\n\nOn January 30, 2019 the ministers met in Yokosuka to talk about many things."
    )
    assert event.published is None  # a date inside a sentence is the event's, not the article's


def test_jsonl_collection_becomes_articles_with_dates(tmp_path: Path) -> None:
    lines = [
        {"title": "Harbour reopens", "date": "2024-03-04", "text": "The harbour reopened.", "source": "Port News"},
        {"headline": "No text here", "date": "2024-03-05"},
        {"title": "Ferries resume", "published": "March 6, 2024", "content": "Ferries resumed on Tuesday.",
         "authors": ["A. Writer", "B. Writer"], "url": "https://example.com/ferries"},
    ]  # fmt: skip
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    loaded = load_file(dump)
    assert [a.file for a in loaded.articles] == ["dump.jsonl#1", "dump.jsonl#3"]
    first, third = loaded.articles
    assert (first.title, first.published, first.outlet) == ("Harbour reopens", "2024-03-04", "Port News")
    assert (third.published, third.byline, third.meta["url"]) == ("2024-03-06", "A. Writer, B. Writer", lines[2]["url"])
    assert loaded.skipped == [("dump.jsonl#2", "no text")]
    # A record keeps its hash when another record changes: only changed records are embedded again.
    lines[2]["content"] = "Ferries resumed on Wednesday."
    dump.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    again = load_file(dump).articles
    assert again[0].content_hash == first.content_hash and again[1].content_hash != third.content_hash


def test_csv_collection_and_collection_errors() -> None:
    csv = b'title,date,text,url\nTalks,2021-01-30,"The ministers met, and agreed.",https://x.test/1\n'
    (article,) = parse_file("news.csv", csv).articles
    assert (article.file, article.title, article.published) == ("news.csv#1", "Talks", "2021-01-30")
    assert article.text == "The ministers met, and agreed."
    with pytest.raises(LoadError, match=r"news.csv: no text column"):
        parse_file("news.csv", b"title,date\nTalks,2021-01-30\n")
    with pytest.raises(LoadError, match=r"bad.jsonl: line 2 is not JSON"):
        parse_file("bad.jsonl", b'{"text": "ok"}\n{not json}\n')
    with pytest.raises(LoadError, match=r"arr.json: no articles found"):
        parse_file("arr.json", b'[{"title": "no text"}]')


def test_markdown_title_from_heading() -> None:
    article = parse_article("note.md", b"# A headline\n\nBody text here.")
    assert article.title == "A headline"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        ("empty.txt", b"", "empty"),
        ("only-chrome.txt", b"No menu items!\n\nLeave a Comment\n", "empty"),
        ("slides.pdf", b"%PDF-1.4", "unsupported file type '.pdf'; use .txt, .md, .html, or a collection"),
    ],
)
def test_bad_files_raise_clear_errors(name: str, data: bytes, message: str) -> None:
    with pytest.raises(LoadError) as err:
        parse_article(name, data)
    assert str(err.value).startswith(f"{name}: ")
    assert message in str(err.value)


def test_latin1_is_decoded_not_refused() -> None:
    assert (
        parse_article("latin1.txt", "Caf\u00e9 cr\u00e8me au lait.".encode("latin-1")).text
        == "Caf\u00e9 cr\u00e8me au lait."
    )


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 1_000_000)
    with pytest.raises(LoadError, match=r"big.txt: 5.0 MB is over the 2.0 MB limit"):
        load_file(big, max_bytes=2_000_000)


def test_list_files_skips_hidden_and_recurses(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "b.txt").write_text("x")
    assert [p.name for p in list_files(tmp_path)] == ["a.txt"]
    with pytest.raises(LoadError, match="not a folder"):
        list_files(tmp_path / "missing")


def test_five_megabyte_news_dump_is_read_as_dated_articles(tmp_path: Path) -> None:
    body = "The port authority said ferries would resume after the storm, and traders welcomed the news. " * 10
    records = [
        {"title": f"Port update {i}", "date": f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}", "text": f"{body} Item {i}."}
        for i in range(5_000)
    ]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    assert dump.stat().st_size > 5_000_000
    loaded = load_file(dump, max_bytes=50_000_000)
    assert len(loaded.articles) == 5_000 and not loaded.skipped
    assert loaded.articles[41].published == "2024-06-14" and loaded.articles[41].title == "Port update 41"
