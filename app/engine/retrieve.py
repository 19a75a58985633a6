"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank, returning passages with their offsets."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
from llama_index.core.schema import NodeWithScore

from app.engine.keywords import Groups, KeywordIndex
from ingest.store import ArticleStore, DocRecord

MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """A question that cannot be asked as given (empty, too long)."""


class EmptyIndex(RuntimeError):
    """Nothing has been ingested yet."""


@dataclass(frozen=True)
class Hit:
    """One retrieved passage: where it is (file, offsets), what it says, how it ranked, which article it is from."""

    file: str
    chunk_id: str
    start: int
    end: int
    text: str
    score: float
    title: str
    outlet: str | None = None
    published: str | None = None
    also_in: tuple[str, ...] = ()  # syndicated copies of this article (same story, other files)

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


class HybridRetriever:
    """Dense + BM25 with reciprocal-rank fusion, then diverse sources: one article of a syndicated group, and an
    article's further passages weighed down by `repeat_weight` (docs/decisions.md has the measurements)."""

    def __init__(
        self, store: ArticleStore, embedder: BaseEmbedding, candidates: int = 20, repeat_weight: float = 0.5
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.repeat_weight = repeat_weight
        self.keywords = KeywordIndex(candidates)
        self._index = VectorStoreIndex.from_vector_store(store.vector_store, embed_model=embedder)

    def warm(self) -> None:
        """Build the keyword index now, not at a user's first question (it then follows the store's changes)."""
        self.keywords.sync(self.store)

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """The k best passages for the question, best first, spread over articles."""
        question = check_question(question)
        if k < 1:
            raise QuestionError(f"k must be at least 1, got {k}")
        self.keywords.sync(self.store)
        if not len(self.keywords):
            raise EmptyIndex("no articles indexed: run `parallax ingest` (or `make run`) first")
        pool = max(self.candidates, 3 * k)
        self.keywords.top_k = pool
        fusion = QueryFusionRetriever(
            [self._index.as_retriever(similarity_top_k=pool), self.keywords],
            # num_queries=1: the question is used as is, so the (mock) LLM is never asked for rewrites.
            llm=MockLLM(),
            mode=FUSION_MODES.RECIPROCAL_RANK,
            num_queries=1,
            similarity_top_k=pool,
            use_async=False,
        )
        ranked = [_hit(scored, self.keywords.records) for scored in fusion.retrieve(question)]
        return diversify(ranked, k, self.repeat_weight, self.keywords.groups, self.store.article_text)

    def closeness(self, question: str, texts: list[str]) -> list[float]:
        """How close each text is to the question in meaning: the cosine of their dense embeddings (the model that
        ranks passages), for texts whose words say little (a synonym, "carbon dioxide" for "CO2")."""
        asked = self.embedder.get_query_embedding(question)
        return [float(self.embedder.similarity(asked, e)) for e in self.embedder.get_text_embedding_batch(texts)]


def diversify(
    ranked: list[Hit],
    k: int,
    repeat_weight: float,
    groups: Groups,
    article_text: Callable[[str], str | None],
) -> list[Hit]:
    """k hits, greedily by fused score where each passage of an article already chosen multiplies the score of
    the article's next passage by `repeat_weight` (0: every article once before any twice; 1: plain rank order).
    No two articles of a syndicated group both appear (a copy is not a second witness) unless the later one states
    names or numbers its group's first does not (an edited copy that changes a fact is a claim of its own); each
    hit lists its group's other files in `also_in`."""
    group_of, members = groups.of, groups.members
    shown: dict[str, str] = {}  # group -> the file representing it
    candidates: list[Hit] = []
    for hit in ranked:
        group = group_of.get(hit.file, hit.file)
        first = shown.setdefault(group, hit.file)
        if first == hit.file or _states_other_facts(hit.text, article_text(first) or ""):
            candidates.append(hit)
    chosen: list[Hit] = []
    per: Counter[str] = Counter()
    while candidates and len(chosen) < k:
        best = max(candidates, key=lambda h: (h.score * repeat_weight ** per[h.file], -candidates.index(h)))
        candidates.remove(best)
        chosen.append(best)
        per[best.file] += 1
    files = {h.file for h in chosen}
    return [
        replace(h, also_in=tuple(f for f in members.get(group_of.get(h.file, h.file), []) if f not in files))
        for h in chosen
    ]


FACT = re.compile(r"\b(?:\d[\d,.]*|[A-Z][\w'-]*[a-z][\w'-]*)\b")


def _states_other_facts(passage: str, first: str) -> bool:
    """True when the passage has a number or a capitalised name that the other article never uses."""
    return bool({m.group(0) for m in FACT.finditer(passage)} - {m.group(0) for m in FACT.finditer(first)})


def _hit(scored: NodeWithScore, records: dict[str, DocRecord]) -> Hit:
    node = scored.node
    meta = node.metadata
    record = records.get(str(meta["file"]))
    return Hit(
        file=str(meta["file"]),
        chunk_id=node.node_id,
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=node.get_content(),
        score=round(float(scored.score or 0.0), 6),
        title=str(meta.get("title", "")),
        outlet=record.outlet if record else None,
        published=record.published if record else None,
    )
