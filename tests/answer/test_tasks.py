"""The task ledger (任务分工台账): `policybot tasks` lists every task clause of a document, of several, or of one unit,
with its exact unit lists and deadlines, as JSON, CSV or an Excel workbook that opens with Chinese headers."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest
from samples import TASK_ROWS, task_plan_docx, task_plan_text

from policybot.answer.tasks import COLUMNS, FORMATS, TaskEntry, deadlines_of, ledger_xlsx, summary_of
from policybot.bot import PolicyBot
from policybot.cli import LEDGER_FORMATS, main
from policybot.ingest.parser import parse_document
from policybot.ingest.units import split_units

SEED_NUMBER = "遵府办函〔2020〕141号"
COUNTIES = "各县〔市、区〕人民政府"
NEW_AREA = "新蒲新区管委会"
BOTH = ("市发展改革委", "市住房城乡建设局")
# the seed's 8 task clauses as its text writes them: (clause_path, heading, lead units, responsible units)
SEED_TASKS = [
    ("三（一）", "着力实施分类推进", BOTH, ("市特色小镇和小城镇建设发展工作联席会议其他成员单位", COUNTIES, NEW_AREA)),
    (
        "三（二）",
        "着力强化规划引领",
        ("市自然资源局",),
        (
            *BOTH,
            "市工业和能源局",
            "市农业农村局",
            "市商务局",
            "市生态环境局",
            "市交通运输局",
            "市文体旅游局",
            COUNTIES,
            NEW_AREA,
        ),
    ),
    ("三（一）", "加大财政支持", ("市财政局",), (*BOTH, COUNTIES, NEW_AREA)),
    (
        "三（二）",
        "加大金融支持",
        ("市金融办",),
        ("市财政局", "人民银行遵义中支", "遵义银保监分局", *BOTH, COUNTIES, NEW_AREA),
    ),
    ("三（三）", "加大用地支持", ("市自然资源局",), (COUNTIES, NEW_AREA)),
    (
        "三（四）",
        "加大产业支持",
        ("市工业和能源局", "市商务局"),
        (
            "市投促局",
            "市农业农村局",
            "市文体旅游局",
            "市市场监管局",
            "市民政局",
            "市扶贫办",
            "市委统战部(市民宗委)",
            "市税务局",
            "市金融办",
            *BOTH,
            COUNTIES,
            NEW_AREA,
        ),
    ),
    ("三（五）", "加大人才支持", ("市委组织部", "市人力资源社会保障局"), (*BOTH, "遵义行政学院", COUNTIES, NEW_AREA)),
    ("四（一）", "强化组织领导", BOTH, ("市特色小镇和小城镇建设发展工作联席会议其他成员单位", COUNTIES, NEW_AREA)),
]
JSON_KEYS = {"doc_number", "clause_path", "heading", "summary", "lead_units", "responsible_units", "deadlines"}


@pytest.fixture
def where(built_bot, monkeypatch) -> list[str]:
    """--corpus/--index of the built seed, with no POLICYBOT_* settings leaking in from the environment."""
    for name in [n for n in os.environ if n.startswith("POLICYBOT_")]:
        monkeypatch.delenv(name)
    return ["--corpus", str(built_bot.settings.corpus_dir), "--index", str(built_bot.settings.index_dir)]


@pytest.fixture(scope="module")
def two_plans(bot_copy) -> PolicyBot:
    """The seed and the 营商环境 plan whose tasks are in a 任务分工表 (.docx), indexed together."""
    bot = bot_copy()
    (bot.settings.corpus_dir / "plan.docx").write_bytes(task_plan_docx())
    bot.ensure_index()
    return bot


def tasks_json(args: list[str], capsys) -> list[dict]:
    assert main(["tasks", *args]) == 0
    return json.loads(capsys.readouterr().out)


def units(cell: str) -> tuple[str, ...]:
    """A spreadsheet cell's units, listed with 、 as documents list them (brackets kept whole)."""
    return tuple(split_units(cell))


def as_rows(rows: list[dict]) -> list[tuple]:
    return [(r["clause_path"], r["heading"], tuple(r["lead_units"]), tuple(r["responsible_units"])) for r in rows]


# --- the seed's ledger ---------------------------------------------------------------------------------------------


def test_the_seed_ledger_lists_exactly_its_8_task_clauses_with_their_unit_lists(where, capsys) -> None:
    rows = tasks_json(["--doc", SEED_NUMBER, "--format", "json", *where], capsys)
    assert as_rows(rows) == SEED_TASKS
    assert all(set(r) >= JSON_KEYS and r["doc_number"] == SEED_NUMBER for r in rows)
    assert rows[1]["deadlines"] == ["到2022年底"]  # "力争到2022年底,…实现…规划全覆盖"
    assert rows[4]["summary"].startswith("盘活存量和低效建设用地")


@pytest.mark.parametrize(
    "name", ["遵府办函[2020]141号", "zunyi-fubanhan-2020-141", "特色小镇和小城镇高质量发展实施方案"]
)
def test_a_document_is_named_by_its_number_in_any_brackets_its_id_or_its_title(where, capsys, name: str) -> None:
    assert as_rows(tasks_json(["--doc", name, *where], capsys)) == SEED_TASKS


def test_the_xlsx_opens_with_chinese_headers_a_frozen_header_row_and_the_same_rows(where, tmp_path, capsys) -> None:
    path = tmp_path / "台账.xlsx"
    assert main(["tasks", "--doc", SEED_NUMBER, "--format", "xlsx", "-o", str(path), *where]) == 0
    assert "8 项任务" in capsys.readouterr().err
    sheet = openpyxl.load_workbook(path).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert (
        header
        == tuple(name for name, _ in COLUMNS)
        == (*("序号", "文号", "文件名称", "条款", "标题", "任务摘要", "牵头单位", "责任单位", "完成时限"),)
    )
    assert sheet.freeze_panes == "A2"
    assert [sheet.column_dimensions[col].width for col in "ABCDEFGHI"] == [width for _, width in COLUMNS]
    column = {name: i for i, name in enumerate(header)}
    assert [
        (r[column["条款"]], r[column["标题"]], units(r[column["牵头单位"]]), units(r[column["责任单位"]])) for r in rows
    ] == SEED_TASKS
    assert [r[column["序号"]] for r in rows] == list(range(1, 9))
    assert {r[column["文号"]] for r in rows} == {SEED_NUMBER}


def test_the_csv_is_utf8_with_a_bom_and_the_same_rows(where, tmp_path) -> None:
    path = tmp_path / "台账.csv"
    assert main(["tasks", "--doc", SEED_NUMBER, "-o", str(path), *where]) == 0  # the format from the suffix
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel and WPS read the Chinese only with it
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header == [name for name, _ in COLUMNS]
    assert [(r[3], r[4], units(r[6]), units(r[7])) for r in rows] == SEED_TASKS


def test_every_option_has_help(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["tasks", "--help"])
    out = capsys.readouterr().out
    for option in ("--doc", "--unit", "--format", "--output", "--corpus", "--index", "--embedder"):
        assert option in out
    assert set(LEDGER_FORMATS) == set(FORMATS)
    assert all(name in out for name in FORMATS)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--doc", "遵府办函〔2099〕1号"], "遵府办函〔2099〕1号"),
        (["--unit", "市教育局"], "市教育局"),
        (["--unit", "局" * 80], "80 字"),
    ],
)
def test_an_unknown_document_or_unit_exits_2_naming_it(where, capsys, args: list[str], named: str) -> None:
    assert main(["tasks", *args, *where]) == 2
    captured = capsys.readouterr()
    assert named in captured.err and captured.out == ""


def test_an_unwritable_output_exits_2_naming_the_file(where, tmp_path, capsys) -> None:
    target = tmp_path / "no-such-folder" / "台账.json"
    assert main(["tasks", "-o", str(target), *where]) == 2
    assert str(target) in capsys.readouterr().err


# --- several documents and one unit ----------------------------------------------------------------------------------


def test_the_ledger_of_all_documents_is_newest_first_with_every_table_row(two_plans) -> None:
    entries = two_plans.task_ledger()
    plan = [e for e in entries if e.doc_number == "青府办发〔2022〕15号"]
    assert entries[: len(plan)] == plan  # the 2022 plan before the 2020 seed
    rows = {e.clause_path: (e.heading, e.lead_units, e.responsible_units, e.deadlines) for e in plan[1:]}
    assert rows == {path: (h, lead, resp, (deadline,)) for path, (h, lead, resp, deadline, _) in TASK_ROWS.items()}
    assert [(e.clause_path, e.lead_units) for e in plan[:1]] == [("三（一）", ("市发展改革委",))]
    assert len(entries) == len(plan) + 8


@pytest.mark.parametrize("unit", ["市发改委", "市发展改革委", "发改委"])
def test_a_units_ledger_holds_its_rows_under_every_name_it_is_written_with(two_plans, unit: str) -> None:
    rows = [(e.doc_number, e.clause_path, e.heading) for e in two_plans.task_ledger(unit=unit)]
    assert rows[:3] == [
        ("青府办发〔2022〕15号", "三（一）", "加强组织领导"),  # 牵头单位：市发展改革委
        ("青府办发〔2022〕15号", "附件 第2项", "推行工程建设项目审批“一网通办”"),  # 配合单位 市发展改革委
        ("青府办发〔2022〕15号", "附件 第4项", "降低企业用电用气成本"),  # 配合单位 written 市发改委
    ]
    assert [path for _, path, _ in rows[3:]] == [p for p, *_ in SEED_TASKS if p != "三（三）"]  # all but 用地支持


def test_a_unit_and_a_document_together_give_the_units_rows_in_that_document(two_plans) -> None:
    entries = two_plans.task_ledger(["青府办发〔2022〕15号"], "市财政局")
    assert [(e.clause_path, e.lead_units, e.deadlines) for e in entries] == [
        ("附件 第3项", ("市财政局",), ("长期坚持",)),
        ("附件 第4项", ("市财政局",), ("持续推进",)),  # 牵头单位 merged down over both rows
    ]


def test_an_ambiguous_title_is_refused_naming_the_documents(two_plans) -> None:
    with pytest.raises(Exception, match="实施方案") as info:
        two_plans.task_ledger(["方案"])
    assert "青府办发〔2022〕15号" in str(info.value) and SEED_NUMBER in str(info.value)


# --- what a row says -------------------------------------------------------------------------------------------------


def test_deadlines_stated_in_the_text_are_listed_and_task_verbs_are_not() -> None:
    doc = parse_document(
        "某市实施方案\n一、重点任务\n"
        "（一）推进老旧小区改造。2020年9月底前完成摸底，到2022年底全面完成改造，长期坚持。（牵头单位：市住建局）\n"
        "（二）深化放管服改革。持续推进审批制度改革，截至2021年6月底前完成清单。（牵头单位：市政务服务中心）\n",
        "plan.txt",
    )
    assert deadlines_of(doc.clause("1.1")) == ("2020年9月底前", "到2022年底", "长期坚持")
    assert deadlines_of(doc.clause("1.2")) == ("截至2021年6月底前",)  # "持续推进审批制度改革" is the task itself


def test_a_table_rows_summary_is_its_task_not_its_other_columns() -> None:
    rows = {c.path: c for c in parse_document(task_plan_text("\t"), "plan.txt").clauses}
    assert summary_of(rows["附件 第1项"]) == "企业开办全程网办，时间压缩至1个工作日以内。"
    assert summary_of(rows["附件 第3项"]) == "落实减税降费政策"  # not "完成时限：长期坚持"
    assert deadlines_of(rows["附件 第3项"]) == ("长期坚持",)


def test_a_long_first_sentence_is_cut_to_one_line_ending_with_an_ellipsis(where, capsys) -> None:
    rows = tasks_json(["--doc", SEED_NUMBER, *where], capsys)
    assert all(len(r["summary"]) <= 60 for r in rows)
    assert rows[3]["summary"].endswith("…")


def test_a_cell_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path) -> None:
    entry = TaskEntry("d", "方案", "某〔2024〕1号", "c", "一", '=HYPERLINK("x")', "=1+1", ("市财政局",), (), ())
    path = tmp_path / "f.xlsx"
    path.write_bytes(ledger_xlsx([entry]))
    row = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))[0]
    assert row[4:6] == ('=HYPERLINK("x")', "=1+1")
    assert openpyxl.load_workbook(path).active["E2"].data_type == "s"


def test_json_to_a_file_has_the_same_rows_as_standard_output(where, tmp_path, capsys) -> None:
    printed = tasks_json(["--doc", SEED_NUMBER, *where], capsys)
    path: Path = tmp_path / "ledger.json"
    assert main(["tasks", "--doc", SEED_NUMBER, "--format", "json", "-o", str(path), *where]) == 0
    assert json.loads(path.read_text(encoding="utf-8")) == printed
