"""A structure filled for an earlier version, followed through updates instead of being filled again.

FAISS's IVF index and BM25's postings are both kept as filled and patched by an update (dense.PatchedIVF,
bm25.BM25Index): a RowPatch says where each row they were filled with is now, and which rows came since.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True, frozen=True)
class RowMoves:
    """What an update does to an index's rows: where each row of the previous version is now (-1: its document
    changed or left), and the rows now that are new."""

    moved: np.ndarray  # int64 per previous row: its row now, or -1
    added: np.ndarray  # int64, ascending: the rows now that the previous version did not have

    @property
    def unchanged(self) -> bool:
        """True when every row stays where it was and none is new: the previous structures serve as they are."""
        return not len(self.added) and bool(np.array_equal(self.moved, np.arange(len(self.moved))))


@dataclass(slots=True, frozen=True)
class RowPatch:
    """Rows of a structure as filled → rows now, and the rows now that it does not hold."""

    base_rows: np.ndarray  # int64 per row as filled: its row now, or -1 (gone)
    extra_rows: np.ndarray  # int64, ascending: rows now that were added since

    @staticmethod
    def unpatched(rows: int) -> RowPatch:
        """The patch of a structure just filled: every row where it was, none added."""
        return RowPatch(np.arange(rows, dtype=np.int64), np.zeros(0, np.int64))

    @property
    def changed(self) -> int:
        """Rows gone from the structure or added beside it."""
        return int(np.count_nonzero(self.base_rows < 0)) + len(self.extra_rows)

    def then(self, moves: RowMoves) -> tuple[RowPatch, np.ndarray]:
        """This patch after an update that moved each row now to moves.moved[row] (-1: gone) and added
        moves.added; with, for each extra row of the result, where it comes from in [this patch's extra rows,
        then moves.added]."""
        moved, added = moves.moved, moves.added
        # a row gone earlier (-1) picks the -1 appended: it stays gone, even when every row has left (moved is empty)
        base_rows = np.append(moved, -1)[self.base_rows]
        kept = moved[self.extra_rows]
        stays = np.flatnonzero(kept >= 0)
        rows = np.concatenate([kept[stays], added])
        source = np.concatenate([stays, len(self.extra_rows) + np.arange(len(added))])
        order = np.argsort(rows, kind="stable")
        return RowPatch(base_rows, rows[order]), source[order]
