"""Finder: how a place may be written, and how the first hits are ranked again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from policybot.retrieve.finder import place_forms
from policybot.retrieve.hybrid import Hit
from policybot.retrieve.intent import understand


@pytest.mark.parametrize(
    ("place", "forms"),
    [
        ("鹭州市", ["鹭州市", "鹭州"]),  # one level off, not every 州/市 at the end (鹭)
        ("南湖区", ["南湖区", "南湖"]),
        ("贵州省", ["贵州省", "贵州"]),
        ("遵义", ["遵义"]),
        ("黔东南自治州", ["黔东南自治州", "黔东南"]),
    ],
)
def test_a_place_is_looked_for_as_asked_and_without_its_level(place: str, forms: list[str]) -> None:
    assert place_forms(place) == forms


def _hit(clause_id: str, kind: str, dense: float, text: str = "本市继续发放消费券，活动期间每周发放一次。") -> Hit:
    return Hit("d", "某市消费券问答", "", clause_id, clause_id, "", text, 1.0, dense_score=dense, kind=kind)


def test_among_paragraphs_the_one_nearer_in_meaning_is_ranked_first(built_bot) -> None:
    # the same words and fused score: only dense similarity tells the paragraphs apart
    q = understand("消费券怎么用？")
    query = built_bot.finder.query_for(q)
    ranked = built_bot.finder.reranked(q, query, [_hit("p1", "paragraph", 0.85), _hit("p2", "paragraph", 0.90)])
    assert [h.clause_id for h in ranked] == ["p2", "p1"]


def test_titled_clauses_are_ranked_by_their_words_not_by_dense_similarity(built_bot) -> None:
    q = understand("消费券怎么用？")
    query = built_bot.finder.query_for(q)
    ranked = built_bot.finder.reranked(q, query, [_hit("1", "item", 0.85), _hit("2", "item", 0.90)])
    assert [h.clause_id for h in ranked] == ["1", "2"]  # a tie keeps search's order


def test_a_clause_without_the_fact_asked_for_is_ranked_below_one_with_it(built_bot) -> None:
    # the same fused score and dense similarity: only the days the question asks for tell the articles apart
    q = understand("工作满一年了，一年能休几天年假？")
    query = built_bot.finder.query_for(q)
    names = _hit("a45", "article", 0.88, "国家实行带薪年休假制度。劳动者连续工作一年以上的，享受带薪年休假。")
    days = _hit("a3", "article", 0.88, "职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天。")
    ranked = built_bot.finder.reranked(q, query, [names, days])
    assert [h.clause_id for h in ranked] == ["a3", "a45"]


def test_document_texts_kept_for_word_lookups_are_bounded_and_follow_edits(built_bot, monkeypatch) -> None:
    finder = built_bot.finder
    doc_id = next(iter(finder.documents))
    monkeypatch.setattr("policybot.retrieve.finder.TEXTS_KEPT", 1)
    assert finder.words_missing(["人地挂钩", "民宿"], doc_id) == ["民宿"]
    edited = replace(finder.documents[doc_id], title="民宿管理办法")
    monkeypatch.setitem(finder.documents, doc_id, edited)
    assert finder.words_missing(["民宿"], doc_id) == []  # the edited document is read again, not the kept text
    assert len(finder._texts) == 1


def test_a_document_writing_a_domain_word_for_the_asked_one_does_not_miss_it(built_bot, monkeypatch) -> None:
    finder = built_bot.finder
    doc_id = next(iter(finder.documents))
    assert finder.words_missing(["外国人"], doc_id) == ["外国人"]
    # jieba cuts 无住所 into 无/住所: the domain table's word is looked for in the text as written
    edited = replace(finder.documents[doc_id], title="无住所个人的所得怎么计税")
    monkeypatch.setitem(finder.documents, doc_id, edited)
    assert finder.words_missing(["外国人"], doc_id) == []
