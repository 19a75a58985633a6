"""BM25 over every passage, kept in step with the store article by article.

LlamaIndex's BM25Retriever (bm25s) can only be rebuilt whole: 27.7 s at 100k passages for every added article
(docs/benchmarks.md). A news library grows daily, so this index keeps an inverted index that takes and drops one
article's passages in milliseconds: postings are append-only arrays, a removed passage is masked out, and document
frequencies are kept live, so scores are exactly BM25 (Lucene variant, bm25s's default: same tokenizer, stopwords,
stemmer, k1 and b) over the passages in the store now. `sync` reads the manifest, not the passages, to see what
changed, and fetches only the changed articles' passages.
"""

from __future__ import annotations

import math
import re
import threading
from array import array
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from ingest.store import DONE, ArticleStore, DocRecord

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern
STOPWORDS = frozenset(STOPWORDS_EN)
K1, B = 1.5, 0.75
COMPACT_WHEN_DEAD = 0.5  # rebuild the arrays when half the indexed passages are removed ones


@dataclass(frozen=True)
class Groups:
    """The syndicated groups of the indexed articles: file -> group id, group id -> its files (sorted). Built once
    per store change, so a search never walks every article."""

    of: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of_records(cls, records: dict[str, DocRecord]) -> Groups:
        of = {f: r.group or f for f, r in records.items()}
        members: dict[str, list[str]] = {}
        for f, group in sorted(of.items()):
            members.setdefault(group, []).append(f)
        return cls(of, members)


def _version(record: DocRecord) -> str:
    return f"{record.content_hash}:{record.index_key}:{record.n_chunks}"


class KeywordIndex(BaseRetriever):
    """A LlamaIndex retriever (so QueryFusionRetriever can fuse it) over an incrementally updated BM25 index."""

    def __init__(self, top_k: int = 20) -> None:
        super().__init__()
        self.top_k = top_k
        self._stemmer = Stemmer.Stemmer("english")
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._seq: int | None = None
        self._clear()

    def _clear(self) -> None:
        self._nodes: list[TextNode | None] = []
        self._lengths = array("f")
        self._alive = bytearray()
        self._postings: dict[str, tuple[array, array]] = {}
        self._df: Counter[str] = Counter()
        self._files: dict[str, tuple[str, list[int]]] = {}  # file -> (version, passage numbers)
        self._total_length = 0.0
        self._n_alive = 0
        self.records: dict[str, DocRecord] = {}
        self.groups = Groups()

    # -- keeping in step with the store ----------------------------------------------------------------
    def sync(self, store: ArticleStore) -> bool:
        """Bring the index in line with the store; True when something changed. Cheap when nothing did, and
        proportional to the change when the store's change log names the articles written."""
        generation = store.generation()
        if generation == self._generation:
            return False
        seq, changed = store.changed_since(self._seq)
        with self._lock:
            if changed is None:
                records = store.articles()
                files = sorted(set(records) | set(self._files))
            else:
                fresh = store.records_of(changed)
                gone = set(changed)
                records = {f: r for f, r in self.records.items() if f not in gone}
                records.update({f: r for f, r in fresh.items() if r.state == DONE})
                files = changed
            wanted = {f: _version(records[f]) for f in files if f in records}
            for f in files:
                if f in self._files and self._files[f][0] != wanted.get(f):
                    self._drop(f)
            new = [f for f in wanted if f not in self._files]
            nodes = store.nodes() if changed is None and len(new) == len(records) else store.nodes_of(new)
            for node in nodes:
                self._add(node, wanted)
            if len(self._nodes) and self._n_alive < (1 - COMPACT_WHEN_DEAD) * len(self._nodes):
                self._compact({f: v for f, (v, _) in self._files.items()})
            self.records = records
            self.groups = Groups.of_records(records)
            self._generation, self._seq = generation, seq
        return True

    def _add(self, node: TextNode, versions: dict[str, str]) -> None:
        file = str(node.metadata["file"])
        if file not in versions:  # passages of an article whose record is not done yet
            return
        number = len(self._nodes)
        tokens = self.tokenize(node.get_content())
        self._nodes.append(node)
        self._lengths.append(len(tokens))
        self._alive.append(1)
        self._total_length += len(tokens)
        self._n_alive += 1
        self._files.setdefault(file, (versions[file], []))[1].append(number)
        for term, tf in Counter(tokens).items():
            docs, tfs = self._postings.setdefault(term, (array("i"), array("f")))
            docs.append(number)
            tfs.append(tf)
            self._df[term] += 1

    def _drop(self, file: str) -> None:
        for number in self._files.pop(file)[1]:
            node = self._nodes[number]
            assert node is not None
            tokens = self.tokenize(node.get_content())
            for term in set(tokens):
                self._df[term] -= 1
            self._nodes[number] = None
            self._alive[number] = 0
            self._total_length -= len(tokens)
            self._n_alive -= 1

    def _compact(self, versions: dict[str, str]) -> None:
        alive = [node for node in self._nodes if node is not None]
        self._clear()
        for node in alive:
            self._add(node, versions)

    # -- searching -------------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """Lower-cased words of two or more characters, English stopwords dropped, Snowball-stemmed."""
        words = [w for w in TOKEN.findall(text.lower()) if w not in STOPWORDS]
        return self._stemmer.stemWords(words)

    def search(self, text: str, top_k: int | None = None) -> list[NodeWithScore]:
        """The best-scoring passages for the text, best first (ties in passage order)."""
        top_k = top_k or self.top_k
        terms = set(self.tokenize(text))
        with self._lock:
            if not self._n_alive or not terms:
                return []
            scores = self._scores(terms)
            found = np.flatnonzero(scores > 0)
            best = found[np.lexsort((found, -scores[found]))][:top_k]
            return [NodeWithScore(node=self._nodes[i], score=float(scores[i])) for i in best]

    def _scores(self, terms: set[str]) -> np.ndarray:
        """BM25 of every passage (0 for removed ones). Called under the lock: the numpy views over the arrays
        must be gone before a sync appends to them, and they go when this returns."""
        scores = np.zeros(len(self._nodes), dtype=np.float64)
        lengths = np.frombuffer(self._lengths, dtype=np.float32)
        norm = K1 * (1 - B + B * lengths / (self._total_length / self._n_alive))
        for term in terms:
            df = self._df.get(term, 0)
            if df <= 0:
                continue
            idf = math.log(1 + (self._n_alive - df + 0.5) / (df + 0.5))
            docs = np.frombuffer(self._postings[term][0], dtype=np.int32)
            tfs = np.frombuffer(self._postings[term][1], dtype=np.float32)
            scores[docs] += idf * tfs / (tfs + norm[docs])
        return scores * np.frombuffer(bytes(self._alive), dtype=np.uint8)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.search(query_bundle.query_str)

    def __len__(self) -> int:
        return self._n_alive
