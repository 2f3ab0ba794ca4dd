"""The corpus folder: every supported file becomes a Document; bad files are reported, not fatal."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path

from policybot.document import Document
from policybot.errors import DocumentError
from policybot.ingest.loaders import SUPPORTED_SUFFIXES, iter_corpus, load_text
from policybot.ingest.parser import parse_document

log = logging.getLogger(__name__)

META_SUFFIX = ".meta.json"
# fields a sidecar `<name>.meta.json` may set, for what the text itself does not state
META_FIELDS = {"title", "doc_number", "issuer", "date", "validity", "validity_note", "source_url"}


# a file modified this recently may be written again within the clock's granularity, unseen by its stat
RACY_NS = 2_000_000_000

StatKey = tuple[int, int, int, int]


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in blocks (the index checks its files with the same digest)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class FileDigests:
    """The sha256 of every file in a corpus folder, remembered by size, mtime, ctime and inode: telling whether
    the index is up to date then reads only the files that changed (a 1,000-document folder is 50 MB)."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[StatKey, str]] = {}

    def of_folder(self, folder: Path) -> dict[str, str]:
        """Name → sha256 of every file in the folder (hidden files left out), sorted by name."""
        if not folder.is_dir():
            return {}
        now = time.time_ns()
        digests: dict[str, str] = {}
        known: dict[str, tuple[StatKey, str]] = {}
        with os.scandir(folder) as entries:
            files = sorted((e for e in entries if not e.name.startswith(".") and e.is_file()), key=lambda e: e.name)
        for entry in files:
            st = entry.stat()
            key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            cached = self._known.get(entry.name)
            digest = cached[1] if cached is not None and cached[0] == key else file_sha256(Path(entry.path))
            # ctime too: `cp -p` or `touch -d` give a file just written an old mtime
            if now - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
                known[entry.name] = (key, digest)
            digests[entry.name] = digest
        self._known = known
        return digests


def meta_path(path: Path) -> Path:
    """Where the optional metadata sidecar of a corpus file lives."""
    return path.with_name(meta_name(path.name))


def meta_name(name: str) -> str:
    """The file name of a corpus file's metadata sidecar (a string: checked for every document on each update)."""
    return os.path.splitext(name)[0] + META_SUFFIX


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
