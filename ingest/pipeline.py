"""Incremental ingest of a folder: skip unchanged articles, re-embed changed ones, drop removed ones, regroup
syndicated copies. The CLI (`parallax ingest`) and the chat's upload both call ingest_folder."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding
from tqdm import tqdm

from ingest import dedup
from ingest.chunk import Passage, chunk_article
from ingest.load import Article, LoadError, list_files, load_file
from ingest.store import DONE, REMOVED, ArticleStore, passage_node

# Articles are stored in groups of about this many passages: big enough that the store's writes are few and
# large (Chroma adds ~1,000 passages/s in big batches, far fewer in small ones), small enough that a killed
# run loses under a minute of embedding.
GROUP_PASSAGES = 1024
PROGRESS_STEP = 64  # passages embedded between progress-bar updates


@dataclass
class IngestReport:
    """What one ingest run did, per file, for the CLI and the UI to show."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # removed by the user (`parallax remove`); skipped
    failed: list[tuple[str, str]] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)  # syndicated copies: every group of two or more
    passages_embedded: int = 0
    orphans_removed: int = 0
    seconds: float = 0.0

    @property
    def embedded_files(self) -> int:
        """Files whose passages were (re-)embedded in this run."""
        return len(self.added) + len(self.updated)

    def summary(self) -> str:
        """One line a person can read."""
        excluded = f", {len(self.excluded)} excluded" if self.excluded else ""
        copies = f"; {len(self.groups)} syndicated group(s)" if self.groups else ""
        return (
            f"{self.embedded_files} articles embedded ({len(self.added)} new, {len(self.updated)} changed), "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed{excluded}, {len(self.failed)} failed; "
            f"{self.passages_embedded} passages embedded in {self.seconds:.1f}s{copies}"
        )


@dataclass(frozen=True)
class ChunkConfig:
    """How articles become passages; part of what makes a stored passage current."""

    chunk_tokens: int = 200
    chunk_overlap: int = 30
    max_file_bytes: int | None = 50_000_000

    def index_key(self, model_name: str) -> str:
        """Stored with each article: a passage made with other settings or another model is stale."""
        return f"{model_name}:{self.chunk_tokens}:{self.chunk_overlap}"


def ingest_folder(
    folder: Path,
    store: ArticleStore,
    embedder: BaseEmbedding,
    config: ChunkConfig = ChunkConfig(),
    progress: bool = True,
) -> IngestReport:
    """Bring the store in line with `folder`. Bad files are reported in `failed` and do not stop the rest."""
    started = time.perf_counter()
    report = IngestReport()
    records = store.records()
    index_key = config.index_key(embedder.model_name)
    todo: list[tuple[Article, list[Passage]]] = []
    present: set[str] = set()
    for path in list_files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            loaded = load_file(path, name=name, max_bytes=config.max_file_bytes)
        except LoadError as exc:
            # A good earlier version stays searchable (for a collection: all its articles): bad input loses nothing.
            kept = [f for f, r in records.items() if r.state in (DONE, REMOVED) and from_file(f, name)]
            report.failed.append((name, f"{exc}" + ("; kept the version ingested before" if kept else "")))
            present.update(kept)
            continue
        report.failed += loaded.skipped
        for article in loaded.articles:
            record = records.get(article.file)
            present.add(article.file)
            if record and record.state == REMOVED:
                report.excluded.append(article.file)
            elif record and record.is_current(article.content_hash, index_key):
                report.unchanged.append(article.file)
            else:
                (report.updated if record else report.added).append(article.file)
                todo.append((article, chunk_article(article, config.chunk_tokens, config.chunk_overlap)))

    gone = set(records) - present
    report.removed = sorted(f for f in gone if records[f].state != REMOVED)
    store.remove_articles(report.removed)
    store.forget_removed(f for f in gone if records[f].state == REMOVED)  # its file is gone too
    _embed_and_store(todo, store, embedder, index_key, progress)
    report.passages_embedded = sum(len(p) for _, p in todo)
    if store.count() != sum(r.n_chunks for r in store.records().values()):
        report.orphans_removed = store.remove_orphans()
    report.groups = regroup(store, force=bool(todo or report.removed))
    report.seconds = time.perf_counter() - started
    return report


def regroup(store: ArticleStore, force: bool = True) -> list[list[str]]:
    """Recompute the syndicated groups from every article's signature and store the changes; returns the groups
    of two or more. Without `force` it only runs when a record lacks its group (a run killed before this step)."""
    articles = store.articles()
    stale = any(r.group is None or r.group not in articles for r in articles.values())
    if force or stale:
        signatures = store.signatures()
        store.set_groups(dedup.groups({f: signatures.get(f) for f in articles}))
        articles = store.articles()
    members: dict[str, list[str]] = {}
    for f, record in sorted(articles.items()):
        members.setdefault(record.group or f, []).append(f)
    return [files for files in members.values() if len(files) > 1]


def from_file(article: str, file: str) -> bool:
    """True when the article came from this file (itself, or a record `file#n` of a collection)."""
    return article == file or article.startswith(f"{file}#")


def _embed_and_store(
    todo: list[tuple[Article, list[Passage]]],
    store: ArticleStore,
    embedder: BaseEmbedding,
    index_key: str,
    progress: bool,
) -> None:
    """Embed articles group by group and store each group as soon as it is embedded."""
    total = sum(len(p) for _, p in todo)
    with tqdm(total=total, desc="Embedding", unit="passage", disable=not progress or total == 0) as bar:
        group: list[tuple[Article, list[Passage]]] = []
        size = 0
        for item in todo:
            group.append(item)
            size += len(item[1])
            if size >= GROUP_PASSAGES:
                _store_group(group, store, embedder, index_key, bar)
                group, size = [], 0
        if group:
            _store_group(group, store, embedder, index_key, bar)


def _store_group(
    group: list[tuple[Article, list[Passage]]],
    store: ArticleStore,
    embedder: BaseEmbedding,
    index_key: str,
    bar: tqdm,
) -> None:
    texts = [p.text for _, passages in group for p in passages]
    vectors: list[list[float]] = []
    for begin in range(0, len(texts), PROGRESS_STEP):
        vectors += embedder.get_text_embedding_batch(texts[begin : begin + PROGRESS_STEP])
        bar.update(min(PROGRESS_STEP, len(texts) - begin))
    offset = 0
    items = []
    for article, passages in group:
        items.append((article, [passage_node(p, article, vectors[offset + i]) for i, p in enumerate(passages)]))
        offset += len(passages)
    store.replace_articles(items, index_key, [dedup.signature(article.text) for article, _ in group])
