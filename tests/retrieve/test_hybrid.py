"""retrieve: keyword and paraphrase queries find their clause, filters hold, hits carry what a citation needs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata

import pytest
from conftest import DATA, HashEmbedder, copy_seed_corpus, subprocess_env

from policybot.bot import PolicyBot
from policybot.index.build import build_index, open_index
from policybot.index.segment import Segmenter
from policybot.ingest.corpus import read_corpus
from policybot.retrieve.hybrid import Hit, Retriever, SearchFilter
from policybot.settings import REPO_ROOT, Settings

SEED_ID = "zunyi-fubanhan-2020-141"
SEED_TITLE = "遵义市加快推动特色小镇和小城镇高质量发展实施方案"
SEED_NUMBER = "遵府办函〔2020〕141号"
HIT_KEYS = {
    "doc_title",
    "doc_number",
    "clause_id",
    "clause_path",
    "heading",
    "text",
    "score",
    "lead_units",
    "responsible_units",
}


@pytest.fixture(scope="module")
def three_docs(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    """The seed (遵义, 2020), gbk_notice (青川 办公室, 2021) and fullwidth_units (青川 政府, no date), stand-in model."""
    root = tmp_path_factory.mktemp("three-docs")
    corpus = copy_seed_corpus(root / "corpus")
    for name in ("gbk_notice.txt", "fullwidth_units.txt"):
        shutil.copy(DATA / name, corpus / name)
    documents, errors = read_corpus(corpus)
    assert errors == []
    segmenter, embedder = Segmenter(), HashEmbedder()
    build_index(documents, root / "index", segmenter, embedder)
    return Retriever(open_index(root / "index"), segmenter, embedder, fusion=Settings().fusion)


def seed_retriever(bot: PolicyBot, fusion: str) -> Retriever:
    """The built seed index searched with another fusion of BM25 and dense scores."""
    return Retriever(bot.index, bot.segmenter, bot.embedder, fusion=fusion)


def clause_ids(hits: list[Hit]) -> list[str]:
    return [h.clause_id for h in hits]


# --- finding the clause -------------------------------------------------------


@pytest.mark.parametrize("fusion", ["score", "rrf", "bm25"])
@pytest.mark.parametrize(
    ("query", "clause_id"),
    [
        ("人地挂钩", "3.r2.3"),  # 加大用地支持
        ("以奖代补", "3.r2.1"),  # 加大财政支持
        ("放管服", "1.2.5"),  # 坚持深化改革，创新机制
        ("房地产化", "3.1"),  # a term found in one long clause only
    ],
    ids=["rendi-guagou", "yijiang-daibu", "fang-guan-fu", "fangdichanhua"],
)
def test_keyword_query_finds_its_clause_first(built_bot: PolicyBot, fusion: str, query: str, clause_id: str) -> None:
    hits = seed_retriever(built_bot, fusion).search(query, k=5).hits
    assert hits[0].clause_id == clause_id, clause_ids(hits)


@pytest.mark.parametrize(
    ("query", "clause_id"), [("人地挂钩", "3.r2.3"), ("以奖代补", "3.r2.1")], ids=["rendi-guagou", "yijiang-daibu"]
)
def test_bot_search_with_default_settings_finds_keyword_clause(
    built_bot: PolicyBot, query: str, clause_id: str
) -> None:
    result = built_bot.search(query, k=3)
    assert result.hits[0].clause_id == clause_id
    assert len(result.hits) == 3
    assert result.hits[0].score >= result.hits[1].score >= result.hits[2].score
    assert result.took_ms > 0


def test_paraphrase_finds_the_land_clause(built_bot: PolicyBot) -> None:
    hits = built_bot.search("土地指标不够用怎么办", k=3).hits
    assert "3.r2.3" in clause_ids(hits)


@pytest.mark.parametrize(
    "query",
    [
        "遵府办函〔2020〕141号",
        "遵府办函[2020]141号",
        "遵府办函(2020)141号",
        "遵府办函［2020］141号",
        "遵府办函 （2020） 141 号",
    ],
    ids=["official", "square", "round", "fullwidth-square", "spaced"],
)
def test_doc_number_in_any_brackets_finds_the_document(built_bot: PolicyBot, query: str) -> None:
    hits = built_bot.search(query, k=3).hits
    assert hits
    assert (hits[0].doc_id, hits[0].doc_number) == (SEED_ID, SEED_NUMBER)


@pytest.mark.parametrize(
    ("query", "doc_id"),
    [("青府办发[2021]7号", "gbk_notice"), ("青府发(2022)3号", "fullwidth_units")],
    ids=["gbk_notice", "fullwidth_units"],
)
def test_doc_number_finds_its_document_among_several(three_docs: Retriever, query: str, doc_id: str) -> None:
    hits = three_docs.search(query, k=3).hits
    assert hits[0].doc_id == doc_id, [(h.doc_id, h.clause_id) for h in hits]


# --- filters ------------------------------------------------------------------


def test_doc_filter_excludes_other_documents(three_docs: Retriever) -> None:
    unfiltered = three_docs.search("人地挂钩", k=5).hits
    assert unfiltered[0].doc_id == SEED_ID
    hits = three_docs.search("人地挂钩", k=5, flt=SearchFilter(doc_ids=("gbk_notice",))).hits
    assert hits and {h.doc_id for h in hits} == {"gbk_notice"}


def test_issuer_filter(three_docs: Retriever) -> None:
    office = three_docs.search("财政支持", k=10, flt=SearchFilter(issuers=("青川市人民政府办公室",))).hits
    assert office and {h.issuer for h in office} == {"青川市人民政府办公室"}
    zunyi = three_docs.search("财政支持", k=10, flt=SearchFilter(issuers=("遵义市人民政府办公室",))).hits
    assert zunyi and {h.doc_id for h in zunyi} == {SEED_ID}
    assert three_docs.search("财政支持", k=10, flt=SearchFilter(issuers=("贵州省财政厅",))).hits == []


def test_date_range_filter(three_docs: Retriever) -> None:
    in_2021 = three_docs.search("财政支持", k=10, flt=SearchFilter(date_from="2021-01-01", date_to="2021-12-31")).hits
    assert in_2021 and {(h.doc_id, h.date) for h in in_2021} == {("gbk_notice", "2021-03-05")}
    # the range is inclusive on both ends
    same_day = SearchFilter(date_from="2020-07-13", date_to="2020-07-13")
    assert {h.doc_id for h in three_docs.search("财政支持", k=10, flt=same_day).hits} == {SEED_ID}


def test_date_range_excluding_the_document_returns_no_hits(built_bot: PolicyBot) -> None:
    assert built_bot.search("人地挂钩", k=5, flt=SearchFilter(date_to="2019-12-31")).hits == []
    assert built_bot.search("人地挂钩", k=5, flt=SearchFilter(date_from="2020-07-14")).hits == []
    assert built_bot.search("人地挂钩", k=5, flt=SearchFilter(doc_ids=("no-such-doc",))).hits == []
    kept = built_bot.search("人地挂钩", k=5, flt=SearchFilter(date_from="2020-01-01", date_to="2020-12-31")).hits
    assert kept[0].clause_id == "3.r2.3"


# --- what a hit carries ---------------------------------------------------------


def test_hit_carries_citation_fields(built_bot: PolicyBot) -> None:
    hit = built_bot.search("人地挂钩", k=1).hits[0]
    assert hit.doc_title == SEED_TITLE
    assert hit.doc_number == SEED_NUMBER
    assert hit.clause_path == "三（三）"
    assert hit.heading == "加大用地支持"
    assert "按“人地挂钩”政策" in hit.text  # the original text, not the normalised one
    assert hit.lead_units == ("市自然资源局",)
    assert "新蒲新区管委会" in hit.responsible_units
    assert (hit.issuer, hit.date, hit.validity) == ("遵义市人民政府办公室", "2020-07-13", "现行有效")


def test_hit_of_a_clause_with_two_lead_units(built_bot: PolicyBot) -> None:
    hit = built_bot.search("人才引进绿色通道", k=1).hits[0]
    assert hit.clause_id == "3.r2.5"
    assert hit.lead_units == ("市委组织部", "市人力资源社会保障局")


@pytest.mark.parametrize(
    ("query", "term"),
    [("人地挂钩政策", "人地挂钩"), ("土地指标不够用怎么办", "指标"), ("8+X项目", "8+x")],
    ids=["rendi-guagou", "paraphrase", "8+x"],
)
def test_matched_terms_are_query_terms_found_in_the_clause(built_bot: PolicyBot, query: str, term: str) -> None:
    result = built_bot.search(query, k=5)
    assert term in result.hits[0].matched_terms or any(term in h.matched_terms for h in result.hits[:2])
    for hit in result.hits:
        clause_text = unicodedata.normalize("NFKC", f"{hit.heading}\n{hit.text}").lower()
        for matched in hit.matched_terms:
            assert matched in result.query_tokens
            assert matched in clause_text


def test_matched_terms_are_empty_when_the_clause_lacks_the_terms(built_bot: PolicyBot) -> None:
    hits = built_bot.search("以奖代补", k=5).hits
    assert hits[0].matched_terms == ("以奖代补",)
    assert all(h.matched_terms == () for h in hits[1:])


# --- the command line -----------------------------------------------------------


def run_cli(bot: PolicyBot, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m policybot.cli search ...` against the built seed index, no POLICYBOT_* from the caller."""
    env = subprocess_env()
    where = ["--corpus", str(bot.settings.corpus_dir), "--index", str(bot.settings.index_dir)]
    return subprocess.run(
        [sys.executable, "-m", "policybot.cli", "search", *args, *where],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
    )


def test_cli_search_prints_json_with_readable_chinese(built_bot: PolicyBot) -> None:
    done = run_cli(built_bot, "人地挂钩", "-k", "3", "--json")
    assert done.returncode == 0, done.stderr
    assert "\\u" not in done.stdout
    assert SEED_TITLE in done.stdout and "人地挂钩" in done.stdout
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert {"hits", "took_ms"} <= set(result)
    assert isinstance(result["took_ms"], int | float)
    assert len(result["hits"]) == 3
    for hit in result["hits"]:
        assert set(hit) >= HIT_KEYS
    top = result["hits"][0]
    assert (top["clause_id"], top["doc_number"], top["clause_path"]) == ("3.r2.3", SEED_NUMBER, "三（三）")
    assert top["lead_units"] == ["市自然资源局"]


def test_cli_search_reads_queries_from_stdin(built_bot: PolicyBot) -> None:
    done = run_cli(built_bot, "-", "-k", "2", stdin="人地挂钩\n\n以奖代补\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2  # the blank line is not a query
    results = [json.loads(line) for line in lines]
    assert [r["hits"][0]["clause_id"] for r in results] == ["3.r2.3", "3.r2.1"]
    assert all(len(r["hits"]) == 2 and "took_ms" in r for r in results)
