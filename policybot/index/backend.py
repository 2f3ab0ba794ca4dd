"""The retrieval seam: where the chunks of a loaded index are searched, by keywords and by meaning.

Two implementations: `LocalBackend` (bm25s and FAISS over the index folder, the default) and `MilvusBackend`
(policybot/index/milvus.py: the same chunks in a Milvus collection). Both answer in chunk rows of the loaded
PolicyIndex, so everything above the retriever (clauses, windows, citations) is the same whichever searched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from policybot.index.dense import search_rows

if TYPE_CHECKING:
    from policybot.index.build import PolicyIndex

BACKENDS = ("local", "milvus")
KeywordGroups = list[tuple[list[str], float]]  # query tokens and the weight of their BM25 scores


@dataclass(frozen=True, slots=True)
class ChunkFilter:
    """Which chunks a search may return: of these documents (None: any), only clauses with unit lists, only these
    clauses (doc_id, clause_id)."""

    doc_ids: frozenset[str] | None = None
    with_units: bool = False
    clauses: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Ranked:
    """Chunk rows of the loaded index, best first, with their scores."""

    rows: np.ndarray  # int64
    scores: np.ndarray  # float32

    @staticmethod
    def empty() -> Ranked:
        """No chunk found."""
        return Ranked(np.zeros(0, np.int64), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self.rows)


class SearchBackend(Protocol):
    """What the retriever asks of a search engine holding the chunks of one loaded index."""

    name: str

    def keyword(self, groups: KeywordGroups, where: ChunkFilter | None, n: int) -> Ranked:
        """The n best chunks by BM25 (each group's scores times its weight), zero scores left out."""
        ...

    def dense(self, vector: np.ndarray, where: ChunkFilter | None, n: int) -> Ranked:
        """The n chunks nearest a query vector (inner product of normalised vectors)."""
        ...

    def hybrid(self, groups: KeywordGroups, vector: np.ndarray, where: ChunkFilter | None, n: int) -> Ranked | None:
        """Both rankings fused by the engine, or None when the retriever fuses them itself."""
        ...

    def count(self) -> int:
        """How many chunks the engine holds."""
        ...


class LocalBackend:
    """bm25s + FAISS over the loaded index's files: the default, on one machine."""

    name = "local"

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self._ids = {doc_id: n for n, doc_id in enumerate(index.doc_ids)}
        self._with_units: np.ndarray | None = None

    def keyword(self, groups: KeywordGroups, where: ChunkFilter | None, n: int) -> Ranked:
        """The n best chunks by weighted BM25 (bm25s scoring), zero scores left out."""
        if not any(tokens for tokens, _ in groups) or not self.index.rows:
            return Ranked.empty()
        # read at call time: the app replaces a patched BM25 by its settled matrix while questions are served
        scores = self.index.bm25.get_weighted_scores(groups)
        mask = self.mask(where)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        keep = scores[top] > 0
        return Ranked(top[keep], scores[top][keep].astype(np.float32))

    def dense(self, vector: np.ndarray, where: ChunkFilter | None, n: int) -> Ranked:
        """The n nearest chunks in FAISS (flat or IVF)."""
        scores, rows = search_rows(self.index.dense, vector, n, self.mask(where))
        return Ranked(rows, scores)

    def hybrid(self, groups: KeywordGroups, vector: np.ndarray, where: ChunkFilter | None, n: int) -> Ranked | None:
        """None: the retriever fuses the two rankings (RRF or score fusion)."""
        return None

    def count(self) -> int:
        """How many chunks the loaded index holds."""
        return self.index.rows

    def mask(self, where: ChunkFilter | None) -> np.ndarray | None:
        """True for each chunk row the filter lets through (None: every row)."""
        if where is None:
            return None
        mask = np.ones(self.index.rows, dtype=bool)
        if where.doc_ids is not None:
            allowed = np.zeros(len(self._ids), dtype=bool)
            for doc_id in where.doc_ids:
                allowed[self._ids[doc_id]] = True
            mask = allowed[self.index.row_doc]
        if where.with_units:
            if self._with_units is None:
                self._with_units = self.index.rows_with_units()
            mask &= self._with_units
        if where.clauses:
            mask &= self._clause_rows(where.clauses)
        return mask

    def _clause_rows(self, keys: tuple[tuple[str, str], ...]) -> np.ndarray:
        """True for the chunk rows of these clauses."""
        rows = np.zeros(self.index.rows, dtype=bool)
        for doc_id in {d for d, _ in keys}:
            doc = self.index.documents[doc_id]
            wanted = {c for d, c in keys if d == doc_id}
            positions = [i for i, c in enumerate(doc.clauses) if c.id in wanted]
            start = self.index.row_start[doc_id]
            shard = self.index.shards[doc_id]
            rows[start : start + shard.rows] = np.isin(shard.clause_pos, positions)
        return rows
