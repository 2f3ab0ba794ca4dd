"""reuse: an update takes from the previous version every shard, vector and bag that still holds, and no more."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_build import SEED_ID, HashEmbedder, edit_seed, make_corpus, published, read

from policybot.index.build import build_index, open_index
from policybot.index.reuse import Plan, document_words, reusable_from, words_of
from policybot.index.segment import Segmenter


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture()
def built(tmp_path: Path, segmenter: Segmenter) -> tuple[Path, Path]:
    corpus = make_corpus(tmp_path / "corpus", "fullwidth_units.txt")
    index_dir = tmp_path / "index"
    build_index(read(corpus), index_dir, segmenter, HashEmbedder())
    return corpus, index_dir


def test_without_an_index_nothing_is_reusable(tmp_path: Path) -> None:
    nothing = reusable_from(tmp_path / "index", None)
    assert nothing.version is None and nothing.shards == {} and nothing.vocab is None and nothing.words == []


def test_from_disk_and_from_the_loaded_index_a_build_may_take_the_same(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    loaded = open_index(index_dir)
    from_disk, from_memory = reusable_from(index_dir, None), reusable_from(index_dir, loaded)
    assert from_disk.version == from_memory.version == loaded.path
    assert {d: s.name for d, s in from_disk.shards.items()} == {d: s.name for d, s in from_memory.shards.items()}
    assert from_disk.vocab == from_memory.vocab == loaded.vocab
    assert from_disk.words == from_memory.words == loaded.extra_words
    assert (from_disk.embedder_id, from_disk.chunker_id) == (from_memory.embedder_id, from_memory.chunker_id)
    assert from_disk.files == from_memory.files and from_disk.files


def test_a_damaged_shard_is_left_out_alone(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    loaded = open_index(index_dir)
    damaged = loaded.shards[SEED_ID].name
    (published(index_dir) / "shards" / f"{damaged}.bin").write_bytes(b"not the arrays")
    reusable = reusable_from(index_dir, None)
    assert SEED_ID not in reusable.shards
    assert set(reusable.shards) == set(loaded.shards) - {SEED_ID}
    assert reusable.vocab == loaded.vocab  # the vocabulary is intact: the other documents' bags still hold


def test_a_damaged_vocabulary_means_segmenting_again_but_vectors_are_still_reused(
    built: tuple[Path, Path], segmenter: Segmenter
) -> None:
    corpus, index_dir = built
    (published(index_dir) / "vocab.json").write_text("[", encoding="utf-8")
    reusable = reusable_from(index_dir, None)
    assert reusable.vocab is None and reusable.words == [] and reusable.shards
    plan = Plan(reusable, segmenter, HashEmbedder())
    assert not plan.same_bags and plan.same_vectors
    shards, pending = plan.shards_for(read(corpus), set())
    assert pending == [] and all(not s.name for s in shards)  # new shards (new bags), no vector computed


def test_an_unchanged_document_keeps_its_shard_and_an_edited_one_embeds_only_its_new_chunks(
    built: tuple[Path, Path], segmenter: Segmenter
) -> None:
    corpus, index_dir = built
    loaded = open_index(index_dir)
    edit_seed(corpus, "在建设用地审批中应保尽保", "在建设用地审批中应保尽保，实行专班调度")
    documents = sorted(read(corpus), key=lambda d: d.doc_id)
    plan = Plan(reusable_from(index_dir, loaded), segmenter, HashEmbedder())
    shards, pending = plan.shards_for(documents, plan.stale_documents(documents, []))
    by_id = {s.doc.doc_id: s for s in shards}
    for doc_id, old in loaded.shards.items():
        if doc_id != SEED_ID:
            assert by_id[doc_id] is old  # the very shard the serving index holds, unchanged
    edited = by_id[SEED_ID]
    assert not edited.name and 0 < len(pending) < edited.rows
    assert all("专班调度" in p.text for p in pending)
    assert {p.text_hash for p in pending} == set(edited.hashes) - set(loaded.shards[SEED_ID].hashes)


def test_a_renamed_file_reuses_the_vectors_of_its_text(built: tuple[Path, Path], segmenter: Segmenter) -> None:
    corpus, index_dir = built
    (corpus / "fullwidth_units.txt").rename(corpus / "改名后的文件.txt")
    plan = Plan(reusable_from(index_dir, None), segmenter, HashEmbedder())
    documents = read(corpus)
    shards, pending = plan.shards_for(documents, set())
    assert "改名后的文件" in {s.doc.doc_id for s in shards} and pending == []


def test_another_embedder_reuses_no_vector(built: tuple[Path, Path], segmenter: Segmenter) -> None:
    corpus, index_dir = built
    plan = Plan(reusable_from(index_dir, None), segmenter, HashEmbedder("another-model"))
    shards, pending = plan.shards_for(read(corpus), set())
    assert len(pending) == sum(s.rows for s in shards)


def test_a_word_just_taught_to_jieba_makes_the_documents_holding_it_stale(
    built: tuple[Path, Path], segmenter: Segmenter
) -> None:
    corpus, index_dir = built
    documents = read(corpus)
    plan = Plan(reusable_from(index_dir, None), segmenter, HashEmbedder())
    assert plan.stale_documents(documents, []) == set()
    assert plan.stale_documents(documents, ["特色小镇"]) == {SEED_ID}  # only the seed plan speaks of them
    assert plan.stale_documents(documents, ["从未出现的词语"]) == set()


def test_a_document_s_words_are_its_title_issuer_and_units_taken_from_its_old_shard_while_unchanged(
    built: tuple[Path, Path],
) -> None:
    corpus, index_dir = built
    reusable = reusable_from(index_dir, None)
    seed = next(d for d in read(corpus) if d.doc_id == SEED_ID)
    words = document_words(seed)
    assert {seed.title, "市自然资源局"} <= words
    assert words_of(seed, reusable) == words
    changed = dataclasses.replace(seed, title="另一个标题")
    assert "另一个标题" in words_of(changed, reusable)  # the document changed: derived again, not the old shard's
