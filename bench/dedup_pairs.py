"""Near-duplicate detection measured on a labelled set of article pairs; picks ingest/dedup.py's threshold.

    .venv/bin/python bench/dedup_pairs.py [--docs 150]

Positives are copies of real documents (the shared dev sets' passages and the seeds), made the way outlets
republish: exact; lightly edited (new headline, a footer, three words changed); edited (5% of words changed, one
sentence dropped); cut (the first 70% under a new headline). Negatives are different documents about the same
thing: every pair of documents of one dev-set item (the same question, entity or event) and every pair of seeds
(the same meeting). RAMDocs items are left out of the negatives: their "misinformation" documents are copies of
another document with the answer swapped, i.e. edited copies (Parallax groups them and keeps a copy that states
other facts as its own claim: app/engine/retrieve.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.dedup import THRESHOLD, signature, similarity

ROOT = Path(__file__).resolve().parents[1]
EVALSETS = ROOT.parent / "shared" / "evalsets"
FILLER = "said reported noted added according officials local regional major several".split()


def edit(text: str, rng: random.Random, fraction: float, words: int = 0) -> str:
    tokens = text.split()
    n = max(words, int(len(tokens) * fraction))
    for i in rng.sample(range(len(tokens)), min(n, len(tokens))):
        tokens[i] = rng.choice(FILLER)
    return " ".join(tokens)


def copies(text: str, rng: random.Random) -> dict[str, str]:
    sentences = [s for s in text.replace("\n", " ").split(". ") if s]
    dropped = sentences[:]
    if len(dropped) > 2:
        dropped.pop(rng.randrange(len(dropped)))
    words = text.split()
    return {
        "exact": text,
        "light edit": "Breaking: a new headline\n\n" + edit(text, rng, 0, 3) + "\n\nRepublished with permission.",
        "edited": edit(". ".join(dropped), rng, 0.05),
        "cut": "Another headline\n\n" + " ".join(words[: int(len(words) * 0.7)]),
    }


def documents(limit: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Base texts for copies, and negative pairs (different documents about the same thing)."""
    bases: list[str] = []
    negatives: list[tuple[str, str]] = []
    for path in sorted(EVALSETS.glob("*_dev.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            docs = [d["text"] for d in json.loads(line)["documents"] if len(d["text"].split()) >= 40]
            bases += docs
            if not path.name.startswith("ramdocs"):
                negatives += [(a, b) for a, b in itertools.combinations(dict.fromkeys(docs), 2)]
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    negatives += list(itertools.combinations(seeds, 2))
    rng = random.Random(0)
    bases = rng.sample(list(dict.fromkeys(bases)), min(limit, len(bases))) + seeds
    return bases, negatives


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=150)
    args = parser.parse_args()
    rng = random.Random(1)
    bases, negatives = documents(args.docs)
    positives: dict[str, list[float]] = {}
    for text in bases:
        for kind, copy in copies(text, rng).items():
            a, b = signature(text), signature(copy)
            if a and b:
                positives.setdefault(kind, []).append(similarity(a, b))
    neg = [similarity(a, b) for x, y in negatives if (a := signature(x)) and (b := signature(y))]
    print(f"{sum(map(len, positives.values()))} copy pairs from {len(bases)} documents; {len(neg)} different pairs")
    print("| threshold | " + " | ".join(f"recall: {k}" for k in positives) + " | recall | precision |")
    print("|---" * (len(positives) + 3) + "|")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        found = {k: sum(s >= threshold for s in v) for k, v in positives.items()}
        tp, fp = sum(found.values()), sum(s >= threshold for s in neg)
        recalls = " | ".join(f"{found[k] / len(v):.2f}" for k, v in positives.items())
        mark = " (used)" if threshold == THRESHOLD else ""
        total = sum(map(len, positives.values()))
        print(f"| {threshold}{mark} | {recalls} | {tp / total:.3f} | {tp / max(1, tp + fp):.3f} ({fp} false) |")
    print(f"\nhighest similarity of two different documents: {max(neg):.2f}")
    print("lowest similarity per kind of copy: " + ", ".join(f"{k} {min(v):.2f}" for k, v in positives.items()))


if __name__ == "__main__":
    main()
