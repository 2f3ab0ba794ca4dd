"""Scraped texts are read as their issuer wrote them: lines recovered, chrome taken out, the title found."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, SEED

from policybot.document import normalize
from policybot.ingest.parser import parse_document
from policybot.ingest.reflow import recover, split_run_together

LAW = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "corpus-scale"
    / "lawrefbook"
    / "社会法"
    / "劳动合同法(2012-12-28).md"
)
CHROME_WORDS = ("浏览次数", "分享到", "上一篇", "下一篇", "字号", "责任编辑", "首页", "打印")


def body_text(doc) -> str:
    return normalize("".join(c.text for c in doc.clauses))


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def outline(doc) -> list[tuple]:
    return [(c.path, c.heading, c.lead_units, c.responsible_units) for c in doc.clauses]


def test_a_one_line_news_page_with_chrome_is_read_as_titled_paragraphs() -> None:
    doc = parse_document(read("scraped_oneline.txt"), "scraped_oneline.txt")
    clean = parse_document(read("news_unnumbered.txt"), "news_unnumbered.txt")
    assert doc.title == "青溪市就业补贴政策新闻发布会实录"
    assert doc.date == "2023-06-18"  # from the page's 发布时间
    assert doc.issuer == "青溪市人民政府新闻办公室"  # from the page's 来源
    assert not any(word in c.text for c in doc.clauses for word in CHROME_WORDS)
    # every character of the body is there, in order, and paragraphs as in the clean copy of the same text
    assert body_text(doc) == body_text(clean)
    assert [c.path for c in doc.clauses] == [c.path for c in clean.clauses]
    assert len(doc.clauses) >= 5 and all(c.kind == "paragraph" for c in doc.clauses)
    assert any("连在一起" in note for note in doc.notes) and "未找到文号" in doc.notes


def test_an_interview_question_heads_the_paragraph_that_answers_it() -> None:
    doc = parse_document(read("news_unnumbered.txt"), "news_unnumbered.txt")
    asked = next(c for c in doc.clauses if c.heading == "创业担保贷款的额度有没有提高？")
    assert "0852-6612345" in asked.text and asked.text.startswith("记者：")


def test_the_seed_on_one_line_inside_a_web_page_parses_like_the_seed(seed_text: str) -> None:
    lines = [line for line in seed_text.splitlines() if line.strip()]
    page = (
        "首页 > 政务公开 > 政策文件 "
        + " ".join(lines[1:-1])
        + " 来源：遵义市人民政府办公室 发布时间：2020-07-15 09:30 分享到：微信 微博 浏览次数：1234"
    )
    doc = parse_document(page, SEED.name)
    seed = parse_document(seed_text, SEED.name)
    assert outline(doc) == outline(seed)
    assert (doc.title, doc.doc_number, doc.issuer, doc.date) == (seed.title, seed.doc_number, seed.issuer, seed.date)
    assert doc.validity == "现行有效" and "USHUI" in doc.source_note


def test_the_seed_with_its_line_breaks_removed_keeps_its_task_clauses(seed_text: str) -> None:
    lines = [line for line in seed_text.splitlines() if line.strip()]
    doc = parse_document("".join(lines[:-1]), SEED.name)
    seed = parse_document(seed_text, SEED.name)
    units = {(c.heading, c.lead_units, c.responsible_units) for c in seed.clauses if c.has_units}
    assert {(c.heading, c.lead_units, c.responsible_units) for c in doc.clauses if c.has_units} == units
    assert doc.doc_number == "遵府办函〔2020〕141号"
    source = normalize("".join(lines[:-1]))
    assert all(normalize(c.text) in source for c in doc.clauses)


def test_chrome_lines_go_and_a_title_split_over_two_lines_is_joined() -> None:
    doc = parse_document(read("chrome_lines.txt"), "chrome_lines.txt")
    assert doc.title == "青溪市医疗保障局关于调整城乡居民基本医疗保险门诊报销政策的通知"
    assert doc.issuer == "青溪市医疗保障局" and doc.date == "2024-01-05"
    assert doc.addressees == ("各区医疗保障分局", "各定点医疗机构")
    text = "".join(c.text for c in doc.clauses)
    assert "0852-6634567" in text and "青溪市人民医院" in text
    assert not any(word in text for word in (*CHROME_WORDS, "字体", "关闭", "QQ空间"))


def test_a_first_line_that_is_not_a_title_leaves_the_title_to_the_file_name() -> None:
    text = "为做好今年夏季防汛工作，现将有关事项通知如下。各乡镇要在6月15日前完成山洪灾害隐患排查，排查结果报县应急管理局。"
    doc = parse_document(text, "关于做好2024年夏季防汛工作的通知.txt")
    assert doc.title == "关于做好2024年夏季防汛工作的通知"
    assert "标题取自文件名" in "".join(doc.notes)
    assert normalize(text) in body_text(doc)


def test_a_title_run_into_the_first_sentence_is_split_off() -> None:
    text = "关于做好2024年夏季防汛工作的通知各乡镇人民政府，县直各部门：为做好今年夏季防汛工作，现将有关事项通知如下。"
    doc = parse_document(text, "a1.txt")
    assert doc.title == "关于做好2024年夏季防汛工作的通知"
    assert doc.addressees == ("各乡镇人民政府", "县直各部门")


def test_a_long_unnumbered_paragraph_becomes_bounded_paragraphs() -> None:
    sentence = (
        "符合条件的企业可以按规定申请稳岗返还资金，返还资金用于职工生活补助、缴纳社会保险费、转岗培训和技能提升培训。"
    )
    paragraph = sentence * 40  # about 2,200 characters, one line, no numbering
    doc = parse_document(f"稳岗返还政策解读\n{paragraph}", "x.txt")
    assert len(doc.clauses) >= 4
    assert all(len(c.text) <= 520 for c in doc.clauses)
    assert "".join(c.text for c in doc.clauses) == paragraph


def test_a_cross_reference_inside_a_sentence_is_not_a_break() -> None:
    line = "按照本方案三（一）的要求，各县要在年底前完成规划编制，依照本法第十九条的规定执行，并将结果报市政府；" * 8
    assert split_run_together(line) == [line]


def test_a_short_text_with_only_a_title_line_is_still_a_document() -> None:
    doc = parse_document("青溪市2024年春节假期安排", "note.txt")
    assert doc.title == "青溪市2024年春节假期安排" and doc.clauses and doc.clauses[0].text


def test_numbering_inside_a_line_opens_clauses() -> None:
    text = (
        "青溪市促进消费实施方案 为促进消费回暖，制定本方案如下：一、总体要求（一）指导思想。以扩大内需为基点，"
        "全面促进消费。（二）工作目标。到2025年底，社会消费品零售总额增长6%以上。二、重点任务（一）发放消费券。"
        "市财政安排2000万元发放餐饮、零售消费券。（牵头单位：市商务局；责任单位：市财政局）"
    )
    doc = parse_document(text, "xiaofei.txt")
    assert doc.title == "青溪市促进消费实施方案"
    paths = {c.path: c for c in doc.clauses}
    assert {"一", "一（一）", "一（二）", "二", "二（一）"} <= set(paths)
    assert paths["二（一）"].lead_units == ("市商务局",) and paths["二（一）"].responsible_units == ("市财政局",)


@pytest.mark.skipif(not LAW.exists(), reason="shared/corpus-scale is not on this machine")
def test_a_law_scraped_onto_one_line_keeps_its_articles_and_their_headings() -> None:
    clean = parse_document(LAW.read_text(encoding="utf-8"), LAW.name)
    lines = [line for line in LAW.read_text(encoding="utf-8").splitlines() if line.strip()]
    scraped = parse_document(" ".join(lines), LAW.name)
    articles = [(c.path, c.heading) for c in clean.clauses if c.kind == "article"]
    assert len(articles) > 90
    assert [(c.path, c.heading) for c in scraped.clauses if c.kind == "article"] == articles
    assert next(c for c in clean.clauses if c.path == "第十九条").heading.startswith("劳动合同期限三个月以上不满一年的")


def test_recover_keeps_what_it_took_out() -> None:
    recovered = recover(read("scraped_oneline.txt"), "scraped_oneline.txt")
    assert any(c.startswith("浏览次数") for c in recovered.chrome)
    assert recovered.site_source == "青溪市人民政府新闻办公室"


def test_site_menus_welcome_banners_and_double_arrow_breadcrumbs_are_chrome() -> None:
    page = (
        "鹭州市人民政府门户网站 | 政务服务 | 政务公开 | 互动交流 安澜市人民政府网 欢迎您！ 无障碍 长者模式 English "
        "首页 >> 信息公开 >> 通知公告 字号：大 中 小 【打印】 分享：微信 微博 "
        "鹭州市职业技能提升补贴管理办法\u200b第一条 为鼓励劳动者提升职业技能，制定本办法。第二条 本办法自2024年1月1日起施行。"
    )
    doc = parse_document(page, "x.txt")
    assert doc.title == "鹭州市职业技能提升补贴管理办法"
    assert [c.path for c in doc.clauses] == ["第一条", "第二条"]
    assert "\u200b" not in "".join(c.text for c in doc.clauses)


def test_a_table_row_is_not_a_site_menu() -> None:
    row = "1 | 分解粮食生产目标任务 | 市农业农村局 | 2021年3月底前"
    doc = parse_document(f"青川市春耕工作方案\n一、重点任务\n{row}", "x.txt")
    assert row in doc.clauses[-1].text


def test_a_site_name_alone_is_no_title_the_file_name_is() -> None:
    doc = parse_document(
        "云溪市人民政府\n一文读懂灵活就业社保补贴，负担能不能减轻？" + "补贴按季度申报。" * 30,
        "云溪市灵活就业社会保险补贴政策解读.txt",
    )
    assert doc.title == "云溪市灵活就业社会保险补贴政策解读"
