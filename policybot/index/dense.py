"""FAISS over the documents' passage vectors: an exact flat scan for small corpora, IVF cells above that.

An IVF index is rebuilt from stored cells without searching: each chunk keeps the cell it was put in, so an update
assigns only the new chunks and never trains again unless the corpus has halved or doubled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import faiss
import numpy as np

from policybot.errors import IndexCorrupt
from policybot.index.rowpatch import RowMoves, RowPatch
from policybot.index.store import Shard

# below this a flat scan is exact and fast enough; above it IVF keeps a query near 1 ms and, unlike HNSW
# (80 s to build at 100 k chunks on 2 cores), takes an update in milliseconds: each chunk keeps its cell
IVF_FROM_CHUNKS = 20_000
IVF_PROBES = 24
FILL_BLOCK_ROWS = 8192  # vectors gathered at a time while an IVF index is filled
# rows added or removed since an IVF index was filled, beyond which an update fills a new one (see PatchedIVF)
PATCH_ROWS = 4096


def choose_dense_kind(kind: str, n: int) -> str:
    """The index kind to build for n chunks: flat, ivf or hnsw ("auto" picks by size)."""
    if kind == "auto":
        return "ivf" if n >= IVF_FROM_CHUNKS else "flat"
    if kind not in ("flat", "ivf", "hnsw"):
        raise ValueError(f"unknown FAISS index kind {kind!r} (use flat, ivf, hnsw or auto)")
    return kind


def ivf_lists(n: int) -> int:
    """How many IVF cells for n vectors: about 4·√n, so a cell holds a few hundred."""
    return max(16, int(4 * np.sqrt(max(n, 1))))


def train_centroids(shards: list[Shard], dim: int) -> np.ndarray:
    """IVF cell centres (spherical k-means, ~4·√n cells) trained on a sample of every document's vectors."""
    sizes = np.array([s.rows for s in shards], dtype=np.int64)
    n = int(sizes.sum())
    lists = min(ivf_lists(n), max(1, n))
    rows = np.sort(np.random.default_rng(0).choice(n, min(n, 40 * lists), replace=False)) if n else []
    # gather the sample from the documents' own arrays: no copy of every vector
    ends = np.cumsum(sizes)
    which = np.searchsorted(ends, rows, side="right")
    starts = ends - sizes
    sample = np.stack([shards[d].vectors[r - starts[d]] for d, r in zip(which, rows, strict=True)]) if n else []
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    kmeans = faiss.Kmeans(dim, max(lists, 1), niter=20, spherical=True, seed=1234, verbose=False)
    if not n:
        return np.zeros((0, dim), np.float32)
    kmeans.train(np.ascontiguousarray(sample, dtype=np.float32))
    return np.ascontiguousarray(kmeans.centroids, dtype=np.float32)


def assign(centroids: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """The nearest cell (by inner product) of each vector."""
    if len(vectors) == 0:
        return np.zeros(0, np.int64)
    quantizer = faiss.IndexFlatIP(centroids.shape[1])
    quantizer.add(centroids)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    _, cells = quantizer.search(np.ascontiguousarray(vectors, dtype=np.float32), 1)
    return cells[:, 0].astype(np.int64)


def dense_index(
    kind: str,
    shards: list[Shard],
    dim: int,
    centroids: np.ndarray | None,
    cells: np.ndarray | None,
    hnsw: bytes | None = None,
) -> faiss.Index:
    """The FAISS index over every shard's vectors in row order: flat, IVF with the given cells, or HNSW."""
    if kind == "ivf" and centroids is not None and cells is not None:
        return _ivf_from_cells(shards, dim, centroids, cells)
    if kind == "hnsw":
        if hnsw is not None:
            return faiss.deserialize_index(np.frombuffer(hnsw, dtype=np.uint8))
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(dim)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    for shard in shards:
        if shard.rows:
            index.add(np.ascontiguousarray(shard.vectors, dtype=np.float32))
    return index


def partial_flat(shards: list[Shard], dim: int) -> faiss.Index:
    """An exact flat index over the embedded documents' rows only (each id its row number), for a version published
    while the build is still embedding: rows without a vector are never among the dense results."""
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    start = 0
    for shard in shards:
        if shard.rows and shard.embedded:
            ids = np.arange(start, start + shard.rows, dtype=np.int64)
            index.add_with_ids(np.ascontiguousarray(shard.vectors, dtype=np.float32), ids)
        start += shard.rows
    return index


def _ivf_from_cells(shards: list[Shard], dim: int, centroids: np.ndarray, cells: np.ndarray) -> faiss.Index:
    """An IVF index filled list by list from the known cell of every row (its id is its row number).

    One add_entries per cell instead of a quantizer search or a push per vector: at 100 k chunks this takes a
    fraction of a second, and needs no OpenMP threads (which spin badly when the machine is busy)."""
    index = _empty_ivf(centroids, dim)
    lists = index.nlist
    n = len(cells)
    rows = sum(s.rows for s in shards)
    if n != rows or (n and not 0 <= int(cells.min()) <= int(cells.max()) < lists):
        raise IndexCorrupt(
            f"IVF 分区与向量不符 ({n} cells for {rows} rows, {lists} lists); 请运行 policybot index 重建"
        )
    if not n:
        return index
    order = np.argsort(cells, kind="stable")  # rows grouped by cell, in row order within a cell
    bounds = np.searchsorted(cells[order], np.arange(lists + 1))
    rows_of = _RowVectors(shards)
    # cells are filled a block at a time: gathering every vector in cell order at once would hold a third copy
    # of them (the documents' and FAISS's are the others), 150 MB at 100 k chunks
    filled = np.flatnonzero(np.diff(bounds))
    block_lo = 0
    while block_lo < len(filled):
        block_hi = int(np.searchsorted(bounds[filled + 1], bounds[filled[block_lo]] + FILL_BLOCK_ROWS, side="right"))
        block_hi = max(block_hi, block_lo + 1)
        first, last = int(bounds[filled[block_lo]]), int(bounds[filled[block_hi - 1] + 1])
        codes = rows_of.gather(order[first:last]).view(np.uint8)
        for cell in filled[block_lo:block_hi]:
            lo, hi = int(bounds[cell]), int(bounds[cell + 1])
            ids = order[lo:hi]
            index.invlists.add_entries(int(cell), hi - lo, faiss.swig_ptr(ids), faiss.swig_ptr(codes[lo - first :]))
        block_lo = block_hi
    index.ntotal = n
    return index


def _empty_ivf(centroids: np.ndarray, dim: int) -> faiss.IndexIVFFlat:
    quantizer = faiss.IndexFlatIP(dim)
    quantizer.add(centroids)
    index = faiss.IndexIVFFlat(quantizer, dim, max(len(centroids), 1), faiss.METRIC_INNER_PRODUCT)
    index.nprobe = IVF_PROBES
    return index


def updated_ivf(
    previous: faiss.IndexIVFFlat,
    moved: np.ndarray,
    shards: list[Shard],
    added: np.ndarray,
    centroids: np.ndarray,
    cells: np.ndarray,
) -> faiss.IndexIVFFlat:
    """The IVF index after an update, taken list by list from the previous one (same cells): its rows that stay
    renumbered by `moved` (new row, or -1 for a row that is gone), then the `added` rows with their vectors.

    An edit at 100 k chunks then moves each stored vector once instead of gathering every one from the documents,
    and the previous index, still answering questions, is only read."""
    if len(centroids) != previous.nlist or len(moved) != previous.ntotal:
        raise ValueError("updated_ivf needs the previous index's own cells and a new row for each of its rows")
    index = _empty_ivf(centroids, previous.d)
    lists, code_size = previous.invlists, previous.invlists.code_size
    new_codes = _RowVectors(shards).gather(added).view(np.uint8) if len(added) else np.zeros((0, code_size), np.uint8)
    by_cell = np.argsort(cells[added], kind="stable")
    bounds = np.searchsorted(cells[added][by_cell], np.arange(index.nlist + 1))
    total = 0
    for cell in range(index.nlist):
        ids, codes = _list_entries(lists, cell, code_size)
        ids = moved[ids]
        keep = ids >= 0
        ids, codes = ids[keep], codes[keep]
        fresh = by_cell[bounds[cell] : bounds[cell + 1]]
        if len(fresh):
            ids = np.concatenate([ids, added[fresh]])
            codes = np.concatenate([codes, new_codes[fresh]])
            order = np.argsort(ids, kind="stable")  # row order within a cell, as a build from scratch has it
            ids, codes = ids[order], codes[order]
        if len(ids):
            ids, codes = np.ascontiguousarray(ids, dtype=np.int64), np.ascontiguousarray(codes)
            index.invlists.add_entries(cell, len(ids), faiss.swig_ptr(ids), faiss.swig_ptr(codes))
            total += len(ids)
    if total != len(cells):
        raise IndexCorrupt(
            f"IVF 更新后向量数 {total} 与片段数 {len(cells)} 不符 (update lost rows): 请运行 policybot index 重建"
        )
    index.ntotal = total
    return index


@dataclass(slots=True, eq=False)
class PatchedIVF:
    """An IVF index after updates, without copying its lists: the index filled earlier (its ids are its rows then),
    where each of those rows is now (-1: gone), and the rows added since, with their vectors and cells.

    An edit at 100 k chunks then copies the vectors of the rows added since (at most PATCH_ROWS), not 150 MB of
    vectors (0.15–0.4 s); a search probes the same cells for both parts, so it finds the rows an index filled anew
    would find (the added rows scored by numpy, which may differ from FAISS in the last bit)."""

    base: faiss.IndexIVFFlat
    patch: RowPatch  # base ids (its rows then) → rows now; the rows added since
    extra_vectors: np.ndarray  # float32: the vectors of patch.extra_rows
    extra_cells: np.ndarray  # int64: their cells
    alive_bits: np.ndarray  # uint8: base ids still present, as a bitmap for faiss.IDSelectorBitmap

    @property
    def d(self) -> int:
        """Vector dimension."""
        return self.base.d

    @property
    def ntotal(self) -> int:
        """How many rows it holds."""
        return int(np.count_nonzero(self.patch.base_rows >= 0)) + len(self.patch.extra_rows)

    def search_rows(self, query: np.ndarray, k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the best k rows, best first, as an IVF index holding exactly the rows now would give."""
        base_rows, extra_rows = self.patch.base_rows, self.patch.extra_rows
        bits = self.alive_bits
        if allowed is not None:
            bits = np.packbits((base_rows >= 0) & allowed[base_rows], bitorder="little")
        selector = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))  # its size in bytes
        params = faiss.SearchParametersIVF(sel=selector, nprobe=IVF_PROBES)
        scores, ids = self.base.search(query, min(k, self.base.ntotal), params=params)
        found = ids[0] >= 0
        rows, scores = base_rows[ids[0][found]], scores[0][found]
        if len(extra_rows):
            _, probed = self.base.quantizer.search(query, min(IVF_PROBES, self.base.nlist))
            near = np.isin(self.extra_cells, probed[0])
            if allowed is not None:
                near &= allowed[extra_rows]
            rows = np.concatenate([rows, extra_rows[near]])
            scores = np.concatenate([scores, self.extra_vectors[near] @ query[0]])
            best = np.argsort(-scores, kind="stable")[:k]
            rows, scores = rows[best], scores[best]
        return scores, rows


def patched_ivf(
    previous: faiss.IndexIVFFlat | PatchedIVF,
    moves: RowMoves,
    shards: list[Shard],
    centroids: np.ndarray,
    cells: np.ndarray,
) -> faiss.IndexIVFFlat | PatchedIVF | None:
    """The previous IVF index (same cells) after an update: its rows renumbered by moves.moved (-1: gone) and the
    moves.added rows put beside it; refilled list by list once more than PATCH_ROWS rows have changed, and None when too many
    rows are new for that (the caller fills a new index)."""
    if isinstance(previous, PatchedIVF):
        base, patch = previous.base, previous.patch
    else:
        base, patch = previous, RowPatch.unpatched(previous.ntotal)
    if len(centroids) != base.nlist or len(moves.moved) != previous.ntotal:
        raise ValueError("patched_ivf needs the previous index's own cells and a new row for each of its rows")
    patch, _ = patch.then(moves)
    if patch.changed > PATCH_ROWS:
        if len(patch.extra_rows) > FILL_BLOCK_ROWS:
            return None
        return updated_ivf(base, patch.base_rows, shards, patch.extra_rows, centroids, cells)
    return PatchedIVF(
        base=base,
        patch=patch,
        extra_vectors=_RowVectors(shards).gather(patch.extra_rows),
        extra_cells=cells[patch.extra_rows],
        alive_bits=np.packbits(patch.base_rows >= 0, bitorder="little"),
    )


def search_rows(
    index: faiss.Index | PatchedIVF, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the best k rows for one query vector, best first; `allowed` (bool per row) filters."""
    if index.ntotal == 0 or k <= 0 or (allowed is not None and not allowed.any()):
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    # one query is scanned fastest on one thread: OpenMP start-up costs more than a 2-core split saves
    faiss.omp_set_num_threads(1)
    if isinstance(index, PatchedIVF):
        return index.search_rows(query, k, allowed)
    selector = faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64)) if allowed is not None else None
    scores, ids = index.search(query, min(k, index.ntotal), params=_params(index, selector, k))
    found = ids[0] >= 0
    return scores[0][found], ids[0][found]


def _params(index: faiss.Index, selector: faiss.IDSelector | None, k: int) -> faiss.SearchParameters | None:
    if isinstance(index, faiss.IndexHNSW):
        return faiss.SearchParametersHNSW(sel=selector, efSearch=max(96, k))
    if isinstance(index, faiss.IndexIVF):
        return faiss.SearchParametersIVF(sel=selector, nprobe=IVF_PROBES)
    return faiss.SearchParameters(sel=selector) if selector is not None else None


def _list_entries(lists: faiss.InvertedLists, cell: int, code_size: int) -> tuple[np.ndarray, np.ndarray]:
    """One IVF list's row ids and stored vectors (views into FAISS's memory; empty arrays for an empty list)."""
    size = lists.list_size(cell)
    if not size:
        return np.zeros(0, np.int64), np.zeros((0, code_size), np.uint8)
    ids = faiss.rev_swig_ptr(lists.get_ids(cell), size)
    codes = faiss.rev_swig_ptr(lists.get_codes(cell), size * code_size).reshape(size, code_size)
    return ids, codes


class _RowVectors:
    """The vectors of chunk rows, read from the documents' own arrays (row numbers run through them in order)."""

    def __init__(self, shards: list[Shard]) -> None:
        self.shards = shards
        sizes = np.array([s.rows for s in shards], dtype=np.int64)
        self.starts = np.cumsum(sizes) - sizes
        self.owner = np.repeat(np.arange(len(shards), dtype=np.int64), sizes)
        self.dim = next((s.vectors.shape[1] for s in shards if s.rows), 0)

    def gather(self, rows: np.ndarray) -> np.ndarray:
        """The vectors of these rows, in this order (a new contiguous array)."""
        out = np.empty((len(rows), self.dim), np.float32)
        owners = self.owner[rows]
        by_owner = np.argsort(owners, kind="stable")
        cuts = np.flatnonzero(np.diff(owners[by_owner])) + 1
        for part in np.split(by_owner, cuts):
            if len(part):
                doc = int(owners[part[0]])
                out[part] = self.shards[doc].vectors[rows[part] - self.starts[doc]]
        return out
