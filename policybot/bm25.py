"""BM25 over bags of words: bm25s's sparse scoring, with its score matrix built in numpy.

bm25s.BM25.index counts terms in Python (≈7 s for 100 k chunks); keeping each chunk's bag of term ids lets
an update reuse the bags of unchanged chunks and rebuild the matrix in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
import scipy.sparse

K1 = 1.5
B = 0.75

Bag = tuple[np.ndarray, np.ndarray]


@dataclass(slots=True)
class Bags:
    """Every chunk's distinct term ids and their counts; chunk i owns terms[offsets[i]:offsets[i + 1]]."""

    terms: np.ndarray
    counts: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row(self, i: int) -> Bag:
        """The bag of chunk i."""
        lo, hi = self.offsets[i], self.offsets[i + 1]
        return self.terms[lo:hi], self.counts[lo:hi]

    def check(self, rows: int, vocab_size: int) -> None:
        """ValueError unless these are `rows` well-formed bags over a vocabulary of vocab_size terms."""
        if len(self) != rows or len(self.terms) != len(self.counts) or self.offsets[0] != 0:
            raise ValueError(f"bags of words for {len(self)} chunks, expected {rows}")
        if self.offsets[-1] != len(self.terms) or np.any(np.diff(self.offsets) < 0):
            raise ValueError("bag offsets out of order")
        if len(self.terms) and (self.terms.min() < 0 or self.terms.max() >= vocab_size):
            raise ValueError(f"term id outside the vocabulary of {vocab_size} terms")


def empty_bags() -> Bags:
    """Bags for no chunks."""
    return Bags(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(1, np.int64))


def bag_of(tokens: Iterable[str], vocab: dict[str, int]) -> Bag:
    """A chunk's bag: distinct term ids (new terms are appended to the vocabulary) and counts."""
    ids = np.fromiter((vocab.setdefault(t, len(vocab)) for t in tokens), dtype=np.int32)
    terms, counts = np.unique(ids, return_counts=True)
    return terms.astype(np.int32), counts.astype(np.int32)


def assemble(bags: Sequence[Bag]) -> Bags:
    """Concatenate per-chunk bags into one Bags."""
    if not bags:
        return empty_bags()
    sizes = np.fromiter((len(t) for t, _ in bags), dtype=np.int64, count=len(bags))
    offsets = np.zeros(len(bags) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    terms = np.concatenate([t for t, _ in bags]).astype(np.int32, copy=False)
    counts = np.concatenate([c for _, c in bags]).astype(np.int32, copy=False)
    return Bags(terms, counts, offsets)


def concat(parts: Sequence[Bags]) -> Bags:
    """The bags of several documents, one after the other."""
    if not parts:
        return empty_bags()
    sizes = np.array([len(p.terms) for p in parts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    offsets = np.concatenate([[0], *[p.offsets[1:] + s for p, s in zip(parts, starts, strict=True)]])
    return Bags(
        np.concatenate([p.terms for p in parts]).astype(np.int32, copy=False),
        np.concatenate([p.counts for p in parts]).astype(np.int32, copy=False),
        offsets.astype(np.int64, copy=False),
    )


def build_bm25(bags: Bags, vocab: dict[str, int], k1: float = K1, b: float = B) -> bm25s.BM25:
    """A bm25s model (Lucene BM25, as bm25s.BM25().index would build) from the bags."""
    n, n_terms = len(bags), max(len(vocab), 1)
    per_row = np.diff(bags.offsets)
    counts = bags.counts.astype(np.float32)
    # a trailing zero keeps reduceat in bounds for empty rows at the end; it gives an empty row a neighbour's count
    lengths = np.add.reduceat(np.append(counts, np.float32(0)), bags.offsets[:-1]) if n else np.zeros(0, np.float32)
    lengths[per_row == 0] = 0
    mean_length = float(lengths.mean()) if n and lengths.sum() else 1.0
    df = np.bincount(bags.terms, minlength=n_terms)
    idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    norm = (k1 * ((1 - b) + b * lengths / mean_length)).astype(np.float32)
    data = idf[bags.terms] * (counts / (np.repeat(norm, per_row) + counts))
    by_row = scipy.sparse.csr_matrix((data, bags.terms, bags.offsets), shape=(n, n_terms))
    by_term = by_row.tocsc()  # bm25s scores a query by slicing each query term's column
    model = bm25s.BM25(k1=k1, b=b)
    model.scores = {
        "data": by_term.data.astype(np.float32, copy=False),
        "indices": by_term.indices.astype(np.int32, copy=False),
        "indptr": by_term.indptr.astype(np.int64, copy=False),
        "num_docs": n,
    }
    model.vocab_dict = vocab
    model.unique_token_ids_set = set(vocab.values())
    model.nonoccurrence_array = None  # only the bm25l/bm25+ variants score absent terms
    return model
