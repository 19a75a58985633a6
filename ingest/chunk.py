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


PIECE_CHARS = 50_000


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


def pieces(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) covering the text, cut at paragraph breaks (else line breaks, else anywhere) so that no
    piece is longer than `limit`."""
    out: list[tuple[int, str]] = []
    begin = 0
    while len(text) - begin > limit:
        window = text[begin : begin + limit]
        cut = window.rfind("\n\n")
        if cut <= 0:
            cut = window.rfind("\n")
        cut = cut if cut > 0 else limit
        out.append((begin, text[begin : begin + cut]))
        begin += cut
    out.append((begin, text[begin:]))
    return out


def chunk_article(article: Article, chunk_tokens: int, chunk_overlap: int) -> list[Passage]:
    """Passages of at most `chunk_tokens` tokens covering the article, in reading order. A long article is split
    in pieces first: the sentence splitter's regexes are slow on megabytes of text (NLTK stops them after 5 s)."""
    splitter = _splitter(chunk_tokens, chunk_overlap)
    seen: Counter[str] = Counter()
    passages: list[Passage] = []
    for offset, piece in pieces(article.text):
        for node in splitter.get_nodes_from_documents([Document(text=piece)]):
            passages.append(
                _passage(article, node.text, node.start_char_idx, node.end_char_idx, offset, passages, seen)
            )
    return passages


def _passage(
    article: Article,
    text: str,
    start: int | None,
    end: int | None,
    offset: int,
    passages: list[Passage],
    seen: Counter[str],
) -> Passage:
    """The passage with offsets into the whole article (the splitter's, else found by search, so always true)."""
    index = len(passages)
    if start is None or end is None or article.text[offset + start : offset + end] != text:
        start = article.text.find(text, passages[-1].start if passages else 0)
        if start < 0:
            raise ValueError(f"{article.file}: chunk {index} is not a span of the article text")
    else:
        start += offset
    seen[text] += 1
    return Passage(
        chunk_id=chunk_id(article.file, text, seen[text]),
        file=article.file,
        index=index,
        start=start,
        end=start + len(text),
        text=text,
    )
