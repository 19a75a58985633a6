"""Publication dates: from a metadata field, or from an article's header lines or wire dateline. A date needs a
year: "January 30th" alone says nothing about when, and a wrong date would mislead more than "undated"."""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as dateutil_parser

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
YEAR = r"(?:19|20)\d\d"
DATE = re.compile(
    rf"\b(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{YEAR}"  # January 30, 2021
    rf"|\d{{1,2}}\s+{MONTH},?\s+{YEAR}"  # 30 January 2021
    rf"|{YEAR}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?)\b",  # 2021-01-30, 2021-01-30T08:00Z
    re.IGNORECASE,
)
# A wire dateline opening a paragraph: "SEOUL, Jan. 30, 2021 (Yonhap) --".
DATELINE = re.compile(rf"^[A-Z][A-Z .'-]+,\s+(?P<date>{DATE.pattern})\s*(?:\([^)]{{1,40}}\))?\s*[-\u2013\u2014]", re.I)
HEADER_LINES = 8  # a date in the first lines (under the headline, in the byline) is the article's date
# A header line is labelled ("Published: …", "By … | …") or is little besides the date; a date inside a sentence
# ("On January 30, 2019 the ministers met") is an event's date, not the article's.
LABELLED = re.compile(r"^(?:published|updated|posted|dated?|by)\b", re.IGNORECASE)
OTHER_WORDS = 6


def parse_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a metadata value, or None when it holds no full date."""
    if isinstance(value, int | float) and 0 < value < 4e9:  # a Unix timestamp
        return datetime.fromtimestamp(value).date().isoformat()
    if not isinstance(value, str) or not re.search(YEAR, value):
        return None
    try:
        parsed = dateutil_parser.parse(value.strip(), default=datetime(1, 1, 1), fuzzy=True)
    except (ValueError, OverflowError):
        return None
    if parsed.year < 1900 or parsed.date() > date.today():
        return None
    return parsed.date().isoformat()


def date_in_text(text: str) -> str | None:
    """The date in an article's header lines (byline, "Published …") or its opening wire dateline."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()][:HEADER_LINES]
    for line in lines:
        if match := DATELINE.match(line):
            return parse_date(match.group("date"))
        match = DATE.search(line)
        if match and (LABELLED.match(line) or len(DATE.sub("", line).split()) <= OTHER_WORDS):
            return parse_date(match.group(0))
    return None
