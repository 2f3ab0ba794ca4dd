"""rowpatch: rows followed through updates land where a fresh numbering puts them, added rows in row order."""

from __future__ import annotations

import numpy as np

from policybot.index.rowpatch import RowPatch


def test_an_update_renumbers_the_rows_and_says_where_each_added_row_comes_from() -> None:
    patch = RowPatch.unpatched(5)
    assert patch.changed == 0 and list(patch.base_rows) == [0, 1, 2, 3, 4]
    # rows 1 and 3 go, row 1 comes in their place, the rest move up
    first, source = patch.then(np.array([0, -1, 2, -1, 3]), np.array([1]))
    assert list(first.base_rows) == [0, -1, 2, -1, 3] and list(first.extra_rows) == [1]
    assert list(source) == [0]  # the update's first added row
    assert first.changed == 3
    # a row in front: every row moves down one; the earlier added row stays and is now row 2
    second, source = first.then(np.array([1, 2, 3, 4]), np.array([0]))
    assert list(second.base_rows) == [1, -1, 3, -1, 4] and list(second.extra_rows) == [0, 2]
    assert list(source) == [1, 0]  # row 0 is the update's (after first's one extra row), row 2 first's extra row
    # the earlier added row leaves again
    third, source = second.then(np.array([0, 1, -1, 2, 3]), np.zeros(0, np.int64))
    assert list(third.extra_rows) == [0] and list(source) == [0] and third.changed == 3


def test_once_every_row_has_left_rows_gone_earlier_stay_gone() -> None:
    emptied, _ = RowPatch.unpatched(3).then(np.array([-1, 0, -1]), np.zeros(0, np.int64))
    emptied, _ = emptied.then(np.array([-1]), np.zeros(0, np.int64))
    back, source = emptied.then(np.zeros(0, np.int64), np.array([0, 1]))
    assert list(back.base_rows) == [-1, -1, -1] and list(back.extra_rows) == [0, 1] and list(source) == [0, 1]
