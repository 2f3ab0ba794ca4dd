"""Sample files that are built in the test rather than committed (a zip bomb, a PDF without a text layer), and
what a Markdown reply looks like once a browser has it (to check that nothing from a document stays live)."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from html.parser import HTMLParser

import pytest
from pypdf import PdfWriter

DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)


def zip_with_zeros(entry_bytes: int) -> bytes:
    """A docx-shaped zip whose one extra entry is `entry_bytes` of zeros (deflates ~1000x)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        zf.writestr("word/document.xml", "<w:document/>")
        chunk = bytes(1024 * 1024)
        with zf.open("word/media/padding.bin", "w") as entry:
            for _ in range(entry_bytes // len(chunk)):
                entry.write(chunk)
    return buffer.getvalue()


def blank_pdf() -> bytes:
    """A one-page PDF with no text layer, as a scanner would produce."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# the only tags the app's Markdown may produce: Markdown's own structure and render.citation_html's blocks
SAFE_TAGS = frozenset(
    {"p", "strong", "em", "blockquote", "ul", "ol", "li", "h2", "h3", "h4", "hr", "br", "b", "details", "summary"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def rendered(markdown: str) -> tuple[list[tuple[str, list]], str]:
    """The tags (with attributes) and the visible text of Markdown rendered with raw HTML let through."""
    markdown_it = pytest.importorskip("markdown_it")
    page = markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)
    parser = _Markup()
    parser.feed(page)
    parser.close()
    return parser.tags, "".join(parser.text)


def live_markup(markdown: str) -> list[str]:
    """Each tag in the rendered Markdown that could act (script, img, link, any attribute); [] when none."""
    tags, _ = rendered(markdown)
    return [f"<{tag} {attrs}>" for tag, attrs in tags if tag not in SAFE_TAGS or attrs]


# --- a plan whose tasks are in a 任务分工表 (tests/test_tables.py, test_tasks.py), as .docx, .html, .pdf and text ----

TASK_PLAN_HEAD = (
    "青川市人民政府办公室关于印发青川市优化营商环境三年行动方案的通知",
    "青府办发〔2022〕15号",
    "各县（市、区）人民政府，市政府各部门：",
    "《青川市优化营商环境三年行动方案》已经市人民政府同意，现印发给你们，请认真贯彻执行。",
    "青川市人民政府办公室",
    "2022年4月2日",
    "青川市优化营商环境三年行动方案",
    "为持续优化营商环境，激发市场主体活力，制定本方案。",
    "一、工作目标",
    "到2024年底，全市营商环境便利度进入全省前列。",
    "二、试点乡镇",
)
TOWNS = (("序号", "乡镇", "所属县"), ("1", "青山镇", "青川县"), ("2", "白水镇", "白水县"))
TASK_PLAN_MIDDLE = (
    "三、保障措施",
    "（一）加强组织领导。成立市优化营商环境工作领导小组。（牵头单位：市发展改革委；责任单位：市政府办公室）",
    "附件：青川市优化营商环境重点任务分工表",
)
# the attachment: a header over two rows (责任单位 over 牵头单位 | 配合单位), two group rows merged across the table,
# 市财政局 merged down over tasks 3 and 4, an empty 配合单位 cell; None marks a cell another one covers
TASK_TABLE = (
    ("序号", "工作任务", "责任单位", None, "完成时限"),
    (None, None, "牵头单位", "配合单位", None),
    ("一、提升政务服务效能", None, None, None, None),
    (
        "1",
        "压缩企业开办时间。企业开办全程网办，时间压缩至1个工作日以内。",
        "市市场监管局",
        "市税务局、市公安局、各县〔市、区〕人民政府",
        "2022年6月底前",
    ),
    (
        "2",
        "推行工程建设项目审批“一网通办”，审批时限压缩至80个工作日以内",
        "市住房城乡建设局",
        "市自然资源局、市发展改革委",
        "2022年12月底前",
    ),
    ("二、降低企业经营成本", None, None, None, None),
    ("3", "落实减税降费政策", "市财政局", "市税务局", "长期坚持"),
    ("4", "降低企业用电用气成本", None, "市发改委、国网青川供电公司", "持续推进"),
    ("5", "清理拖欠民营企业中小企业账款", "市工业和信息化局", "", "2022年9月底前"),
)
# (row, column) → (rows, columns) the cell there covers
TASK_TABLE_SPANS = {(0, 0): (2, 1), (0, 1): (2, 1), (0, 2): (1, 2), (0, 4): (2, 1), (2, 0): (1, 5), (5, 0): (1, 5)}
TASK_TABLE_SPANS[(6, 2)] = (2, 1)
# what every format must parse the attachment into: path → (heading, lead, responsible, deadline, group)
TASK_ROWS = {
    "附件 第1项": (
        "压缩企业开办时间",
        ("市市场监管局",),
        ("市税务局", "市公安局", "各县〔市、区〕人民政府"),
        "2022年6月底前",
        "一、提升政务服务效能",
    ),
    "附件 第2项": (
        "推行工程建设项目审批“一网通办”",
        ("市住房城乡建设局",),
        ("市自然资源局", "市发展改革委"),
        "2022年12月底前",
        "一、提升政务服务效能",
    ),
    "附件 第3项": ("落实减税降费政策", ("市财政局",), ("市税务局",), "长期坚持", "二、降低企业经营成本"),
    "附件 第4项": (
        "降低企业用电用气成本",
        ("市财政局",),
        ("市发改委", "国网青川供电公司"),
        "持续推进",
        "二、降低企业经营成本",
    ),
    "附件 第5项": ("清理拖欠民营企业中小企业账款", ("市工业和信息化局",), (), "2022年9月底前", "二、降低企业经营成本"),
}


def task_plan_docx() -> bytes:
    """The plan as Word writes it: paragraphs, the towns table, and the attachment table with merged cells."""
    import docx

    document = docx.Document()
    for line in TASK_PLAN_HEAD:
        document.add_paragraph(line)
    towns = document.add_table(rows=len(TOWNS), cols=3)
    for r, row in enumerate(TOWNS):
        for c, value in enumerate(row):
            towns.cell(r, c).text = value
    for line in TASK_PLAN_MIDDLE:
        document.add_paragraph(line)
    table = document.add_table(rows=len(TASK_TABLE), cols=5)
    for r, row in enumerate(TASK_TABLE):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = value
    for (r, c), (rows, cols) in TASK_TABLE_SPANS.items():
        table.cell(r, c).merge(table.cell(r + rows - 1, c + cols - 1))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _html_table(rows, spans) -> str:
    out = ["<table border=1>"]
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            if value is None:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            tag = "th" if r < 2 and rows is TASK_TABLE else "td"
            cells.append(f'<{tag} rowspan="{rowspan}" colspan="{colspan}">{value}</{tag}>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(out + ["</table>"])


def task_plan_html() -> str:
    """The plan as a government site publishes it, the tables with rowspan and colspan."""
    paragraphs = lambda lines: "\n".join(f"<p>{line}</p>" for line in lines)  # noqa: E731
    return (
        '<html><head><meta charset="utf-8"><title>优化营商环境</title></head><body><div class="nav">首页 | 政策</div>'
        f'<div class="TRS_Editor">{paragraphs(TASK_PLAN_HEAD)}{_html_table(TOWNS, {})}'
        f"{paragraphs(TASK_PLAN_MIDDLE)}{_html_table(TASK_TABLE, TASK_TABLE_SPANS)}</div></body></html>"
    )


def task_plan_pdf() -> bytes:
    """The plan as a ruled-table PDF (reportlab's built-in Chinese font STSong-Light: the text is extractable)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    text = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16)
    small = ParagraphStyle("zh-cell", fontName="STSong-Light", fontSize=9, leading=12)

    def table(rows, spans, widths):
        cells = [[Paragraph(value or "", small) for value in row] for row in rows]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black)]
        style += [("SPAN", (c, r), (c + cols - 1, r + rows - 1)) for (r, c), (rows, cols) in spans.items()]
        return Table(cells, colWidths=widths, style=TableStyle(style))

    story = [Paragraph(line, text) for line in TASK_PLAN_HEAD]
    story.append(table(TOWNS, {}, [40, 120, 120]))
    story += [Paragraph(line, text) for line in TASK_PLAN_MIDDLE]
    story.append(table(TASK_TABLE, TASK_TABLE_SPANS, [30, 170, 80, 130, 70]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


# the attachment as a text file writes it: one header row, a group's name alone on its line, 市财政局 in both rows
TEXT_TASK_TABLE = (
    ("序号", "工作任务", "牵头单位", "配合单位", "完成时限"),
    "一、提升政务服务效能",
    TASK_TABLE[3],
    TASK_TABLE[4],
    "二、降低企业经营成本",
    TASK_TABLE[6],
    ("4", "降低企业用电用气成本", "市财政局", "市发改委、国网青川供电公司", "持续推进"),
    TASK_TABLE[8],
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _text_table(rows, separator: str) -> list[str]:
    """Rows with cells joined by `separator`; with spaces, padded into columns as a fixed-width text table."""
    if separator.strip() or "\t" in separator:
        return [row if isinstance(row, str) else separator.join(row) for row in rows]
    widths = [max(_width(row[c]) for row in rows if not isinstance(row, str)) for c in range(len(rows[0]))]
    return [
        row
        if isinstance(row, str)
        else "".join(cell + " " * (w - _width(cell) + 2) for cell, w in zip(row, widths, strict=True))
        for row in rows
    ]


def task_plan_text(separator: str) -> str:
    """The plan as a text file, its tables' columns separated by `separator` (a tab, " | ", or spaces)."""
    lines = [*TASK_PLAN_HEAD, *_text_table(TOWNS, separator), *TASK_PLAN_MIDDLE]
    return "\n".join([*lines, *_text_table(TEXT_TASK_TABLE, separator)]) + "\n"
