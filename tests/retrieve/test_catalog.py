"""catalog: a document by its 文号 or title, a clause by its number or heading, across many documents."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import DATA, SEED
from samples import task_plan_text

from policybot.ingest.corpus import read_document
from policybot.ingest.parser import parse_document
from policybot.retrieve.catalog import Catalog

SEED_ID = "zunyi-fubanhan-2020-141"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    seed = read_document(SEED)
    # a second plan with the same clause numbers and headings, as every city's plan has
    twin = dataclasses.replace(seed, doc_id="twin", title="贵阳市特色小镇实施方案", doc_number="筑府办函〔2021〕9号")
    documents = [seed, twin, read_document(DATA / "gbk_notice.txt")]
    return Catalog({d.doc_id: d for d in documents})


@pytest.mark.parametrize("written", ["遵府办函〔2020〕141号", "遵府办函[2020]141号", "遵府办函（2020）141号"])
def test_a_document_is_found_by_its_number_in_any_brackets(catalog: Catalog, written: str) -> None:
    assert catalog.document_by_number(written) == SEED_ID


def test_words_glued_before_a_number_do_not_hide_it(catalog: Catalog) -> None:
    assert catalog.number_in("根据遵府办函〔2020〕141号，企业能享受哪些政策？") == (SEED_ID, "遵府办函〔2020〕141号")
    assert catalog.number_in("按照筑府办函[2021]9号的要求") == ("twin", "筑府办函[2021]9号")
    assert catalog.number_in("黔府办发〔2019〕20号") is None  # cited by the seed, but not indexed


def test_a_document_is_found_by_the_title_a_question_quotes(catalog: Catalog) -> None:
    assert catalog.document_named_in("《贵阳市特色小镇实施方案》里规划引领谁牵头？") == (
        "twin",
        "贵阳市特色小镇实施方案",
    )
    seed_title = "遵义市加快推动特色小镇和小城镇高质量发展实施方案"
    assert catalog.document_named_in(f"{seed_title}的用地支持") == (SEED_ID, seed_title)
    assert catalog.document_named_in("用地方面有什么支持？") is None


def test_a_clause_number_names_a_clause_in_each_document_unless_scoped(catalog: Catalog) -> None:
    assert catalog.clauses_at("三（三）") == [(SEED_ID, "3.r2.3"), ("twin", "3.r2.3")]
    assert catalog.clauses_at("三(三)", doc_ids=["twin"]) == [("twin", "3.r2.3")]
    assert catalog.clauses_at("九十九（一）") == []


def test_headings_match_whole_inside_or_around_the_topic(catalog: Catalog) -> None:
    assert catalog.clauses_headed("规划引领", doc_ids=[SEED_ID]) == [(SEED_ID, "3.2")]
    exact = catalog.clauses_headed("加大用地支持", doc_ids=[SEED_ID])
    assert exact == [(SEED_ID, "3.r2.3")]
    inside = catalog.clauses_headed("用地支持", doc_ids=[SEED_ID])  # the topic is part of a heading
    assert (SEED_ID, "3.r2.3") in inside
    around = catalog.clauses_headed("请问加大用地支持这一条", doc_ids=[SEED_ID])  # a heading inside the topic
    assert (SEED_ID, "3.r2.3") in around
    assert {d for d, _ in catalog.clauses_headed("加大用地支持")} == {SEED_ID, "twin"}
    assert catalog.clauses_headed("地") == []


def test_a_heading_quoted_in_a_question_names_its_clause(catalog: Catalog) -> None:
    assert catalog.clauses_named_in("加大用地支持由哪个单位牵头？", doc_ids=[SEED_ID]) == [(SEED_ID, "3.r2.3")]
    # the longest heading quoted wins over a shorter one inside it
    assert catalog.clauses_named_in("着力强化规划引领谁牵头", doc_ids=[SEED_ID])[0] == (SEED_ID, "3.2")
    assert catalog.clauses_named_in("用地方面有什么支持？") == []


def test_a_catalog_patched_after_changes_finds_what_a_fresh_one_finds(catalog: Catalog) -> None:
    documents = {doc_id: entries.doc for doc_id, entries in catalog._entries.items()}
    before = Catalog(documents)
    twin = documents.pop("twin")
    documents["twin"] = dataclasses.replace(twin, doc_number="筑府办函〔2022〕1号", clauses=twin.clauses[:-1])
    del documents["gbk_notice"]
    documents["a-new-one"] = dataclasses.replace(read_document(SEED), doc_id="a-new-one", doc_number="")
    documents = dict(sorted(documents.items()))
    patched, fresh = Catalog(documents, previous=before), Catalog(documents)
    for path in ("三（三）", "四（一）", "序言"):
        assert patched.clauses_at(path) == fresh.clauses_at(path)
    for topic in ("加大用地支持", "强化组织领导", "用地支持", "请问加大用地支持这一条"):
        assert patched.clauses_headed(topic) == fresh.clauses_headed(topic)
    assert patched.clauses_at("四（一）") == [("a-new-one", "4.1"), (SEED_ID, "4.1")]  # the twin lost it
    assert patched.document_by_number("筑府办函〔2022〕1号") == "twin"
    assert patched.document_by_number("筑府办函〔2021〕9号") is None


def test_units_are_found_by_full_name_without_their_level_and_by_short_form(catalog: Catalog) -> None:
    assert catalog.units_in("市财政局牵头哪些工作？") == [("市财政局", ["市财政局"])]
    assert catalog.units_in("财政局牵头哪些工作？") == [("财政局", ["市财政局"])]
    assert catalog.units_in("住建局负责什么") == [("住建局", ["市住房城乡建设局"])]
    assert catalog.units_in("加大用地支持") == []


def test_a_unit_written_in_full_and_short_is_one_unit() -> None:
    plan = parse_document(task_plan_text("\t"), "plan.txt")  # 市发展改革委 in two tasks, 市发改委 in another
    catalog = Catalog({"seed": read_document(SEED), "plan": plan})
    both = ["市发展改革委", "市发改委"]
    assert sorted(catalog.units_named("市发改委")) == sorted(both) == sorted(catalog.units_named("市发展改革委"))
    assert sorted(catalog.units_named("发改委")) == sorted(both)  # without its level: the unit at every level
    assert catalog.units_named("各县（市、区）人民政府") == ["各县〔市、区〕人民政府"]  # brackets of either kind
    assert catalog.units_named("市教育局") == []
    assert [sorted(names) for _, names in catalog.units_in("市发改委负责哪些工作？")] == [sorted(both)]


def test_a_units_duties_are_its_clauses_in_reading_order_lead_before_shared(catalog: Catalog) -> None:
    duties = catalog.duties_of(["市住房城乡建设局"])
    assert {d for (d, _), _ in duties} == {SEED_ID, "twin"}
    seed = [(c, role) for (d, c), role in duties if d == SEED_ID]
    assert ("3.1", "lead") in seed and ("4.1", "lead") in seed
    assert any(role == "responsible" for _, role in seed)
    assert catalog.duties_of(["市住房城乡建设局"], doc_ids=["twin"]) == [(k, r) for k, r in duties if k[0] == "twin"]
