"""The local model's saved states: a prompt starts from the state that shares most of its beginning.

llama.cpp's context holds one prompt, and a question switches instructions (rewrite, read, compare): without
saved states every switch re-reads them, ~150 tokens or ~2.5 s on 2 cores, twice for each yes/no question (the
rewrite, then the first reading) and once after each comparison.
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_cpp import LlamaRAMCache, LlamaState


class PromptCache(LlamaRAMCache):
    """llama-cpp-python's RAM cache of model states (least recently used dropped past its capacity in bytes),
    keeping only what sampling needs of each.

    llama-cpp-python copies its logits buffer into every saved state (n_batch x vocabulary floats, ~300 MB for
    Qwen2.5), which the cache's capacity does not count and which nothing reads unless all logits are kept
    (sampling is done inside llama.cpp). Only the last row is kept: a restored state's rows are filled from it,
    and a prompt's first new token is decoded afresh before anything is sampled."""

    def __setitem__(self, key: Sequence[int], value: LlamaState) -> None:
        value.scores = value.scores[-1:].copy()
        super().__setitem__(key, value)
