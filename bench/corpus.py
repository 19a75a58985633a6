"""A reproducible synthetic news corpus: articles recombined from the seed articles' sentences.

    python bench/corpus.py OUT_DIR --chunks 10000 [--seed 7]

The same seed and size always give the same files. Articles are 12-30 sentences (news length, 2-5 passages)
drawn with a seeded RNG from the pool of cleaned seed sentences, under an invented headline, so they chunk,
embed and retrieve like news.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.nlp import analyse
from ingest.load import load_file

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TOKENS_PER_CHUNK = 170  # measured: the seeds' cleaned text averages ~170 cl100k tokens per 200-token chunk
WORDS_PER_TOKEN = 0.75


def sentence_pool() -> list[str]:
    """Every sentence of the cleaned seed articles (the generator's vocabulary)."""
    pool = []
    for path in sorted(SEEDS.glob("*.txt")):
        pool += [s.text for s in analyse(load_file(path).articles[0].text) if len(s.text.split()) >= 6]
    return pool


def generate(out: Path, chunks: int, seed: int = 7) -> list[Path]:
    """Write articles until they hold about `chunks` passages; returns the files (sorted)."""
    rng = random.Random(seed)
    pool = sentence_pool()
    out.mkdir(parents=True, exist_ok=True)
    budget = chunks * TOKENS_PER_CHUNK
    files, tokens, n = [], 0, 0
    while tokens < budget:
        body = rng.sample(pool, rng.randint(12, 30))
        headline = " ".join(rng.choice(pool).split()[:8]).rstrip(",.;:")
        text = headline + "\n\n" + "\n\n".join(body) + "\n"
        path = out / f"gen_{n:06d}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
        tokens += int(len(text.split()) / WORDS_PER_TOKEN)
        n += 1
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files = generate(args.out, args.chunks, args.seed)
    print(f"wrote {len(files)} articles to {args.out}")


if __name__ == "__main__":
    main()
