"""Split an Article into passages sized in tiktoken tokens, each with offsets and a stable id."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.utils import get_tokenizer

from ingest.load import Article


@dataclass(frozen=True)
class Passage:
    """A chunk of one article: `text == article.text[start:end]`."""

    chunk_id: str
    file: str
    index: int
    start: int
    end: int
    text: str


@lru_cache(maxsize=8)
def _splitter(chunk_tokens: int, chunk_overlap: int) -> SentenceSplitter:
    # get_tokenizer() points tiktoken at the cl100k file LlamaIndex ships, so nothing is downloaded.
    return SentenceSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=chunk_overlap,
        tokenizer=get_tokenizer(),
        paragraph_separator="\n\n",
    )


def chunk_id(file: str, text: str, occurrence: int) -> str:
    """Same file + same text (+ which repeat of it) gives the same id, across runs and machines."""
    digest = hashlib.sha256(f"{file}\x00{occurrence}\x00{text}".encode()).hexdigest()
    return digest[:32]


def chunk_article(article: Article, chunk_tokens: int, chunk_overlap: int) -> list[Passage]:
    """Passages of at most `chunk_tokens` tokens covering the article, in reading order."""
    nodes = _splitter(chunk_tokens, chunk_overlap).get_nodes_from_documents([Document(text=article.text)])
    seen: Counter[str] = Counter()
    passages = []
    for index, node in enumerate(nodes):
        start, end = node.start_char_idx, node.end_char_idx
        if start is None or end is None or article.text[start:end] != node.text:
            # The splitter could not place this chunk; find it ourselves so offsets are always true.
            start = article.text.find(node.text, passages[-1].start if passages else 0)
            if start < 0:
                raise ValueError(f"{article.file}: chunk {index} is not a span of the article text")
            end = start + len(node.text)
        seen[node.text] += 1
        passages.append(
            Passage(
                chunk_id=chunk_id(article.file, node.text, seen[node.text]),
                file=article.file,
                index=index,
                start=start,
                end=end,
                text=node.text,
            )
        )
    return passages
