"""Excerpts: the sentence that answers, with a little context, cuts marked."""

from __future__ import annotations

from policybot.retrieve.excerpt import best_excerpt, holds_wanted_fact, sentences

LONG = (
    "今年以来，全市城镇新增就业2.3万人，就业形势总体稳定。"
    "为此，市人社局会同市财政局对原有政策进行了梳理，形成了覆盖求职、培训、创业各环节的补贴体系。"
    "市创业服务中心设在青溪市人力资源市场二楼，咨询电话0852-6612345，工作日上午9点至下午5点受理。"
    "各区也设有创业服务窗口，群众可以就近办理。"
    "下一步，市人社局将继续加强政策宣传，推行补贴“免申即享”，让政策红利更快更准地惠及企业和群众。"
    "有关政策的详细内容可登录市人社局官网查询。"
)


def test_the_sentence_holding_the_asked_fact_is_quoted_with_cuts_marked() -> None:
    excerpt = best_excerpt(LONG, "创业服务中心电话是多少", [("创业服务中心", 3.0)], limit=80)
    assert "0852-6612345" in excerpt.text
    assert excerpt.cut_before and excerpt.shown.startswith("…")
    assert excerpt.text in LONG


def test_a_short_clause_is_quoted_whole() -> None:
    text = "对符合国家供地政策的项目，在建设用地审批中应保尽保。"
    assert best_excerpt(text, "批地会不会被卡住", []).shown == text


def test_sentences_keep_every_character() -> None:
    assert "".join(sentences(LONG)) == LONG


def test_a_question_for_a_number_is_not_answered_by_a_clause_without_one() -> None:
    assert not holds_wanted_fact("最低工资标准是多少", "健全联席会议制度，统筹推进特色小镇创建工作。")
    assert holds_wanted_fact("补贴标准是多少", "补贴标准为每人1500元。")
    assert holds_wanted_fact("联席会议办公室设在哪里", "联席会议办公室设在市发展改革委。")
