"""store: documents survive the trip through a shard unchanged; versions appear whole or not at all."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, SEED

from policybot.document import Clause, Document
from policybot.errors import IndexCorrupt, IndexMismatch
from policybot.index.bm25 import assemble, bag_of
from policybot.index.manifest import DERIVED_ID, SCHEMA_VERSION, DocumentEntry, Manifest
from policybot.index.store import (
    CLAUSE_FIELDS,
    Shard,
    VersionWriter,
    document_entry,
    document_from_dict,
    document_to_dict,
    read_manifest,
    read_shard,
    restore_derived,
    verify,
)
from policybot.ingest.corpus import read_document


@pytest.mark.parametrize(
    "path",
    [SEED, DATA / "gbk_notice.txt", DATA / "fullwidth_units.txt", DATA / "sample.docx", DATA / "page_with_nav.html"],
)
def test_every_field_of_a_document_round_trips(path: Path) -> None:
    doc = read_document(path)
    assert document_from_dict(document_to_dict(doc)) == doc


def test_the_format_names_every_field_of_the_records() -> None:
    assert set(CLAUSE_FIELDS) == {f.name for f in dataclasses.fields(Clause)}
    assert set(document_to_dict(read_document(SEED))) == {f.name for f in dataclasses.fields(Document)}


def a_shard(doc: Document) -> Shard:
    vocab: dict[str, int] = {}
    bags = assemble([bag_of(["特色小镇", "用地"], vocab), bag_of(["资金"], vocab)])
    return Shard(
        doc=doc,
        clause_pos=np.array([0, 1], np.int32),
        parts=np.array([0, 0], np.int32),
        hashes=["a" * 24, "b" * 24],
        vectors=np.arange(8, dtype=np.float32).reshape(2, 4),
        bags=bags,
    )


def test_a_published_version_reads_back_and_checks_its_files(tmp_path: Path) -> None:
    shard = a_shard(read_document(SEED))
    writer = VersionWriter(tmp_path)
    name = writer.add_shard(shard)
    version, sealed = writer.publish(Manifest(embedder_id="hash", embedder_dim=4))
    assert not list(tmp_path.glob("*.tmp"))

    found, manifest = read_manifest(tmp_path)
    assert (
        found == version and manifest == sealed and set(manifest.files) == {f"shards/{name}.json", f"shards/{name}.bin"}
    )
    verify(version, manifest)
    back = read_shard(version, name)
    assert back.doc == shard.doc and back.hashes == shard.hashes
    np.testing.assert_array_equal(back.vectors, shard.vectors)
    np.testing.assert_array_equal(back.bags.terms, shard.bags.terms)

    (version / "shards" / f"{name}.bin").write_bytes(b"PK\x03\x04 not the arrays")
    with pytest.raises(IndexCorrupt, match=r"checksum mismatch.*policybot index"):
        verify(version, manifest)


def test_an_unpublished_version_is_invisible(tmp_path: Path) -> None:
    first = VersionWriter(tmp_path)
    first.add_shard(a_shard(read_document(SEED)))
    published, _ = first.publish(Manifest(embedder_id="hash", embedder_dim=4))
    second = VersionWriter(tmp_path)
    second.add_shard(a_shard(read_document(DATA / "gbk_notice.txt")))
    assert read_manifest(tmp_path)[0] == published  # until publish(), readers see the old version
    second.discard()
    assert not second.folder.exists()


def test_an_index_of_another_format_says_to_rebuild(tmp_path: Path) -> None:
    VersionWriter(tmp_path).publish(Manifest(schema_version=SCHEMA_VERSION - 1))
    with pytest.raises(IndexMismatch, match="policybot index"):
        read_manifest(tmp_path)


def test_what_a_manifest_carries_about_a_shard_comes_back_and_nonsense_is_ignored(tmp_path: Path) -> None:
    shard = dataclasses.replace(
        a_shard(read_document(SEED)), fingerprint="ab" * 32, words=("市自然资源局", "遵义市人民政府办公室")
    )
    words = ("其他", "市自然资源局", "遵义市人民政府办公室")
    entry = document_entry(shard, {w: i for i, w in enumerate(words)})
    assert (entry.fingerprint, entry.words) == ("ab" * 32, (1, 2))
    manifest = Manifest(extra_words=words, derived=DERIVED_ID, documents=(entry,))
    read_back = Manifest.from_json(manifest.to_json(), tmp_path / "manifest.json")
    assert read_back == manifest
    back = a_shard(read_document(SEED))
    back = restore_derived(back, read_back.documents[0], read_back)
    assert (back.fingerprint, back.words) == (shard.fingerprint, shard.words)
    older = Manifest(extra_words=words, derived="fingerprint-v0")  # written by code that derived them another way
    nonsense = [{"fingerprint": "not hex", "words": [7]}, {"fingerprint": 5}, {"words": "市自然资源局"}, {}]
    plain = {"doc_id": "d", "source": "d.txt", "title": "t", "shard": "s", "rows": 2, "clauses": 2}
    for bad in nonsense:
        data = {**manifest.to_json(), "documents": [{**plain, **bad}]}
        read = Manifest.from_json(data, tmp_path / "manifest.json")
        fresh = a_shard(read_document(SEED))
        fresh = restore_derived(fresh, read.documents[0], read)
        assert (fresh.fingerprint, fresh.words) == ("", None)  # derived again when needed
    fresh = a_shard(read_document(SEED))
    fresh = restore_derived(fresh, entry, older)
    assert (fresh.fingerprint, fresh.words) == ("", None)


def test_a_manifest_missing_what_it_cannot_do_without_names_it_and_says_to_rebuild(tmp_path: Path) -> None:
    good = Manifest(embedder_id="hash", embedder_dim=4, documents=(DocumentEntry("d", "d.txt", "t", "s", 2, 2),))
    where = tmp_path / "manifest.json"
    assert Manifest.from_json(good.to_json(), where) == good
    data = good.to_json()
    del data["embedder"]
    with pytest.raises(IndexCorrupt, match="嵌入模型.*policybot index"):
        Manifest.from_json(data, where)
    data = good.to_json()
    del data["documents"][0]["shard"]
    with pytest.raises(IndexCorrupt, match="manifest.json.*policybot index"):
        Manifest.from_json(data, where)
    with pytest.raises(IndexMismatch, match="policybot index"):
        Manifest.from_json([], where)
