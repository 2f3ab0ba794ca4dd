"""The Milvus backend against the real engine (Milvus Lite 2.5, a child process): the same answers as the local
backend, filters, updates and deletes, a restart that reopens the collections, and an unreachable server named."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from policybot.answer.replies import answer_json, search_json  # noqa: E402
from policybot.bot import PolicyBot  # noqa: E402
from policybot.errors import BackendUnavailable, IndexMismatch, InputError  # noqa: E402
from policybot.evaluate import read_questions, retrieval_metrics  # noqa: E402
from policybot.index.milvus import MilvusConfig, MilvusStore  # noqa: E402
from policybot.retrieve.hybrid import SearchFilter  # noqa: E402
from policybot.settings import REPO_ROOT, Settings  # noqa: E402
from tests.conftest import DATA, HashEmbedder, copy_seed_corpus, free_port  # noqa: E402

QUESTIONS = REPO_ROOT / "bench" / "questions.jsonl"
WHO_LEADS = ("加大用地支持由哪个单位牵头？", "加大财政支持由哪个单位牵头？", "金融支持谁负责？", "规划引领由谁牵头")
SECOND = "fullwidth_units.txt"  # 青府发〔2022〕3号 (undated), another issuer than the seed


def hash_bot(settings: Settings) -> PolicyBot:
    """PolicyBot with the stand-in embedder: the real build, sync and search wiring, without a real model."""
    return PolicyBot(settings, HashEmbedder())


def corpus(folder: Path) -> Path:
    """The seed document, a GBK notice of another city and a third document of another issuer and year."""
    copy_seed_corpus(folder)
    for name in ("gbk_notice.txt", SECOND):
        shutil.copy(DATA / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[PolicyBot, PolicyBot]:
    """A local bot and a Milvus bot over the same corpus, each with its own index folder."""
    root = tmp_path_factory.mktemp("milvus")
    folder = corpus(root / "corpus")
    local = hash_bot(Settings.from_env(env={}, corpus_dir=folder, index_dir=root / "local"))
    local.ensure_index()
    milvus = hash_bot(milvus_settings(folder, root / "index"))
    milvus.ensure_index()
    yield local, milvus
    milvus.close()


def milvus_settings(folder: Path, index_dir: Path, **overrides: object) -> Settings:
    return Settings.from_env(
        env={"POLICYBOT_BACKEND": "milvus", "POLICYBOT_MILVUS_URI": str(index_dir / "milvus.db")},
        corpus_dir=folder,
        index_dir=index_dir,
        **overrides,
    )


def clause_ids(bot: PolicyBot, query: str, flt: SearchFilter | None = None) -> list[tuple[str, str]]:
    return [(h.doc_id, h.clause_id) for h in bot.search(query, k=5, flt=flt).hits]


def test_the_question_set_finds_what_the_local_backend_finds(both: tuple[PolicyBot, PolicyBot]) -> None:
    local, milvus = both
    questions = read_questions(QUESTIONS)
    here, there = retrieval_metrics(local.finder, questions), retrieval_metrics(milvus.finder, questions)
    assert there["questions"] == here["questions"] > 50
    assert abs(there["recall@5"] - here["recall@5"]) <= 0.02
    assert abs(there["recall@1"] - here["recall@1"]) <= 0.02


def test_who_leads_answers_are_the_same_and_say_milvus(both: tuple[PolicyBot, PolicyBot]) -> None:
    local, milvus = both
    for question in WHO_LEADS:
        mine, theirs = milvus.ask(question), local.ask(question)
        assert mine.lead_units == theirs.lead_units, question
        assert [c.clause_id for c in mine.citations[:1]] == [c.clause_id for c in theirs.citations[:1]]
        assert answer_json(mine, milvus.semantic_coverage(), milvus.backend_name)["backend"] == "milvus"
    assert milvus.ask("加大用地支持由哪个单位牵头？").lead_units == ("市自然资源局",)
    result = milvus.search("金融支持")
    assert search_json(result, 1.0, milvus.backend_name)["backend"] == "milvus"
    assert local.backend_name == "local"


def test_the_engine_holds_every_chunk_and_document(both: tuple[PolicyBot, PolicyBot]) -> None:
    _, milvus = both
    index = milvus.index
    assert milvus.milvus.count() == index.rows
    stored = milvus.milvus.documents()
    assert set(stored) == set(index.documents)
    for doc_id, doc in stored.items():  # what a replica reads: the parse itself, clause tree and unit lists
        assert doc.clauses == index.documents[doc_id].clauses
        assert doc.doc_number == index.documents[doc_id].doc_number


def test_filters_let_through_what_they_let_through_locally(both: tuple[PolicyBot, PolicyBot]) -> None:
    local, milvus = both
    second = next(d.doc_id for d in milvus.documents() if d.source == SECOND)
    filters = [
        SearchFilter(doc_ids=(second,)),
        SearchFilter(date_from="2021-01-01"),  # the GBK notice only
        SearchFilter(date_to="2020-12-31"),  # the seed only
        SearchFilter(issuers=("青川市人民政府",)),
        SearchFilter(with_units=True),
    ]
    for flt in filters:
        mine = clause_ids(milvus, "就业 财政 支持", flt)
        assert mine == clause_ids(local, "就业 财政 支持", flt), flt
        assert mine, flt
    assert {d for d, _ in clause_ids(milvus, "就业 财政 支持", filters[0])} == {second}
    assert {d for d, _ in clause_ids(milvus, "就业 财政 支持", filters[1])} == {"gbk_notice"}
    assert all(local.index.clause(d, c).has_units for d, c in clause_ids(milvus, "支持", filters[-1]))


def test_milvus_rankers_fuse_in_the_engine(both: tuple[PolicyBot, PolicyBot]) -> None:
    _, milvus = both
    for ranker in ("rrf", "weighted"):
        bot = hash_bot(dataclasses.replace(milvus.settings, milvus_ranker=ranker))
        bot._milvus = milvus.milvus  # the same connection; only how the backend asks differs
        try:
            found = bot.retriever.search("加大金融支持", k=5)
        finally:
            bot._milvus = None
        assert "hybrid" in found.stages and "bm25" not in found.stages, ranker
        assert len(found.hits) == 5, ranker
        if ranker == "rrf":
            assert found.hits[0].heading == "加大金融支持"
        # Milvus Lite 2.5.1's weighted ranker ranks chunks without a BM25 match above the best one here (README,
        # "Milvus"): only that it runs in the engine is checked


def test_bm25_scores_are_the_local_ones(both: tuple[PolicyBot, PolicyBot]) -> None:
    local, milvus = both
    for query in ("加大金融支持", "就业 财政", "市自然资源局"):
        mine = [(h.clause_id, round(h.bm25_score, 3)) for h in milvus.retriever.search(query, k=5).hits]
        assert mine == [(h.clause_id, round(h.bm25_score, 3)) for h in local.retriever.search(query, k=5).hits]


def test_an_update_writes_only_the_changed_document_and_a_deleted_one_is_never_found(
    tmp_path: Path,
) -> None:
    folder = corpus(tmp_path / "corpus")
    bot = hash_bot(milvus_settings(folder, tmp_path / "index"))
    try:
        bot.ensure_index()
        assert len(bot.last_sync.upserted) == 3
        before = bot.milvus.stored_keys()
        edited = folder / SECOND
        edited.write_text(edited.read_text(encoding="utf-8-sig") + "\n二、发展量子纠缠示范产业\n", encoding="utf-8")
        bot.build()
        second = next(d.doc_id for d in bot.documents() if d.source == SECOND)
        assert bot.last_sync.upserted == (second,) and bot.last_sync.deleted == ()
        after = bot.milvus.stored_keys()
        assert {d for d in after if after[d] != before.get(d)} == {second}
        assert bot.retriever.search("量子纠缠示范").hits[0].heading == "发展量子纠缠示范产业"
        assert bot.milvus.count() == bot.index.rows

        bot.delete_document(second)
        assert bot.last_sync.deleted == (second,)
        assert second not in bot.milvus.stored_keys()
        assert all(h.doc_id != second for h in bot.retriever.search("量子纠缠示范", k=20).hits)
        # not only filtered out on the way back: the engine itself no longer holds it
        assert all(hit["entity"]["doc_id"] != second for hit in bot.milvus.keyword(["量子"], "", 50))
        assert bot.milvus.count() == bot.index.rows
    finally:
        bot.close()


def test_a_restart_reopens_the_collections(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "corpus")
    settings = milvus_settings(folder, tmp_path / "index")
    first = hash_bot(settings)
    first.ensure_index()
    expected = clause_ids(first, "加大金融支持")
    count = first.milvus.count()
    first.close()

    again = hash_bot(settings)
    try:
        assert again.ensure_index() is None  # nothing to build: the index and the collections are there
        assert again.last_sync.upserted == () and again.last_sync.deleted == ()
        assert again.milvus.count() == count
        assert clause_ids(again, "加大金融支持") == expected
    finally:
        again.close()


def test_an_unreachable_server_is_named(tmp_path: Path) -> None:
    uri = f"http://127.0.0.1:{free_port()}"
    bot = hash_bot(milvus_settings(copy_seed_corpus(tmp_path / "corpus"), tmp_path / "index", milvus_uri=uri))
    with pytest.raises(BackendUnavailable, match=f"无法连接 Milvus：{uri}"):
        bot.ensure_index()


def test_a_collection_of_other_vectors_is_refused(both: tuple[PolicyBot, PolicyBot]) -> None:
    _, milvus = both
    config = dataclasses.replace(milvus.milvus.config)
    with pytest.raises(IndexMismatch, match="64 维，当前嵌入模型为 8 维"):
        MilvusStore(config, dim=8)


def test_an_unknown_backend_or_lite_path_is_refused(tmp_path: Path) -> None:
    bot = hash_bot(Settings.from_env(env={"POLICYBOT_BACKEND": "elastic"}, index_dir=tmp_path))
    with pytest.raises(InputError, match="POLICYBOT_BACKEND='elastic'"):
        bot.backend_name  # noqa: B018
    with pytest.raises(InputError, match=r"须以 \.db 结尾"):
        MilvusStore(MilvusConfig(uri=str(tmp_path / "milvus")), dim=8)


def test_a_keyword_only_version_is_searchable_in_milvus_and_its_vectors_follow(tmp_path: Path) -> None:
    from policybot.index import Phases

    bot = hash_bot(milvus_settings(corpus(tmp_path / "corpus"), tmp_path / "index"))  # > 32 chunks: two phases
    try:
        bot.build(phases=Phases(embed=False))  # stopped after the keyword phase, as a long build is at first
        assert bot.semantic_coverage() < 1.0
        assert not bot.milvus.dense(bot.embedder.encode_queries(["金融"])[0], "", 5)  # no vectors yet
        assert bot.retriever.search("加大金融支持").hits[0].heading == "加大金融支持"
        bot.build()
        assert bot.semantic_coverage() == 1.0
        assert set(bot.last_sync.upserted) == set(bot.index.documents)  # rewritten with their vectors
        assert len(bot.milvus.dense(bot.embedder.encode_queries(["金融"])[0], "", 5)) == 5
    finally:
        bot.close()
