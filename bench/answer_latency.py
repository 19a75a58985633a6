"""Latency of `ask` on the default (extractive) path over the seeds: p50/p95 per stage after warm-up.

    .venv/bin/python bench/answer_latency.py [--repeats 5]    # needs `parallax ingest` of the seeds first

Every question is asked once to warm up (model loads, BM25 index, spaCy), then `repeats` times; the medians
and 95th percentiles are over all timed calls. With --cold-passages the cached spaCy analyses of passages and
questions are dropped before every call, as for a question over passages never seen before.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.backends import make_service
from app.nlp import analyse, parse
from app.settings import Settings

QUESTIONS = [
    "Which South Korean defense minister attended the January 30 meeting in Yokosuka?",
    "What kind of joint exercises did the ministers agree to resume?",
    "What is the population of Yokosuka?",
    "When did South Korea and Japan last hold joint maritime exercises?",
    "How much will South Korea spend on defense in fiscal 2023?",
    "Which country did South Korea establish diplomatic ties with?",
    "Who did Gen Nakatani meet?",
    "What did Ned Price say about the talks?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cold-passages", action="store_true", help="forget spaCy analyses between questions")
    args = parser.parse_args()
    service = make_service(Settings())
    for question in QUESTIONS:
        service.ask(question)
    stages: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        for question in QUESTIONS:
            if args.cold_passages:
                analyse.cache_clear()
                parse.cache_clear()
            for stage, ms in service.ask(question).timings_ms.items():
                stages.setdefault(stage, []).append(ms)
    print(f"{len(QUESTIONS)} questions x {args.repeats} repeats, after one warm-up pass")
    print("| stage | p50 ms | p95 ms |")
    print("|---|---|---|")
    for stage, values in stages.items():
        print(f"| {stage} | {statistics.median(values):.0f} | {percentile(values, 0.95):.0f} |")


if __name__ == "__main__":
    main()
