"""Dates explain disagreements: each claim carries its article's outlet, date and syndicated copies, the claims of a
conflict run oldest first (undated last), and when the sides were published on different dates the note says
that the newer report may supersede the older one (the "outdated information" kind of conflict)."""

from __future__ import annotations

from dataclasses import replace

from app.answer import Claim, Conflict, Source
from app.engine.compose import said


def with_dates(conflicts: list[Conflict], sources: list[Source]) -> list[Conflict]:
    """The conflicts with dated, ordered claims and a note that says when the sides differ in date."""
    return [_dated(c, sources) for c in conflicts]


def sourced(claims: list[Claim], sources: list[Source]) -> list[Claim]:
    """The claims with their sources' outlets, headlines and dates (what `said` names them by), oldest first."""
    by_file = {s.file: s for s in sources}
    return oldest_first([_claim(c, by_file.get(c.file)) for c in claims])


def _dated(conflict: Conflict, sources: list[Source]) -> Conflict:
    """Notes are written as "<head> <said(claims)>." (rules and reader alike): the claim list is rewritten with
    the dates; the head is kept. Applying it twice changes nothing."""
    claims = sourced(conflict.claims, sources)
    listed = conflict.note.find(f"{said(conflict.claims)}.")
    if listed < 0:
        return replace(conflict, claims=claims)
    note = f"{conflict.note[:listed]}{said(claims)}."
    dates = sorted({c.published for c in claims if c.published})
    if len(dates) > 1:
        note += (
            f" The reports are from different dates ({dates[0]} to {dates[-1]}): the newer one may supersede the older."
        )
    return replace(conflict, claims=claims, note=note)


def oldest_first(claims: list[Claim]) -> list[Claim]:
    """The claims by publication date, undated last (stable: equal dates keep their order)."""
    return sorted(claims, key=lambda c: (c.published is None, c.published or ""))


def _claim(claim: Claim, source: Source | None) -> Claim:
    if source is None:
        return claim
    return replace(claim, outlet=source.outlet, published=source.published, also_in=source.also_in, title=source.title)
