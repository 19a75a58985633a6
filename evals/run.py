"""Run the answer engine over known questions and write results (JSON), a report (Markdown) and a chart (PNG).

parallax eval                                 # seed questions, instant engine + the reader (local model)
parallax eval --backend none                  # one engine
parallax eval --suite dev [--limit 20]        # the shared dev sets (../shared/evalsets/*_dev.jsonl)
parallax eval --dataset FILE.jsonl            # an external set; each item's documents in a throwaway store

Results are keyed "<set>/<engine>"; the report has one table per set.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from app.answer import Answer
from app.engine.citations import without_labels
from app.service import Parallax
from evals.metrics import (
    PRF,
    CitationCounts,
    Item,
    Ratio,
    alce_citations,
    answer_correct,
    conflict_prf,
    engine_support,
    median,
    percentile,
    retrieval_recall,
    strict_support,
)

EVALS = Path(__file__).resolve().parent
QUESTIONS = EVALS / "questions.yaml"
RESULTS = EVALS / "results"


@dataclass
class ItemResult:
    """What happened to one question under one backend."""

    id: str
    kind: str
    question: str
    backend: str
    answerable: bool
    conflict: bool
    correct: bool
    abstained: bool
    predicted_conflict: bool
    retrieval_hits: int
    retrieval_total: int
    engine: CitationCounts
    strict: CitationCounts
    checked_sentences: int  # supported answer sentences, judged again by the strict check
    check_agreement: int  # of those, the ones on which both checks agree
    removed_sentences: int
    fell_back: bool
    latency_ms: float
    answer: str
    note: str | None
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def load_questions(path: Path = QUESTIONS) -> list[Item]:
    """The known questions of questions.yaml."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Item(**{k: v for k, v in entry.items()}) for entry in raw]


def load_dataset(path: Path) -> list[Item]:
    """An external set: JSON lines of {id, question, documents: [{id, title, date, text}], answers, conflict,
    answerable}. A plain answer list means any alias counts; for a conflict each answer is one side."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            answers = [a if isinstance(a, list) else [a] for a in row.get("answers", [])]
            sides = answers if row["conflict"] else [[alias for side in answers for alias in side]]
            items.append(
                Item(
                    id=str(row["id"]),
                    question=row["question"],
                    answers=[s for s in sides if s],
                    sources=[],
                    conflict=bool(row["conflict"]),
                    answerable=bool(row["answerable"]),
                    kind="dataset",
                    documents=row["documents"],
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: not a dataset item ({exc})") from None
    return items


def evaluate(service: Parallax, item: Item, backend: str) -> ItemResult:
    """Ask one question and score the answer."""
    started = time.perf_counter()
    answer: Answer = service.ask(item.question, llm=backend)
    latency = (time.perf_counter() - started) * 1000
    engine = alce_citations(answer.answer, answer.sources, engine_support) if not answer.abstained else None
    strict = alce_citations(answer.answer, answer.sources, strict_support) if not answer.abstained else None
    agreement = checked = 0
    if not answer.abstained:
        by_n = {s.n: s for s in answer.sources}
        for sentence in answer.sentences:
            if sentence.supported:
                cited = [by_n[n] for n in dict.fromkeys(sentence.citations) if n in by_n]
                checked += 1
                agreement += strict_support(sentence.text, cited) == engine_support(sentence.text, cited)
    recall = retrieval_recall(answer, item.sources)
    return ItemResult(
        id=item.id,
        kind=item.kind,
        question=item.question,
        backend=backend,
        answerable=item.answerable,
        conflict=item.conflict,
        correct=item.answerable
        and not answer.abstained
        and answer_correct(without_labels(answer.answer, answer.sources), item.answers),
        abstained=answer.abstained,
        predicted_conflict=bool(answer.conflicts),
        retrieval_hits=recall.hits,
        retrieval_total=recall.total,
        engine=engine or CitationCounts(),
        strict=strict or CitationCounts(),
        checked_sentences=checked,
        check_agreement=agreement,
        removed_sentences=sum(not s.supported for s in answer.sentences),
        fell_back=answer.fallback is not None,
        latency_ms=round(latency, 1),
        answer=answer.answer,
        note=answer.note,
        llm_calls=answer.usage.get("calls", 0),
        prompt_tokens=answer.usage.get("prompt_tokens", 0),
        completion_tokens=answer.usage.get("completion_tokens", 0),
    )


def run(
    items: Iterable[Item], service_for: Callable[[Item], Parallax], backend: str, progress: str | None = None
) -> list[ItemResult]:
    """Every item under one backend (`service_for` gives the service whose store holds the item's articles).

    With `progress` (a label), a progress bar on stderr.
    """
    items = list(items)
    if progress is None:
        return [evaluate(service_for(item), item, backend) for item in items]
    from tqdm import tqdm

    return [evaluate(service_for(item), item, backend) for item in tqdm(items, desc=progress, unit="q")]


def sample(items: list[Item], limit: int | None) -> list[Item]:
    """`limit` items drawn with a fixed seed, in file order: the same ones every run, nothing chosen by content.

    Not an even stride: sets that alternate kinds (SQuAD's answerable/unanswerable pairs) would give one kind only.
    """
    if not limit or limit >= len(items):
        return items
    import random

    return [items[i] for i in sorted(random.Random(0).sample(range(len(items)), limit))]


def summarize(results: list[ItemResult]) -> dict:
    """The headline metrics, each with its counts."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    engine = sum((r.engine for r in results), CitationCounts())
    strict = sum((r.strict for r in results), CitationCounts())
    prf: PRF = conflict_prf([r.predicted_conflict for r in results], [r.conflict for r in results])
    latencies = [r.latency_ms for r in results]
    kinds = sorted({r.kind for r in results})
    return {
        "questions": len(results),
        "answer_accuracy": Ratio(sum(r.correct for r in answerable), len(answerable)),
        "citation_recall": Ratio(engine.supported, engine.sentences),
        "citation_precision": Ratio(engine.precise, engine.citations),
        "strict_citation_recall": Ratio(strict.supported, strict.sentences),
        "strict_citation_precision": Ratio(strict.precise, strict.citations),
        "check_agreement": Ratio(sum(r.check_agreement for r in results), sum(r.checked_sentences for r in results)),
        "conflict_precision": prf.precision,
        "conflict_recall": prf.recall,
        "conflict_f1": prf.f1,
        "abstention_rate_unanswerable": Ratio(sum(r.abstained for r in unanswerable), len(unanswerable)),
        "false_abstention_rate_answerable": Ratio(sum(r.abstained for r in answerable), len(answerable)),
        "retrieval_recall_at_k": Ratio(sum(r.retrieval_hits for r in results), sum(r.retrieval_total for r in results)),
        "removed_sentences": sum(r.removed_sentences for r in results),
        "fell_back_to_extractive": Ratio(sum(r.fell_back for r in results), len(results)),
        "latency_ms_p50": median(latencies),
        "latency_ms_p95": percentile(latencies, 0.95),
        "llm_calls_p50": median([r.llm_calls for r in results]),
        "prompt_tokens_p50": median([r.prompt_tokens for r in results]),
        "completion_tokens_p50": median([r.completion_tokens for r in results]),
        "accuracy_by_kind": {
            k: Ratio(sum(r.correct for r in answerable if r.kind == k), sum(r.kind == k for r in answerable))
            for k in kinds
        },
    }


def failures(results: list[ItemResult]) -> list[ItemResult]:
    """Questions the engine got wrong in any scored way, worst (most ways wrong) first."""

    def faults(r: ItemResult) -> int:
        return (
            (r.answerable and not r.correct)
            + (r.conflict != r.predicted_conflict)
            + (not r.answerable and not r.abstained)
            + (r.retrieval_hits < r.retrieval_total)
        )

    return sorted((r for r in results if faults(r)), key=lambda r: (-faults(r), r.id))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if value < 10 else f"{value:.0f}"
    return "n/a" if value is None else str(value)


def markdown(run_name: str, summaries: dict[str, dict], results: dict[str, list[ItemResult]]) -> str:
    """The report: a summary table per set (one column per engine), accuracy by kind, the failing questions."""
    lines = [f"# Parallax eval: {run_name}"]
    sets = dict.fromkeys(label.split("/")[0] for label in summaries)
    for name in sets:
        labels = [label for label in summaries if label.split("/")[0] == name]
        first = summaries[labels[0]]
        metrics = [k for k in first if k not in {"accuracy_by_kind", "questions"}]
        engines = [label.split("/", 1)[-1] for label in labels]
        lines += ["", f"## {name} ({first['questions']} questions)", ""]
        lines += ["| metric | " + " | ".join(engines) + " |", "|---|" + "---|" * len(labels)]
        lines += [f"| {m} | " + " | ".join(_cell(summaries[b][m]) for b in labels) + " |" for m in metrics]
        kinds = sorted({k for b in labels for k in summaries[b]["accuracy_by_kind"]})
        if kinds != ["dataset"]:
            lines += ["", "| accuracy by kind | " + " | ".join(engines) + " |", "|---|" + "---|" * len(labels)]
            lines += [
                f"| {k} | " + " | ".join(_cell(summaries[b]["accuracy_by_kind"].get(k)) for b in labels) + " |"
                for k in kinds
            ]
    for backend in summaries:
        lines += ["", f"### Failing questions ({backend})", ""]
        for r in failures(results[backend]):
            verdict = (
                f"correct={r.correct} abstained={r.abstained} conflict gold/predicted={r.conflict}/"
                f"{r.predicted_conflict} retrieval={r.retrieval_hits}/{r.retrieval_total}"
            )
            lines.append(f"- **{r.id}** ({r.kind}) {r.question}: {verdict}. Answer: {r.answer[:300]}")
    return "\n".join(lines) + "\n"


CHART_METRICS = [
    ("answer_accuracy", "answer accuracy"),
    ("citation_recall", "citation recall"),
    ("citation_precision", "citation precision"),
    ("strict_citation_recall", "strict citation recall"),
    ("conflict_precision", "conflict precision"),
    ("conflict_recall", "conflict recall"),
    ("abstention_rate_unanswerable", "abstains when unanswerable"),
    ("false_abstention_rate_answerable", "false abstention"),
    ("retrieval_recall_at_k", "retrieval recall@k"),
]


def chart(summaries: dict[str, dict], path: Path) -> None:
    """A grouped bar chart of the rates, one colour per backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / max(len(summaries), 1)
    for i, (backend, summary) in enumerate(summaries.items()):
        rates = [summary[key].rate or 0.0 for key, _ in CHART_METRICS]
        xs = [x + i * width for x in range(len(CHART_METRICS))]
        ax.bar(xs, rates, width, label=backend)
    ax.set_xticks([x + width * (len(summaries) - 1) / 2 for x in range(len(CHART_METRICS))])
    ax.set_xticklabels([label for _, label in CHART_METRICS], rotation=25, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("rate")
    ax.legend()
    ax.set_title("Parallax eval")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _jsonable(value: object) -> object:
    if isinstance(value, Ratio):
        return {"hits": value.hits, "total": value.total, "rate": value.rate}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def write(run_name: str, results: dict[str, list[ItemResult]], out: Path = RESULTS) -> tuple[dict, list[Path]]:
    """Summaries per backend, and the JSON, Markdown and PNG files written under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    summaries = {backend: summarize(rs) for backend, rs in results.items()}
    json_path, md_path, png_path = (out / f"{run_name}{ext}" for ext in (".json", ".md", ".png"))
    payload = {
        "run": run_name,
        "summary": {b: _jsonable(s) for b, s in summaries.items()},
        "items": {b: [asdict(r) for r in rs] for b, rs in results.items()},
    }
    json_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    md_path.write_text(markdown(run_name, summaries, results), encoding="utf-8")
    chart(summaries, png_path)
    return summaries, [json_path, md_path, png_path]


def dataset_services(make: Callable[[Path, str], Parallax], root: Path) -> Callable[[Item], Parallax]:
    """For external items: write each item's documents to a folder under `root` (the caller's scratch folder,
    which it removes), ingest them into a throwaway store there."""
    built: dict[str, Parallax] = {}

    def service_for(item: Item) -> Parallax:
        if item.id not in built:
            folder = root / f"item-{len(built)}"
            docs = folder / "docs"
            docs.mkdir(parents=True)
            for n, doc in enumerate(item.documents):
                header = "\n".join(str(doc[k]) for k in ("title", "date") if doc.get(k))
                (docs / f"{n:03d}_{_safe(str(doc.get('id', n)))}.txt").write_text(
                    f"{header}\n\n{doc['text']}", encoding="utf-8"
                )
            built[item.id] = make(folder, "eval")
        return built[item.id]

    return service_for


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:60] or "doc"
