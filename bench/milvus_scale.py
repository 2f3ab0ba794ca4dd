"""Hybrid search at ~100 k chunks: the local backend (bm25s + FAISS) beside Milvus Lite, on the same index.

python bench/milvus_scale.py                        # 1,000 generated documents (≈ 100 k chunks), 300 questions
python bench/milvus_scale.py --docs 50 --questions 50   # a quick look
python bench/milvus_scale.py --work DIR --agreement 60  # on a run's folder: where the rankings differ (no timing)

Both backends search the same chunks with the same query vectors. The vectors come from a STAND-IN model, not the
default embedder: hashed character bigrams, 384-dimensional like multilingual-e5-small, L2-normalised,
deterministic. Embedding 100 k chunks with the real model takes hours on 2 cores; the stand-in makes vectors of the
right size in seconds, so what is timed is the search engines, not the model. Its rankings are not the real
model's: recall figures here compare the two backends with each other, not with the product's quality tables.

Questions (bench/gen_corpus.py) are asked in turn of each backend (local, Milvus with PolicyBot's fusion, Milvus's
RRF ranker), so that the load of the shared machine falls on all three alike. Timed: Retriever.search, the whole
hybrid search (query segmentation, the stand-in query vector, both rankings, fusion, folding chunks to clauses).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import gen_corpus  # noqa: E402 - bench/ is a folder of scripts, not a package

from policybot.bot import PolicyBot  # noqa: E402
from policybot.index.build import shard_fingerprint  # noqa: E402
from policybot.index.milvus_backend import MilvusBackend  # noqa: E402
from policybot.retrieve.hybrid import Retriever  # noqa: E402
from policybot.settings import Settings  # noqa: E402

SEED = 0
DIM = 384


class StandInEmbedder:
    """Hashed character bigrams → 384-d unit vectors (numpy, deterministic): vectors of the real size, fast."""

    id = "bench-hash-bigrams-384"
    dim = DIM

    def _vectors(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), np.float32)
        for row, text in enumerate(texts):
            codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
            if len(codes) > 1:
                keys = (codes[:-1] * np.uint64(1_000_003) + codes[1:]) * np.uint64(2_654_435_761)
                np.add.at(out[row], (keys >> np.uint64(7)) % np.uint64(DIM), 1.0)
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-12)
        return out

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._vectors(list(texts))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._vectors(list(texts))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def agreement(local: PolicyBot, milvus: PolicyBot, questions: list[dict]) -> dict:
    """Where the two backends' rankings differ: top-5 shared by BM25 alone and by dense alone, and how many of the
    exact 100 nearest vectors each dense index finds."""
    index = milvus.index
    fingerprints = {d: shard_fingerprint(s) for d, s in index.shards.items()}
    local_backend, milvus_backend = local.retriever.backend, MilvusBackend(milvus.milvus, index, fingerprints)
    shared: dict[str, float] = {}
    for fusion in ("bm25", "dense"):
        mine = Retriever(index, milvus.segmenter, milvus.embedder, fusion, backend=local_backend)
        theirs = Retriever(index, milvus.segmenter, milvus.embedder, fusion, backend=milvus_backend)
        share = []
        for q in questions:
            a = {(h.doc_id, h.clause_id) for h in mine.search(q["q"], k=5).hits}
            b = {(h.doc_id, h.clause_id) for h in theirs.search(q["q"], k=5).hits}
            share.append(len(a & b) / max(len(a), 1))
        shared[f"{fusion}_top5_shared"] = round(float(np.mean(share)), 3)
    vectors = index.all_vectors()
    found = {"local": [], "milvus": []}
    for q in questions:
        v = milvus.embedder.encode_queries([q["q"]])[0]
        exact = set(np.argsort(-(vectors @ v))[:100].tolist())
        for name, backend in (("local", local_backend), ("milvus", milvus_backend)):
            found[name].append(len(exact & set(backend.dense(v, None, 100).rows.tolist())) / 100)
    return {**shared, **{f"{n}_dense_recall@100": round(float(np.mean(f)), 3) for n, f in found.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="generated documents (≈ 100 chunks each)")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--work", help="folder for corpus, index and milvus.db (default: a temporary one)")
    parser.add_argument("--milvus-index", default="FLAT", help="the dense index in Milvus: FLAT or IVF_FLAT")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--agreement", type=int, default=0, help="only compare the rankings on this many questions")
    args = parser.parse_args(argv)

    work = Path(args.work or tempfile.mkdtemp(prefix="milvus-bench-"))
    corpus, index_dir = work / "corpus", work / "index"
    if not corpus.exists():
        gen_corpus.generate_corpus(corpus, args.docs, SEED)
    embedder = StandInEmbedder()
    env = {"POLICYBOT_SYNONYMS": "off"}
    local = PolicyBot(Settings.from_env(env=env, corpus_dir=corpus, index_dir=index_dir), embedder)
    started = time.perf_counter()
    local.ensure_index()
    build_s = time.perf_counter() - started
    rows = local.index.rows
    print(f"local index: {len(local.index.documents)} documents, {rows} chunks ({build_s:.0f} s)", file=sys.stderr)

    milvus_settings = Settings.from_env(
        env={**env, "POLICYBOT_BACKEND": "milvus", "POLICYBOT_MILVUS_INDEX": args.milvus_index},
        corpus_dir=corpus,
        index_dir=index_dir,
        milvus_uri=str(work / f"milvus-{args.milvus_index.lower()}.db"),
    )
    milvus = PolicyBot(milvus_settings, embedder)
    started = time.perf_counter()
    milvus.ensure_index()  # the index is current: this loads it and writes what Milvus lacks
    sync_s = time.perf_counter() - started
    sync = milvus.last_sync
    assert milvus.milvus.count() == rows, f"Milvus holds {milvus.milvus.count()} chunks, the index {rows}"
    print(f"milvus sync: {sync.chunks} chunks written in {sync_s:.0f} s", file=sys.stderr)

    if args.agreement:
        asked = gen_corpus.generate_questions(gen_corpus.generate_documents(args.docs, SEED), args.agreement, SEED)
        print(json.dumps(agreement(local, milvus, asked), indent=2))
        milvus.close()
        return 0
    index = milvus.index
    fingerprints = {d: shard_fingerprint(s) for d, s in index.shards.items()}
    fusion = local.settings.fusion
    retrievers = {
        "local": local.retriever,
        "milvus": milvus.retriever,
        "milvus-rrf": Retriever(
            index, milvus.segmenter, embedder, fusion, backend=MilvusBackend(milvus.milvus, index, fingerprints, "rrf")
        ),
    }
    questions = gen_corpus.generate_questions(gen_corpus.generate_documents(args.docs, SEED), args.questions, SEED)
    for q in questions[:10]:  # warm-up: jieba, FAISS, the Milvus connection
        for r in retrievers.values():
            r.search(q["q"], k=5)
    times: dict[str, list[float]] = {name: [] for name in retrievers}
    found: dict[str, list[list[tuple[str, str]]]] = {name: [] for name in retrievers}
    recall: dict[str, int] = dict.fromkeys(retrievers, 0)
    for q in questions:
        gold = {(q["doc_id"], c) for c in q.get("gold", [])}
        for name, r in retrievers.items():
            t = time.perf_counter()
            hits = r.search(q["q"], k=5).hits
            times[name].append((time.perf_counter() - t) * 1000)
            keys = [(h.doc_id, h.clause_id) for h in hits]
            found[name].append(keys)
            recall[name] += bool(gold & set(keys))
    same_top5 = {
        name: float(
            np.mean([len(set(a) & set(b)) / max(len(b), 1) for a, b in zip(found[name], found["local"], strict=True)])
        )
        for name in retrievers
    }
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), load {os.getloadavg()[0]:.1f}",
        "embedder": embedder.id,
        "documents": len(index.documents),
        "chunks": rows,
        "questions": len(questions),
        "local_dense": index.manifest.dense_kind,
        "milvus_dense": args.milvus_index,
        "milvus_sync_s": round(sync_s, 1),
        "results": {
            name: {
                "p50_ms": round(percentile(times[name], 50), 2),
                "p95_ms": round(percentile(times[name], 95), 2),
                "recall@5": round(recall[name] / len(questions), 3),
                "top5_shared_with_local": round(same_top5[name], 3),
            }
            for name in retrievers
        },
    }
    milvus.close()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(
        f"\n{rows} chunks, {len(questions)} questions, stand-in embedder {embedder.id}, "
        f"local dense {report['local_dense']}, Milvus {args.milvus_index}"
    )
    print("| backend | p50 ms | p95 ms | Recall@5 (gold clause) | top-5 shared with local |")
    print("|---|---|---|---|---|")
    for name, r in report["results"].items():
        print(f"| {name} | {r['p50_ms']} | {r['p95_ms']} | {r['recall@5']} | {r['top5_shared_with_local']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
