"""journal: vectors survive a build that dies; a cut or damaged tail, or another model's journal, is dropped."""

from __future__ import annotations

import numpy as np
import pytest

from policybot.index.journal import EmbedJournal


def _vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _hashes(n: int, start: int = 0) -> list[str]:
    return [f"{i:024x}" for i in range(start, start + n)]


ANY = set(_hashes(20))


def _written(folder, model: str = "model-a", dim: int = 8, n: int = 4) -> EmbedJournal:
    journal = EmbedJournal(folder, model, dim)
    journal.open(ANY)
    journal.append(_hashes(n), _vectors(n, dim))
    journal.close()
    return journal


def _reopened(folder, model: str = "model-a", dim: int = 8, wanted=ANY) -> dict[str, np.ndarray]:
    journal = EmbedJournal(folder, model, dim)
    try:
        return journal.open(wanted)
    finally:
        journal.close()


def test_appended_vectors_are_there_for_the_next_build(tmp_path):
    journal = EmbedJournal(tmp_path, "model-a", 8)
    assert journal.open(ANY) == {}
    vectors = _vectors(5)
    journal.append(_hashes(3), vectors[:3])
    journal.append(_hashes(2, 3), vectors[3:])
    journal.close()

    recorded = _reopened(tmp_path)
    assert list(recorded) == _hashes(5)
    np.testing.assert_array_equal(np.stack([recorded[h] for h in _hashes(5)]), vectors)


def test_only_the_vectors_the_build_wants_are_kept(tmp_path):
    _written(tmp_path)
    assert list(_reopened(tmp_path, wanted={_hashes(4)[1], "not-in-the-journal"})) == [_hashes(4)[1]]


def test_a_record_cut_short_is_dropped_and_appending_goes_on_after_the_last_whole_one(tmp_path):
    journal = _written(tmp_path)
    data = journal.path.read_bytes()
    journal.path.write_bytes(data[:-10])  # killed in the middle of the last record

    again = EmbedJournal(tmp_path, "model-a", 8)
    assert list(again.open(ANY)) == _hashes(3)
    extra = _vectors(1, seed=1)
    again.append(_hashes(1, 10), extra)
    again.close()
    recorded = _reopened(tmp_path)
    assert list(recorded) == _hashes(3) + _hashes(1, 10)
    np.testing.assert_array_equal(recorded[_hashes(1, 10)[0]], extra[0])


def test_a_damaged_record_ends_the_journal_there(tmp_path):
    journal = _written(tmp_path)
    data = bytearray(journal.path.read_bytes())
    record = (len(data) - len(journal._header)) // 4
    data[len(journal._header) + 2 * record + 30] ^= 0xFF  # a flipped bit inside the third vector
    journal.path.write_bytes(bytes(data))
    assert list(_reopened(tmp_path)) == _hashes(2)


def test_another_models_journal_is_not_used(tmp_path):
    _written(tmp_path / "a")
    assert _reopened(tmp_path / "a", model="model-b") == {}
    _written(tmp_path / "b")
    assert _reopened(tmp_path / "b", dim=16) == {}
    _written(tmp_path / "c")
    assert list(_reopened(tmp_path / "c")) == _hashes(4)  # the same model and size: used


def test_a_vector_of_the_wrong_size_is_refused(tmp_path):
    journal = EmbedJournal(tmp_path, "model-a", 8)
    journal.open(ANY)
    with pytest.raises(ValueError, match="8-dim"):
        journal.append(_hashes(2), _vectors(2, dim=6))
    journal.close()


def test_remove_deletes_the_journal(tmp_path):
    journal = EmbedJournal(tmp_path, "model-a", 8)
    journal.open(ANY)
    journal.append(_hashes(1), _vectors(1))
    journal.remove()
    assert not journal.path.exists()
