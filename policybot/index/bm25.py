"""BM25 over bags of words: bm25s's sparse scoring, with its score matrix built in numpy; patched after an update.

bm25s.BM25.index counts terms in Python (≈7 s for 100 k chunks); keeping each chunk's bag of term ids lets
an update reuse the bags of unchanged chunks and rebuild the matrix in a fraction of a second.

bm25s scores a query by adding up precomputed entries idf·tf/(tf + norm), and every entry depends on the corpus-wide
document count and mean length: a change to one document changes all 7 M of them at 100 k chunks (0.2–0.45 s to
recompute). So an update only patches the term postings and statistics (milliseconds) and scores from them at
query time with the same float32 arithmetic, giving the same scores, until the matrix for bm25s is built again
away from the update (PolicyIndex.settle_bm25, on a thread of its own in the app).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
import scipy.sparse

from policybot.index.rowpatch import RowMoves, RowPatch

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


@dataclass(slots=True, eq=False)
class Postings:
    """For each term, the rows holding it and how often: a term-major (CSC) matrix of term frequencies."""

    indptr: np.ndarray  # int64, one per term and one more
    rows: np.ndarray  # int32, ascending within a term
    tf: np.ndarray  # float32

    @property
    def terms(self) -> int:
        """How many terms it has columns for."""
        return len(self.indptr) - 1

    def of(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows holding a term and its frequency in each."""
        if term >= self.terms:
            return self.rows[:0], self.tf[:0]
        lo, hi = self.indptr[term], self.indptr[term + 1]
        return self.rows[lo:hi], self.tf[lo:hi]


def postings_of(bags: Bags, n_terms: int, rows: np.ndarray | None = None) -> Postings:
    """The postings of these bags; bag i is row i, or rows[i] when given (ascending)."""
    # int32 row pointers keep scipy's index arrays int32, as bm25s keeps them: no 7 M-entry copies either way
    index_dtype = np.int32 if len(bags.terms) < np.iinfo(np.int32).max else np.int64
    by_row = scipy.sparse.csr_matrix(
        (bags.counts.astype(np.float32), bags.terms, bags.offsets.astype(index_dtype, copy=False)),
        shape=(len(bags), n_terms),
        copy=False,
    )
    by_term = by_row.tocsc()
    found = by_term.indices if rows is None else rows[by_term.indices]
    return Postings(by_term.indptr.astype(np.int64, copy=False), found.astype(np.int32, copy=False), by_term.data)


@dataclass(frozen=True, slots=True, eq=False)
class Vocabulary:
    """The words the indexed documents use (word → term id) and how telling each is (BM25's idf per term id)."""

    ids: dict[str, int]
    idf: np.ndarray  # float32 per term id


@dataclass(slots=True, eq=False)
class BM25Index:
    """Lucene BM25 over the rows of an index, scored by bm25s once settled.

    `base` holds the rows of the last full build under the row numbers they had then; after updates `patch`
    says where each of them is now and which rows came since, held by `extra` (by their row now)."""

    vocab: dict[str, int]
    base: Postings
    patch: RowPatch | None  # None: base rows are the rows now
    extra: Postings | None
    extra_bags: Bags  # the bags of patch.extra_rows, in that order (a later update carries them over)
    lengths: np.ndarray  # float32 per row now: its number of tokens
    df: np.ndarray  # int64 per term: how many rows now hold it
    idf: np.ndarray  # float32 per term
    norm: np.ndarray  # float32 per row now: k1·(1 − b + b·length/mean length)
    model: bm25s.BM25 | None = None  # the precomputed matrix, once settled

    @property
    def vocab_dict(self) -> dict[str, int]:
        """Term → id (as bm25s names it)."""
        return self.vocab

    @property
    def rows(self) -> int:
        """How many rows it scores."""
        return len(self.lengths)

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """The BM25 score of every row for these query tokens (unknown tokens ignored, repeated ones counted)."""
        ids = [self.vocab[t] for t in tokens if t in self.vocab]
        if self.model is not None:
            return self.model.get_scores_from_ids(ids)
        scores = np.zeros(self.rows, np.float32)
        for term in ids:
            weight = self.idf[term]
            for rows, tf in self._postings(term):
                # the entry bm25s would have precomputed, in the same float32 steps, added in the same order
                scores[rows] += weight * (tf / (self.norm[rows] + tf))
        return scores

    def get_weighted_scores(self, groups: list[tuple[list[str], float]]) -> np.ndarray:
        """The BM25 score of every row for groups of query tokens, each group's scores times its weight."""
        scores = np.zeros(self.rows, np.float32)
        for tokens, weight in groups:
            if tokens:
                scores += np.float32(weight) * self.get_scores(tokens)
        return scores

    def _postings(self, term: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
        rows, tf = self.base.of(term)
        if self.patch is not None:
            rows = self.patch.base_rows[rows]
            present = rows >= 0
            rows, tf = rows[present], tf[present]
        yield rows, tf
        if self.extra is not None:
            yield self.extra.of(term)


def build_bm25(bags: Bags, vocab: dict[str, int], k1: float = K1, b: float = B) -> BM25Index:
    """BM25 over these bags (row i is bag i), settled: scores as bm25s.BM25().index would build them."""
    base = postings_of(bags, max(len(vocab), 1))
    lengths = _row_sums(bags)
    df = np.diff(base.indptr)  # a row holds a term once in its bag
    idf, norm = _statistics(df, lengths, k1, b)
    index = BM25Index(vocab, base, None, None, empty_bags(), lengths, df, idf, norm)
    index.model = _precomputed(base, idf, norm, vocab, k1, b)
    return index


def patched_bm25(
    previous: BM25Index,
    moves: RowMoves,
    gone: Sequence[Bags],
    added: Bags,
    vocab: dict[str, int],
    most_changed: int,
    k1: float = K1,
    b: float = B,
) -> BM25Index | None:
    """The previous BM25 after an update, without a full build: its rows renumbered by moves.moved (-1: gone;
    `gone` are those rows' bags), and `added` bags put at rows moves.added. Scores from postings (exactly
    as a full build would) until settled. None when more than `most_changed` rows differ from the last full build
    (the caller builds it whole)."""
    moved, added_rows = moves.moved, moves.added
    patch, source = (previous.patch or RowPatch.unpatched(previous.rows)).then(moves)
    if patch.changed > most_changed:
        return None
    n = int(np.count_nonzero(moved >= 0)) + len(added_rows)
    kept = moved >= 0
    lengths = np.zeros(n, np.float32)
    lengths[moved[kept]] = previous.lengths[kept]
    lengths[added_rows] = _row_sums(added)
    df = np.zeros(max(len(vocab), 1), np.int64)
    df[: len(previous.df)] = previous.df
    for bags in gone:
        df -= np.bincount(bags.terms, minlength=len(df))
    df += np.bincount(added.terms, minlength=len(df))
    extra_bags = _select(concat([previous.extra_bags, added]), source)
    idf, norm = _statistics(df, lengths, k1, b)
    extra = postings_of(extra_bags, len(df), patch.extra_rows) if len(patch.extra_rows) else None
    return BM25Index(vocab, previous.base, patch, extra, extra_bags, lengths, df, idf, norm)


def _select(bags: Bags, rows: np.ndarray) -> Bags:
    """The bags of these rows, in this order."""
    return assemble([bags.row(int(i)) for i in rows])


def _statistics(df: np.ndarray, lengths: np.ndarray, k1: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Each term's idf and each row's length norm (Lucene BM25, as bm25s computes them)."""
    n = len(lengths)
    mean_length = float(lengths.mean()) if n and lengths.sum() else 1.0
    idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    norm = (k1 * ((1 - b) + b * lengths / mean_length)).astype(np.float32)
    return idf, norm


def _precomputed(postings: Postings, idf: np.ndarray, norm: np.ndarray, vocab: dict, k1: float, b: float) -> bm25s.BM25:
    """A bm25s model whose matrix holds idf·tf/(tf + norm) for every posting (sharing the postings' rows)."""
    # in place, in one buffer the size of the postings: at 100 k chunks (7 M entries) each temporary array is
    # 27 MB of fresh pages to fault in, which costs more than the arithmetic
    data = norm[postings.rows]
    data += postings.tf
    np.divide(postings.tf, data, out=data)
    data *= np.repeat(idf, np.diff(postings.indptr))
    model = bm25s.BM25(k1=k1, b=b)
    model.scores = {"data": data, "indices": postings.rows, "indptr": postings.indptr, "num_docs": len(norm)}
    model.vocab_dict = vocab
    model.unique_token_ids_set = set(vocab.values())
    model.nonoccurrence_array = None  # only the bm25l/bm25+ variants score absent terms
    return model


def _row_sums(bags: Bags) -> np.ndarray:
    """Each chunk's length in tokens (0 for an empty one)."""
    lengths = np.zeros(len(bags), np.float32)
    filled = np.flatnonzero(np.diff(bags.offsets))
    if len(filled):
        # the starts of non-empty bags rise strictly, so each sum runs to the next one (the last to the end)
        lengths[filled] = np.add.reduceat(bags.counts, bags.offsets[filled])
    return lengths
