"""corpus: the digests of the corpus folder follow every change to its files, reading only the files that changed."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from policybot.ingest import corpus as corpus_module
from policybot.ingest.corpus import FileDigests, meta_name, meta_path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files FileDigests reads."""
    reads: list[str] = []
    real = corpus_module.file_sha256

    def reading(path: Path) -> str:
        reads.append(path.name)
        return real(path)

    monkeypatch.setattr(corpus_module, "file_sha256", reading)
    return reads


def test_unchanged_files_are_not_read_again_and_changed_ones_are(
    tmp_path: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_module, "RACY_NS", -1)  # every file as if written long ago
    for name, text in (("a.txt", "第一份"), ("b.txt", "第二份"), (".hidden", "x")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "folder").mkdir()
    digests = FileDigests()
    first = digests.of_folder(tmp_path)
    assert first == {"a.txt": sha256(tmp_path / "a.txt"), "b.txt": sha256(tmp_path / "b.txt")}
    assert sorted(counted) == ["a.txt", "b.txt"]

    counted.clear()
    assert digests.of_folder(tmp_path) == first
    assert counted == []

    # the same size, new bytes: the mtime (and ctime) tell (past a coarse clock's tick)
    time.sleep(0.02)
    (tmp_path / "b.txt").write_text("第三份", encoding="utf-8")
    second = digests.of_folder(tmp_path)
    assert counted == ["b.txt"] and second["b.txt"] == sha256(tmp_path / "b.txt") != first["b.txt"]


def test_a_file_changed_just_now_is_read_again_next_time(tmp_path: Path, counted: list[str]) -> None:
    # a second write within the clock's granularity could leave size and times as they were: such a file is not
    # trusted to its stat until it is older than RACY_NS, by ctime as well (copied with an old mtime, say)
    (tmp_path / "a.txt").write_text("刚写入", encoding="utf-8")
    (tmp_path / "b.txt").write_text("旧日期", encoding="utf-8")
    os.utime(tmp_path / "b.txt", (0, 0))  # an mtime of 1970, a ctime of now
    digests = FileDigests()
    digests.of_folder(tmp_path)
    digests.of_folder(tmp_path)
    assert counted == ["a.txt", "b.txt", "a.txt", "b.txt"]


def test_a_missing_folder_has_no_files(tmp_path: Path) -> None:
    assert FileDigests().of_folder(tmp_path / "absent") == {}


@pytest.mark.parametrize("name", ["通知.txt", "a.tar.gz", "noext", "v1.2.docx"])
def test_the_sidecar_name_is_the_sidecar_path_s_name(name: str) -> None:
    assert meta_name(name) == meta_path(Path("corpus") / name).name
