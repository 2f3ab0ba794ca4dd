"""The SearchBackend over Milvus: a ChunkFilter as a filter expression, hits as chunk rows of the loaded index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from policybot.errors import InputError
from policybot.index.backend import ChunkFilter, KeywordGroups, Ranked
from policybot.index.bm25 import K1
from policybot.index.milvus import RANKERS, MilvusStore, literal, literals

if TYPE_CHECKING:
    from policybot.index.build import PolicyIndex


def filter_expr(where: ChunkFilter | None, all_doc_ids: list[str]) -> str | None:
    """The Milvus filter expression for a ChunkFilter ('' for none); None when nothing can match."""
    if where is None:
        return ""
    parts = []
    if where.doc_ids is not None:
        if not where.doc_ids:
            return None
        excluded = [d for d in all_doc_ids if d not in where.doc_ids]
        # the shorter list: "in force only" leaves out a few documents of many
        if len(excluded) < len(where.doc_ids):
            if excluded:
                parts.append(f"doc_id not in {literals(excluded)}")
        else:
            parts.append(f"doc_id in {literals(sorted(where.doc_ids))}")
    if where.with_units:
        parts.append("has_units == true")
    if where.clauses:
        by_doc: dict[str, list[str]] = {}
        for doc_id, clause_id in where.clauses:
            by_doc.setdefault(doc_id, []).append(clause_id)
        either = [f"(doc_id == {literal(d)} and clause_id in {literals(c)})" for d, c in by_doc.items()]
        parts.append("(" + " or ".join(either) + ")")
    return " and ".join(parts)


class MilvusBackend:
    """The SearchBackend over a MilvusStore for one loaded index: hits come back as that index's chunk rows."""

    name = "milvus"

    def __init__(
        self, store: MilvusStore, index: PolicyIndex, fingerprints: dict[str, str], ranker: str = "local"
    ) -> None:
        if ranker not in RANKERS:
            raise InputError(f"POLICYBOT_MILVUS_RANKER={ranker!r}：可选 {', '.join(RANKERS)} (unknown ranker)")
        self.store = store
        self.index = index
        self.fingerprints = fingerprints
        self.ranker = ranker

    def keyword(self, groups: KeywordGroups, where: ChunkFilter | None, n: int) -> Ranked:
        """The n best chunks by Milvus's BM25, each group's scores times its weight."""
        expr = filter_expr(where, self.index.doc_ids)
        if expr is None:
            return Ranked.empty()
        summed: dict[int, float] = {}
        for tokens, weight in groups:
            if not tokens:
                continue
            for row, score in self._rows(self.store.keyword(tokens, expr, n)):
                # Milvus's BM25 keeps Lucene's (k1 + 1) numerator, bm25s drops it: divided, the scores are the local ones
                summed[row] = summed.get(row, 0.0) + weight * score / (K1 + 1)
        return _ranked(summed, n)

    def dense(self, vector: np.ndarray, where: ChunkFilter | None, n: int) -> Ranked:
        """The n chunks nearest the query vector in Milvus."""
        expr = filter_expr(where, self.index.doc_ids)
        if expr is None:
            return Ranked.empty()
        return _ranked(dict(self._rows(self.store.dense(vector, expr, n))), n)

    def hybrid(self, groups: KeywordGroups, vector: np.ndarray, where: ChunkFilter | None, n: int) -> Ranked | None:
        """Milvus's RRF or weighted ranker over both rankings; None when PolicyBot fuses them (ranker `local`)."""
        if self.ranker == "local":
            return None
        expr = filter_expr(where, self.index.doc_ids)
        if expr is None:
            return Ranked.empty()
        return _ranked(dict(self._rows(self.store.hybrid(groups, vector, expr, n, self.ranker))), n)

    def count(self) -> int:
        """How many chunks the Milvus collection holds."""
        return self.store.count()

    def _rows(self, found: list[dict]) -> Iterator[tuple[int, float]]:
        """(row, score) of each hit of a document version this index holds; others (written by a newer build
        another replica has not loaded, or deleted meanwhile) are left out."""
        for hit in found:
            entity = hit["entity"]
            doc_id = entity["doc_id"]
            if self.fingerprints.get(doc_id) != entity["fingerprint"]:
                continue
            offset = int(entity["offset"])
            if offset < self.index.shards[doc_id].rows:
                yield self.index.row_start[doc_id] + offset, float(hit["distance"])


def _ranked(scores: dict[int, float], n: int) -> Ranked:
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:n]
    return Ranked(
        np.array([r for r, _ in best], dtype=np.int64),
        np.array([s for _, s in best], dtype=np.float32),
    )
