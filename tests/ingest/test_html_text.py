"""html_text: a government web page gives the document's text, one paragraph or table row per line, and no chrome."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import task_plan_html
from test_loaders import TASK_TABLE_LINES

from policybot.errors import DocumentError
from policybot.ingest.html_text import page_text

DATA = Path(__file__).parent.parent / "data"


def test_html_keeps_the_document_and_drops_site_chrome_and_scripts():
    text = page_text((DATA / "page_with_nav.html").read_text(encoding="utf-8"), "page_with_nav.html")
    lines = text.splitlines()
    assert lines[0] == "青川市人民政府办公室关于做好2021年春季农业生产工作的通知"
    assert "青府办发〔2021〕9号" in lines
    assert "（牵头单位：市农业农村局；责任单位：各县〔市、区〕人民政府）" in text
    assert "1 | 分解粮食生产目标任务 | 市农业农村局 | 2021年3月底前" in lines
    assert lines[-1] == "2021年3月8日"
    for chrome in ("政务服务", "互动交流", "当前位置", "用户登录", "网站标识码", "分享到", "相关文件推荐", "门户网站"):
        assert chrome not in text, chrome
    for code in ("SCRIPT-IN-HEAD", "SCRIPT-IN-BODY", "STYLE-MARKER", "document.write"):
        assert code not in text, code


def test_html_page_wrapped_in_a_form_keeps_its_text():
    page = (
        "<html><body><form id='form1'><div class='menu'>网站首页</div>"
        "<p>青川市人民政府关于公布行政规范性文件清理结果的决定</p><p>青府发〔2020〕5号</p></form></body></html>"
    )
    assert page_text(page, "aspnet.html").splitlines() == [
        "青川市人民政府关于公布行政规范性文件清理结果的决定",
        "青府发〔2020〕5号",
    ]


def test_a_layout_table_keeps_each_cells_lines_and_a_data_table_one_row_per_line():
    layout_cell = "".join(f"<p>第{i}段</p>" for i in range(1, 8))
    page = (
        f"<html><body><table><tr><td>{layout_cell}</td><td><p>侧栏</p></td></tr></table>"
        "<table><tr><th>序号</th><th>任务</th></tr><tr><td>1</td><td>编制规划</td></tr></table></body></html>"
    )
    lines = page_text(page, "layout.html").splitlines()
    assert lines[:7] == [f"第{i}段" for i in range(1, 8)]
    assert lines[-2:] == ["序号 | 任务", "1 | 编制规划"]


def test_rowspan_and_colspan_keep_every_cell_in_its_column():
    page = task_plan_html()
    lines = page_text(page, "plan.html").splitlines()
    start = lines.index("附件：青川市优化营商环境重点任务分工表") + 1
    assert lines[start : start + len(TASK_TABLE_LINES)] == TASK_TABLE_LINES


def test_html_with_only_scripts_is_refused_naming_the_page():
    with pytest.raises(DocumentError, match="blank.html") as info:
        page_text("<html><body><script>var a = 1;</script></body></html>", "blank.html")
    assert "no body text" in str(info.value)
