"""Task tables: a plan whose tasks sit in a 任务分工表 (.docx, .html, .pdf or a text file) gives one task clause per
row, with exact unit lists and deadline, citable as "附件 第3项", and who-leads questions about a row answer from it.
Other tables stay rows of text; no table row is ever read as a heading."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import (
    TASK_ROWS,
    TASK_TABLE,
    TOWNS,
    task_plan_docx,
    task_plan_html,
    task_plan_pdf,
    task_plan_text,
)

from policybot.answer.tasks import deadlines_of
from policybot.bot import PolicyBot
from policybot.document import Document
from policybot.ingest.corpus import read_document
from policybot.ingest.parser import parse_document
from policybot.settings import Settings

FORMATS = {
    "plan.docx": task_plan_docx,
    "plan.html": lambda: task_plan_html().encode("utf-8"),
    "plan.pdf": task_plan_pdf,
    "tabs.txt": lambda: task_plan_text("\t").encode("utf-8"),
    "spaces.txt": lambda: task_plan_text("  ").encode("utf-8"),
    "pipes.txt": lambda: task_plan_text(" | ").encode("utf-8"),
}


def written(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(FORMATS[name]())
    return path


def table_rows(doc: Document) -> dict[str, tuple]:
    """path → (heading, lead, responsible, deadline, group) of the task clauses read from the attachment."""
    return {
        c.path: (c.heading, c.lead_units, c.responsible_units, "；".join(deadlines_of(c)), c.heading_path[-2])
        for c in doc.clauses
        if c.parent_id == "att1"
    }


@pytest.mark.parametrize("name", FORMATS)
def test_every_row_of_the_task_table_is_a_task_clause_with_exact_units(tmp_path: Path, name: str) -> None:
    doc = read_document(written(tmp_path, name))
    assert table_rows(doc) == TASK_ROWS
    attachment = doc.clause("att1")
    assert (attachment.path, attachment.heading) == ("附件", "青川市优化营商环境重点任务分工表")
    # the clause written with "(牵头单位：…)" is still read as before, and it is the only other task
    assert [c.path for c in doc.clauses if c.has_units and c.parent_id != "att1"] == ["三（一）"]
    assert doc.clause("3.1").lead_units == ("市发展改革委",)


@pytest.mark.parametrize("name", FORMATS)
def test_no_character_of_the_table_is_lost(tmp_path: Path, name: str) -> None:
    doc = read_document(written(tmp_path, name))
    kept = "\n".join(part for c in doc.clauses for part in (c.number, c.text, c.units_note, *c.heading_path))
    for row in (*TASK_TABLE, *TOWNS):
        for cell in row:
            assert not cell or cell in kept, cell


@pytest.mark.parametrize("name", ["plan.docx", "plan.html", "plan.pdf", "pipes.txt"])
def test_another_table_stays_readable_rows_of_its_clause(tmp_path: Path, name: str) -> None:
    towns = read_document(written(tmp_path, name)).clause("2")
    assert (towns.heading, towns.has_units) == ("试点乡镇", False)
    assert towns.text.splitlines() == ["序号 | 乡镇 | 所属县", "1 | 青山镇 | 青川县", "2 | 白水镇 | 白水县"]


def test_a_task_row_reads_as_its_task_with_the_columns_it_had() -> None:
    doc = parse_document(task_plan_text("\t"), "plan.txt")
    row = doc.clause("att1.t1")
    assert row.text == "压缩企业开办时间。企业开办全程网办，时间压缩至1个工作日以内。\n完成时限：2022年6月底前"
    assert row.units_note == "牵头单位：市市场监管局；配合单位：市税务局、市公安局、各县〔市、区〕人民政府"
    assert row.heading_path == (
        "附件：青川市优化营商环境重点任务分工表",
        "一、提升政务服务效能",
        "第1项压缩企业开办时间",
    )


def test_row_ids_stay_when_text_before_the_table_changes() -> None:
    text = task_plan_text("\t")
    before = {c.id: c.path for c in parse_document(text, "plan.txt").clauses if c.has_units}
    longer = text.replace("二、试点乡镇", "二、试点乡镇\n（一）先行先试。选择两个乡镇开展试点。")
    after = {c.id: c.path for c in parse_document(longer, "plan.txt").clauses if c.has_units}
    assert before == after


def test_header_found_without_its_exact_names_or_a_number_column() -> None:
    doc = parse_document(
        "某市实施方案\n一、重点工作\n附件1：任务清单\n"
        "主要任务 | 牵头部门 | 协办单位 | 时间安排\n"
        "建设智慧园区 | 市工信局 | 市大数据局、各县（市、区）人民政府 | 2023年底前\n"
        "培育专精特新企业 | 市科技局 | 市财政局 | 每年\n",
        "list.txt",
    )
    first, second = doc.clause("att1.t1"), doc.clause("att1.t2")
    assert first.path == "附件1 第1项"
    assert (first.lead_units, first.responsible_units) == (("市工信局",), ("市大数据局", "各县（市、区）人民政府"))
    assert (second.heading, deadlines_of(second)) == ("培育专精特新企业", ("每年",))


def test_a_unit_marked_lead_in_a_single_unit_column_leads() -> None:
    doc = parse_document(
        "某市方案\n一、任务分工\n"
        "序号\t工作内容\t责任单位\n"
        "1\t开展安全生产大检查\t市应急局（牵头）、市公安局、市交通运输局\n"
        "2\t整治燃气隐患\t牵头单位：市住建局；责任单位：市市场监管局\n",
        "duty.txt",
    )
    rows = [c for c in doc.clauses if c.has_units]
    assert [(c.path, c.lead_units, c.responsible_units) for c in rows] == [
        ("一表 第1项", ("市应急局",), ("市公安局", "市交通运输局")),
        ("一表 第2项", ("市住建局",), ("市市场监管局",)),
    ]


def test_a_table_continued_on_the_next_page_stays_one_table() -> None:
    doc = parse_document(
        "某市方案\n为推进城镇建设，制定本方案。\n附件\n重点任务分工表\n"
        "序号 | 工作任务 | 牵头单位 | 完成时限\n"
        "1 | 编制专项规划 | 市自然资源局 | 2023年6月底前\n"
        "- 2 -\n"
        "2 | 建设污水管网 | 市住建局 | 2023年底前\n",
        "pages.txt",
    )
    assert [(c.id, c.path, c.lead_units) for c in doc.clauses if c.has_units] == [
        ("att1.t1", "附件 第1项", ("市自然资源局",)),
        ("att1.t2", "附件 第2项", ("市住建局",)),
    ]
    assert doc.clause("att1").heading == "重点任务分工表"


def test_table_rows_are_never_read_as_headings() -> None:
    doc = parse_document(
        "某市方案\n一、总体要求\n（一）主要指标\n指标 | 2022年 | 2025年\n一、经济指标 |  | \n地区生产总值 | 100 | 150\n",
        "figures.txt",
    )
    assert [c.id for c in doc.clauses] == ["1", "1.1"]
    assert doc.clause("1.1").text.splitlines()[-2:] == ["一、经济指标 |  |", "地区生产总值 | 100 | 150"]


def test_prose_with_double_spaces_is_not_a_table() -> None:
    text = "某市方案\n一、总则\n（一）目标任务。到2025年  完成改造  100个小区。\n（二）工作要求。压实责任  加强督导  确保实效。"
    assert [c.id for c in parse_document(text, "prose.txt").clauses] == ["1", "1.1", "1.2"]


# --- who leads a row: the answer comes from the table ----------------------------------------------------------------


@pytest.fixture(scope="module", params=["plan.docx", "plan.html", "plan.pdf"])
def plan_bot(request, tmp_path_factory: pytest.TempPathFactory) -> PolicyBot:
    """A PolicyBot whose corpus is the plan in one format."""
    root = tmp_path_factory.mktemp("plan")
    (root / "corpus").mkdir()
    written(root / "corpus", request.param)
    bot = PolicyBot(Settings.from_env(env={}, corpus_dir=root / "corpus", index_dir=root / "index"))
    bot.ensure_index()
    return bot


@pytest.mark.parametrize(
    ("question", "path"),
    [
        ("压缩企业开办时间由哪个单位牵头？", "附件 第1项"),
        ("降低企业用电用气成本由哪个部门牵头？", "附件 第4项"),  # its 牵头单位 is a cell merged over two rows
        ("清理拖欠民营企业中小企业账款谁牵头", "附件 第5项"),
        ("推行工程建设项目审批“一网通办”由哪个单位牵头？", "附件 第2项"),
        ("附件第3项由哪个单位牵头？", "附件 第3项"),  # by the number it is cited by
    ],
)
def test_who_leads_a_row_answers_from_its_units(plan_bot: PolicyBot, question: str, path: str) -> None:
    answer = plan_bot.ask(question)
    heading, lead, responsible, _, _ = TASK_ROWS[path]
    assert answer.found
    assert (answer.lead_units, answer.responsible_units) == (lead, responsible)
    assert answer.citations[0].clause_path == path
    assert f"由{'、'.join(lead)}牵头" in answer.answer
