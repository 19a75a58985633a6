from ingest.clean import clean_text, is_boilerplate
from tests.conftest import SEEDS

BOILERPLATE = [
    "15.7 C",
    "No menu items!",
    "Leave a Comment",
    "You may also like",
    "Related articles",
    "Check out our other content",
    "\u00d7",
    "(Photo internet reproduction)",
]


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_seed_boilerplate_is_gone_and_reporting_stays() -> None:
    cleaned = {p: clean_text(seed_text(p)) for p in ("000", "002", "003")}
    joined = "\n".join(cleaned.values())
    lines = {line.strip() for line in joined.split("\n")}
    for marker in ["15.7 C", "New York", "No menu items!", "Leave a Comment", "You may also like",
                   "Related articles", "Check out our other content", "\u00d7"]:  # fmt: skip
        assert marker not in lines, marker
    assert "Photo internet reproduction" not in joined
    assert "in the comments below" not in joined
    assert "Ahn Kyu-back" in cleaned["000"]
    assert "South Korea plans to spend U$43.8 billion) on defense in fiscal 2023" in cleaned["003"]
    assert cleaned["002"].startswith("South Korea and Japan Boost Ties Amid Regional Security Threats")


def test_runs_of_blank_lines_collapse_to_one() -> None:
    cleaned = clean_text(seed_text("004"))
    assert "\n\n\n" not in cleaned
    assert not cleaned.endswith("\n")


def test_place_line_only_dropped_under_weather_widget() -> None:
    assert clean_text("15.7 C\nNew York\n\nBody text.") == "Body text."
    assert clean_text("Datelines\n\nNew York\n\nBody text.") == "Datelines\n\nNew York\n\nBody text."


def test_boilerplate_lines_detected_and_sentences_not() -> None:
    for line in BOILERPLATE:
        assert is_boilerplate(line), line
    for line in ["The ministers met in New York.", "Leave a comment about the meeting in the forum, he said", ""]:
        assert not is_boilerplate(line), line


def test_windows_newlines_and_nbsp_are_normalised() -> None:
    assert clean_text("One\r\n\r\n\r\nTwo\u00a0words") == "One\n\nTwo words"
