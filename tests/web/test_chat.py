"""The 政策问答 tab through its handler: a question and its answer appended, a blank question ignored, a refusal's
nearest clauses announced once, follow-ups answered from the conversation."""

from __future__ import annotations

from samples import rendered

from policybot.answer.answerer import Conversation
from policybot.web.chat import cleared, respond


def test_a_question_appends_it_and_its_answer(built_bot) -> None:
    history, conversation, box = respond(built_bot, "加大用地支持由哪个单位牵头？", [], Conversation())
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert "市自然资源局" in history[1]["content"] and box == ""
    assert len(conversation.turns) == 1


def test_a_blank_question_adds_no_bubble(built_bot) -> None:
    before = [{"role": "user", "content": "问"}, {"role": "assistant", "content": "答"}]
    for blank in ("", "   ", "\n\t", None):
        history, conversation, _ = respond(built_bot, blank, before, Conversation())
        assert history == before and conversation.turns == []


def test_a_refusal_names_its_nearest_clauses_once(built_bot) -> None:
    history, _, _ = respond(built_bot, "明天天气怎么样", [], None)
    reply = history[-1]["content"]
    _, text = rendered(reply)
    assert "没有找到" in text
    assert text.count("最接近的条款（仅供参考）") == 1
    assert reply.count("<details>") >= 2  # several clauses under that one header


def test_see_also_separates_a_part_number_from_its_heading(built_bot) -> None:
    history, _, _ = respond(built_bot, "特色小城镇和特色小镇有什么区别", [], None)
    reply = history[-1]["content"]
    assert "另见：二、总体目标「" in reply  # run together, "二总体目标" read as one word
    assert "二总体目标" not in reply


def test_a_follow_up_uses_the_conversation_and_clearing_forgets_it(built_bot) -> None:
    history, conversation, _ = respond(built_bot, "谁负责用地支持？", [], Conversation())
    history, conversation, _ = respond(built_bot, "那金融支持呢？", history, conversation)
    assert "市金融办" in history[-1]["content"]
    assert cleared()[0] == [] and cleared()[1].turns == []
