"""Bytes -> text for article files: UTF-8 when it is, else the encoding charset-normalizer detects, with the
decision recorded so `parallax articles --json` can show how each file was read."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Legacy news files are overwhelmingly Windows-1252 (what browsers assume for unlabelled Western pages). On short
# texts charset-normalizer often ties it with encodings that decode the same bytes to rarer letters ("Café" as
# cp1006); on a tie we take cp1252.
PREFERRED_ON_TIE = "cp1252"
BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
DECLARED = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can recognise."""


def decode(data: bytes, html: bool = False) -> tuple[str, str]:
    """(text, how it was decoded). Raises DecodeError for binary data."""
    if b"\x00" in data[:8192] and not data.startswith(BOMS):
        raise DecodeError("looks like a binary file (contains NUL bytes); only text articles are ingested")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if html and (declared := _declared(data)):
        return declared
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise DecodeError("not text in any known encoding (is it a binary file?)")
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    if best.encoding != PREFERRED_ON_TIE and any(PREFERRED_ON_TIE in m.could_be_from_charset for m in tied):
        try:
            return data.decode(PREFERRED_ON_TIE), f"{PREFERRED_ON_TIE} (charset-normalizer; tie with {best.encoding})"
        except UnicodeDecodeError:
            pass
    return str(best), f"{best.encoding} (charset-normalizer)"


def _declared(data: bytes) -> tuple[str, str] | None:
    """The page's own <meta charset>, when it names an encoding that decodes the bytes."""
    match = DECLARED.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return data.decode(name), f"{codecs.lookup(name).name} (declared by the page)"
    except (LookupError, UnicodeDecodeError):
        return None
