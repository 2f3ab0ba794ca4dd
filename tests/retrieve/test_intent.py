"""intent: what a question asks, by rules — who leads, lookups, facts, support; a unit's duties; a document itself."""

from __future__ import annotations

import pytest

from policybot.retrieve.intent import (
    FACT,
    LOOKUP,
    SUPPORT,
    WHO_LEADS,
    defined_term,
    duty_asked,
    in_simplified,
    is_about_document,
    might_ask_duties,
    understand,
)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("加大用地支持由哪个单位牵头？", WHO_LEADS),
        ("产业扶持政策是哪几个局牵头？", WHO_LEADS),
        ("三（二）", LOOKUP),
        ("规划引领那条", LOOKUP),
        ("特色小镇建设的目标是什么", FACT),
        ("用地方面有什么支持？", SUPPORT),
    ],
)
def test_questions_get_their_intent(question: str, intent: str) -> None:
    assert understand(question).intent == intent


def test_a_clause_path_is_read_in_the_parsers_form() -> None:
    assert understand("三(二)讲了什么").path == "三（二）"
    assert understand("第三部分第二条").path == "三（二）"
    assert understand("附件第3项由哪个单位牵头？").path == "附件 第3项"  # a task table's row, not part 三
    assert understand("附件1的第十二项谁牵头").path == "附件1 第12项"


@pytest.mark.parametrize(
    ("question", "mention", "role"),
    [
        ("市财政局牵头哪些工作？", "市财政局", "lead"),
        ("哪些工作由市财政局牵头？", "市财政局", "lead"),
        ("市财政局负责什么？", "市财政局", "any"),
        ("住建局有哪些任务", "住建局", "any"),
        ("市财政局是哪些工作的责任单位", "市财政局", "any"),
        ("市财政局在特色小镇建设中承担哪些任务？", "市财政局", "any"),
        ("财政局要做什么", "财政局", "any"),
        ("加大财政支持由市财政局牵头吗", "市财政局", ""),
        ("市自然资源局牵头的用地支持有哪些措施", "市自然资源局", ""),
    ],
)
def test_a_question_about_a_units_duties_is_told_from_one_about_a_clause(question, mention, role) -> None:
    assert duty_asked(question, mention) == role
    if role:
        assert might_ask_duties(question)


def test_questions_that_cannot_be_about_duties_skip_the_unit_lookup() -> None:
    assert not might_ask_duties("加大用地支持由哪个单位牵头？")
    assert not might_ask_duties("三（二）")


def test_a_question_about_a_document_itself_is_told_from_one_about_its_content() -> None:
    assert is_about_document("的文号是多少？")
    assert is_about_document("全文")
    assert not is_about_document("中加大用地支持由哪个部门牵头？")


def test_traditional_words_are_read_as_simplified_unless_the_documents_write_them_so() -> None:
    pieces = ["《", "臺灣", "地區", "》", "由", "哪個", "單位", "牽頭", "？"]
    question = "".join(pieces)
    simplified_corpus = {"台湾", "地区", "单位", "牵头"}
    assert in_simplified(question, lambda _: pieces, simplified_corpus.__contains__) == "《台湾地区》由哪个单位牵头？"
    # a document written in traditional characters keeps its own words matchable
    traditional_corpus = {"臺灣", "地區", "单位"}
    assert in_simplified(question, lambda _: pieces, traditional_corpus.__contains__) == "《臺灣地區》由哪个单位牵头？"
    # characters only, not mainland vocabulary; simplified questions pass untouched
    assert in_simplified("列印伺服器", lambda t: [t], set().__contains__) == "列印伺服器"
    assert in_simplified("市财政局牵头哪些工作？", lambda t: [t], set().__contains__) == "市财政局牵头哪些工作？"


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("什么是劳务派遣？", "劳务派遣"),
        ("法律上多大年纪算老年人？", "老年人"),
        ("什么样的人才算农民工", "农民工"),
        ("几岁算未成年人？", "未成年人"),
        ("加班算不算工作时间？", ""),  # asks whether, not who counts as
        ("外国人住多久算居民个人，要交个税？", ""),  # a second question after the term
    ],
)
def test_who_counts_as_a_term_asks_for_its_definition(question: str, term: str) -> None:
    assert defined_term(question) == term
