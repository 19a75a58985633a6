"""The only place that talks to Chroma: passages (with embeddings) plus a per-article manifest.

Crash safety: an article's manifest record is written as `pending` before its passages change and flipped to
`done` after they are all stored (a group of articles at a time). A run killed in between leaves `pending`
records, and the next run deletes those articles' passages and writes them again, so the store never keeps
duplicates or orphans. A third collection keeps each article's MinHash signature (written before its record
turns `done`) from which the syndicated groups are recomputed; a record without a current group makes the next
ingest regroup. An article removed by the user stays as a `removed` record (no passages) so that ingesting the
folder again does not bring it back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.vector_stores.chroma import ChromaVectorStore

from ingest.chunk import Passage
from ingest.load import Article

PENDING, DONE, REMOVED = "pending", "done", "removed"
READ_PAGE = 5000
CHANGE_LOG = 1000  # writes remembered by changed_since(); a cache further behind reads everything again
_PLACEHOLDER_VECTOR = [1.0]  # manifest records are looked up by id, never by similarity


class StoreUnavailable(RuntimeError):
    """The Chroma store cannot be reached or opened; the message says which and how to fix it."""


@dataclass(frozen=True)
class DocRecord:
    """What the store knows about one article."""

    file: str
    content_hash: str
    state: str
    n_chunks: int
    title: str
    index_key: str = ""
    byline: str | None = None
    outlet: str | None = None
    published: str | None = None
    group: str | None = None  # the syndicated group: its first file name; None until grouped
    encoding: str | None = None
    url: str | None = None

    def is_current(self, content_hash: str, index_key: str) -> bool:
        """Fully stored, from the same bytes, with the same chunking and embedding model."""
        return self.state == DONE and self.content_hash == content_hash and self.index_key == index_key


def connect(path: str | None = None, host: str | None = None, port: int = 8000) -> ClientAPI:
    """An embedded PersistentClient at `path`, or an HttpClient when `host` is given."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if host:
            client = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
            client.heartbeat()
            return client
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # chromadb raises many types (ValueError, httpx errors, ConnectionError)
        where = f"Chroma server at {host}:{port}" if host else f"Chroma store at {path}"
        hint = "start it with `chroma run` or unset PARALLAX_CHROMA_HOST" if host else "check the folder"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreUnavailable(f"cannot reach {where}: {reason} ({hint})") from exc


def passage_node(passage: Passage, article: Article, embedding: Sequence[float]) -> TextNode:
    """A LlamaIndex node for one passage; its source relationship is the article, so deletes go by file."""
    return TextNode(
        id_=passage.chunk_id,
        text=passage.text,
        embedding=list(embedding),
        start_char_idx=passage.start,
        end_char_idx=passage.end,
        metadata={
            "file": passage.file,
            "title": article.title,
            "chunk_index": passage.index,
            "start": passage.start,
            "end": passage.end,
            "content_hash": article.content_hash,
        },
        excluded_embed_metadata_keys=["file", "title", "chunk_index", "start", "end", "content_hash"],
        excluded_llm_metadata_keys=["chunk_index", "start", "end", "content_hash"],
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=passage.file)},
    )


class ArticleStore:
    """Passages in one Chroma collection (through LlamaIndex's ChromaVectorStore), manifest in another."""

    def __init__(self, client: ClientAPI, collection: str) -> None:
        try:
            self.passages = client.get_or_create_collection(
                collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
            self.manifest = client.get_or_create_collection(f"{collection}_articles", embedding_function=None)
            self.minhashes = client.get_or_create_collection(f"{collection}_minhash", embedding_function=None)
            self.changes = client.get_or_create_collection(f"{collection}_changes", embedding_function=None)
            self.verdicts = client.get_or_create_collection(f"{collection}_scan", embedding_function=None)
        except Exception as exc:
            raise StoreUnavailable(f"cannot open collection '{collection}': {exc}") from exc
        self._client = client
        self.vector_store = ChromaVectorStore(chroma_collection=self.passages)

    # -- reading -------------------------------------------------------------------------------------
    def records(self) -> dict[str, DocRecord]:
        """Every article the manifest knows, done or pending, by file name."""
        return {rid: _record(rid, meta) for rid, meta, _ in _read_all(self.manifest, ["metadatas"])}

    def articles(self) -> dict[str, DocRecord]:
        """The articles in the library: fully stored, not removed."""
        return {f: r for f, r in self.records().items() if r.state == DONE}

    def signatures(self) -> dict[str, str | None]:
        """file -> MinHash signature (None for texts too short to compare) of every stored article."""
        return {rid: text or None for rid, _, text in _read_all(self.minhashes, ["documents"])}

    def article_text(self, file: str) -> str | None:
        """The cleaned text of an ingested article (what passage offsets point into), or None."""
        got = self.manifest.get(ids=[file], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    def nodes(self) -> list[TextNode]:
        """All passages as LlamaIndex nodes (for BM25), in a stable order."""
        nodes = [metadata_dict_to_node(meta, text=text) for _, meta, text in _read_all(self.passages)]
        return sorted(nodes, key=lambda n: (n.metadata.get("file", ""), n.metadata.get("chunk_index", 0)))

    def nodes_of(self, files: list[str]) -> list[TextNode]:
        """The passages of these articles as LlamaIndex nodes, in a stable order."""
        nodes = []
        for begin in range(0, len(files), READ_PAGE // 10):
            got = self.passages.get(
                where={"document_id": {"$in": files[begin : begin + READ_PAGE // 10]}},
                include=["metadatas", "documents"],
            )
            nodes += [metadata_dict_to_node(m, text=t) for m, t in zip(got["metadatas"], got["documents"], strict=True)]
        return sorted(nodes, key=lambda n: (n.metadata.get("file", ""), n.metadata.get("chunk_index", 0)))

    def count(self) -> int:
        """Number of stored passages."""
        return self.passages.count()

    def generation(self) -> str:
        """A token that changes with every write, by any process: the key for caches built on the store.

        One small read (the manifest collection's metadata), so a search can afford it; hashing the manifest took
        longer than the search itself at 100k passages (bench/run.py).
        """
        return str((self._client.get_collection(self.manifest.name).metadata or {}).get("generation", ""))

    def changed_since(self, seq: int | None) -> tuple[int, list[str] | None]:
        """(the store's change number, the articles written since change `seq`), or None for the articles when
        that cannot be told (`seq` None, too old, or a change that did not name them): read everything then.
        Lets a cache follow a one-article change without reading every record (2 s at 100k passages)."""
        current = int((self._client.get_collection(self.manifest.name).metadata or {}).get("seq", 0))
        if seq is None or seq > current or current - seq > CHANGE_LOG:
            return current, None
        if seq == current:
            return current, []
        got = self.changes.get(ids=[str(n) for n in range(seq + 1, current + 1)], include=["documents"])
        if len(got["ids"]) != current - seq or any(d is None or d == "*" for d in got["documents"]):
            return current, None
        return current, sorted({f for d in got["documents"] for f in json.loads(d)})

    def records_of(self, files: list[str]) -> dict[str, DocRecord]:
        """The manifest records of these articles (those that exist)."""
        out: dict[str, DocRecord] = {}
        for begin in range(0, len(files), READ_PAGE):
            got = self.manifest.get(ids=files[begin : begin + READ_PAGE], include=["metadatas"])
            out.update({rid: _record(rid, meta) for rid, meta in zip(got["ids"], got["metadatas"], strict=True)})
        return out

    def _touch(self, files: list[str] | None) -> None:
        """A new generation, and a change-log entry naming the articles written (None: not known)."""
        seq = int((self._client.get_collection(self.manifest.name).metadata or {}).get("seq", 0)) + 1
        self.changes.upsert(
            ids=[str(seq)],
            documents=["*" if files is None else json.dumps(sorted(set(files)))],
            embeddings=[_PLACEHOLDER_VECTOR],
        )
        if seq > CHANGE_LOG:
            self.changes.delete(ids=[str(seq - CHANGE_LOG)])
        self.manifest.modify(metadata={"generation": uuid.uuid4().hex, "seq": seq})

    def scan_verdicts(self) -> dict[str, dict]:
        """The disagreement scan's verdicts, by candidate key (app/scan): what was already judged."""
        return {rid: json.loads(doc) for rid, _, doc in _read_all(self.verdicts, ["documents"]) if doc}

    # -- writing -------------------------------------------------------------------------------------
    def save_scan_verdict(self, key: str, verdict: dict) -> None:
        """Keep one verdict of the disagreement scan (written as it is made, so a killed scan resumes)."""
        self.verdicts.upsert(ids=[key], documents=[json.dumps(verdict)], embeddings=[_PLACEHOLDER_VECTOR])

    def drop_scan_verdicts(self, keys: Iterable[str]) -> None:
        """Forget verdicts about pairs that no longer exist (a changed or removed article)."""
        keys = list(keys)
        for begin in range(0, len(keys), READ_PAGE):
            self.verdicts.delete(ids=keys[begin : begin + READ_PAGE])

    def replace_articles(
        self, items: list[tuple[Article, list[TextNode]]], index_key: str, signatures: Sequence[str | None]
    ) -> None:
        """Make the store hold exactly these nodes for these articles: pending -> delete -> add -> done.

        Five store calls for the whole group, whatever its size (one call per article was the bottleneck at 100k
        passages: bench/run.py).
        """
        if not items:
            return
        files = [article.file for article, _ in items]
        metas = [_record_meta(article, len(nodes), index_key, PENDING) for article, nodes in items]
        self.manifest.upsert(
            ids=files,
            documents=[article.text for article, _ in items],
            metadatas=metas,
            embeddings=[_PLACEHOLDER_VECTOR] * len(items),
        )
        self._delete_passages(files)
        nodes = [node for _, article_nodes in items for node in article_nodes]
        if nodes:
            self.vector_store.add(nodes)
        self.minhashes.upsert(
            ids=files, documents=[s or "" for s in signatures], embeddings=[_PLACEHOLDER_VECTOR] * len(files)
        )
        self.manifest.update(ids=files, metadatas=[{**meta, "state": DONE} for meta in metas])
        self._touch(files)

    def remove_articles(self, files: Iterable[str]) -> None:
        """Delete these articles' passages, then their manifest records (so a crash leaves a record to retry)."""
        files = list(files)
        if not files:
            return
        self._delete_passages(files)
        for begin in range(0, len(files), READ_PAGE):
            self.minhashes.delete(ids=files[begin : begin + READ_PAGE])
            self.manifest.delete(ids=files[begin : begin + READ_PAGE])
        self._touch(files)

    def exclude_articles(self, files: Iterable[str]) -> None:
        """Remove these articles from the library but remember them as `removed`, so ingest skips their files."""
        records = self.records()
        files = [f for f in files if f in records]
        self.remove_articles(files)
        for begin in range(0, len(files), READ_PAGE):
            page = files[begin : begin + READ_PAGE]
            self.manifest.upsert(
                ids=page,
                documents=[""] * len(page),
                metadatas=[{"state": REMOVED, "title": records[f].title, "content_hash": ""} for f in page],
                embeddings=[_PLACEHOLDER_VECTOR] * len(page),
            )
        self._touch(files)

    def forget_removed(self, files: Iterable[str]) -> list[str]:
        """Drop the `removed` marks of these articles (the next ingest adds them again); returns those dropped."""
        files = list(files)
        records = self.records_of(files) if files else {}
        removed = [f for f in files if f in records and records[f].state == REMOVED]
        if removed:
            self.manifest.delete(ids=removed)
            self._touch(removed)
        return removed

    def set_groups(self, groups: dict[str, str]) -> int:
        """Record each article's syndicated group; only records whose group changed are written. Returns that
        number."""
        records = self.articles()
        changed = [f for f, g in groups.items() if f in records and records[f].group != g]
        for begin in range(0, len(changed), READ_PAGE):
            page = changed[begin : begin + READ_PAGE]
            self.manifest.update(ids=page, metadatas=[{"group": groups[f]} for f in page])
        if changed:
            self._touch(changed)
        return len(changed)

    def _delete_passages(self, files: list[str]) -> None:
        """Delete every passage of these articles, a page of files per call (one call per article was slow,
        one call for all of them can exceed SQLite's variable limit)."""
        for begin in range(0, len(files), READ_PAGE):
            self.passages.delete(where={"document_id": {"$in": files[begin : begin + READ_PAGE]}})

    def remove_orphans(self) -> int:
        """Delete passages whose article has no manifest record; returns how many were deleted."""
        known = set(self.records())
        orphans = [pid for pid, meta, _ in _read_all(self.passages, ["metadatas"]) if meta.get("file") not in known]
        if orphans:
            self.passages.delete(ids=orphans)
            self._touch(None)
        return len(orphans)


def _read_all(collection: Collection, include: list[str] | None = None) -> Iterator[tuple[str, dict, str | None]]:
    """(id, metadata, document) for every record, a page at a time: one unbounded get fails past ~32k records
    ("too many SQL variables", found by bench/run.py at 100k passages)."""
    include = include or ["metadatas", "documents"]
    offset = 0
    while True:
        got = collection.get(include=include, limit=READ_PAGE, offset=offset)
        documents = got.get("documents") or [None] * len(got["ids"])
        metadatas = got.get("metadatas") or [{}] * len(got["ids"])
        yield from zip(got["ids"], metadatas, documents, strict=True)
        if len(got["ids"]) < READ_PAGE:
            return
        offset += READ_PAGE


def _record_meta(article: Article, n_chunks: int, index_key: str, state: str) -> dict[str, str | int]:
    meta: dict[str, str | int] = {
        "content_hash": article.content_hash,
        "index_key": index_key,
        "state": state,
        "n_chunks": n_chunks,
        "title": article.title,
    }
    if article.byline:
        meta["byline"] = article.byline
    if article.outlet:
        meta["outlet"] = article.outlet
    if article.published:
        meta["published"] = article.published
    for key in ("encoding", "url"):
        if article.meta.get(key):
            meta[key] = article.meta[key]
    return meta


def _record(file: str, meta: dict) -> DocRecord:
    return DocRecord(
        file=file,
        content_hash=str(meta.get("content_hash", "")),
        state=str(meta.get("state", PENDING)),
        n_chunks=int(meta.get("n_chunks", 0)),
        title=str(meta.get("title", file)),
        index_key=str(meta.get("index_key", "")),
        byline=meta.get("byline"),
        outlet=meta.get("outlet"),
        published=meta.get("published"),
        group=meta.get("group"),
        encoding=meta.get("encoding"),
        url=meta.get("url"),
    )
