"""How right is the disagreement scan? Each item of a set (its documents as a tiny library) is scanned; a finding
means "these sources disagree". Precision and recall against the items' `conflict` labels.

    .venv/bin/python -m evals.scan --dataset ../shared/evalsets/wikicontradict_dev.jsonl --limit 40 --llm local
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from app.backends import make_folder_service
from app.settings import LLM_NAMES, Settings
from evals.metrics import Ratio, conflict_prf
from evals.run import dataset_services, load_dataset, sample


@click.command()
@click.option("--dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N items (the same N each run).")
@click.option("--llm", type=click.Choice(LLM_NAMES), default="local")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Per-item JSON lines.")
def main(dataset: Path, limit: int | None, llm: str, out: Path | None) -> None:
    """Scan every item's library and score the findings."""
    from tqdm import tqdm

    settings = Settings()
    items = sample(load_dataset(dataset), limit)
    rows = []
    sent = considered = 0
    with tempfile.TemporaryDirectory(prefix="parallax-scan-") as scratch:
        service_for = dataset_services(lambda folder, _: make_folder_service(settings, folder), Path(scratch))
        for item in tqdm(items, desc=dataset.stem, unit="item"):
            report = service_for(item).scan(llm)
            sent += report.sent
            considered += report.considered
            found = [f.conflict.slot for f in report.findings]
            rows.append({"id": item.id, "conflict": item.conflict, "found": found, "documents": len(item.documents)})
    predicted = [bool(r["found"]) for r in rows]
    truth = [r["conflict"] for r in rows]
    prf = conflict_prf(predicted, truth)
    f1 = f"{prf.f1:.2f}" if prf.f1 is not None else "n/a"
    two = [r for r in rows if r["documents"] > 1 and r["conflict"]]
    click.echo(
        f"{dataset.stem}: {len(rows)} items, conflict precision {prf.precision}, recall {prf.recall}, F1 {f1}; "
        f"recall on two-document conflicts {Ratio(sum(bool(r['found']) for r in two), len(two))}; "
        f"{considered} pairs considered, {sent} sent to the LLM ({llm})"
    )
    if out is not None:
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
