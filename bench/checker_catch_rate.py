"""How often does the citation check catch planted errors, and how often does it flag correct sentences?

Takes the evidence composer's answers to the eval's answerable questions (correct by construction: verbatim quotes with
their own citation), then plants four kinds of error in each sentence and counts what the check catches:
  number   a number in the sentence is changed
  name     a name is replaced by a name of the same kind from another passage
  citation the [n] marker points to a passage that lacks one of the sentence's names or numbers
  swap     the sentence is attributed to a passage it does not come from (it shares little with it)

    .venv/bin/python bench/checker_catch_rate.py        # needs `parallax ingest` of the seeds first
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.answer import Source
from app.backends import make_service
from app.engine.citations import CITATION, check_sentence, key_values
from app.engine.nlp import analyse, terms
from app.settings import Settings
from evals.run import load_questions

# The eval's answerable questions: the composer's answers to them are the correct sentences errors are planted in.
QUESTIONS = [item.question for item in load_questions() if item.answerable]


def mutations(sentence: str, cited: Source, sources: list[Source]) -> dict[str, tuple[str, list[Source]]]:
    """Planted-error variants of a correct sentence: kind -> (sentence, cited passages)."""
    body = CITATION.sub("", sentence).strip()
    out: dict[str, tuple[str, list[Source]]] = {}
    if m := re.search(r"\d+(?:\.\d+)?", body):
        changed = str(int(float(m.group())) + 7)
        out["number"] = (body[: m.start()] + changed + body[m.end() :], [cited])
    own = {e.text for s in analyse(cited.text) for e in s.entities}
    for s in analyse(body):
        for ent in s.entities:
            if ent.label not in {"PERSON", "GPE", "ORG"}:
                continue
            other = next(
                (e.text for src in sources for x in analyse(src.text) for e in x.entities
                 if e.label == ent.label and e.text not in own and e.text not in body),
                None,
            )  # fmt: skip
            if other:
                out["name"] = (body[: ent.start] + other + body[ent.end :], [cited])
                break
        if "name" in out:
            break
    values = key_values(body)
    for src in sources:
        words = set(terms(src.text))
        if src.n != cited.n and any(not set(terms(v)) <= words for v in values):
            out["citation"] = (body, [src])
            break
    for src in sources:
        overlap = len(set(terms(body)) & set(terms(src.text))) / max(len(set(terms(body))), 1)
        if src.file != cited.file and overlap < 0.5:
            out["swap"] = (body, [src])
            break
    return out


def main() -> None:
    service = make_service(Settings())
    planted: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    correct = flagged = 0
    for question in QUESTIONS:
        answer = service.ask(question)
        by_n = {s.n: s for s in answer.sources}
        for sentence in answer.sentences:
            if len(sentence.citations) != 1:
                continue  # the disagreement lead cites several passages; planted errors need one
            cited = by_n[sentence.citations[0]]
            correct += 1
            flagged += not check_sentence(sentence.text, [cited]).supported
            for kind, (text, sources) in mutations(sentence.text, cited, answer.sources).items():
                planted[kind] += 1
                caught[kind] += not check_sentence(text, sources).supported
    print("| planted error | planted | caught | catch rate |")
    print("|---|---|---|---|")
    for kind in ("number", "name", "citation", "swap"):
        print(f"| {kind} | {planted[kind]} | {caught[kind]} | {caught[kind] / max(planted[kind], 1):.0%} |")
    total_p, total_c = sum(planted.values()), sum(caught.values())
    print(f"| all | {total_p} | {total_c} | {total_c / max(total_p, 1):.0%} |")
    print(f"\nCorrect sentences flagged unsupported: {flagged}/{correct}")


if __name__ == "__main__":
    main()
