"""render: answers, hits and clauses as Markdown/HTML in which nothing from a document or a user stays live."""

from __future__ import annotations

import re

from policybot.answer import Answer, Citation
from policybot.render import answer_markdown, citation_html, esc_md, highlight, hits_markdown
from policybot.retrieve import SearchResult

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
