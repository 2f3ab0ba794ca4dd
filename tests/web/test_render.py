"""render: answers, hits and clauses as Markdown/HTML in which nothing from a document or a user stays live."""

from __future__ import annotations

import json
import re

import pytest
from samples import live_markup, rendered

from policybot.answer.answerer import Answer, Citation
from policybot.errors import DocumentError
from policybot.retrieve.hybrid import SearchResult
from policybot.web.render import (
    answer_markdown,
    benefits_markdown,
    citation_html,
    clause_markdown,
    document_markdown,
    documents_table,
    error_md,
    esc_md,
    highlight,
    hits_markdown,
    preview_markdown,
    tree_choices,
)

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
OUR_TAGS = {"details", "/details", "summary", "/summary", "p", "/p", "b", "/b", "br"}


def citation(text: str = "加大用地支持。", heading: str = "加大用地支持") -> Citation:
    return Citation(
        doc_id="zunyi",
        doc_title="遵义市加快推动特色小镇和小城镇高质量发展实施方案",
        doc_number="遵府办函〔2020〕141号",
        clause_id="3.3",
        clause_path="三（三）",
        heading=heading,
        text=text,
        score=0.9,
        lead_units=("市自然资源局",),
        responsible_units=("各县〔市、区〕人民政府",),
    )


def test_markdown_escape_shows_html_and_markdown_syntax_as_text():
    assert esc_md(XSS).startswith("&lt;script&gt;")
    assert "<" not in esc_md(XSS)
    assert esc_md("*重点*_任务_[1]") == r"\*重点\*\_任务\_\[1\]"


def test_highlight_bolds_the_terms_and_escapes_the_rest():
    assert highlight("加大<b>用地</b>支持", ["用地"]) == "加大&lt;b&gt;**用地**&lt;/b&gt;支持"
    assert highlight("没有命中", []) == "没有命中"


def test_a_citation_block_carries_only_its_own_tags():
    block = citation_html(citation(text="第一句。\n" + XSS, heading="标题" + XSS))
    assert {t.split()[0] for t in re.findall(r"<(/?[a-z]+)[^>]*>", block)} <= OUR_TAGS
    assert "&lt;script&gt;" in block
    assert "遵府办函〔2020〕141号" in block and "三（三）" in block and "市自然资源局" in block


def test_the_api_answer_quotes_its_clause_with_units():
    answer = Answer(
        question="加大用地支持由哪个单位牵头？",
        answer="由市自然资源局牵头。",
        intent="who_leads",
        found=True,
        lead_units=("市自然资源局",),
        citations=(citation(),),
    )
    text = answer_markdown(answer, details=False)
    assert text.startswith("由市自然资源局牵头。")
    assert "**依据条款**" in text
    assert "> 加大用地支持。" in text
    assert "**牵头单位**：市自然资源局" in text and "各县〔市、区〕人民政府" in text
    assert "<details>" not in text


def test_no_hits_says_so_with_count_and_time():
    text = hits_markdown(SearchResult(hits=[], took_ms=12.4, query_tokens=[], stages={}))
    assert text.startswith("共 0 条，用时 12 ms")
    assert "没有找到相关条款" in text


# --- a hostile document, indexed, shown through every renderer ------------------------------------------------------

TITLE_XSS = '<script>alert("t")</script>'
LINK = "[官网](http://evil.example/)"
HOSTILE_TEXT = f"""青川市人民政府办公室关于印发青川市{TITLE_XSS}贴息办法的通知
青府办发〔2024〕9号
各县（市、区）人民政府：
　　现印发给你们，请认真贯彻执行。
青川市人民政府办公室
2024年3月1日
青川市{TITLE_XSS}贴息办法
一、<img src=x onerror=alert(1)>对象
（一）{LINK}明确贴息范围。在青川市注册的小微企业可申请<b>贷款贴息</b>，详见 ![x](http://evil.example/x.png) 与 \
&lt;script&gt; 以及 &#60;img&#62;。（牵头单位：市<script>alert(2)</script>财政局；\
责任单位：[市税务局](javascript:alert(3))、<img src=x onerror=alert(4)>市金融办）
二、贴息标准
（一）<a href="javascript:alert(5)">流动资金贷款贴息</a>。对符合条件的小微企业新增流动资金贷款，\
按实际支付利息的50%给予贴息。（牵头单位：市财政局）
"""
HOSTILE_META = {
    "doc_number": "青府办发〔2024〕9号<img src=x onerror=alert(6)>",
    "issuer": "<script>alert(7)</script>青川市人民政府办公室",
    "source_url": "javascript:alert(8)",
}
# what each renderer must show as text (escaped on the way in, shown exactly as in the source on screen)
SHOWN = (TITLE_XSS, "<img src=x onerror=alert(", LINK, "&lt;script&gt;", "&#60;img&#62;", "<script>alert(2)</script>")


@pytest.fixture(scope="module")
def hostile_bot(bot_copy):
    """A bot over the seed corpus plus the hostile document (with a hostile 文号 and issuer from its sidecar)."""
    bot = bot_copy()
    (bot.settings.corpus_dir / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    meta = json.dumps(HOSTILE_META, ensure_ascii=False)
    (bot.settings.corpus_dir / "hostile.meta.json").write_text(meta, encoding="utf-8")
    _, errors = bot.build()
    assert not errors
    return bot


@pytest.fixture(scope="module")
def hostile_doc(hostile_bot):
    doc = next(d for d in hostile_bot.documents() if d.source == "hostile.txt")
    # the premise: the hostile markup really reached every field the renderers show
    assert TITLE_XSS in doc.title and "onerror" in doc.doc_number and "<script>" in doc.issuer
    clause = next(c for c in doc.clauses if c.heading.startswith(LINK[:4]))
    assert "<script>" in clause.lead_units[0] and "javascript:" in clause.responsible_units[0]
    assert any("onerror" in h for h in clause.heading_path)
    return doc


def shows_as_text(markdown: str, *expected: str) -> None:
    """No live tag in the rendered Markdown, and each expected string is visible exactly as written."""
    assert live_markup(markdown) == []
    _, text = rendered(markdown)
    for piece in expected:
        assert piece in text, piece


def test_document_page_shows_hostile_metadata_as_text(hostile_doc):
    shows_as_text(document_markdown(hostile_doc), TITLE_XSS, HOSTILE_META["doc_number"], HOSTILE_META["issuer"])
    # the tree's labels are plain text for a radio, which shows them as text (the browser test checks it)
    labels = " ".join(label for label, _ in tree_choices(hostile_doc))
    assert "<img src=x onerror=alert(1)>对象" in labels and "<script>alert(2)</script>" in labels
    shows_as_text(preview_markdown(hostile_doc), TITLE_XSS, HOSTILE_META["doc_number"], "<img src=x onerror=alert(4)>")


def test_every_hostile_clause_shows_as_text(hostile_doc):
    for clause in hostile_doc.clauses:
        shows_as_text(clause_markdown(hostile_doc, clause), TITLE_XSS)
    clause = next(c for c in hostile_doc.clauses if c.heading.startswith(LINK[:4]))
    shows_as_text(clause_markdown(hostile_doc, clause), *SHOWN, "[市税务局](javascript:alert(3))")


def test_documents_table_shows_hostile_cells_as_text(hostile_bot, hostile_doc):
    table = documents_table(hostile_bot.documents())
    tags, _ = rendered(table)
    assert "table" in {t for t, _ in tags}  # still one table: no cell broke out of its row
    shows_as_text(table, TITLE_XSS, HOSTILE_META["doc_number"], "遵府办函〔2020〕141号")


def test_search_hits_in_a_hostile_document_show_as_text(hostile_bot):
    result = hostile_bot.search("明确贴息范围 小微企业 贷款贴息", k=5)
    assert result.hits[0].doc_title == hostile_bot.index.documents[result.hits[0].doc_id].title
    assert TITLE_XSS in result.hits[0].doc_title
    shows_as_text(hits_markdown(result), TITLE_XSS, HOSTILE_META["doc_number"], "<script>alert(2)</script>")


def test_answers_citing_a_hostile_clause_show_it_as_text(hostile_bot):
    answer = hostile_bot.ask("明确贴息范围由哪个单位牵头？")
    assert answer.found and "<script>alert(2)</script>" in answer.lead_units[0]
    for details in (True, False):
        shows_as_text(answer_markdown(answer, details=details), "<script>alert(2)</script>", TITLE_XSS)


def test_self_check_benefits_from_a_hostile_clause_show_as_text(hostile_bot):
    benefits = hostile_bot.self_check("小微企业，需要贷款贴息")
    assert any(TITLE_XSS in b.citation.doc_title for b in benefits)
    shows_as_text(benefits_markdown(benefits), TITLE_XSS, "<script>alert(2)</script>")


def test_an_error_naming_a_hostile_file_shows_it_as_text():
    shows_as_text(error_md(DocumentError("<img src=x onerror=alert(1)>.txt", "空文件")), "<img src=x onerror=alert(1)>")
