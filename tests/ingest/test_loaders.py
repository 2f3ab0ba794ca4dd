"""loaders: every supported file type becomes plain text; every bad file is refused with its name and the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from samples import blank_pdf, task_plan_docx, task_plan_pdf, zip_with_zeros

from policybot.errors import DocumentError
from policybot.ingest import loaders
from policybot.ingest.loaders import SUPPORTED_SUFFIXES, decode_bytes, iter_corpus, load_text

DATA = Path(__file__).parent.parent / "data"


def text_pdf(*pages: str) -> bytes:
    """A minimal valid PDF, one Helvetica text line per page, with exact xref offsets (pypdf cannot write text)."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    font_id = 3 + 2 * n
    for i, text in enumerate(pages):
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {font_id} 0 R >> >> "
            f"/Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def assert_refused(path: Path, *reason_parts: str) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        load_text(path)
    message = str(info.value)
    assert info.value.source == path.name
    assert path.name in message
    for part in reason_parts:
        assert part in message
    return info.value


# --- text files -----------------------------------------------------------------------------------


def test_gbk_file_loads_to_the_chinese_text():
    text = load_text(DATA / "gbk_notice.txt")
    lines = text.splitlines()
    assert lines[0] == "青川市人民政府办公室关于印发青川市支持中小微企业纾困发展若干措施的通知"
    assert "青府办发〔2021〕7号" in lines
    assert "2021年3月5日" in lines
    assert "（牵头单位：市财政局；责任单位：市税务局、各县〔市、区〕人民政府）" in text
    assert "1．全面落实小规模纳税人增值税减免政策。" in lines


def test_utf8_bom_is_stripped_and_fullwidth_units_kept():
    raw = (DATA / "fullwidth_units.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = load_text(DATA / "fullwidth_units.txt")
    assert text.startswith("青川市人民政府关于进一步做好稳就业工作的实施意见")
    assert "\ufeff" not in text
    assert "（牵头单位：市教育局、市人力资源社会保障局；责任单位：市财政局，各县（市、区）人民政府）" in text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "gb18030"])
def test_decode_bytes_reads_the_encodings_chinese_offices_save(encoding):
    text = "青川市人民政府办公室\n青府办发〔2021〕7号\n二〇二一年三月五日"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert decode_bytes(data, "x.txt") == text


def test_short_gbk_text_is_not_mistaken_for_another_encoding():
    # charset-normalizer alone guesses a Korean code page for these four characters
    assert decode_bytes("市财政局".encode("gbk"), "unit.txt") == "市财政局"


def test_big5_text_is_not_forced_into_gb18030():
    text = "臺灣地區的經濟發展與政府政策，行政院公告事項。"
    assert decode_bytes(text.encode("big5"), "big5.txt") == text


def test_crlf_line_endings_become_one_line_per_paragraph(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes("一、总体要求\r\n（一）指导思想\r\n".encode())
    assert load_text(path).splitlines() == ["一、总体要求", "（一）指导思想"]


# --- docx -------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_rows_stay_in_body_order():
    lines = load_text(DATA / "sample.docx").splitlines()
    assert lines[0] == "青川市人民政府关于加快推进数字经济发展的实施意见"
    assert lines[1] == "青府发〔2021〕12号"
    assert "一、总体要求" in lines
    # auto-numbered (numPr) paragraphs keep their text even though the number is not reproduced
    numbered = "加快新型基础设施建设，实现5G网络乡镇以上全覆盖。（牵头单位：市经济和信息化局；责任单位：市通信发展办）"
    header = "序号 | 工作任务 | 牵头单位 | 完成时限"
    assert numbered in lines
    assert lines.index("二、重点任务") < lines.index(numbered) < lines.index("附件：重点任务分工表")
    assert lines.index("附件：重点任务分工表") + 1 == lines.index(header)
    assert lines[lines.index(header) + 1 : lines.index(header) + 4] == [
        "1 | 建设5G基站1000个 | 市经济和信息化局 | 2021年12月底前",
        "2 | 建成智能工厂5个 | 市经济和信息化局 | 2022年6月底前",  # vertically merged 牵头单位 repeated
        "3 | 推进政务数据共享 | 市大数据局 | 长期坚持",
    ]
    assert lines[-2:] == ["青川市人民政府", "2021年6月1日"]  # the date sits in a smart tag


# the attachment of samples.task_plan_* as its loader must give it: every cell in its column, merged ones too
TASK_TABLE_LINES = [
    "序号 | 工作任务 | 责任单位 |  | 完成时限",
    "序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限",  # 序号, 工作任务 and 完成时限 are merged down
    "一、提升政务服务效能 |  |  |  |",  # a cell merged across the row
    "1 | 压缩企业开办时间。企业开办全程网办，时间压缩至1个工作日以内。 | 市市场监管局 | "
    "市税务局、市公安局、各县〔市、区〕人民政府 | 2022年6月底前",
    "2 | 推行工程建设项目审批“一网通办”，审批时限压缩至80个工作日以内 | 市住房城乡建设局 | "
    "市自然资源局、市发展改革委 | 2022年12月底前",
    "二、降低企业经营成本 |  |  |  |",
    "3 | 落实减税降费政策 | 市财政局 | 市税务局 | 长期坚持",
    "4 | 降低企业用电用气成本 | 市财政局 | 市发改委、国网青川供电公司 | 持续推进",  # 市财政局 merged down
    "5 | 清理拖欠民营企业中小企业账款 | 市工业和信息化局 |  | 2022年9月底前",  # an empty cell keeps its place
]


def attachment_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("附件：青川市优化营商环境重点任务分工表") + 1
    return lines[start : start + len(TASK_TABLE_LINES)]


def test_docx_table_rows_keep_every_cell_in_its_column(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(task_plan_docx())
    assert attachment_lines(load_text(path)) == TASK_TABLE_LINES


def test_zip_bomb_docx_is_refused_before_extracting(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_with_zeros(60 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    assert_refused(path, str(loaders.MAX_DOCX_UNCOMPRESSED), "zip bomb")


def test_docx_entry_with_absurd_compression_ratio_is_refused(tmp_path):
    path = tmp_path / "ratio.docx"
    path.write_bytes(zip_with_zeros(5 * 1024 * 1024))  # under the total limit, but ~1000x compressed
    assert_refused(path, "word/media/padding.bin", "compression ratio")


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 this is not really a zip", b"not a zip at all", zip_with_zeros(0)],
    ids=["truncated-zip", "not-zip", "zip-without-word-parts"],
)
def test_corrupt_docx_is_refused_naming_the_file(tmp_path, data):
    path = tmp_path / "通知.docx"
    path.write_bytes(data)
    error = assert_refused(path, "corrupt docx")
    assert error.__cause__ is not None


# --- html -------------------------------------------------------------------------------------------


def test_html_declared_gb2312_is_read_as_gbk(tmp_path):
    page = (DATA / "page_with_nav.html").read_text(encoding="utf-8")
    page = page.replace(
        '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    )
    page = page.replace("2021年3月8日", "二〇二一年三月八日")  # 〇 is GBK, not GB2312
    path = tmp_path / "gb2312.htm"
    path.write_bytes(page.encode("gbk"))
    text = load_text(path)
    assert text.splitlines()[-1] == "二〇二一年三月八日"
    assert "SCRIPT-IN-BODY" not in text


def test_html_labelled_utf8_but_saved_as_gbk_is_read_as_gbk(tmp_path):
    # many CMS exports keep the template's utf-8 meta tag while the body is GBK
    page = (DATA / "page_with_nav.html").read_text(encoding="utf-8")
    path = tmp_path / "mislabelled.html"
    path.write_bytes(page.encode("gbk"))
    text = load_text(path)
    assert text.splitlines()[0] == "青川市人民政府办公室关于做好2021年春季农业生产工作的通知"
    assert "�" not in text


# --- pdf --------------------------------------------------------------------------------------------


def test_pdf_text_layer_is_extracted_page_by_page(tmp_path):
    path = tmp_path / "policy.pdf"
    path.write_bytes(text_pdf("Policy 2021 No.7 Article 1", "Article 2 takes effect"))
    lines = load_text(path).splitlines()
    assert lines == ["Policy 2021 No.7 Article 1", "Article 2 takes effect"]


def test_pdf_table_comes_as_rows_of_cells_in_reading_order(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(task_plan_pdf())
    text = load_text(path)
    assert attachment_lines(text) == TASK_TABLE_LINES  # a cell's wrapped lines joined, merged cells on the grid
    lines = text.splitlines()
    assert lines[lines.index("二、试点乡镇") + 1 : lines.index("三、保障措施")] == [
        "序号 | 乡镇 | 所属县",
        "1 | 青山镇 | 青川县",
        "2 | 白水镇 | 白水县",
    ]


def test_scanned_pdf_without_text_layer_asks_for_ocr(tmp_path):
    path = tmp_path / "scanned.pdf"
    path.write_bytes(blank_pdf())
    assert_refused(path, loaders.NO_TEXT_LAYER)


def test_corrupt_pdf_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    assert_refused(path, "corrupt pdf")


# --- bad files --------------------------------------------------------------------------------------


def test_empty_file_is_refused():
    assert_refused(DATA / "empty.txt", "空文件 (empty file)")


def test_whitespace_only_file_is_refused(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\u3000\n\t\n", encoding="utf-8")
    assert_refused(path, "空文件 (empty file)")


def test_binary_content_in_a_text_file_is_refused():
    assert_refused(DATA / "binary.txt", "不是文本文件 (binary content)")


def test_binary_content_in_an_html_file_is_refused(tmp_path):
    path = tmp_path / "image.html"
    path.write_bytes((DATA / "binary.txt").read_bytes())
    assert_refused(path, "binary content")


def test_unknown_extension_is_refused_listing_the_supported_ones():
    error = assert_refused(DATA / "unknown.xyz", ".xyz")
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in error.reason


def test_old_word_doc_gets_a_save_as_docx_hint(tmp_path):
    path = tmp_path / "旧文件.DOC"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert_refused(path, "save old .doc files as .docx")


def test_file_over_the_size_limit_is_refused_naming_size_and_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 100)
    path = tmp_path / "long.txt"
    path.write_text("青川市" * 100, encoding="utf-8")  # 900 bytes
    assert_refused(path, "900", "100", "file too large")


def test_missing_file_is_refused_naming_it(tmp_path):
    assert_refused(tmp_path / "gone.txt", "cannot read")


# --- corpus -----------------------------------------------------------------------------------------


def test_iter_corpus_yields_text_for_good_files_and_errors_for_bad_ones(tmp_path):
    for name in ("gbk_notice.txt", "sample.docx", "page_with_nav.html", "empty.txt", "binary.txt", "unknown.xyz"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / ".hidden.txt").write_text("隐藏文件", encoding="utf-8")
    (tmp_path / "README.md").write_text("说明", encoding="utf-8")
    (tmp_path / "gbk_notice.meta.json").write_text("{}", encoding="utf-8")
    (tmp_path / "~$sample.docx").write_bytes(b"\x00lock")
    (tmp_path / "archive").mkdir()

    results = {path.name: loaded for path, loaded in iter_corpus(tmp_path)}

    assert list(results) == sorted(
        ["binary.txt", "empty.txt", "gbk_notice.txt", "page_with_nav.html", "sample.docx", "unknown.xyz"]
    )
    assert isinstance(results["gbk_notice.txt"], str)
    assert "青府办发〔2021〕7号" in results["gbk_notice.txt"]
    assert "青府发〔2021〕12号" in results["sample.docx"]
    assert "青府办发〔2021〕9号" in results["page_with_nav.html"]
    for bad in ("binary.txt", "empty.txt", "unknown.xyz"):
        assert isinstance(results[bad], DocumentError)
        assert results[bad].source == bad
