"""duties: "市财政局牵头哪些工作？" lists a unit's clauses by document, newest first, leading clauses before shared."""

from __future__ import annotations

from policybot.answer.duties import MAX_CITED, MAX_DOCUMENTS_LISTED, describe_duties
from policybot.retrieve.catalog import LEAD, RESPONSIBLE
from policybot.retrieve.hybrid import Hit


def hit(doc: int, path: str, heading: str, date: str = "2021-01-01") -> Hit:
    return Hit(
        doc_id=f"d{doc}",
        doc_title=f"第{doc}号方案",
        doc_number=f"某府发〔2021〕{doc}号",
        clause_id=path,
        clause_path=path,
        heading=heading,
        text="……",
        score=1.0,
        date=date,
    )


def test_a_unit_named_nowhere_is_said_so_and_nothing_is_cited() -> None:
    duties = describe_duties("市气象局", "any", [])
    assert "没有以市气象局为牵头单位或责任单位的条款" in duties.text and duties.cited == ()


def test_one_document_counts_what_the_unit_leads_and_shares_and_cites_the_led_first() -> None:
    lead, shared = hit(1, "三（一）", "加大财政支持"), hit(1, "三（二）", "强化金融服务")
    duties = describe_duties("市财政局", "any", [(shared, RESPONSIBLE), (lead, LEAD)])
    assert duties.text.startswith("市财政局在《第1号方案》（某府发〔2021〕1号）中牵头 1 项工作，作为责任单位参与 1 项")
    assert "牵头：三（一）加大财政支持" in duties.text and "参与：三（二）强化金融服务" in duties.text
    assert duties.cited == (lead, shared)


def test_asked_what_it_leads_the_shared_clauses_are_counted_not_listed_or_cited() -> None:
    lead, shared = hit(1, "三（一）", "加大财政支持"), hit(1, "三（二）", "强化金融服务")
    duties = describe_duties("市财政局", "lead", [(lead, LEAD), (shared, RESPONSIBLE)])
    assert "参与 1 项" in duties.text and "强化金融服务" not in duties.text
    assert duties.cited == (lead,)


def test_several_documents_are_listed_newest_first_with_title_and_文号() -> None:
    old, new = hit(1, "二（一）", "旧任务", "2019-05-01"), hit(2, "四（三）", "新任务", "2023-02-01")
    duties = describe_duties("市发展改革委", "any", [(old, LEAD), (new, LEAD)])
    head, first, second = duties.text.split("\n")
    assert head == "市发展改革委在 2 份文件中牵头 2 项工作："
    assert first.startswith("《第2号方案》（某府发〔2021〕2号）牵头：四（三）新任务")
    assert second.startswith("《第1号方案》")
    assert duties.cited == (new, old)


def test_past_the_listing_limit_the_newest_documents_are_listed_and_a_文号_is_asked_for() -> None:
    many = [(hit(n, "一", f"任务{n}", f"20{10 + n}-01-01"), LEAD) for n in range(MAX_DOCUMENTS_LISTED + 3)]
    duties = describe_duties("市财政局", "any", many)
    assert f"以下是最新的 {MAX_DOCUMENTS_LISTED} 份" in duties.text
    assert len(duties.text.split("\n")) == 1 + MAX_DOCUMENTS_LISTED
    assert f"任务{MAX_DOCUMENTS_LISTED + 2}" in duties.text and "任务0" not in duties.text
    assert len(duties.cited) == MAX_CITED
