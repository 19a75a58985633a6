"""Would embedding similarity make the disagreement scan's candidates better? Measures it against the filters
app/scan/candidates.py uses (shared content words, term cosine, a value of one kind after the same words).

    .venv/bin/python bench/scan_similarity.py

Prints, for the seeds (the configured store) and for WikiContradict dev's two-passage conflicts (each item's
passages as a library): the embedding cosine (the packaged MiniLM) of every current candidate's two sentences,
and how many candidates and items a looser rule would give — sentence pairs with a value of the same kind that
the other does not mention, at or above an embedding cosine, without the same-words rule.
"""

from __future__ import annotations

import json
import sys
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.backends import make_embedder, open_store
from app.scan.candidates import FAMILIES, Statement, _unmentioned, candidates, statements
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
WIKICONTRADICT = ROOT.parent / "shared" / "evalsets" / "wikicontradict_dev.jsonl"
LEVELS = (0.5, 0.6, 0.7)


def main() -> None:
    embedder = make_embedder(Settings())

    def cosines(texts: list[str]) -> np.ndarray:
        vectors = np.array(embedder.get_text_embedding_batch(texts))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors @ vectors.T

    def looser(articles: dict[str, tuple[str, str]]) -> list[float]:
        """The embedding cosine of every cross-article sentence pair holding rival values of one kind."""
        found = [s for file, (group, text) in sorted(articles.items()) for s in statements(file, group, text)]
        if len(found) < 2:
            return []
        sims = cosines([s.text for s in found])
        return [float(sims[i, j]) for i, j in combinations(range(len(found)), 2) if _rivals(found[i], found[j])]

    def current(articles: dict[str, tuple[str, str]], label: str) -> None:
        for c in candidates(articles):
            sim = cosines([c.first.text, c.second.text])[0, 1]
            print(f"  {label}: {sim:.2f}  {c.first_value.text} | {c.second_value.text}  ({c.topic})")

    store = open_store(Settings())
    seeds = {f: (r.group or f, text) for f, r in store.articles().items() if (text := store.article_text(f))}
    print("Current candidates, embedding cosine of their sentences:")
    current(seeds, "seeds")
    items = [json.loads(line) for line in WIKICONTRADICT.read_text(encoding="utf-8").splitlines() if line.strip()]
    libraries = [
        {f"d{k}": (f"d{k}", f"{d.get('title', '')}\n\n{d['text']}") for k, d in enumerate(item["documents"])}
        for item in items
        if item["conflict"] and len(item["documents"]) > 1
    ]
    for library in libraries:
        current(library, "wikicontradict")
    seed_pairs = looser(seeds)
    wiki_pairs = [looser(library) for library in libraries]
    print(f"\nLooser rule (rival values of one kind, no same-words rule); {len(libraries)} two-passage conflicts:")
    for level in LEVELS:
        reached = sum(any(s >= level for s in pairs) for pairs in wiki_pairs)
        print(
            f"  cosine >= {level}: seeds {sum(s >= level for s in seed_pairs)} candidates; "
            f"WikiContradict items with a candidate {reached}/{len(libraries)}"
        )


def _rivals(a: Statement, b: Statement) -> bool:
    if a.group == b.group:
        return False
    kinds_a = {FAMILIES[v.label] for v in _unmentioned(a.values, b)}
    return bool(kinds_a & {FAMILIES[v.label] for v in _unmentioned(b.values, a)})


if __name__ == "__main__":
    main()
