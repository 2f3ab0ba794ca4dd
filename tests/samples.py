"""Sample files that are built in the test rather than committed: a zip bomb, a PDF without a text layer."""

from __future__ import annotations

import io
import zipfile

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
