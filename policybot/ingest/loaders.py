"""Bytes → text for one corpus file: encoding detection and .docx/.pdf/.html extraction, one paragraph per line."""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import zipfile
from collections.abc import Container, Iterator
from pathlib import Path

from policybot.errors import DocumentError

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".html", ".htm", ".pdf")
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024

_MIB = 1024 * 1024
_ZIP_RATIO_LIMIT = 200  # a zip entry that inflates more than this (and is large) is a zip bomb
_ZIP_RATIO_MIN_BYTES = _MIB  # small entries (styles, rels) may compress well; only large ones are judged
_MAX_CONTROL_RATIO = 0.05  # share of control characters above which a "text" file is binary

EMPTY = "空文件 (empty file)"
BINARY = "不是文本文件 (binary content)"
NO_TEXT_LAYER = "PDF 没有文字层，可能是扫描件 (no text layer; OCR it first)"

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "ms936", "euc_cn", "euc-cn", "x-gbk", "gb_2312-80"}
_CONTROL_BYTES = frozenset(range(32)) - frozenset(b"\t\n\r\f\v") | {0x7F}


def _size(n: int) -> str:
    return f"{n} 字节 ({n / _MIB:.1f} MB)"


# --- plain text -------------------------------------------------------------------------------


def _control_ratio(chars: bytes | str) -> float:
    codes = chars if isinstance(chars, bytes) else (ord(c) for c in chars)
    bad = sum(1 for c in codes if c in _CONTROL_BYTES)
    return bad / max(len(chars), 1)


def _reject_binary(text: str, source: str) -> str:
    if "\x00" in text or _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise DocumentError(source, BINARY)
    return text


def _is_hanzi(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_cjk_text_char(ch: str) -> bool:
    """Hanzi, CJK/fullwidth punctuation and general punctuation (“”、—…) as used in Chinese prose."""
    return _is_hanzi(ch) or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u206f"


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _as_gb18030(data: bytes) -> str | None:
    """The text if `data` decodes as GB18030 into plausible Chinese, else None.

    GB18030 accepts most double-byte data, so Big5 or Shift-JIS bytes often "decode" too; they come out
    as kana, private-use characters or rare hanzi. Real simplified Chinese is mostly CJK characters and
    mostly the common (GB2312) hanzi.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    wide = [ch for ch in text if ord(ch) > 0x7F]
    hanzi = [ch for ch in wide if _is_hanzi(ch)]
    if not hanzi:
        return None
    cjk_share = sum(1 for ch in wide if _is_cjk_text_char(ch)) / len(wide)
    common_share = sum(1 for ch in hanzi if _in_gb2312(ch)) / len(hanzi)
    return text if cjk_share >= 0.95 and common_share >= 0.8 else None


def decode_bytes(data: bytes, source: str) -> str:
    """Decode a text file: BOM (UTF-8/16/32), else strict UTF-8, else detected GB18030/GBK or other encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _reject_binary(data[len(bom) :].decode(encoding), source)
            except UnicodeDecodeError as exc:
                raise DocumentError(source, f"文字编码错误 (invalid {encoding} after its BOM: {exc})") from exc
    if b"\x00" in data or _control_ratio(data) > _MAX_CONTROL_RATIO:
        raise DocumentError(source, BINARY)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _as_gb18030(data)
    if text is not None:
        return text
    from charset_normalizer import from_bytes  # imported on first use: it costs start-up time

    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(source, "无法识别文字编码 (unknown text encoding; save the file as UTF-8)")
    log.debug("%s: decoded as %s", source, best.encoding)
    return _reject_binary(str(best), source)


# --- docx ------------------------------------------------------------------------------------------

# python-docx, pypdf and pdfplumber are imported when such a file is read: the app should not wait for them to start
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"  # what docx.oxml.ns.qn("w:…") prefixes
_W_P, _W_R, _W_TBL = f"{_W}p", f"{_W}r", f"{_W}tbl"
_W_PPR, _W_DEL, _W_MOVE_FROM, _W_TXBX = f"{_W}pPr", f"{_W}del", f"{_W}moveFrom", f"{_W}txbxContent"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _check_zip(data: bytes, source: str) -> None:
    """Refuse a zip bomb from the zip directory, before anything is extracted."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise DocumentError(source, f"Word 文档已损坏或不是 .docx (corrupt docx: {exc})") from exc
    total = sum(info.file_size for info in infos)
    if total > MAX_DOCX_UNCOMPRESSED:
        raise DocumentError(
            source,
            f"解压后过大：{_size(total)}，上限 {_size(MAX_DOCX_UNCOMPRESSED)} (zip bomb guard: uncompressed size over the limit)",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _ZIP_RATIO_MIN_BYTES and ratio > _ZIP_RATIO_LIMIT:
            raise DocumentError(
                source,
                f"压缩比异常：{info.filename} 压缩了 {ratio:.0f} 倍，上限 {_ZIP_RATIO_LIMIT} 倍 (zip bomb guard: suspicious compression ratio)",
            )
    # zipfile never inflates an entry past the size its directory declares, so these checks bound extraction


def _run_text(p) -> str:
    """The paragraph's own text: runs inside hyperlinks, smart tags, fields, insertions; not deletions or text boxes."""
    parts: list[str] = []
    for child in p:
        if child.tag == _W_R:
            parts.append(child.text)  # CT_R.text: w:t, tabs and breaks; a text box inside a run is read separately
        elif child.tag not in (_W_PPR, _W_DEL, _W_MOVE_FROM, _MC_FALLBACK):
            parts.append(_run_text(child))
    return "".join(parts)


def _text_boxes(p) -> list:
    """Text boxes anchored in a paragraph, outermost only, skipping the VML fallback copy of each."""
    boxes = []
    for box in p.iter(_W_TXBX):
        parent = box.getparent()
        while parent is not None and parent is not p and parent.tag not in (_W_TXBX, _MC_FALLBACK):
            parent = parent.getparent()
        if parent is p:
            boxes.append(box)
    return boxes


def _docx_row_cells(row, doc) -> list[str]:
    """A table row's cells on the table's grid, so every row has its columns in place: a cell merged across columns
    gives its text once and empty cells for the rest; a cell merged down repeats in each row it covers (python-docx
    hands the top cell to the rows below)."""
    cells = [""] * row.grid_cols_before
    previous = None
    for cell in row.cells:  # a cell spanning grid columns comes once per column
        if cell._tc is previous:
            cells.append("")
            continue
        previous = cell._tc
        cell_lines: list[str] = []
        _docx_blocks(cell._tc, doc, cell_lines)
        cells.append(" ".join(ln.strip() for ln in cell_lines if ln.strip()))
    return cells + [""] * row.grid_cols_after


def _docx_blocks(container, doc, lines: list[str]) -> None:
    """Append the text of paragraphs and table rows under a body, cell, text box or content control, in order."""
    from docx.table import Table

    for child in container.iterchildren():
        if child.tag == _W_P:
            lines.append(_run_text(child))
            for box in _text_boxes(child):
                _docx_blocks(box, doc, lines)
        elif child.tag == _W_TBL:
            for row in Table(child, doc).rows:
                cells = _docx_row_cells(row, doc)
                if any(cells):
                    lines.append(" | ".join(cells).rstrip())
        else:  # content controls (w:sdt), custom XML and the like wrap further blocks
            _docx_blocks(child, doc, lines)


def _load_docx(data: bytes, source: str) -> str:
    import docx

    _check_zip(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        _docx_blocks(document.element.body, document, lines)
    except Exception as exc:  # python-docx and lxml raise many types on a damaged package; all mean "corrupt"
        raise DocumentError(source, f"Word 文档已损坏或不是 .docx (corrupt docx: {type(exc).__name__}: {exc})") from exc
    return _join_lines(lines)


# --- pdf -------------------------------------------------------------------------------------------


_CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _unwrap(text: str | None) -> str:
    """A PDF table cell's text as one line: a line the cell's width broke is joined without a space between Chinese
    characters ("市住房城乡建设" + "局"), with one between words of other scripts."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    joined = lines[0] if lines else ""
    for line in lines[1:]:
        joined += ("" if _CJK_RE.match(joined[-1]) or _CJK_RE.match(line[0]) else " ") + line
    return joined


def _pdf_table_lines(table) -> list[str]:
    """A pdfplumber table's rows, cells joined by " | " on the table's grid like the other loaders' tables: a cell
    merged across columns gives its text once and empty cells for the rest, one merged down repeats in each row."""
    texts = table.extract()
    boxes = [row.cells for row in table.rows]
    starts = sorted({box[0] for row in boxes for box in row if box is not None})
    grid: list[list[str]] = []
    for r, (row_texts, row_boxes) in enumerate(zip(texts, boxes, strict=True)):
        cells: list[str] = []
        for c, (text, box) in enumerate(zip(row_texts, row_boxes, strict=True)):
            if box is not None:
                cells.append(_unwrap(text))
                continue
            left = next((b for b in reversed(row_boxes[:c]) if b is not None), None)
            spanned = left is not None and c < len(starts) and left[2] > starts[c] + 1
            cells.append("" if spanned or r == 0 else grid[r - 1][c])  # across: empty; down: the cell above
        grid.append(cells)
    return [" | ".join(cells).rstrip() for cells in grid if any(cells)]


def _pdf_page_with_tables(page) -> str | None:
    """A page's text with its ruled tables as rows of cells, in reading order; None when the page has no table."""
    tables = page.find_tables()
    if not tables:
        return None
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    blocks = [(line["top"], [line["text"]]) for line in page.filter(outside).extract_text_lines()]
    blocks += [(t.bbox[1], _pdf_table_lines(t)) for t in tables]
    return "\n".join(line for _, lines in sorted(blocks, key=lambda b: b[0]) for line in lines)


def _pdf_tables(data: bytes, source: str, pages: list[str]) -> list[str]:
    """The pages, those with ruled tables read again with pdfplumber (pypdf flattens a table into one cell per
    line); a PDF pdfplumber cannot read keeps pypdf's text, with a warning."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [_pdf_page_with_tables(page) or text for page, text in zip(pdf.pages, pages, strict=True)]
    except Exception as exc:  # pdfminer raises many types on odd files; pypdf's text is still good
        log.warning(
            "%s: tables not read (%s: %s); the text is kept as one cell per line", source, type(exc).__name__, exc
        )
        return pages


def _load_pdf(data: bytes, source: str) -> str:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(source, "PDF 已加密 (encrypted; remove the password first)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, but also KeyError/ValueError on damaged files
        raise DocumentError(source, f"PDF 文件已损坏 (corrupt pdf: {type(exc).__name__}: {exc})") from exc
    text = _join_lines(_pdf_tables(data, source, pages) if any(p.strip() for p in pages) else pages)
    if not text:
        raise DocumentError(source, NO_TEXT_LAYER)
    return text


# --- html ------------------------------------------------------------------------------------------

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(data: bytes, source: str) -> str:
    """Decode a page: BOM or valid UTF-8 first, then the <meta charset> it declares, then detection."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return decode_bytes(data, source)
    try:
        return _reject_binary(data.decode("utf-8"), source)
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET_RE.search(data[:16384])
    if match:
        declared = match.group(1).decode("ascii").lower()
        try:  # pages labelled gb2312 often hold GBK characters; a real UTF-16 page would start with a BOM
            codec = codecs.lookup("gb18030" if declared in _GB_FAMILY else declared).name
            if not codec.startswith(("utf-16", "utf-32")):
                return _reject_binary(data.decode(codec), source)
        except (LookupError, UnicodeDecodeError) as exc:
            log.debug("%s: declared charset %s does not fit (%s); detecting", source, declared, exc)
    return decode_bytes(data, source)


def _load_html(data: bytes, source: str) -> str:
    from policybot.ingest.html_text import page_text  # BeautifulSoup is imported only when a page is read

    return page_text(_decode_html(data, source), source)


# --- dispatch --------------------------------------------------------------------------------------


def _join_lines(chunks: list[str]) -> str:
    """One line per paragraph: split on line breaks, drop blank lines."""
    return "\n".join(line for chunk in chunks for line in chunk.splitlines() if line.strip())


def _load_plain(data: bytes, source: str) -> str:
    return decode_bytes(data, source).replace("\r\n", "\n").replace("\r", "\n")


_LOADERS = {
    ".txt": _load_plain,
    ".md": _load_plain,
    ".html": _load_html,
    ".htm": _load_html,
    ".docx": _load_docx,
    ".pdf": _load_pdf,
}


def load_text(path: Path) -> str:
    """Read one corpus file and return its plain text, one paragraph per line; DocumentError names what is wrong."""
    source = path.name
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        hint = "；旧版 Word 请另存为 .docx (save old .doc files as .docx)" if suffix == ".doc" else ""
        raise DocumentError(
            source,
            f"不支持的文件类型 {suffix or '(无扩展名)'}{hint} (unsupported file type; supported: {', '.join(SUPPORTED_SUFFIXES)})",
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_large(source, size)
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(source, f"无法读取文件 (cannot read: {exc.strerror or exc})") from exc
    if len(data) > MAX_FILE_BYTES:  # grew since stat
        raise _too_large(source, len(data))
    if not data:
        raise DocumentError(source, EMPTY)
    text = loader(data, source)
    if not text.strip():
        raise DocumentError(source, EMPTY)
    return text


def _too_large(source: str, size: int) -> DocumentError:
    return DocumentError(source, f"文件过大：{_size(size)}，上限 {_size(MAX_FILE_BYTES)} (file too large; split it)")


def _skipped(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "~$")) or name.endswith(".meta.json") or name.upper().startswith("README")


def iter_corpus(folder: Path, unchanged: Container[str] = ()) -> Iterator[tuple[Path, str | DocumentError | None]]:
    """Each file in a folder (sorted; not hidden, README or *.meta.json) with its text or the error that stopped it.

    Files named in `unchanged` are yielded with None instead of being read again.
    """
    # scandir: the directory listing says which entries are files, without a stat of each of 1,000 files
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.is_file())
    for name in names:
        path = folder / name
        if _skipped(path):
            continue
        if path.name in unchanged:
            yield path, None
            continue
        try:
            yield path, load_text(path)
        except DocumentError as exc:
            yield path, exc
