"""Sample files that are built in the test rather than committed (a zip bomb, a PDF without a text layer), and
what a Markdown reply looks like once a browser has it (to check that nothing from a document stays live)."""

from __future__ import annotations

import io
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
