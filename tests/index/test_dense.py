"""dense: the FAISS kind follows the corpus size; an IVF index built from stored cells searches like one trained whole."""

from __future__ import annotations

import faiss
import numpy as np
import pytest
from conftest import assert_rankings_alike

from policybot.document import Document
from policybot.errors import IndexCorrupt
from policybot.index import dense
from policybot.index.bm25 import Bags
from policybot.index.dense import (
    IVF_FROM_CHUNKS,
    PatchedIVF,
    assign,
    choose_dense_kind,
    dense_index,
    patched_ivf,
    search_rows,
    train_centroids,
)
from policybot.index.rowpatch import RowMoves
from policybot.index.store import Shard


def shards_of(vectors: np.ndarray, sizes: list[int]) -> list[Shard]:
    """Documents holding consecutive rows of `vectors`."""
    shards, start = [], 0
    for n, size in enumerate(sizes):
        part = vectors[start : start + size]
        empty = Bags(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(size + 1, np.int64))
        shards.append(
            Shard(
                Document(f"d{n}", f"d{n}.txt", f"文件{n}"),
                np.zeros(size, np.int32),
                np.zeros(size, np.int32),
                [""] * size,
                part,
                empty,
            )
        )
        start += size
    return shards


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((12, 32))
    points = centres[rng.integers(0, 12, 3000)] + 0.3 * rng.standard_normal((3000, 32))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def test_the_kind_follows_the_corpus_size() -> None:
    assert choose_dense_kind("auto", IVF_FROM_CHUNKS - 1) == "flat"
    assert choose_dense_kind("auto", IVF_FROM_CHUNKS) == "ivf"
    assert choose_dense_kind("hnsw", 10) == "hnsw"
    with pytest.raises(ValueError, match="flat, ivf, hnsw or auto"):
        choose_dense_kind("annoy", 10)


def test_ivf_from_stored_cells_finds_what_a_flat_scan_finds(vectors: np.ndarray) -> None:
    shards = shards_of(vectors, [1000, 1, 0, 1999])
    centroids = train_centroids(shards, 32)
    cells = assign(centroids, vectors)
    ivf = dense_index("ivf", shards, 32, centroids, cells)
    flat = dense_index("flat", shards, 32, None, None)
    assert ivf.ntotal == flat.ntotal == len(vectors)
    queries = vectors[::97] + 0.05
    _, want = flat.search(queries, 10)
    _, got = ivf.search(queries, 10)
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want, strict=True)])
    assert overlap >= 0.95  # IVF_PROBES cells out of ~200 hold nearly all true neighbours
    # every chunk sits in the cell nearest to it
    np.testing.assert_array_equal(cells, np.argmax(vectors @ centroids.T, axis=1))


@pytest.mark.parametrize("block_rows", [1, 37, 8192])
def test_every_row_is_stored_in_its_cell_under_its_row_number(
    vectors: np.ndarray, block_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the index is filled a block of cells at a time; a block of one row still fills whole cells
    monkeypatch.setattr(dense, "FILL_BLOCK_ROWS", block_rows)
    shards = shards_of(vectors, [700, 0, 2300])
    centroids = train_centroids(shards, 32)
    cells = assign(centroids, vectors)
    ivf = dense_index("ivf", shards, 32, centroids, cells)
    lists = ivf.invlists
    for cell in range(len(centroids)):
        size = lists.list_size(cell)
        ids = faiss.rev_swig_ptr(lists.get_ids(cell), size).copy()
        assert np.all(cells[ids] == cell)
        assert np.all(np.diff(ids) > 0)  # row order within a cell
        codes = faiss.rev_swig_ptr(lists.get_codes(cell), size * 32 * 4).copy().view(np.float32).reshape(size, 32)
        np.testing.assert_array_equal(codes, vectors[ids])
    assert sum(lists.list_size(c) for c in range(len(centroids))) == len(vectors)
    ivf.nprobe = len(centroids)  # every cell probed: exactly a flat scan
    queries = vectors[::131] + 0.05
    want_d, want = dense_index("flat", shards, 32, None, None).search(queries, 10)
    got_d, got = ivf.search(queries, 10)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(got_d, want_d, rtol=1e-5)


def test_cells_that_do_not_fit_the_rows_are_refused(vectors: np.ndarray) -> None:
    shards = shards_of(vectors, [1000, 2000])
    centroids = train_centroids(shards, 32)
    cells = assign(centroids, vectors)
    with pytest.raises(IndexCorrupt, match="policybot index"):
        dense_index("ivf", shards, 32, centroids, cells[:-1])
    outside = cells.copy()
    outside[7] = len(centroids)
    with pytest.raises(IndexCorrupt):
        dense_index("ivf", shards, 32, centroids, outside)


def ivf_lists(index: faiss.IndexIVFFlat) -> list[tuple[list[int], bytes]]:
    """Each IVF cell's row ids and stored vectors."""
    lists, size_of = index.invlists, index.invlists.code_size
    out = []
    for cell in range(index.nlist):
        size = lists.list_size(cell)
        ids = faiss.rev_swig_ptr(lists.get_ids(cell), size).tolist() if size else []
        codes = faiss.rev_swig_ptr(lists.get_codes(cell), size * size_of).tobytes() if size else b""
        out.append((ids, codes))
    return out


def best_rows(index, queries: np.ndarray, allowed: np.ndarray | None = None) -> list[list[tuple[int, float]]]:
    out = []
    for query in queries:
        scores, rows = search_rows(index, query, 10, allowed)
        out.append([(int(r), float(s)) for r, s in zip(rows, scores, strict=True)])
    return out


@pytest.fixture
def replaced(vectors: np.ndarray):
    """An IVF index over three documents, and the update replacing the middle one (500 rows) by 300 new rows:
    the rows after it move up by 200."""
    shards = shards_of(vectors, [1000, 500, 1500])
    centroids = train_centroids(shards, 32)
    base = dense_index("ivf", shards, 32, centroids, assign(centroids, vectors))
    rng = np.random.default_rng(11)
    fresh = rng.standard_normal((300, 32)).astype(np.float32)
    fresh /= np.linalg.norm(fresh, axis=1, keepdims=True)
    new_shards = [shards[0], shards_of(fresh, [300])[0], shards[2]]
    moved = np.concatenate([np.arange(1000), np.full(500, -1), np.arange(1300, 2800)])
    cells = assign(centroids, np.concatenate([s.vectors for s in new_shards]))
    return base, RowMoves(moved, np.arange(1000, 1300)), new_shards, centroids, cells


def test_a_patched_ivf_finds_what_a_fresh_fill_finds(replaced, vectors: np.ndarray) -> None:
    base, moves, shards, centroids, cells = replaced
    assert base.nlist > 4 * dense.IVF_PROBES  # a query probes few of the cells: the added rows must be probed alike
    patched = patched_ivf(base, moves, shards, centroids, cells)
    assert isinstance(patched, PatchedIVF) and patched.base is base and patched.ntotal == 2800
    fresh = dense_index("ivf", shards, 32, centroids, cells)
    queries = np.concatenate([s.vectors for s in shards])[::37] + 0.05
    assert_rankings_alike(best_rows(patched, queries), best_rows(fresh, queries))
    allowed = np.arange(2800) % 4 != 1
    assert_rankings_alike(best_rows(patched, queries, allowed), best_rows(fresh, queries, allowed))
    # a patch of the patch: the new document removed again, every row after it moving back
    back = RowMoves(np.concatenate([np.arange(1000), np.full(300, -1), np.arange(1000, 2500)]), np.zeros(0, np.int64))
    again = patched_ivf(patched, back, [shards[0], shards[2]], centroids,
                        np.concatenate([cells[:1000], cells[1300:]]))  # fmt: skip
    assert isinstance(again, PatchedIVF) and again.base is base and again.ntotal == 2500
    both = np.concatenate([vectors[:1000], vectors[1500:]])
    refill = dense_index("ivf", shards_of(both, [1000, 1500]), 32, centroids, assign(centroids, both))
    assert_rankings_alike(best_rows(again, both[::37] + 0.05), best_rows(refill, both[::37] + 0.05))


def test_past_the_patch_limit_an_update_fills_the_lists_anew(replaced, monkeypatch: pytest.MonkeyPatch) -> None:
    base, moves, shards, centroids, cells = replaced
    monkeypatch.setattr(dense, "PATCH_ROWS", 100)  # 500 rows gone and 300 new are beyond it
    compacted = patched_ivf(base, moves, shards, centroids, cells)
    assert isinstance(compacted, faiss.IndexIVFFlat)
    assert ivf_lists(compacted) == ivf_lists(dense_index("ivf", shards, 32, centroids, cells))
    monkeypatch.setattr(dense, "FILL_BLOCK_ROWS", 200)  # too many new vectors to gather at once: the caller fills
    assert patched_ivf(base, moves, shards, centroids, cells) is None
