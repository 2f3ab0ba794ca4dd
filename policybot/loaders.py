"""Bytes → text for one corpus file: encoding detection and .docx/.pdf/.html extraction, one paragraph per line."""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from collections.abc import Container, Iterator
from pathlib import Path

import docx
import pypdf
from bs4 import BeautifulSoup, NavigableString, Tag
from charset_normalizer import from_bytes
from docx.oxml.ns import qn
from docx.table import Table

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
    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(source, "无法识别文字编码 (unknown text encoding; save the file as UTF-8)")
    log.debug("%s: decoded as %s", source, best.encoding)
    return _reject_binary(str(best), source)


# --- docx ------------------------------------------------------------------------------------------

_W_P, _W_R, _W_TBL = qn("w:p"), qn("w:r"), qn("w:tbl")
_W_PPR, _W_DEL, _W_MOVE_FROM, _W_TXBX = qn("w:pPr"), qn("w:del"), qn("w:moveFrom"), qn("w:txbxContent")
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


def _docx_blocks(container, doc, lines: list[str]) -> None:
    """Append the text of paragraphs and table rows under a body, cell, text box or content control, in order."""
    for child in container.iterchildren():
        if child.tag == _W_P:
            lines.append(_run_text(child))
            for box in _text_boxes(child):
                _docx_blocks(box, doc, lines)
        elif child.tag == _W_TBL:
            for row in Table(child, doc).rows:
                cells, seen = [], set()
                for cell in row.cells:  # a merged cell repeats across the grid columns it spans
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cell_lines: list[str] = []
                    _docx_blocks(cell._tc, doc, cell_lines)
                    cells.append(" ".join(ln.strip() for ln in cell_lines if ln.strip()))
                lines.append(" | ".join(c for c in cells if c))
        else:  # content controls (w:sdt), custom XML and the like wrap further blocks
            _docx_blocks(child, doc, lines)


def _load_docx(data: bytes, source: str) -> str:
    _check_zip(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        _docx_blocks(document.element.body, document, lines)
    except Exception as exc:  # python-docx and lxml raise many types on a damaged package; all mean "corrupt"
        raise DocumentError(source, f"Word 文档已损坏或不是 .docx (corrupt docx: {type(exc).__name__}: {exc})") from exc
    return _join_lines(lines)


# --- pdf -------------------------------------------------------------------------------------------


def _load_pdf(data: bytes, source: str) -> str:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(source, "PDF 已加密 (encrypted; remove the password first)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, but also KeyError/ValueError on damaged files
        raise DocumentError(source, f"PDF 文件已损坏 (corrupt pdf: {type(exc).__name__}: {exc})") from exc
    text = _join_lines(pages)
    if not text:
        raise DocumentError(source, NO_TEXT_LAYER)
    return text


# --- html ------------------------------------------------------------------------------------------

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_NOISE_TAGS = {"script", "style", "noscript", "iframe", "template", "svg", "object", "embed", "select", "button"}
_CHROME_TAGS = {"nav", "aside", "header", "footer"}
_NOISE_NAME_RE = re.compile(r"nav|menu|breadcrumb|footer|header|sidebar|share|login", re.IGNORECASE)
_CONTENT_NAME_RE = re.compile(r"content|article|zoom|trs_editor|main", re.IGNORECASE)
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HTML_WS_RE = re.compile(r"[ \t\n\r\f]+")  # HTML collapses ASCII whitespace only; 　 (U+3000) indents are text
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "ul",
}  # fmt: skip
_LAYOUT_CELL_LINES = 5  # a table cell with more lines than this is page layout, not a data cell


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


def _text_len(el: Tag) -> int:
    """Characters of visible text under `el` (script and style strings are other NavigableString types)."""
    return sum(len(s.strip()) for s in el.find_all(string=True) if type(s) is NavigableString)


def _names(el: Tag) -> str:
    classes = el.get("class") or []
    return " ".join([str(el.get("id") or ""), *(classes if isinstance(classes, list) else [classes])])


def _is_noise(el: Tag, in_article: bool, page_len: int) -> bool:
    if el.name in _NOISE_TAGS:
        return True
    if el.name in ("html", "body", "article", "main"):
        return False
    if el.name in _CHROME_TAGS:
        return not (el.name == "header" and in_article)  # an <article>'s own <header> holds its title
    if el.has_attr("hidden") or _HIDDEN_RE.search(str(el.get("style") or "")):
        return True
    # names are only a guess: keep what holds most of the page (an ASP.NET <form> wraps everything)
    return bool(el.name == "form" or _NOISE_NAME_RE.search(_names(el))) and _text_len(el) <= page_len / 2


def _strip_noise(soup: BeautifulSoup) -> None:
    """Remove scripts, page chrome (nav, header, footer, sidebars, menus, share/login boxes) and hidden elements."""
    page_len = _text_len(soup)
    doomed: list[Tag] = []
    stack: list[tuple[Tag, bool]] = [(soup, False)]
    while stack:  # iterative and without descending into what goes: linear even on deeply nested pages
        el, in_article = stack.pop()
        for child in el.find_all(True, recursive=False):
            if _is_noise(child, in_article, page_len):
                doomed.append(child)
            else:
                stack.append((child, in_article or child.name in ("article", "main")))
    for el in doomed:  # disjoint subtrees, so each decompose() is safe
        el.decompose()


def _main_container(soup: BeautifulSoup) -> Tag:
    """The element holding the document: <article>, <main> or a content-named div (TRS_Editor, zoom…), else <body>."""
    body = soup.body or soup
    page_len = _text_len(body)
    kinds = (
        body.find_all("article"),
        body.find_all("main"),
        [el for el in body.find_all(True) if _CONTENT_NAME_RE.search(_names(el))],
    )
    for candidates in kinds:
        if candidates:
            best = max(candidates, key=_text_len)  # the outermost of nested candidates, so the title stays in
            if _text_len(best) and _text_len(best) >= 0.2 * page_len:
                return best
    return body


class _Lines:
    """Collects inline text into lines; a block element ends the current line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._buf: list[str] = []

    def add(self, text: str) -> None:
        self._buf.append(text)

    def end_line(self) -> None:
        line = "".join(self._buf).strip(" ")
        self._buf = []
        if line.strip():
            self.lines.append(line)


def _render(root: Tag, out: _Lines) -> None:
    """Text of `root`, one block element per line and one line per table row (cells joined by " | ")."""
    stack: list[tuple[object, bool]] = [(child, False) for child in reversed(root.contents)]
    while stack:  # iterative: badly nested pages can be deeper than Python's recursion limit
        node, closing = stack.pop()
        if closing:
            out.end_line()
        elif isinstance(node, Tag):
            if node.name == "br":
                out.end_line()
            elif node.name == "tr":
                _render_row(node, out)
            else:
                if node.name in _BLOCK_TAGS:
                    out.end_line()
                    stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
        elif type(node) is NavigableString:  # not comments, doctype, CDATA or script/style strings
            out.add(_HTML_WS_RE.sub(" ", str(node)))


def _render_row(row: Tag, out: _Lines) -> None:
    cells = []
    for cell in row.find_all(["td", "th"], recursive=False):
        sub = _Lines()
        _render(cell, sub)
        sub.end_line()
        cells.append((cell, sub.lines))
    out.end_line()
    if any(cell.find("table") or len(lines) > _LAYOUT_CELL_LINES for cell, lines in cells):
        for _, lines in cells:  # a layout table: each cell's content keeps its own lines
            out.lines.extend(lines)
    else:
        joined = " | ".join(" ".join(lines) for _, lines in cells if lines)
        if joined:
            out.lines.append(joined)


def _load_html(data: bytes, source: str) -> str:
    soup = BeautifulSoup(_decode_html(data, source), "html.parser")
    _strip_noise(soup)
    out = _Lines()
    _render(_main_container(soup), out)
    out.end_line()
    if not out.lines:
        raise DocumentError(source, "网页没有正文 (no body text found in the page)")
    return "\n".join(out.lines)


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
    for path in sorted(folder.iterdir()):
        if not path.is_file() or _skipped(path):
            continue
        if path.name in unchanged:
            yield path, None
            continue
        try:
            yield path, load_text(path)
        except DocumentError as exc:
            yield path, exc
