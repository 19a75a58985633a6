"""Strip web boilerplate from article text so it is never chunked, embedded or cited (pure str -> str)."""

from __future__ import annotations

import re

# Whole lines that are page furniture, not reporting (compared case-insensitively, trailing punctuation ignored).
BOILERPLATE_LINES = frozenset(
    {
        "no menu items",
        "leave a comment",
        "leave a reply",
        "you may also like",
        "related articles",
        "related posts",
        "recent articles",
        "recent posts",
        "read more",
        "check out our other content",
        "share this article",
        "share this",
        "advertisement",
        "\u00d7",  # a close button
        "x",
    }
)

# Lines that invite the reader somewhere else ("Share your perspective in the comments below!").
CALL_TO_ACTION = re.compile(
    r"(in the comments below|^explore our coverage of|^subscribe to our newsletter|^sign up for our newsletter)",
    re.IGNORECASE,
)

# A weather widget: "15.7 C", "-3 °F".
WEATHER = re.compile(r"^-?\d{1,3}(\.\d+)?\s*°?\s*[CF]$")

# Photo captions and credits: "... (Photo internet reproduction)", "Photo: Reuters", "Image credit: AFP".
CAPTION = re.compile(
    r"(\((photo|image|picture|foto|file photo)\b[^)]*\)\s*$|^(photo|image|picture)( credit)?\s*:|^credit\s*:)",
    re.IGNORECASE,
)

# A dateline widget under the weather: a place name of a few capitalised words and no sentence punctuation.
PLACE_WIDGET = re.compile(r"^[A-Z][\w'.-]*( [A-Z][\w'.-]*){0,3}$")


def _normalise(line: str) -> str:
    return line.strip().rstrip("!.:").strip().lower()


def is_boilerplate(line: str) -> bool:
    """True for a single line that is site furniture (menus, footers, captions, widgets)."""
    stripped = line.strip()
    if not stripped:
        return False
    return (
        _normalise(stripped) in BOILERPLATE_LINES
        or bool(WEATHER.match(stripped))
        or bool(CAPTION.search(stripped))
        or bool(CALL_TO_ACTION.search(stripped))
    )


def clean_text(text: str) -> str:
    """Return the article text without boilerplate lines and with at most one blank line in a row.

    A place line directly under a weather widget ("15.7 C" then "New York") goes with the widget: alone, a
    city name on its own line is ordinary text and stays.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    kept: list[str] = []
    after_weather = False
    for raw in text.split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if after_weather and stripped and PLACE_WIDGET.match(stripped):
            after_weather = False
            continue
        if stripped:
            after_weather = bool(WEATHER.match(stripped))
        if is_boilerplate(line):
            continue
        kept.append(line)
    collapsed: list[str] = []
    for line in kept:
        if not line.strip() and (not collapsed or not collapsed[-1].strip()):
            continue
        collapsed.append(line if line.strip() else "")
    while collapsed and not collapsed[-1].strip():
        collapsed.pop()
    return "\n".join(collapsed)
