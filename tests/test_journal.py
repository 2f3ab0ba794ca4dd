"""journal: vectors survive a build that dies; a cut or damaged tail, or another model's journal, is dropped."""

from __future__ import annotations

import numpy as np

from policybot.journal import EmbedJournal


def _vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _hashes(n: int, start: int = 0) -> list[str]:
    return [f"{i:024x}" for i in range(start, start + n)]


def test_appended_vectors_are_there_for_the_next_build(tmp_path):
    journal = EmbedJournal(tmp_path, "model-a", 8)
    assert journal.open() == {}
    vectors = _vectors(5)
    journal.append(_hashes(3), vectors[:3])
    journal.append(_hashes(2, 3), vectors[3:])
    journal.close()

    recorded = EmbedJournal(tmp_path, "model-a", 8).open()
    assert list(recorded) == _hashes(5)
    np.testing.assert_array_equal(np.stack([recorded[h] for h in _hashes(5)]), vectors)


def test_a_record_cut_short_is_dropped_and_appending_goes_on_after_the_last_whole_one(tmp_path):
    journal = EmbedJournal(tmp_path, "model-a", 8)
    journal.open()
    journal.append(_hashes(4), _vectors(4))
    journal.close()
    data = journal.path.read_bytes()
    journal.path.write_bytes(data[:-10])  # killed in the middle of the last record

    again = EmbedJournal(tmp_path, "model-a", 8)
    assert list(again.open()) == _hashes(3)
    extra = _vectors(1, seed=1)
    again.append(_hashes(1, 10), extra)
    again.close()
    recorded = EmbedJournal(tmp_path, "model-a", 8).open()
    assert list(recorded) == _hashes(3) + _hashes(1, 10)
    np.testing.assert_array_equal(recorded[_hashes(1, 10)[0]], extra[0])


def test_a_damaged_record_ends_the_journal_there(tmp_path):
    journal = EmbedJournal(tmp_path, "model-a", 8)
    journal.open()
    journal.append(_hashes(4), _vectors(4))
    journal.close()
    data = bytearray(journal.path.read_bytes())
    record = (len(data) - len(journal._header)) // 4
    data[len(journal._header) + 2 * record + 30] ^= 0xFF  # a flipped bit inside the third vector
    journal.path.write_bytes(bytes(data))
    assert list(EmbedJournal(tmp_path, "model-a", 8).open()) == _hashes(2)


def test_another_models_journal_is_not_used(tmp_path):
    journal = EmbedJournal(tmp_path, "model-a", 8)
    journal.open()
    journal.append(_hashes(2), _vectors(2))
    journal.close()
    assert EmbedJournal(tmp_path, "model-b", 8).open() == {}
    assert EmbedJournal(tmp_path, "model-a", 16).open() == {}


def test_remove_deletes_the_journal(tmp_path):
    journal = EmbedJournal(tmp_path, "model-a", 8)
    journal.open()
    journal.append(_hashes(1), _vectors(1))
    journal.remove()
    assert not journal.path.exists()
