"""The parser reads a document the way a civil servant does: metadata, clause tree, 牵头/责任单位."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policybot.document import normalize_doc_number
from policybot.errors import DocumentError
from policybot.ingest.corpus import read_corpus, read_document
from policybot.ingest.parser import parse_date, parse_document
from policybot.ingest.units import extract_units, split_units

DATA = Path(__file__).parent.parent / "data"

SEED_UNITS = {
    "着力实施分类推进": (["市发展改革委", "市住房城乡建设局"], 3),
    "着力强化规划引领": (["市自然资源局"], 10),
    "加大财政支持": (["市财政局"], 4),
    "加大金融支持": (["市金融办"], 7),
    "加大用地支持": (["市自然资源局"], 2),
    "加大产业支持": (["市工业和能源局", "市商务局"], 13),
    "加大人才支持": (["市委组织部", "市人力资源社会保障局"], 5),
    "强化组织领导": (["市发展改革委", "市住房城乡建设局"], 3),
}


@pytest.fixture(scope="module")
def seed(seed_text: str):
    return parse_document(seed_text, "zunyi-fubanhan-2020-141.txt")


def test_seed_metadata(seed) -> None:
    assert seed.title == "遵义市加快推动特色小镇和小城镇高质量发展实施方案"
    assert seed.doc_number == "遵府办函〔2020〕141号"
    assert seed.issuer == "遵义市人民政府办公室"
    assert seed.date == "2020-07-13"
    assert seed.validity == "现行有效"
    assert "USHUI" in seed.validity_note
    assert seed.validity_basis is not None and seed.validity_basis.doc_number == "遵府发〔2023〕11号"
    assert seed.truncated is True
    assert seed.notice_title.startswith("遵义市人民政府办公室关于印发")
    assert seed.addressees == ("各县、自治县、区(市)人民政府", "新蒲新区管委会", "市政府有关部门")


def test_seed_references_the_provincial_document(seed) -> None:
    numbers = {r.doc_number: r.title for r in seed.references}
    assert numbers["黔府办发〔2019〕20号"] == "省人民政府办公厅关于加快推动特色小镇和小城镇高质量发展的实施意见"
    assert all(r.title != seed.title for r in seed.references)


def test_truncation_marker_is_not_content(seed) -> None:
    assert all("请登录" not in c.text for c in seed.clauses)


def test_exactly_eight_task_clauses_with_exact_units(seed) -> None:
    tasks = [c for c in seed.clauses if c.lead_units]
    assert len(tasks) == 8
    for clause in tasks:
        lead, n_responsible = SEED_UNITS[clause.heading]
        assert list(clause.lead_units) == lead
        assert len(clause.responsible_units) == n_responsible
        assert "牵头单位" not in clause.text
        assert clause.units_note.startswith("(牵头单位:")
    industry = next(c for c in tasks if c.heading == "加大产业支持")
    assert "市委统战部(市民宗委)" in industry.responsible_units
    assert industry.responsible_units[-2:] == ("各县〔市、区〕人民政府", "新蒲新区管委会")


def test_principles_are_clauses_of_basic_principles(seed) -> None:
    principles = seed.children("1.2")
    assert [c.heading for c in principles] == [
        "坚持以人为本,共建共享",
        "坚持绿色发展,生态优先",
        "坚持产业立镇,城乡融合",
        "坚持因地制宜,特色发展",
        "坚持深化改革,创新机制",
    ]
    assert seed.clause("1.2").heading == "基本原则"
    assert all(c.heading_path[:2] == ("一、总体要求", "（二）基本原则") for c in principles)


def test_restarted_numbering_keeps_reading_order_and_stable_ids(seed) -> None:
    under_three = [c for c in seed.clauses if c.parent_id == "3"]
    assert [c.heading for c in under_three] == [
        "着力实施分类推进",
        "着力强化规划引领",
        "加大财政支持",
        "加大金融支持",
        "加大用地支持",
        "加大产业支持",
        "加大人才支持",
    ]
    assert [c.id for c in under_three] == ["3.1", "3.2", "3.r2.1", "3.r2.2", "3.r2.3", "3.r2.4", "3.r2.5"]
    assert seed.clause("3.r2.3").path == "三（三）"
    assert len({c.id for c in seed.clauses}) == len(seed.clauses)


def test_half_and_full_width_numbering_are_the_same() -> None:
    half = parse_document("标题\n一、总则\n(一)第一项。内容。\n(二)第二项。内容。", "a.txt")
    full = parse_document("标题\n一、总则\n（一）第一项。内容。\n（二）第二项。内容。", "b.txt")
    assert [(c.id, c.path, c.heading) for c in half.clauses] == [(c.id, c.path, c.heading) for c in full.clauses]


def test_cross_reference_inside_a_sentence_is_not_a_heading() -> None:
    doc = parse_document(
        "标题\n一、总则\n（一）落实责任。按照本方案三（一）的要求执行,\n三（一）所列事项另行通知。", "x.txt"
    )
    assert [c.id for c in doc.clauses] == ["1", "1.1"]
    assert "三（一）所列事项" in doc.clause("1.1").text


def test_deep_numbering_from_gbk_file() -> None:
    doc = read_document(DATA / "gbk_notice.txt")
    assert doc.doc_number == "青府办发〔2021〕7号"
    assert doc.date == "2021-03-05"
    deep = doc.clause("1.1.1.1")
    assert deep.path == "一（一）1.（1）"
    assert deep.lead_units == ("市财政局",)
    assert deep.responsible_units == ("市税务局", "各县〔市、区〕人民政府")
    assert doc.clause("1.1.1").heading == "全面落实小规模纳税人增值税减免政策"


def test_full_width_unit_separators() -> None:
    doc = read_document(DATA / "fullwidth_units.txt")
    tasks = [c for c in doc.clauses if c.lead_units]
    assert len(tasks) == 2
    assert tasks[0].lead_units == ("市教育局", "市人力资源社会保障局")
    assert tasks[0].responsible_units == ("市财政局", "各县（市、区）人民政府")
    assert tasks[1].lead_units == ("市委组织部", "市人力资源社会保障局")


def test_docx_and_html_parse_with_signature_and_tables() -> None:
    docx = read_document(DATA / "sample.docx")
    assert (docx.doc_number, docx.issuer, docx.date) == ("青府发〔2021〕12号", "青川市人民政府", "2021-06-01")
    assert docx.clause("att1.t3").lead_units == ("市大数据局",)  # the table row is a task clause
    html = read_document(DATA / "page_with_nav.html")
    assert html.doc_number == "青府办发〔2021〕9号" and html.date == "2021-03-08"
    assert [c.lead_units for c in html.clauses if c.lead_units] == [
        ("市农业农村局",),
        ("市供销社",),
        ("市农业农村局",),  # the table's two tasks
        ("市市场监管局",),
    ]


@pytest.mark.parametrize(
    "written",
    [
        "遵府办函〔2020〕141号",
        "遵府办函[2020]141号",
        "遵府办函［2020］141号",
        "遵府办函(2020)141号",
        "遵府办函（2020）141号",
    ],
)
def test_doc_number_bracket_variants(written: str) -> None:
    assert normalize_doc_number(written) == "遵府办函〔2020〕141号"
    doc = parse_document(f"某市实施方案\n{written}\n一、总则\n正文。", "v.txt")
    assert doc.doc_number == "遵府办函〔2020〕141号"


def test_repeated_title_counts_once_and_dates() -> None:
    doc = parse_document("某某方案\n某某方案\n二〇二一年三月五日\n一、总则\n正文。", "t.txt")
    assert doc.title == "某某方案"
    assert doc.date == "2021-03-05"
    assert parse_date("2020年7月13日") == "2020-07-13"


def test_units_never_split_inside_brackets() -> None:
    assert split_units("市委统战部(市民宗委)、各县〔市、区〕人民政府、新蒲新区管委会") == [
        "市委统战部(市民宗委)",
        "各县〔市、区〕人民政府",
        "新蒲新区管委会",
    ]
    body, lead, responsible, note = extract_units("做好工作。（牵头单位：市财政局；责任单位：各县（市、区）人民政府）")
    assert body == "做好工作。"
    assert lead == ("市财政局",) and responsible == ("各县（市、区）人民政府",)
    assert note.startswith("（牵头单位")


def test_empty_text_is_a_named_error() -> None:
    with pytest.raises(DocumentError, match="blank.txt"):
        parse_document("\n\n  \n", "blank.txt")


def test_folder_ingest_keeps_good_files_when_one_is_bad(tmp_path: Path) -> None:
    for name in ("gbk_notice.txt", "fullwidth_units.txt", "empty.txt", "binary.txt", "unknown.xyz"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    documents, errors = read_corpus(tmp_path)
    assert sorted(d.source for d in documents) == ["fullwidth_units.txt", "gbk_notice.txt"]
    assert sorted(e.source for e in errors) == ["binary.txt", "empty.txt", "unknown.xyz"]


def test_sidecar_metadata_is_applied_and_checked(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("某市方案\n一、总则\n正文。", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(json.dumps({"issuer": "某市人民政府"}), encoding="utf-8")
    assert read_document(tmp_path / "a.txt").issuer == "某市人民政府"
    (tmp_path / "a.meta.json").write_text(json.dumps({"colour": "red"}), encoding="utf-8")
    with pytest.raises(DocumentError, match="colour"):
        read_document(tmp_path / "a.txt")


def test_law_articles_parse(tmp_path: Path) -> None:
    text = "# 中华人民共和国示例法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了规范示例，制定本法。\n\n第二条 本法适用于：\n\n（一）示例一；\n\n（二）示例二。\n\n## 第二章 附则\n\n第三条 本法自公布之日起施行。\n"
    doc = parse_document(text, "law.md")
    assert doc.title == "中华人民共和国示例法"
    articles = [c for c in doc.clauses if c.id.startswith("art")]
    assert [c.path for c in articles] == ["第一条", "第二条", "第三条"]
    assert "（二）示例二" in doc.clause("art2").text
    assert doc.clause("art3").heading_path[0].startswith("第二章")


def test_cli_parse_json_prints_chinese_as_is() -> None:
    seed = Path(__file__).resolve().parents[2] / "corpus" / "zunyi-fubanhan-2020-141.txt"
    out = subprocess.run(
        [sys.executable, "-m", "policybot.cli", "parse", str(seed), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "\\u" not in out and "遵府办函〔2020〕141号" in out
    data = json.loads(out)
    for key in ("title", "doc_number", "issuer", "date", "validity", "truncated", "references", "clauses"):
        assert key in data
    assert {"title", "doc_number"} <= set(data["references"][0])
    for key in ("id", "path", "number", "heading", "text", "lead_units", "responsible_units"):
        assert key in data["clauses"][0]


@pytest.mark.parametrize(
    "chapter_line",
    [
        "## 第二章 工资支付形式与周期第三条 工资应当以货币形式支付。",
        "第二章 工资支付形式与周期 第三条 工资应当以货币形式支付。",
    ],
)
def test_a_chapter_heading_run_into_its_first_article_keeps_the_article(chapter_line: str) -> None:
    # scraped pages keep "第二章 …" and the chapter's first article on one line: the article is no chapter's text
    text = (
        "# 示例工资条例\n\n## 第一章 总则\n\n第一条 为了保障工资支付，制定本条例。\n\n第二条 本条例适用于用人单位。\n\n"
        f"{chapter_line}\n\n第四条 工资应当按月支付。\n"
    )
    doc = parse_document(text, "law.md")
    assert [c.path for c in doc.clauses if c.kind == "article"] == ["第一条", "第二条", "第三条", "第四条"]
    chapter = next(c for c in doc.clauses if c.path == "第二章")
    assert chapter.heading == "工资支付形式与周期" and not chapter.text
    assert doc.clause("art3").text == "工资应当以货币形式支付。"
    assert doc.clause("art3").heading_path[0] == "第二章 工资支付形式与周期"


def test_a_chapter_section_and_article_on_one_line_are_three_clauses() -> None:
    text = "# 示例法\n\n第一章 总则\n\n第一条 为了示例，制定本法。\n\n第二章 特别规定 第一节 集体合同第二条 企业可以订立集体合同。\n"
    doc = parse_document(text, "law.md")
    assert [(c.path, c.heading) for c in doc.clauses if c.kind == "chapter"][-2:] == [
        ("第二章", "特别规定"),
        ("第二章第一节", "集体合同"),
    ]
    assert doc.clause("art2").text == "企业可以订立集体合同。"
    assert doc.clause("art2").heading_path[:2] == ("第二章 特别规定", "第一节 集体合同")
