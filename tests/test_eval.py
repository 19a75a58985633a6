"""Eval metrics (pure) and the seed eval with floors at what was measured (see issue #5 before lowering one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.answer import Source
from app.backends import make_folder_service
from app.service import Parallax
from app.settings import Settings
from evals import run as evals
from evals.metrics import Item, alce_citations, answer_correct, conflict_prf, percentile

DATA = Path(__file__).resolve().parent / "data"


def test_answer_correct_needs_every_side() -> None:
    assert answer_correct("The last exercises were in 2017. [1]", [["2017"]])
    assert answer_correct("It spends U$43.8 billion) on defense", [["43.8 billion"]])
    assert answer_correct("Sources disagree: A says Ahn Kyu-back [1]; B says Suh Wook [2].", [["Ahn"], ["Suh Wook"]])
    assert not answer_correct("A says Ahn Kyu-back [1].", [["Ahn Kyu-back"], ["Suh Wook"]])
    assert not answer_correct("In 20170 ...", [["2017"]])
    assert not answer_correct("anything", [])


def test_alce_recall_and_precision() -> None:
    a = Source(1, "a.txt", "t", "c1", 0, 10, "Kim met Lee in Busan on Monday.", 1.0)
    b = Source(2, "b.txt", "t", "c2", 0, 10, "The weather was fine.", 1.0)

    def support(sentence: str, cited: list[Source]) -> bool:
        return any("Kim" in s.text for s in cited) or (
            "weather" in sentence and any("weather" in s.text for s in cited)
        )

    counts = alce_citations("Kim met Lee in Busan [1][2]. The weather was fine [2]. Nobody came.", [a, b], support)
    assert (counts.sentences, counts.supported) == (3, 2)
    # [2] in the first sentence is redundant ([1] alone supports it) and does not support it alone: imprecise.
    assert (counts.citations, counts.precise) == (3, 2)


def test_conflict_prf_and_percentile() -> None:
    prf = conflict_prf([True, True, False, False], [True, False, True, False])
    assert (prf.tp, prf.fp, prf.fn) == (1, 1, 1)
    assert prf.f1 == pytest.approx(0.5)
    assert percentile([5, 1, 3, 2, 4], 0.5) == 3 and percentile([1, 2, 3, 4, 100], 0.95) == 100


def test_samples_are_fixed_and_mix_alternating_kinds() -> None:
    items = [Item(str(i), "q", [["a"]], [], False, i % 2 == 0) for i in range(48)]
    picked = evals.sample(items, 12)
    assert picked == evals.sample(items, 12) and len(picked) == 12
    assert 3 <= sum(i.answerable for i in picked) <= 9  # an even stride would pick one kind only
    assert evals.sample(items, None) == items


def test_dataset_loader_rejects_bad_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1: not a dataset item"):
        evals.load_dataset(bad)


def test_seed_eval_meets_its_floors(seeded_service: Parallax, tmp_path: Path) -> None:
    items = evals.load_questions()
    assert len(items) >= 40
    results = evals.run(items, lambda _item: seeded_service, "none")
    summary, paths = evals.write("test", {"extractive": results}, tmp_path)
    s = summary["extractive"]
    # Floors = the first full run (evals/results/baseline.md). Never lower one without a note on issue #5.
    # Accuracy 0.93 -> 0.91 (issue #10): sources spread over articles find every gold source (retrieval recall
    # 96% -> 100%) and cost one instant answer whose best sentence was an article's second passage
    # (docs/decisions.md, "Diverse sources").
    assert s["answer_accuracy"].rate >= 0.91
    assert s["citation_recall"].rate >= 1.0
    assert s["citation_precision"].rate >= 0.97
    assert s["conflict_precision"].rate >= 1.0
    assert s["conflict_recall"].rate >= 0.875
    assert s["abstention_rate_unanswerable"].rate >= 0.88
    assert s["false_abstention_rate_answerable"].rate <= 0.05
    assert s["retrieval_recall_at_k"].rate >= 1.0
    assert [p.suffix for p in paths] == [".json", ".md", ".png"] and all(p.stat().st_size > 0 for p in paths)


def test_external_dataset_runs_in_throwaway_stores(embedder, tmp_path: Path) -> None:
    items = evals.load_dataset(DATA / "mini_dataset.jsonl")
    assert items[1].answers == [["Rehema Said"], ["Juma Hamisi"]]
    service_for = evals.dataset_services(lambda folder, _: make_folder_service(Settings(), folder), tmp_path)
    results = evals.run(items, service_for, "none")
    by_id = {r.id: r for r in results}
    assert by_id["harbour-1"].correct
    assert by_id["mayor-2"].predicted_conflict and by_id["mayor-2"].correct
    assert by_id["none-3"].abstained
    assert service_for(items[0]) is not service_for(items[1])
