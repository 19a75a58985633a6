"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank, returning passages with their offsets."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
from llama_index.core.schema import NodeWithScore
from llama_index.retrievers.bm25 import BM25Retriever

from ingest.store import ArticleStore

MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """A question that cannot be asked as given (empty, too long)."""


class EmptyIndex(RuntimeError):
    """Nothing has been ingested yet."""


@dataclass(frozen=True)
class Hit:
    """One retrieved passage: where it is (file, offsets), what it says, how it ranked."""

    file: str
    chunk_id: str
    start: int
    end: int
    text: str
    score: float
    title: str

    def to_dict(self) -> dict:
        return asdict(self)


def check_question(question: str) -> str:
    """The question stripped, or QuestionError naming what is wrong with it."""
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty: type a question about the articles")
    question = " ".join(question.split())
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}. "
            "Ask a shorter question."
        )
    return question


def _hit(scored: NodeWithScore) -> Hit:
    node = scored.node
    meta = node.metadata
    return Hit(
        file=str(meta["file"]),
        chunk_id=node.node_id,
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=node.get_content(),
        score=round(float(scored.score or 0.0), 6),
        title=str(meta.get("title", "")),
    )


class HybridRetriever:
    """Dense + BM25 with reciprocal-rank fusion. The BM25 index is rebuilt only when the store changes."""

    def __init__(self, store: ArticleStore, embedder: BaseEmbedding, candidates: int = 20) -> None:
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self._bm25: BM25Retriever | None = None
        self._bm25_key: str | None = None
        self._dense = VectorStoreIndex.from_vector_store(store.vector_store, embed_model=embedder).as_retriever(
            similarity_top_k=candidates
        )

    def _bm25_retriever(self) -> BM25Retriever:
        key = self.store.generation()
        if self._bm25 is None or key != self._bm25_key:
            nodes = self.store.nodes()
            if not nodes:
                raise EmptyIndex("no articles indexed: run `parallax ingest` (or `make run`) first")
            self._bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(self.candidates, len(nodes)))
            self._bm25_key = key
        return self._bm25

    def warm(self) -> None:
        """Build the BM25 index now (28 s at 100k passages: bench/run.py), not at a user's first question."""
        if self.store.count():
            self._bm25_retriever()

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """The k best passages for the question, best first."""
        question = check_question(question)
        if k < 1:
            raise QuestionError(f"k must be at least 1, got {k}")
        fusion = QueryFusionRetriever(
            [self._dense, self._bm25_retriever()],
            # num_queries=1: the question is used as is, so the (mock) LLM is never asked for rewrites.
            llm=MockLLM(),
            mode=FUSION_MODES.RECIPROCAL_RANK,
            num_queries=1,
            similarity_top_k=k,
            use_async=False,
        )
        return [_hit(scored) for scored in fusion.retrieve(question)]
