"""`make bench`: ingest and query speed against a plain LlamaIndex baseline, and scaling to 100k passages.

    .venv/bin/python bench/run.py [--sizes 1000 10000 100000] [--repeats 3] [--quick]

Writes bench/results/<run>.json and .md. Every number is a median over repeats unless it says otherwise, and every
ratio compares two things measured in this same run. What is measured how:
- ingest (real model): Parallax's incremental pipeline, the raw embedder on the same passage texts (model only,
  the ceiling), and a plain LlamaIndex VectorStoreIndex over ChromaVectorStore with the same chunking and model;
  each in a fresh store, each repeated; peak RSS of a child process doing one Parallax ingest.
- query scaling (1k/10k/100k passages): embedding 100k passages with the model takes ~1 hour on 2 cores, so these
  stores are filled through the same Parallax pipeline by an embedder that composes each passage's vector from
  real model vectors of its sentences (bench/corpus.py builds articles from the seeds' sentences). Retrieval cost
  depends on the number and size of vectors, not on how they were computed.
- the reader (packaged Qwen2.5-Coder-1.5B via llama.cpp in process): latency per question, LLM calls, prompt and
  generated tokens (prompt tokens count the whole context of each call, including the reused prefix).
- server: `parallax serve` answering 20 questions through its API; peak RSS from /proc.
- Chroma server mode: the query benchmark against a real `chroma run` on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from llama_index.core import Document, StorageContext, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.vector_stores.chroma import ChromaVectorStore
from pydantic import PrivateAttr

from app.backends import make_reader_model
from app.engine.nlp import analyse, parse
from app.engine.retrieve import HybridRetriever
from app.service import Parallax
from app.settings import Settings
from bench.corpus import generate, sentence_pool
from evals.metrics import percentile
from evals.run import load_questions
from ingest.chunk import chunk_article
from ingest.embed import MiniLMEmbedding
from ingest.load import load_file
from ingest.pipeline import ChunkConfig, ingest_folder
from ingest.store import ArticleStore, connect

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# One question of each kind from the eval set (conflict, single, agree, paraphrase, misspelled, unanswerable).
QUESTIONS = [item.question for item in load_questions() if item.id in {"c01", "s01", "s15", "a07", "p03", "m02",
                                                                        "s21", "u01"}]  # fmt: skip


def pct(values: list[float], q: float) -> float:
    return percentile(values, q) or 0.0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


class ComposedEmbedding(BaseEmbedding):
    """A passage's vector = normalised mean of real model vectors of the pool sentences it contains."""

    _pool: list[str] = PrivateAttr()
    _vectors: dict[str, np.ndarray] = PrivateAttr()

    def __init__(self, model: MiniLMEmbedding, pool: list[str]) -> None:
        super().__init__(model_name=f"composed-{model.model_name}", embed_batch_size=2048)
        self._pool = pool
        self._vectors = dict(zip(pool, _batched(model, pool), strict=True))

    def _vector(self, text: str) -> list[float]:
        parts = []
        for piece in (p.strip() for p in text.split("\n\n")):
            if not piece:
                continue
            if piece in self._vectors:
                parts.append(self._vectors[piece])
            else:  # a sentence cut by the chunk boundary, or a headline: the pool sentence it comes from
                parts.append(next((v for s, v in self._vectors.items() if piece in s), self._vectors[self._pool[0]]))
        mean = np.mean(parts, axis=0)
        return (mean / np.linalg.norm(mean)).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    def _get_query_embedding(self, query: str) -> list[float]:
        raise NotImplementedError("queries use the real model")

    async def _aget_query_embedding(self, query: str) -> list[float]:
        raise NotImplementedError("queries use the real model")


def _batched(model: MiniLMEmbedding, texts: list[str]) -> list[np.ndarray]:
    return [np.asarray(v) for v in model.get_text_embedding_batch(texts)]


def _ingest_child(corpus: str, store: str, queue: multiprocessing.Queue) -> None:
    seconds, report = timed(
        lambda: ingest_folder(
            Path(corpus), ArticleStore(connect(path=store), "bench"), MiniLMEmbedding(), progress=False
        )
    )
    queue.put((seconds, report.passages_embedded, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def bench_ingest(corpus: Path, work: Path, repeats: int, model: MiniLMEmbedding) -> dict:
    """Parallax vs raw model vs plain LlamaIndex on the same articles, real model, fresh stores."""
    config = ChunkConfig()
    articles = [load_file(p).articles[0] for p in sorted(corpus.glob("*.txt"))]
    texts = [p.text for a in articles for p in chunk_article(a, config.chunk_tokens, config.chunk_overlap)]
    megabytes = sum(p.stat().st_size for p in corpus.glob("*.txt")) / 1e6
    model.get_text_embedding_batch(texts[:16])  # warm-up
    parallax, raw, baseline, reingest = [], [], [], []
    for i in range(repeats):
        store = ArticleStore(connect(path=str(work / f"px{i}")), "bench")
        seconds, report = timed(lambda s=store: ingest_folder(corpus, s, model, config, progress=False))
        assert report.passages_embedded == len(texts), (report.passages_embedded, len(texts))
        parallax.append(seconds)
        reingest.append(timed(lambda s=store: ingest_folder(corpus, s, model, config, progress=False))[0])
        raw.append(timed(lambda: model._get_text_embeddings(texts))[0])
        client = connect(path=str(work / f"li{i}"))
        vector_store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("baseline"))

        def build(vs: ChromaVectorStore = vector_store) -> VectorStoreIndex:
            from llama_index.core.node_parser import SentenceSplitter
            from llama_index.core.utils import get_tokenizer

            splitter = SentenceSplitter(
                chunk_size=config.chunk_tokens,
                chunk_overlap=config.chunk_overlap,
                tokenizer=get_tokenizer(),
                paragraph_separator="\n\n",
            )
            docs = [Document(text=a.text, metadata={"file": a.file}) for a in articles]
            return VectorStoreIndex.from_documents(
                docs,
                storage_context=StorageContext.from_defaults(vector_store=vs),
                embed_model=model,
                transformations=[splitter],
            )

        baseline.append(timed(build)[0])
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(
        target=_ingest_child, args=(str(corpus), str(work / "rss"), queue)
    )
    child.start()
    _, _, peak_rss = queue.get(timeout=1800)
    child.join()
    p, r, b = statistics.median(parallax), statistics.median(raw), statistics.median(baseline)
    return {
        "articles": len(articles),
        "passages": len(texts),
        "megabytes": round(megabytes, 3),
        "repeats": repeats,
        "parallax_s": round(p, 2),
        "parallax_passages_per_s": round(len(texts) / p, 1),
        "parallax_mb_per_s": round(megabytes / p, 3),
        "raw_model_s": round(r, 2),
        "raw_model_passages_per_s": round(len(texts) / r, 1),
        "parallax_over_raw": round(p / r, 2),
        "baseline_llamaindex_s": round(b, 2),
        "parallax_over_baseline": round(p / b, 2),
        "reingest_unchanged_s": round(statistics.median(reingest), 3),
        "peak_rss_mb_child_ingest": round(peak_rss),
    }


def build_scaled_store(path: Path, corpus: Path, embedder: BaseEmbedding, client=None) -> tuple[ArticleStore, float]:
    store = ArticleStore(client or connect(path=str(path)), "bench")
    seconds, _ = timed(lambda: ingest_folder(corpus, store, embedder, ChunkConfig(), progress=False))
    return store, seconds


def bench_queries(
    store: ArticleStore,
    model: MiniLMEmbedding,
    repeats: int,
    with_answers: bool,
    update: tuple[Path, BaseEmbedding] | None = None,
) -> dict:
    """Hybrid retrieval vs plain LlamaIndex dense retrieval over the same collection, and extractive answers.
    With `update` (the store's folder and embedder): one article added to the folder and ingested, then the time
    the next question takes beyond a usual one (the keyword index catching up)."""
    retriever = HybridRetriever(store, model)
    baseline = VectorStoreIndex.from_vector_store(store.vector_store, embed_model=model).as_retriever(
        similarity_top_k=6
    )
    first_search, _ = timed(lambda: retriever.search(QUESTIONS[0], 6))  # builds the BM25 index
    for q in QUESTIONS:
        retriever.search(q, 6)
        baseline.retrieve(q)
    hybrid, dense, answers = [], [], []
    for _ in range(repeats):
        for q in QUESTIONS:
            hybrid.append(timed(lambda q=q: retriever.search(q, 6))[0] * 1000)
            dense.append(timed(lambda q=q: baseline.retrieve(q))[0] * 1000)
    out = {
        "passages": store.count(),
        "first_search_ms_incl_keyword_index_build": round(first_search * 1000),
        "hybrid_retrieval_ms_p50": round(statistics.median(hybrid), 1),
        "hybrid_retrieval_ms_p95": round(pct(hybrid, 0.95), 1),
        "baseline_dense_retrieval_ms_p50": round(statistics.median(dense), 1),
        "baseline_dense_retrieval_ms_p95": round(pct(dense, 0.95), 1),
        "hybrid_over_baseline_p50": round(statistics.median(hybrid) / statistics.median(dense), 2),
    }
    if update is not None:
        folder, embedder = update
        extra = []
        for i in range(repeats):
            (folder / f"zz_update_{i}.txt").write_text(
                f"Harbour update {i}\n\nThe Pemba harbour reopened on day {i} after dredging, officials said.\n",
                encoding="utf-8",
            )
            ingest_s, _ = timed(lambda: ingest_folder(folder, store, embedder, ChunkConfig(), progress=False))
            first = timed(lambda: retriever.search(QUESTIONS[0], 6))[0] * 1000
            usual = statistics.median(timed(lambda: retriever.search(QUESTIONS[0], 6))[0] * 1000 for _ in range(3))
            extra.append((ingest_s, first - usual))
        out["one_article_ingest_s"] = round(statistics.median(e[0] for e in extra), 2)
        out["first_question_after_it_extra_ms"] = round(statistics.median(e[1] for e in extra), 1)
    if with_answers:
        service = Parallax(store, retriever, lambda name: None)
        for q in QUESTIONS:
            service.ask(q)
        for _ in range(repeats):
            for q in QUESTIONS:
                answers.append(timed(lambda q=q: service.ask(q))[0] * 1000)
        cold = []
        for q in QUESTIONS:  # as for passages never analysed before: spaCy runs on every retrieved passage
            analyse.cache_clear()
            parse.cache_clear()
            cold.append(timed(lambda q=q: service.ask(q))[0] * 1000)
        out["extractive_answer_ms_p50"] = round(statistics.median(answers), 1)
        out["extractive_answer_ms_p95"] = round(pct(answers, 0.95), 1)
        out["extractive_answer_uncached_ms_p50"] = round(statistics.median(cold), 1)
        out["extractive_answer_uncached_ms_p95"] = round(pct(cold, 0.95), 1)
    return out


def bench_reader(store: ArticleStore, model: MiniLMEmbedding) -> dict:
    """The reader with the packaged model in process on top-6 seed questions: latency, LLM calls and tokens."""
    settings = Settings()
    service = Parallax(
        store, HybridRetriever(store, model), lambda name: make_reader_model(settings, name), 6,
        settings.llm_timeout, "local", settings.llm_max_tokens, settings.reader_source_chars,
    )  # fmt: skip
    load_s, _ = timed(lambda: make_reader_model(settings, "local"))
    seconds, calls, prompt, completion = [], [], [], []
    for q in QUESTIONS:
        answer = service.ask(q)
        seconds.append(answer.timings_ms["reader"] / 1000)
        calls.append(answer.usage["calls"])
        prompt.append(answer.usage["prompt_tokens"])
        completion.append(answer.usage["completion_tokens"])
    return {
        "questions": len(QUESTIONS),
        "model_load_s": round(load_s, 2),
        "reader_s_p50": round(statistics.median(seconds), 1),
        "reader_s_p95": round(pct(seconds, 0.95), 1),
        "llm_calls_p50": statistics.median(calls),
        "prompt_tokens_p50": statistics.median(prompt),
        "completion_tokens_p50": statistics.median(completion),
        "tokens_per_s_overall": round((sum(prompt) + sum(completion)) / sum(seconds), 1),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


def bench_server(work: Path) -> dict:
    """`parallax serve` over the seeds answering 20 API questions (5 clients at once); its peak RSS."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    port = free_port()
    env = {**os.environ, "PARALLAX_STORE_PATH": str(work / "serve-store"), "PARALLAX_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(port, proc)
        url = f"http://127.0.0.1:{port}/"

        def ask(q: str) -> float:
            return timed(lambda: Client(url, verbose=False).predict(q, 6, "none", api_name="/ask"))[0]

        with ThreadPoolExecutor(5) as pool:
            latencies = list(pool.map(ask, (QUESTIONS * 3)[:20]))
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "questions": 20,
        "client_latency_s_p50": round(statistics.median(latencies), 2),
        "client_latency_s_p95": round(pct(latencies, 0.95), 2),
        "server_peak_rss_mb": round(peak / 1024),
    }


def bench_chroma_server(
    work: Path, corpus: Path, embedder: BaseEmbedding, model: MiniLMEmbedding, repeats: int
) -> dict:
    """The query benchmark against a real `chroma run` on 127.0.0.1."""
    port = free_port()
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    proc = subprocess.Popen([chroma, "run", "--path", str(work / "chroma-server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(port, proc)
        store, seconds = build_scaled_store(work, corpus, embedder, connect(host="127.0.0.1", port=port))
        result = bench_queries(store, model, repeats, with_answers=True)
        result["build_s"] = round(seconds, 1)
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def markdown(run: str, results: dict) -> str:
    lines = [f"# Parallax benchmarks: {run}", "", f"Machine: {os.cpu_count()} cores. Medians unless noted.", ""]
    for section, value in results.items():
        lines += [f"## {section}", ""]
        rows = value if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()) else {"": value}
        keys = list(next(iter(rows.values())).keys())
        lines += ["| | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        lines += [f"| {name} | " + " | ".join(str(r.get(k, "")) for k in keys) + " |" for name, r in rows.items()]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--ingest-passages", type=int, default=400, help="size of the real-model ingest corpus")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--name", default=time.strftime("%Y%m%d-%H%M%S"))
    parser.add_argument(
        "--only",
        choices=["all", "reader", "scaling", "ingest"],
        default="all",
        help="reader / ingest: only that section; scaling: only query scaling at --sizes",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="parallax-bench-"))
    model = MiniLMEmbedding()
    results: dict[str, Any] = {}
    try:
        if args.only == "reader":
            seeds_docs = work / "seeds"
            seeds_docs.mkdir()
            for seed in sorted((ROOT / "seeds").glob("*.txt")):
                shutil.copy(seed, seeds_docs)
            seeds_store, _ = build_scaled_store(work / "q-seeds", seeds_docs, model)
            results["reader (Qwen2.5-Coder-1.5B, llama.cpp in process)"] = bench_reader(seeds_store, model)
            results["query scaling"] = {"seeds": bench_queries(seeds_store, model, args.repeats, with_answers=True)}
            return _write(args.name, results)
        composed = ComposedEmbedding(model, sentence_pool())
        if args.only == "scaling":
            results["query scaling"] = {}
            for size in args.sizes:
                corpus = work / f"gen-{size}"
                generate(corpus, size, seed=size)
                store, _ = build_scaled_store(work / f"q-{size}", corpus, composed)
                results["query scaling"][f"{size}"] = bench_queries(
                    store, model, args.repeats, with_answers=False, update=(corpus, composed)
                )
            return _write(args.name, results)
        print("ingest: seeds", flush=True)
        seeds_docs = work / "seeds"
        seeds_docs.mkdir()
        for seed in sorted((ROOT / "seeds").glob("*.txt")):
            shutil.copy(seed, seeds_docs)
        results["ingest (real model)"] = {"seeds": bench_ingest(seeds_docs, work / "i-seeds", args.repeats, model)}
        print(f"ingest: {args.ingest_passages} generated passages", flush=True)
        generated = work / "gen-ingest"
        generate(generated, args.ingest_passages, seed=11)
        results["ingest (real model)"]["generated"] = bench_ingest(generated, work / "i-gen", args.repeats, model)
        if args.only == "ingest":
            return _write(args.name, results)

        print("query: seeds", flush=True)
        seeds_store, _ = build_scaled_store(work / "q-seeds", seeds_docs, model)
        results["query scaling"] = {"seeds": bench_queries(seeds_store, model, args.repeats, with_answers=True)}
        build_times = {}
        for size in args.sizes:
            print(f"query: {size} passages", flush=True)
            corpus = work / f"gen-{size}"
            generate(corpus, size, seed=size)
            store, seconds = build_scaled_store(work / f"q-{size}", corpus, composed)
            build_times[f"{size}"] = {"passages": store.count(), "build_s_composed_vectors": round(seconds, 1),
                                      "passages_per_s_excluding_model": round(store.count() / seconds)}  # fmt: skip
            results["query scaling"][f"{size}"] = bench_queries(
                store, model, args.repeats, with_answers=size <= 10000, update=(corpus, composed)
            )
        results["pipeline without the model (scaled stores)"] = build_times

        print("chroma server mode", flush=True)
        results["chroma server mode"] = {
            f"{args.sizes[0]}": bench_chroma_server(work, work / f"gen-{args.sizes[0]}", composed, model, args.repeats)
        }
        print("reader", flush=True)
        results["reader (Qwen2.5-Coder-1.5B, llama.cpp in process)"] = bench_reader(seeds_store, model)
        print("server", flush=True)
        results["parallax serve"] = bench_server(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _write(args.name, results)


def _write(name: str, results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    report = markdown(name, results)
    (RESULTS / f"{name}.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
