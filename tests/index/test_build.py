"""index: what is built is what is loaded; updates re-embed only what changed; damage is named, never served."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, HashEmbedder, assert_rankings_alike, copy_seed_corpus

from policybot.bot import PolicyBot
from policybot.document import Document
from policybot.errors import IndexCorrupt, IndexMismatch
from policybot.index import build as index_module
from policybot.index.build import BuildReport, build_index, build_index_locked, open_index
from policybot.index.chunks import Chunk, chunk_document
from policybot.index.dense import PatchedIVF, dense_index, patched_ivf, search_rows
from policybot.index.embed import Embedder
from policybot.index.journal import JOURNAL_FILE
from policybot.index.manifest import SCHEMA_VERSION
from policybot.index.reuse import document_words
from policybot.index.segment import Segmenter
from policybot.index.store import CURRENT
from policybot.ingest.corpus import read_corpus
from policybot.retrieve.hybrid import Retriever
from policybot.settings import Settings

SEED_ID = "zunyi-fubanhan-2020-141"
SEED_FILE = f"{SEED_ID}.txt"


class PausingEmbedder(HashEmbedder):
    """Holds a build inside embedding until released, so a test can act while the build is under way."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.busy = 0
        self.most_busy = 0
        self._count = threading.Lock()

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        with self._count:
            self.busy += 1
            self.most_busy = max(self.most_busy, self.busy)
        self.entered.set()
        try:
            assert self.release.wait(timeout=30), "test never released the build"
            return super().encode_passages(texts)
        finally:
            with self._count:
                self.busy -= 1


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    """One segmenter for the module (a new one costs a second to load the jieba dictionary)."""
    return Segmenter()


def make_corpus(folder: Path, *extra: str) -> Path:
    """The seed corpus plus test documents from tests/data."""
    copy_seed_corpus(folder)
    for name in extra:
        shutil.copy(DATA / name, folder / name)
    return folder


def read(corpus: Path) -> list[Document]:
    documents, errors = read_corpus(corpus)
    assert errors == []
    return documents


def build(corpus: Path, index_dir: Path, segmenter: Segmenter, embedder: Embedder) -> BuildReport:
    """Index the corpus folder the way `policybot index` does."""
    return build_index(read(corpus), index_dir, segmenter, embedder)


def expected_chunks(documents: list[Document]) -> list[Chunk]:
    return [c for d in sorted(documents, key=lambda d: d.doc_id) for c in chunk_document(d)]


def version_dirs(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("v-"))


def published(index_dir: Path) -> Path:
    return index_dir / (index_dir / CURRENT).read_text(encoding="utf-8").strip()


def edit_seed(corpus: Path, old: str, new: str) -> None:
    path = corpus / SEED_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- round trip ---------------------------------------------------------------


def test_index_round_trips_through_disk(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus", "gbk_notice.txt")
    embedder = HashEmbedder()
    documents = read(corpus)
    report = build_index(documents, tmp_path / "index", segmenter, embedder)
    index = open_index(tmp_path / "index", embedder_id=embedder.id)

    chunks = expected_chunks(documents)
    assert report.documents == 2
    assert report.chunks == len(chunks) == index.rows
    assert index.chunks() == chunks
    assert [index.clause_at(i) for i in range(index.rows)] == [
        (c.doc_id, index.clause(c.doc_id, c.clause_id)) for c in chunks
    ]
    assert index.documents == {d.doc_id: d for d in documents}  # every field, every clause, units included
    np.testing.assert_allclose(index.all_vectors(), embedder._vectors([c.search_text for c in chunks]), atol=1e-6)
    assert index.dense.ntotal == len(chunks)
    assert index.embedder_id == embedder.id


def test_search_is_the_same_after_reopening_in_a_new_bot(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env={}, corpus_dir=make_corpus(tmp_path / "corpus", "gbk_notice.txt"), index_dir=tmp_path / "index"
    )
    first = PolicyBot(settings, HashEmbedder())
    first.build()
    queries = ["人地挂钩", "小规模纳税人增值税", "遵义市人民政府办公室"]
    before = [first.search(q, k=3).hits for q in queries]

    second = PolicyBot(settings, HashEmbedder())
    assert second.index_is_current()
    assert second.ensure_index() is None  # loaded, not rebuilt
    after = [second.search(q, k=3).hits for q in queries]
    assert after == before
    assert before[0][0].clause_id == "3.r2.3"
    assert before[1][0].doc_id == "gbk_notice"


# --- incremental updates ------------------------------------------------------


def test_changing_one_clause_re_embeds_only_changed_chunks(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus", "gbk_notice.txt")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    first = build(corpus, index_dir, segmenter, embedder)
    assert (first.embedded, first.reused) == (first.chunks, 0)
    fingerprint = open_index(index_dir).manifest.corpus_fingerprint

    old_hashes = {c.text_hash for c in expected_chunks(read(corpus))}
    edit_seed(corpus, "在建设用地审批中应保尽保", "在建设用地审批中优先保障")
    new_chunks = expected_chunks(read(corpus))
    changed = [c for c in new_chunks if c.text_hash not in old_hashes]
    assert [c.clause_id for c in changed] == ["3.r2.3"]

    embedded_before = embedder.passages_embedded
    second = build(corpus, index_dir, segmenter, embedder)
    assert second.embedded == len(changed)
    assert second.reused == len(new_chunks) - len(changed)
    assert embedder.passages_embedded - embedded_before == len(changed)

    index = open_index(index_dir)
    assert index.manifest.corpus_fingerprint != fingerprint
    assert "优先保障" in index.clause(SEED_ID, "3.r2.3").text
    # reused vectors are the very vectors of the same text
    np.testing.assert_allclose(index.all_vectors(), embedder._vectors([c.search_text for c in new_chunks]), atol=1e-6)
    hit = Retriever(index, segmenter, embedder).search("优先保障", k=1).hits[0]
    assert (hit.doc_id, hit.clause_id) == (SEED_ID, "3.r2.3")

    # the GBK document changes too: again only its changed chunk is embedded
    gbk = corpus / "gbk_notice.txt"
    gbk.write_bytes(gbk.read_bytes().decode("gbk").replace("15万元", "20万元").encode("gbk"))
    before = {c.text_hash for c in new_chunks}
    changed = [c for c in expected_chunks(read(corpus)) if c.text_hash not in before]
    assert len(changed) == 1 and changed[0].doc_id == "gbk_notice"
    third = build(corpus, index_dir, segmenter, embedder)
    assert (third.embedded, third.reused) == (1, third.chunks - 1)


def test_unchanged_corpus_rebuild_embeds_nothing(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    embedder = HashEmbedder()
    first = build(corpus, tmp_path / "index", segmenter, embedder)
    fingerprint = open_index(tmp_path / "index").manifest.corpus_fingerprint
    again = build(corpus, tmp_path / "index", segmenter, embedder)
    assert (again.embedded, again.reused, again.chunks) == (0, first.chunks, first.chunks)
    assert open_index(tmp_path / "index").manifest.corpus_fingerprint == fingerprint


class DyingEmbedder(HashEmbedder):
    """Fails after a number of passage batches, as a build does when the machine loses power mid-way."""

    def __init__(self, batches: int) -> None:
        super().__init__()
        self.batches_left = batches

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if self.batches_left == 0:
            raise KeyboardInterrupt("build interrupted")
        self.batches_left -= 1
        return super().encode_passages(texts)


def test_an_interrupted_build_resumes_from_the_vectors_it_computed(
    tmp_path: Path, segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("policybot.index.build.EMBED_BATCH", 8)  # the test corpus is smaller than one real batch
    corpus = make_corpus(tmp_path / "corpus", "gbk_notice.txt")
    index_dir = tmp_path / "index"
    dying = DyingEmbedder(batches=1)
    with pytest.raises(KeyboardInterrupt):
        build(corpus, index_dir, segmenter, dying)
    # what was published is the keyword version, made before embedding: no chunk is searched by meaning yet
    assert open_index(index_dir).semantic_coverage == 0.0
    computed = dying.passages_embedded
    assert computed == 8

    embedder = HashEmbedder()
    report = build(corpus, index_dir, segmenter, embedder)
    assert (report.resumed, report.embedded) == (computed, report.chunks - computed)
    assert embedder.passages_embedded == report.chunks - computed
    assert not (index_dir / JOURNAL_FILE).exists()  # published: the journal has done its work
    fresh_dir = tmp_path / "fresh"
    build(corpus, fresh_dir, segmenter, HashEmbedder())
    np.testing.assert_array_equal(open_index(index_dir).all_vectors(), open_index(fresh_dir).all_vectors())


def test_another_models_journal_is_not_resumed(
    tmp_path: Path, segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("policybot.index.build.EMBED_BATCH", 8)
    corpus = make_corpus(tmp_path / "corpus")
    with pytest.raises(KeyboardInterrupt):
        build(corpus, tmp_path / "index", segmenter, DyingEmbedder(batches=1))
    other = HashEmbedder(id="another-model")
    report = build(corpus, tmp_path / "index", segmenter, other)
    assert (report.resumed, other.passages_embedded) == (0, report.chunks)


def test_adding_a_document_embeds_only_its_chunks(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    first = build(corpus, index_dir, segmenter, embedder)

    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")
    added = [d for d in read(corpus) if d.doc_id == "gbk_notice"]
    second = build(corpus, index_dir, segmenter, embedder)
    assert second.embedded == len(chunk_document(added[0]))
    assert second.reused == first.chunks
    assert second.documents == 2

    index = open_index(index_dir)
    assert set(index.documents) == {SEED_ID, "gbk_notice"}
    hit = Retriever(index, segmenter, embedder).search("小规模纳税人免征增值税", k=1).hits[0]
    assert hit.doc_id == "gbk_notice"


def test_removing_a_document_removes_its_chunks(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus", "gbk_notice.txt")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    build(corpus, index_dir, segmenter, embedder)
    retriever = Retriever(open_index(index_dir), segmenter, embedder)
    assert retriever.search("小规模纳税人免征增值税", k=1).hits[0].doc_id == "gbk_notice"

    (corpus / "gbk_notice.txt").unlink()
    report = build(corpus, index_dir, segmenter, embedder)
    assert (report.documents, report.embedded) == (1, 0)

    index = open_index(index_dir)
    assert set(index.documents) == {SEED_ID}
    assert {c.doc_id for c in index.chunks()} == {SEED_ID}
    assert index.dense.ntotal == index.rows == report.chunks
    hits = Retriever(index, segmenter, embedder).search("小规模纳税人免征增值税", k=10).hits
    assert all(h.doc_id != "gbk_notice" for h in hits)


# --- embedder and damage ------------------------------------------------------


def test_embedder_mismatch_names_both_models(tmp_path: Path, segmenter: Segmenter) -> None:
    embedder = HashEmbedder("hash-model-a")
    build(make_corpus(tmp_path / "corpus"), tmp_path / "index", segmenter, embedder)
    with pytest.raises(IndexMismatch) as err:
        open_index(tmp_path / "index", embedder_id="other")
    assert "hash-model-a" in str(err.value) and "other" in str(err.value)
    assert "policybot index" in str(err.value)
    assert open_index(tmp_path / "index", embedder_id="hash-model-a").embedder_id == "hash-model-a"


def test_switching_embedder_re_embeds_everything(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    first = build(corpus, tmp_path / "index", segmenter, HashEmbedder("hash-model-a"))
    # vectors of another model are never reused, even for unchanged text
    second = build(corpus, tmp_path / "index", segmenter, HashEmbedder("hash-model-b"))
    assert (second.embedded, second.reused) == (first.chunks, 0)
    assert open_index(tmp_path / "index", embedder_id="hash-model-b").manifest.embedder_id == "hash-model-b"


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(middle, min(middle + 16, len(data))):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def shard_file(index_dir: Path, doc_id: str, suffix: str) -> Path:
    """A file of one document's shard in the published version."""
    version = published(index_dir)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    name = next(d["shard"] for d in manifest["documents"] if d["doc_id"] == doc_id)
    return version / "shards" / f"{name}{suffix}"


# what is damaged → (how, which documents' chunks the repair must embed again)
DAMAGE = {
    "flipped-seed-vectors": (lambda d: flip_bytes(shard_file(d, SEED_ID, ".bin")), {SEED_ID}),
    "truncated-seed-clauses": (lambda d: truncate(shard_file(d, SEED_ID, ".json")), {SEED_ID}),
    "missing-gbk-shard": (lambda d: shard_file(d, "gbk_notice", ".json").unlink(), {"gbk_notice"}),
    # the words' ids are lost, not the vectors: everything is segmented again, nothing embedded again
    "missing-vocabulary": (lambda d: (published(d) / "vocab.json").unlink(), set()),
    "garbled-manifest": (lambda d: truncate(published(d) / "manifest.json"), {SEED_ID, "gbk_notice"}),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_refused_and_rebuild_repairs_it(tmp_path: Path, segmenter: Segmenter, damage: str) -> None:
    corpus = make_corpus(tmp_path / "corpus", "gbk_notice.txt")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    first = build(corpus, index_dir, segmenter, embedder)
    spoil, redo = DAMAGE[damage]
    spoil(index_dir)

    with pytest.raises(IndexCorrupt) as err:
        open_index(index_dir, embedder_id=embedder.id)
    assert "policybot index" in str(err.value)

    repaired = build(corpus, index_dir, segmenter, embedder)
    # only what was damaged is embedded again; intact documents are reused
    assert repaired.embedded == sum(len(chunk_document(d)) for d in read(corpus) if d.doc_id in redo)
    index = open_index(index_dir, embedder_id=embedder.id)
    assert index.rows == first.chunks
    assert index.chunks() == expected_chunks(read(corpus))
    np.testing.assert_allclose(
        index.all_vectors(), embedder._vectors([c.search_text for c in index.chunks()]), atol=1e-6
    )
    assert Retriever(index, segmenter, embedder).search("人地挂钩", k=1).hits[0].clause_id == "3.r2.3"


def test_no_index_yet_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexCorrupt, match="policybot index"):
        open_index(tmp_path / "index")


def test_pointer_to_a_missing_version_is_refused(tmp_path: Path, segmenter: Segmenter) -> None:
    index_dir = tmp_path / "index"
    build(make_corpus(tmp_path / "corpus"), index_dir, segmenter, HashEmbedder())
    shutil.rmtree(published(index_dir))
    with pytest.raises(IndexCorrupt, match="policybot index"):
        open_index(index_dir)


def test_orphan_half_written_version_is_ignored_then_cleaned(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    first = build(corpus, index_dir, segmenter, embedder)
    good = published(index_dir).name

    # a build that died while writing, and one that died before publishing its pointer
    orphan = index_dir / "v-20200101-000000-99999-1.tmp"
    (orphan / "shards").mkdir(parents=True)
    (orphan / "shards" / "0123.json").write_bytes(b"\x00garbage{")
    (orphan / "manifest.json").write_text("{not json", encoding="utf-8")
    unpublished = index_dir / "v-20200101-000001-99999-2"
    unpublished.mkdir()
    (unpublished / "vocab.json").write_bytes(b"junk")

    index = open_index(index_dir, embedder_id=embedder.id)
    assert index.rows == first.chunks
    assert index.path.name == good

    again = build(corpus, index_dir, segmenter, embedder)
    assert again.embedded == 0  # the published index was reused, the orphans were not read
    assert not orphan.exists() and not unpublished.exists()
    assert version_dirs(index_dir) == [published(index_dir).name]


def test_manifest_records_schema_model_corpus_time_and_checksums(tmp_path: Path, segmenter: Segmenter) -> None:
    embedder = HashEmbedder()
    report = build(make_corpus(tmp_path / "corpus", "gbk_notice.txt"), tmp_path / "index", segmenter, embedder)
    version = published(tmp_path / "index")
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))

    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["embedder"] == {"id": embedder.id, "dim": embedder.dim}
    assert isinstance(manifest["corpus_fingerprint"], str) and len(manifest["corpus_fingerprint"]) >= 16
    datetime.strptime(manifest["built_at"], "%Y-%m-%dT%H:%M:%S%z")
    assert manifest["chunks"] == report.chunks
    assert {d["doc_id"] for d in manifest["documents"]} == {SEED_ID, "gbk_notice"}

    assert manifest["dense"]["kind"] == "flat"  # a small corpus is scanned exactly
    files = manifest["files"]
    shards = {d["shard"] for d in manifest["documents"]}
    assert set(files) == {"vocab.json"} | {f"shards/{s}{suffix}" for s in shards for suffix in (".json", ".bin")}
    for name, digest in files.items():
        assert hashlib.sha256((version / name).read_bytes()).hexdigest() == digest, name
    # every data file of the version is covered by a checksum
    on_disk = {str(p.relative_to(version)) for p in version.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == set(files)


# --- concurrency --------------------------------------------------------------


def test_two_concurrent_builds_are_serialised(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus", "gbk_notice.txt")
    index_dir = tmp_path / "index"
    embedder = PausingEmbedder()
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(build, corpus, index_dir, segmenter, embedder)
        assert embedder.entered.wait(timeout=30)
        second = pool.submit(build, corpus, index_dir, segmenter, embedder)
        # the second build waits on the lock while the first one is embedding
        finished, _ = wait([second], timeout=0.5)
        assert not finished
        embedder.release.set()
        reports = [first.result(timeout=60), second.result(timeout=60)]

    chunks = reports[0].chunks
    assert embedder.most_busy == 1
    # the second build ran after the first was published, so it reused every vector
    assert [(r.embedded, r.reused) for r in reports] == [(chunks, 0), (0, chunks)]
    index = open_index(index_dir, embedder_id=embedder.id)
    assert index.rows == chunks
    assert version_dirs(index_dir) == [index.path.name]


def test_readers_see_the_old_index_until_the_new_one_is_published(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    build(corpus, index_dir, segmenter, HashEmbedder())
    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")

    embedder = PausingEmbedder()
    with ThreadPoolExecutor(max_workers=1) as pool:
        update = pool.submit(build, corpus, index_dir, segmenter, embedder)
        assert embedder.entered.wait(timeout=30)
        during = open_index(index_dir)  # mid-build: the complete old index, checksums and all
        embedder.release.set()
        update.result(timeout=60)
    assert set(during.documents) == {SEED_ID}
    assert set(open_index(index_dir).documents) == {SEED_ID, "gbk_notice"}


# --- what an update writes ----------------------------------------------------


def shard_inodes(index_dir: Path) -> dict[str, int]:
    """doc_id → inode of its shard's arrays in the published version."""
    version = published(index_dir)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    return {d["doc_id"]: (version / "shards" / f"{d['shard']}.bin").stat().st_ino for d in manifest["documents"]}


def test_an_update_writes_only_the_changed_document(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus", "gbk_notice.txt")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    build(corpus, index_dir, segmenter, embedder)
    before = shard_inodes(index_dir)

    edit_seed(corpus, "在建设用地审批中应保尽保", "在建设用地审批中优先保障")
    build(corpus, index_dir, segmenter, embedder)
    after = shard_inodes(index_dir)
    assert after["gbk_notice"] == before["gbk_notice"]  # the same file, linked into the new version
    assert after[SEED_ID] != before[SEED_ID]
    assert version_dirs(index_dir) == [published(index_dir).name]


def test_an_incremental_index_answers_like_a_fresh_one(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    embedder = HashEmbedder()
    build(corpus, tmp_path / "stepwise", segmenter, embedder)
    for name in ("gbk_notice.txt", "fullwidth_units.txt"):
        shutil.copy(DATA / name, corpus / name)
        build(corpus, tmp_path / "stepwise", segmenter, embedder)
    fresh_segmenter = Segmenter()
    build(corpus, tmp_path / "fresh", fresh_segmenter, embedder)

    stepwise, fresh = open_index(tmp_path / "stepwise"), open_index(tmp_path / "fresh")
    assert stepwise.manifest.corpus_fingerprint == fresh.manifest.corpus_fingerprint
    np.testing.assert_array_equal(stepwise.all_vectors(), fresh.all_vectors())
    for query in ("人地挂钩", "小规模纳税人增值税", "市委统战部", "牵头单位"):
        got = Retriever(stepwise, segmenter, embedder).search(query, k=5).hits
        want = Retriever(fresh, fresh_segmenter, embedder).search(query, k=5).hits
        assert [(h.doc_id, h.clause_id, round(h.score, 5)) for h in got] == [
            (h.doc_id, h.clause_id, round(h.score, 5)) for h in want
        ]


def test_a_word_learnt_from_a_new_document_re_segments_old_ones(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    segmenter = Segmenter()
    embedder = HashEmbedder()
    build(corpus, tmp_path / "index", segmenter, embedder)
    word = "国土空间规划体系"  # in the seed's text, but not a word jieba knows: cut into parts there
    assert word not in open_index(tmp_path / "index").vocab
    # a new document names it as a unit, so jieba learns it as one word
    (corpus / "new_unit.txt").write_text(
        f"关于小城镇规划的补充通知\n一、加强统筹\n做好小城镇规划统筹工作。（牵头单位：{word}）\n", encoding="utf-8"
    )
    report = build(corpus, tmp_path / "index", segmenter, embedder)
    index = open_index(tmp_path / "index")
    seed_terms = set(index.shards[SEED_ID].bags.terms.tolist())
    assert index.vocab[word] in seed_terms  # the seed's chunks were cut again with the new word
    assert report.embedded == len(chunk_document(index.documents["new_unit"]))  # and not embedded again
    hits = Retriever(index, segmenter, embedder).search(word, k=3).hits
    assert SEED_ID in {h.doc_id for h in hits}


def test_ivf_index_keeps_its_cells_across_updates(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    build_index(read(corpus), index_dir, segmenter, embedder, dense_kind="ivf")
    first = open_index(index_dir)
    assert first.manifest.dense_kind == "ivf" and first.cells is not None

    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")
    report = build_index(read(corpus), index_dir, segmenter, embedder, dense_kind="ivf")
    second = open_index(index_dir)
    np.testing.assert_array_equal(second.centroids, first.centroids)  # not trained again
    seed = second.row_start[SEED_ID]
    np.testing.assert_array_equal(second.cells[seed : seed + first.rows], first.cells)
    # every chunk sits in the cell nearest to it, the new ones included
    nearest = np.argmax(second.all_vectors() @ second.centroids.T, axis=1)
    np.testing.assert_array_equal(second.cells, nearest)
    # the in-memory index the build returns searches like the one read back from disk
    assert report.index is not None
    for query in ("人地挂钩", "小规模纳税人增值税"):
        in_memory = Retriever(report.index, segmenter, embedder).search(query, k=3).hits
        assert in_memory == Retriever(second, segmenter, embedder).search(query, k=3).hits


def test_damaged_ivf_cells_are_trained_again_without_embedding(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    build_index(read(corpus), index_dir, segmenter, embedder, dense_kind="ivf")
    flip_bytes(published(index_dir) / "dense.npz")
    with pytest.raises(IndexCorrupt, match="policybot index"):
        open_index(index_dir)
    repaired = build_index(read(corpus), index_dir, segmenter, embedder, dense_kind="ivf")
    assert repaired.embedded == 0
    assert open_index(index_dir).dense.ntotal == repaired.chunks


def test_a_loaded_index_has_each_document_s_fingerprint_and_words_without_deriving_them(
    tmp_path: Path, segmenter: Segmenter
) -> None:
    corpus = make_corpus(tmp_path / "corpus", "fullwidth_units.txt")
    built = build(corpus, tmp_path / "index", segmenter, HashEmbedder()).index
    # read from the manifest, not derived again: that was 0.6 s of the first update after a start at 1,000 documents
    loaded = open_index(tmp_path / "index")
    for doc_id, shard in loaded.shards.items():
        assert shard.fingerprint == built.shards[doc_id].fingerprint != ""
        assert shard.words == tuple(sorted(document_words(shard.doc)))
        assert "市自然资源局" in shard.words or doc_id != SEED_ID


def test_an_update_patches_bm25_which_scores_as_a_full_build(tmp_path: Path, segmenter: Segmenter) -> None:
    corpus = make_corpus(tmp_path / "corpus", "fullwidth_units.txt")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    build(corpus, index_dir, segmenter, embedder)
    loaded = open_index(index_dir)
    # nothing changed yet: the loaded structures serve as they are
    same = build_index_locked(read(corpus), index_dir, segmenter, embedder, previous=loaded).index
    assert same.bm25 is loaded.bm25
    loaded = same
    # a clause edited (with a word the corpus never had), a document added and one removed
    edit_seed(corpus, "在建设用地审批中应保尽保", "在建设用地审批中应保尽保，实行专班调度")
    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")
    (corpus / "fullwidth_units.txt").unlink()
    report = build_index_locked(read(corpus), index_dir, segmenter, embedder, previous=loaded)
    patched = report.index.bm25
    assert patched.model is None and patched.base is loaded.bm25.base and patched.rows == report.chunks
    full = open_index(index_dir).bm25  # the same version read back: BM25 built whole
    queries = ["建设用地审批应保尽保", "专班调度", "人地挂钩 用地指标", "通知 公告 企业"]
    for query in queries:
        tokens = segmenter.tokens(query)
        np.testing.assert_array_equal(patched.get_scores(tokens), full.get_scores(tokens))
    report.index.settle_bm25()
    assert report.index.bm25.model is not None
    for query in queries:
        tokens = segmenter.tokens(query)
        np.testing.assert_array_equal(report.index.bm25.get_scores(tokens), full.get_scores(tokens))


def test_the_app_settles_a_patched_bm25_on_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    bot = PolicyBot(Settings.from_env(env={}, corpus_dir=corpus, index_dir=tmp_path / "index"), HashEmbedder())
    bot.build()
    settled = threading.Event()
    settle = index_module.PolicyIndex.settle_bm25

    def settle_and_tell(index) -> None:
        assert index.bm25.model is None  # the update left it patched
        settle(index)
        settled.set()

    monkeypatch.setattr(index_module.PolicyIndex, "settle_bm25", settle_and_tell)
    edit_seed(corpus, "在建设用地审批中应保尽保", "在建设用地审批中优先保障")
    bot.build()
    assert settled.wait(timeout=30)
    assert bot.index.bm25.model is not None
    assert bot.search("优先保障", k=3).hits[0].doc_id == SEED_ID


def found_by(index, queries: np.ndarray, allowed: np.ndarray | None = None) -> list[list[tuple[int, float]]]:
    """For each query, every row the index returns (k = all rows) with its score."""
    out = []
    for query in queries:
        scores, rows = search_rows(index, query, len(queries), allowed)
        out.append([(int(r), float(s)) for r, s in zip(rows, scores, strict=True)])
    return out


def test_an_ivf_update_of_the_loaded_index_searches_like_a_fresh_fill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = make_corpus(tmp_path / "corpus", "fullwidth_units.txt")
    settings = Settings.from_env(env={}, corpus_dir=corpus, index_dir=tmp_path / "index", dense_kind="ivf")
    bot = PolicyBot(settings, HashEmbedder())
    bot.build()
    filled = bot.index.dense
    bot.build()
    assert bot.index.dense is filled  # nothing changed: the loaded index serves as it is
    patches = []
    monkeypatch.setattr(index_module, "patched_ivf", lambda *a: patches.append(a) or patched_ivf(*a))

    def same_as_a_fresh_fill() -> None:
        report, _ = bot.build()
        built = report.index
        assert built is not None and built.dense.ntotal == built.rows
        # patched, not copied: the index filled at the first build still holds the vectors
        assert isinstance(built.dense, PatchedIVF) and built.dense.base is filled
        fresh = dense_index("ivf", list(built.shards.values()), built.dense.d, built.centroids, built.cells)
        queries = built.all_vectors()
        assert_rankings_alike(found_by(built.dense, queries), found_by(fresh, queries))
        some = np.arange(built.rows) % 3 == 0
        assert_rankings_alike(found_by(built.dense, queries, some), found_by(fresh, queries, some))

    # an edited clause, a new document and a removed one; then a document that sorts first, so that every row
    # after it moves; then the edit undone (a patch of a patch each time)
    edit_seed(corpus, "在建设用地审批中应保尽保", "在建设用地审批中优先保障")
    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")
    (corpus / "fullwidth_units.txt").unlink()
    same_as_a_fresh_fill()
    shutil.copy(DATA / "fullwidth_units.txt", corpus / "a_first.txt")
    same_as_a_fresh_fill()
    edit_seed(corpus, "优先保障", "应保尽保")
    same_as_a_fresh_fill()
    assert len(patches) == 3
    assert set(bot.index.documents) == {SEED_ID, "gbk_notice", "a_first"}
    assert bot.search("人地挂钩", k=3).hits[0].doc_id == SEED_ID


def test_an_update_leaves_the_shards_of_the_index_still_serving_as_they_were(
    tmp_path: Path, segmenter: Segmenter
) -> None:
    corpus = make_corpus(tmp_path / "corpus", "fullwidth_units.txt")
    index_dir = tmp_path / "index"
    embedder = HashEmbedder()
    build(corpus, index_dir, segmenter, embedder)
    serving = open_index(index_dir)
    before = {
        d: (s.name, s.fingerprint, s.words, s.bags, s.vectors.copy(), list(s.hashes)) for d, s in serving.shards.items()
    }
    edit_seed(corpus, "在建设用地审批中应保尽保", "在建设用地审批中应保尽保，实行专班调度")
    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")
    updated = build_index_locked(read(corpus), index_dir, segmenter, embedder, previous=serving).index
    assert updated is not None and updated.shards[SEED_ID].name != serving.shards[SEED_ID].name
    for doc_id, (name, fingerprint, words, bags, vectors, hashes) in before.items():
        shard = serving.shards[doc_id]
        assert (shard.name, shard.fingerprint, shard.words, shard.hashes) == (name, fingerprint, words, hashes)
        assert shard.bags is bags
        np.testing.assert_array_equal(shard.vectors, vectors)
    with pytest.raises(dataclasses.FrozenInstanceError):
        serving.shards[SEED_ID].name = "changed"  # type: ignore[misc]
