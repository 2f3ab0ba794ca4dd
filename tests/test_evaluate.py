"""Evaluation: what counts as the answering sentence shown."""

from __future__ import annotations

from policybot.answer.answerer import Answer
from policybot.evaluate import EvalQuestion, _question, sentence_text, shows_sentence
from policybot.retrieve.hybrid import Hit

GOLD = "第三十三条 职工因工作遭受事故伤害需要暂停工作接受工伤医疗的，在停工留薪期内，原工资福利待遇不变。"
TEXT = (
    "职工因工作遭受事故伤害需要暂停工作接受工伤医疗的，在停工留薪期内，原工资福利待遇不变。停工留薪期一般不超过12个月。"
)


def test_a_gold_sentence_copied_with_its_article_number_is_found_in_the_article() -> None:
    assert sentence_text(GOLD).startswith("职工因工作")
    q = EvalQuestion(q="工伤停工期间工资谁发？", doc="工伤保险条例", sentence=GOLD)
    hit = Hit("工伤保险条例", "工伤保险条例", "", "a33", "第三十三条", "", TEXT, 1.0, kind="article")
    assert q.answered_by(hit)
    assert not q.answered_by(Hit("工伤保险条例", "工伤保险条例", "", "a34", "第三十四条", "", "无关。", 1.0))


def test_the_sentence_counts_only_within_the_first_300_characters() -> None:
    shown = Answer("q", f"《工伤保险条例》第三十三条：{TEXT}", "other", True)
    hidden = Answer("q", "《工伤保险条例》" + "另" * 300 + TEXT, "other", True)
    assert shows_sentence(shown, GOLD)
    assert not shows_sentence(hidden, GOLD)


def test_an_article_named_in_also_answers_but_not_as_the_first_annotation() -> None:
    row = {
        "q": "交了六年失业保险，失业金最长能领多久？",
        "law": "社会法/社会保险法(2018-12-29).md",
        "articles": ["第四十六条"],
        "also": [{"law": "行政法规/失业保险条例(1999-01-22).md", "articles": ["第十七条"]}],
    }
    q = _question(row)
    regulation = Hit("失业保险条例(1999-01-22)", "失业保险条例", "", "a17", "第十七条", "", "…", 1.0, kind="article")
    law = Hit("社会保险法(2018-12-29)", "社会保险法", "", "a46", "第四十六条", "", "…", 1.0, kind="article")
    other = Hit("失业保险条例(1999-01-22)", "失业保险条例", "", "a18", "第十八条", "", "…", 1.0, kind="article")
    assert q.answered_by(law) and q.answered_by(law, first_annotated=True)
    assert q.answered_by(regulation) and not q.answered_by(regulation, first_annotated=True)
    assert not q.answered_by(other)
