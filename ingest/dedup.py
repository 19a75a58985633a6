"""Syndicated copies: MinHash signatures of each article's word shingles, and groups of near-duplicates.

A wire story republished by several outlets (exactly, or with a few words, a headline or a footer changed) is one
story: grouped articles are one witness. Signatures are computed once per article version and kept in the store;
groups are recomputed from all signatures after every ingest that changed something (datasketch's LSH finds the
candidate pairs, the signatures' Jaccard estimate decides), so adding, changing or removing a copy always leaves
correct groups. Thresholds: bench/dedup_pairs.py, docs/decisions.md.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2's 32-bit hashes: 512 bytes a signature
SHINGLE_WORDS = 3
# Jaccard similarity of 3-word shingles at which two articles are the same story. bench/dedup_pairs.py (619 copies
# of 155 real documents, 209 pairs of different documents about the same thing): at 0.4 recall 0.997, precision 1.0;
# different documents never scored above 0.05; copies with 5% of words changed and a sentence dropped, to 0.39.
THRESHOLD = 0.4
MIN_SHINGLES = 30  # a snippet of a sentence or two is not an article: too little text to call it a copy
WORD = re.compile(r"\w+")


def signature(text: str) -> str | None:
    """The article's MinHash as a compact string (for the store), or None when the text is too short to compare."""
    words = WORD.findall(text.lower())
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}
    if len(shingles) < MIN_SHINGLES:
        return None
    from datasketch import MinHash  # here, not at the top: importing datasketch takes a second, `ask` needs none

    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch(list(shingles))
    return base64.b64encode(minhash.hashvalues.astype("<u4").tobytes()).decode("ascii")


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two articles' shingle sets, from their signatures."""
    return float(np.mean(_values(a) == _values(b)))


def groups(signatures: Mapping[str, str | None], threshold: float = THRESHOLD) -> dict[str, str]:
    """file -> group id (the group's first file name) for every file; a file with no copy is its own group."""
    from datasketch import MinHashLSH

    minhashes = {f: _minhash(s) for f, s in signatures.items() if s}
    parent = {f: f for f in signatures}

    def root(f: str) -> str:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for f, minhash in minhashes.items():
            session.insert(f, minhash, check_duplication=False)
    for f, minhash in minhashes.items():
        for other in lsh.query(minhash):
            if other != f and minhash.jaccard(minhashes[other]) >= threshold:
                a, b = root(f), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {f: root(f) for f in signatures}


def _minhash(encoded: str) -> MinHash:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, hashvalues=_values(encoded), scheme=SCHEME)


def _values(encoded: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(encoded), dtype="<u4")
