"""The text of a web page (a policy as published on a government site): the article, without the page around it.

Government pages wrap the document in navigation, share buttons, scripts and layout tables; this finds the element
holding the document (<article>, <main> or a content-named container such as TRS_Editor) and renders it one block
per line, a data table one row per line.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from policybot.errors import DocumentError

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
_MAX_SPAN = 100  # a colspan or rowspan above this is a broken page, not a table that wide


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
            elif node.name == "table":
                _render_table(node, out)
            elif node.name == "tr":  # a row outside any table (broken markup)
                _render_rows([node], out)
            else:
                if node.name in _BLOCK_TAGS:
                    out.end_line()
                    stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
        elif type(node) is NavigableString:  # not comments, doctype, CDATA or script/style strings
            out.add(_HTML_WS_RE.sub(" ", str(node)))


def _render_table(table: Tag, out: _Lines) -> None:
    """A table: its caption, then one line per row (see _render_rows)."""
    out.end_line()
    for caption in table.find_all("caption", recursive=False):
        _render(caption, out)
        out.end_line()
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    _render_rows(rows, out)


def _span(cell: Tag, attribute: str) -> int:
    value = str(cell.get(attribute) or "1").strip()
    return min(int(value), _MAX_SPAN) if value.isdigit() and int(value) > 0 else 1


def _render_rows(rows: list[Tag], out: _Lines) -> None:
    """Rows of a data table one per line, cells joined by " | " on the table's grid: a colspan cell gives its text
    once and empty cells for the columns it spans, a rowspan cell repeats in the rows below it, so every column
    stays in place. A layout table's cells keep their own lines."""
    carried: dict[int, tuple[str, int]] = {}  # column → (text, rows it still covers) of rowspan cells above
    for row in rows:
        cells = []
        for cell in row.find_all(["td", "th"], recursive=False):
            sub = _Lines()
            _render(cell, sub)
            sub.end_line()
            cells.append((cell, sub.lines))
        out.end_line()
        if any(cell.find("table") or len(lines) > _LAYOUT_CELL_LINES for cell, lines in cells):
            for _, lines in cells:
                out.lines.extend(lines)
            continue
        grid: list[str] = []
        pending = iter(cells)
        while True:
            column = len(grid)
            if column in carried:
                text, left = carried.pop(column)
                if left > 1:
                    carried[column] = (text, left - 1)
                grid.append(text)
                continue
            cell, lines = next(pending, (None, []))
            if cell is None:
                if any(c > column for c in carried):
                    grid.append("")  # a short row, with a rowspan cell still to come further right
                    continue
                break
            text, span, down = " ".join(lines), _span(cell, "colspan"), _span(cell, "rowspan")
            grid += [text] + [""] * (span - 1)
            if down > 1:
                for offset in range(span):
                    carried[column + offset] = (text if offset == 0 else "", down - 1)
        if any(grid):
            out.lines.append(" | ".join(grid).rstrip())  # no trailing space after an empty last cell


def page_text(page: str, source: str) -> str:
    """The document text of a decoded HTML page, one paragraph per line; DocumentError when it has none."""
    soup = BeautifulSoup(page, "html.parser")
    _strip_noise(soup)
    out = _Lines()
    _render(_main_container(soup), out)
    out.end_line()
    if not out.lines:
        raise DocumentError(source, "网页没有正文 (no body text found in the page)")
    return "\n".join(out.lines)
