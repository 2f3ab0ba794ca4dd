"""rowpatch: rows followed through updates land where a fresh numbering puts them, added rows in row order."""

from __future__ import annotations

import numpy as np

from policybot.index.rowpatch import RowMoves, RowPatch


def moves(moved: list[int], added: list[int]) -> RowMoves:
    return RowMoves(np.array(moved, np.int64), np.array(added, np.int64))


def test_an_update_renumbers_the_rows_and_says_where_each_added_row_comes_from() -> None:
    patch = RowPatch.unpatched(5)
    assert patch.changed == 0 and list(patch.base_rows) == [0, 1, 2, 3, 4]
    # rows 1 and 3 go, row 1 comes in their place, the rest move up
    first, source = patch.then(moves([0, -1, 2, -1, 3], [1]))
    assert list(first.base_rows) == [0, -1, 2, -1, 3] and list(first.extra_rows) == [1]
    assert list(source) == [0]  # the update's first added row
    assert first.changed == 3
    # a row in front: every row moves down one; the earlier added row stays and is now row 2
    second, source = first.then(moves([1, 2, 3, 4], [0]))
    assert list(second.base_rows) == [1, -1, 3, -1, 4] and list(second.extra_rows) == [0, 2]
    assert list(source) == [1, 0]  # row 0 is the update's (after first's one extra row), row 2 first's extra row
    # the earlier added row leaves again
    third, source = second.then(moves([0, 1, -1, 2, 3], []))
    assert list(third.extra_rows) == [0] and list(source) == [0] and third.changed == 3


def test_once_every_row_has_left_rows_gone_earlier_stay_gone() -> None:
    emptied, _ = RowPatch.unpatched(3).then(moves([-1, 0, -1], []))
    emptied, _ = emptied.then(moves([-1], []))
    back, source = emptied.then(moves([], [0, 1]))
    assert list(back.base_rows) == [-1, -1, -1] and list(back.extra_rows) == [0, 1] and list(source) == [0, 1]


def test_moves_that_keep_every_row_in_place_are_unchanged_and_any_other_are_not() -> None:
    assert moves([0, 1, 2], []).unchanged and moves([], []).unchanged
    assert not moves([0, 1, 2], [3]).unchanged  # a row added
    assert not moves([1, 0, 2], []).unchanged  # two rows swapped
    assert not moves([0, -1, 1], []).unchanged  # a row gone
