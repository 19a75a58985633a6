from pathlib import Path

import pytest

from ingest.load import LoadError, list_files, load_file, parse_article
from tests.conftest import SEED_FILES, SEEDS


def test_seed_metadata() -> None:
    article = load_file(SEEDS / SEED_FILES[0])
    assert article.file == SEED_FILES[0]
    assert article.title == "Japan-South Korea Defense Talks: Boosting Security Amid North Korea Threats"
    assert article.byline == "Chief Editor"
    assert len(article.content_hash) == 64
    assert load_file(SEEDS / SEED_FILES[1]).outlet == "Reuters and Yonhap News Agency"
    assert load_file(SEEDS / SEED_FILES[3]).outlet == "Valor"


def test_headline_less_article_gets_a_short_title() -> None:
    article = load_file(SEEDS / SEED_FILES[4])
    assert article.title.startswith("During a historic visit")
    assert len(article.title) <= 101 and article.title.endswith("…")


def test_html_drops_scripts_and_chrome_and_reads_meta() -> None:
    html = b"""<html><head><title>Page title</title><meta name="author" content="Jane Roe">
    <meta property="og:site_name" content="Daily Example"><script>alert('x')</script></head>
    <body><nav>Home | World</nav><article><h1>Ministers meet</h1><p>The ministers met on Friday.</p>
    <figure><img src="a.jpg"><figcaption>A caption</figcaption></figure><p>They agreed.</p></article>
    <footer>Copyright</footer></body></html>"""
    article = parse_article("page.html", html)
    assert article.title == "Page title"
    assert article.byline == "Jane Roe"
    assert article.outlet == "Daily Example"
    assert article.text == "Ministers meet\n\nThe ministers met on Friday.\n\nThey agreed."


def test_markdown_title_from_heading() -> None:
    article = parse_article("note.md", b"# A headline\n\nBody text here.")
    assert article.title == "A headline"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        ("latin1.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), "not valid UTF-8 (byte 0xe9 at offset 3)"),
        ("empty.txt", b"", "empty"),
        ("only-chrome.txt", b"No menu items!\n\nLeave a Comment\n", "empty"),
        ("slides.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
    ],
)
def test_bad_files_raise_clear_errors(name: str, data: bytes, message: str) -> None:
    with pytest.raises(LoadError) as err:
        parse_article(name, data)
    assert str(err.value).startswith(f"{name}: ")
    assert message in str(err.value)


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
