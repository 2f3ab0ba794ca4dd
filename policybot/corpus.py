"""The corpus folder: every supported file becomes a Document; bad files are reported, not fatal."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from pathlib import Path

from policybot.document import Document, parse_document
from policybot.errors import DocumentError
from policybot.loaders import SUPPORTED_SUFFIXES, iter_corpus, load_text

log = logging.getLogger(__name__)

META_SUFFIX = ".meta.json"
# fields a sidecar `<name>.meta.json` may set, for what the text itself does not state
META_FIELDS = {"title", "doc_number", "issuer", "date", "validity", "validity_note", "source_url"}


def meta_path(path: Path) -> Path:
    """Where the optional metadata sidecar of a corpus file lives."""
    return path.with_name(path.stem + META_SUFFIX)


def _apply_meta(doc: Document, path: Path) -> Document:
    sidecar = meta_path(path)
    if not sidecar.is_file():
        return doc
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DocumentError(sidecar.name, f"元数据文件无法解析 (invalid JSON: {exc})") from exc
    unknown = set(meta) - META_FIELDS
    if unknown:
        raise DocumentError(sidecar.name, f"未知字段 {sorted(unknown)} (allowed: {sorted(META_FIELDS)})")
    return dataclasses.replace(doc, **meta)


def read_document(path: Path) -> Document:
    """Load, parse and apply the sidecar metadata of one corpus file."""
    return _apply_meta(parse_document(load_text(path), path.name), path)


def read_corpus(
    folder: Path, unchanged: Mapping[str, Document] | None = None
) -> tuple[list[Document], list[DocumentError]]:
    """All documents in a folder, plus an error for each file that could not be read.

    `unchanged` maps file names whose bytes (and sidecar) are as last parsed to that parse, which is reused.
    """
    unchanged = unchanged or {}
    documents: list[Document] = []
    errors: list[DocumentError] = []
    seen: dict[str, str] = {}
    for path, loaded in iter_corpus(folder, unchanged):
        try:
            if isinstance(loaded, DocumentError):
                raise loaded
            doc = unchanged[path.name] if loaded is None else _apply_meta(parse_document(loaded, path.name), path)
            if doc.doc_id in seen:
                raise DocumentError(path.name, f"与 {seen[doc.doc_id]} 同名 (duplicate document id {doc.doc_id})")
            seen[doc.doc_id] = path.name
            documents.append(doc)
        except DocumentError as exc:
            log.warning("skipped %s", exc)
            errors.append(exc)
    return documents, errors


def is_supported(name: str) -> bool:
    """True for a file name the loaders can read."""
    return Path(name).suffix.lower() in SUPPORTED_SUFFIXES
