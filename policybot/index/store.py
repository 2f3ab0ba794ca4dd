"""The index folder on disk: immutable versions made of per-document shards, with checksums and a writer lock.

    index/CURRENT                  the name of the published version
    index/.lock                    held by whoever writes a version (CLI, app upload)
    index/v-…/manifest.json        what the version was built from, and the sha256 of every file in it
    index/v-…/vocab.json           BM25 terms by id
    index/v-…/dense.npz            IVF cells (centroids) and each chunk's cell, for an IVF index
    index/v-…/shards/<name>.json   one document: metadata, clauses, and its chunks' clause, part and text hash
    index/v-…/shards/<name>.bin    the same document's passage vectors and bags of words (raw little-endian arrays)

A shard is named by the digest of its content and never changes, so a new version writes only the documents
that changed and hard-links the others; a version is published by renaming its folder and then CURRENT.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import io
import logging
import os
import re
import shutil
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from policybot.document import Clause, Document, Reference
from policybot.errors import IndexCorrupt
from policybot.index.bm25 import Bags
from policybot.index.manifest import DERIVED_ID, REBUILD, DocumentEntry, Manifest
from policybot.ingest.corpus import file_sha256

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
LOCK = ".lock"
MANIFEST = "manifest.json"
SHARDS = "shards"
VOCAB_FILE = "vocab.json"
DENSE_FILE = "dense.npz"
HNSW_FILE = "dense.faiss"  # an HNSW index is kept whole: it cannot be rebuilt from cells
VERSION_RE = re.compile(r"v-[\w.-]+")
# a shard's arrays: magic, then rows, dim and bag entries (int64), then vectors f32, terms i32, counts i32, offsets i64
ARRAYS_MAGIC = b"PBSHARD1"
ARRAYS_HEADER = struct.Struct("<8sqqq")
# the order of a clause's fields in a shard (a row per clause keeps shards small and quick to read)
CLAUSE_FIELDS = (
    "id",
    "number",
    "path",
    "heading",
    "text",
    "level",
    "parent_id",
    "heading_path",
    "lead_units",
    "responsible_units",
    "units_note",
    "kind",
)


@dataclass(frozen=True, slots=True)
class Shard:
    """One indexed document: its parse, and for each of its chunks the clause, window, text hash, vector, bag.

    Frozen: a shard of a published index may be serving questions while an update builds the next version, so
    the update makes new shards (dataclasses.replace) and fills only the vectors of shards it has just made."""

    doc: Document
    clause_pos: np.ndarray  # int32: index into doc.clauses
    parts: np.ndarray  # int32: window number within the clause
    hashes: list[str]
    vectors: np.ndarray  # float32 (rows, dim)
    bags: Bags
    name: str = ""  # the content digest, once written
    # derived once and carried along with the shard while the document is unchanged
    words: tuple[str, ...] | None = None
    fingerprint: str = ""
    # False while the build's embedding phase has not reached this document: its vectors are zeros, never
    # searched or reused, and its chunks are found by BM25 alone
    embedded: bool = True

    @property
    def rows(self) -> int:
        """How many chunks the document has."""
        return len(self.hashes)


def document_entry(shard: Shard, word_ids: dict[str, int]) -> DocumentEntry:
    """The manifest's entry for a written shard, with what is costly to derive again on every load: its
    fingerprint, and its words as ids into the manifest's word list."""
    doc = shard.doc
    words = shard.words if shard.words is not None and all(w in word_ids for w in shard.words) else None
    return DocumentEntry(
        doc_id=doc.doc_id,
        source=doc.source,
        title=doc.title,
        shard=shard.name,
        rows=shard.rows,
        clauses=len(doc.clauses),
        fingerprint=shard.fingerprint,
        words=tuple(word_ids[w] for w in words) if words is not None else None,
        embedded=shard.embedded,
    )


def restore_derived(shard: Shard, entry: DocumentEntry, manifest: Manifest) -> Shard:
    """The shard with what document_entry saved put back; as it was when that was derived another way than
    today's code derives it."""
    if not entry.embedded:
        shard = dataclasses.replace(shard, embedded=False)
    if manifest.derived != DERIVED_ID:
        return shard
    words = tuple(manifest.extra_words[i] for i in entry.words) if entry.words is not None else shard.words
    return dataclasses.replace(shard, fingerprint=entry.fingerprint or shard.fingerprint, words=words)


# --- documents as JSON ---------------------------------------------------------------------------------------------


def document_to_dict(doc: Document) -> dict:
    """A Document as plain JSON data (clauses as rows of CLAUSE_FIELDS)."""
    meta = {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "issuer": doc.issuer,
        "date": doc.date,
        "addressees": list(doc.addressees),
        "notice_title": doc.notice_title,
        "validity": doc.validity,
        "validity_note": doc.validity_note,
        "validity_basis": _reference_to_list(doc.validity_basis) if doc.validity_basis else None,
        "references": [_reference_to_list(r) for r in doc.references],
        "truncated": doc.truncated,
        "source_url": doc.source_url,
        "source_note": doc.source_note,
        "notes": list(doc.notes),
    }
    meta["clauses"] = [[getattr(c, f) for f in CLAUSE_FIELDS] for c in doc.clauses]
    return meta


def document_from_dict(data: dict) -> Document:
    """The inverse of document_to_dict."""
    clauses = tuple(
        Clause(cid, number, path, heading, text, level, parent, tuple(hpath), tuple(lead), tuple(resp), note, kind)
        for cid, number, path, heading, text, level, parent, hpath, lead, resp, note, kind in data["clauses"]
    )
    basis = data.get("validity_basis")
    return Document(
        doc_id=data["doc_id"],
        source=data["source"],
        title=data["title"],
        doc_number=data["doc_number"],
        issuer=data["issuer"],
        date=data["date"],
        addressees=tuple(data["addressees"]),
        notice_title=data["notice_title"],
        validity=data["validity"],
        validity_note=data["validity_note"],
        validity_basis=Reference(*basis) if basis else None,
        references=tuple(Reference(*r) for r in data["references"]),
        truncated=data["truncated"],
        clauses=clauses,
        source_url=data["source_url"],
        source_note=data["source_note"],
        notes=tuple(data["notes"]),
    )


def _reference_to_list(ref: Reference) -> list[str]:
    return [ref.title, ref.doc_number]


# --- shards ----------------------------------------------------------------------------------------------------------


def shard_payload(shard: Shard) -> tuple[bytes, bytes]:
    """The bytes of a shard's two files: the JSON part and the arrays."""
    meta = orjson.dumps(
        {
            "document": document_to_dict(shard.doc),
            "chunks": {"clause": shard.clause_pos.tolist(), "part": shard.parts.tolist(), "hash": shard.hashes},
        }
    )
    rows, dim = shard.vectors.shape
    header = ARRAYS_HEADER.pack(ARRAYS_MAGIC, rows, dim, len(shard.bags.terms))
    arrays = b"".join(
        (
            header,
            shard.vectors.astype("<f4", copy=False).tobytes(),
            shard.bags.terms.astype("<i4", copy=False).tobytes(),
            shard.bags.counts.astype("<i4", copy=False).tobytes(),
            shard.bags.offsets.astype("<i8", copy=False).tobytes(),
        )
    )
    return meta, arrays


def _read_shard_arrays(path: Path, name: str) -> tuple[np.ndarray, Bags]:
    """Vectors and bags from a shard's .bin file; ValueError when the sizes do not add up.

    Each array is read into a buffer of its own: views into the whole file's bytes would keep the bags' bytes
    alive after the bags are gathered into one index-wide array (55 MB of dead weight at 100 k chunks)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(ARRAYS_HEADER.size)
        if len(head) < ARRAYS_HEADER.size:
            raise ValueError(f"shard {name}: arrays file too short")
        magic, rows, dim, entries = ARRAYS_HEADER.unpack(head)
        if magic != ARRAYS_MAGIC or min(rows, dim, entries) < 0:
            raise ValueError(f"shard {name}: not a PolicyBot arrays file")
        counts = (rows * dim, entries, entries, rows + 1)
        dtypes = ("<f4", "<i4", "<i4", "<i8")
        expected = ARRAYS_HEADER.size + sum(c * np.dtype(d).itemsize for c, d in zip(counts, dtypes, strict=True))
        if size != expected:
            raise ValueError(f"shard {name}: arrays file has {size} bytes, expected {expected}")
        parts = [np.fromfile(fh, dtype=d, count=c) for c, d in zip(counts, dtypes, strict=True)]
    if any(len(part) != count for part, count in zip(parts, counts, strict=True)):
        raise ValueError(f"shard {name}: arrays file ended early")
    vectors, terms, counts_, offsets = parts
    return vectors.reshape(rows, dim), Bags(terms, counts_, offsets)


def read_shard(version: Path, name: str) -> Shard:
    """Read one shard written by VersionWriter; ValueError/KeyError/OSError when it is damaged."""
    data = orjson.loads((version / SHARDS / f"{name}.json").read_bytes())
    chunks = data["chunks"]
    vectors, bags = _read_shard_arrays(version / SHARDS / f"{name}.bin", name)
    hashes = list(chunks["hash"])
    if not (len(chunks["clause"]) == len(chunks["part"]) == len(hashes) == len(vectors) == len(bags)):
        raise ValueError(f"shard {name}: its chunk lists and arrays disagree in length")
    doc = document_from_dict(data["document"])
    clause_pos = np.asarray(chunks["clause"], dtype=np.int32)
    if len(clause_pos) and (clause_pos.min() < 0 or clause_pos.max() >= len(doc.clauses)):
        raise ValueError(f"shard {name}: a chunk points at a clause the document does not have")
    return Shard(doc, clause_pos, np.asarray(chunks["part"], dtype=np.int32), hashes, vectors, bags, name)


# --- versions ----------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Serialise writers (CLI, app uploads): a second update waits instead of interleaving."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK).open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def lock_is_held(index_dir: Path) -> bool:
    """True while another writer (a `policybot index`, an app's build or upload) holds index_lock."""
    path = index_dir / LOCK
    if not path.is_file():
        return False
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def index_exists(index_dir: Path) -> bool:
    """True when a complete index has been published in this folder."""
    return (index_dir / CURRENT).is_file()


def current_version(index_dir: Path) -> Path:
    """The folder of the published version; IndexCorrupt when there is none or CURRENT points nowhere."""
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexCorrupt(f"{index_dir} 中没有索引 (no index built yet): run `policybot index`")
    name = pointer.read_text(encoding="utf-8").strip()
    version = index_dir / name
    if not VERSION_RE.fullmatch(name) or not version.is_dir():
        raise IndexCorrupt(f"{pointer} 指向不存在的索引版本 {name!r} (dangling pointer): {REBUILD}")
    return version


def is_current(index_dir: Path, version: Path) -> bool:
    """True when this version is the one CURRENT points at (no other process has published since)."""
    pointer = index_dir / CURRENT
    return pointer.is_file() and pointer.read_text(encoding="utf-8").strip() == version.name


def read_manifest(index_dir: Path) -> tuple[Path, Manifest]:
    """The published version and its manifest (schema checked); IndexCorrupt/IndexMismatch say to rebuild."""
    version = current_version(index_dir)
    try:
        data = orjson.loads((version / MANIFEST).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise IndexCorrupt(f"{version / MANIFEST} 无法读取 ({exc}): {REBUILD}") from exc
    return version, Manifest.from_json(data, version / MANIFEST)


def verify(version: Path, manifest: Manifest, names: list[str] | None = None) -> None:
    """IndexCorrupt naming the first file of the version that is missing or fails its checksum."""
    files = manifest.files
    for name in files if names is None else names:
        path = version / name
        if name not in files or not path.is_file():
            raise IndexCorrupt(f"索引文件缺失 {path} (missing): {REBUILD}")
        if file_sha256(path) != files[name]:
            raise IndexCorrupt(f"索引文件校验失败 {path} (checksum mismatch, corrupted): {REBUILD}")


def shard_files(name: str) -> tuple[str, str]:
    """The two files of a shard, relative to its version folder."""
    return f"{SHARDS}/{name}.json", f"{SHARDS}/{name}.bin"


class VersionWriter:
    """Writes a new version folder beside the published one; nothing is visible until publish()."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        self.folder = index_dir / f"v-{stamp}.tmp"
        (self.folder / SHARDS).mkdir(parents=True)
        self.files: dict[str, str] = {}
        self._written: list[Path] = []

    def add_shard(self, shard: Shard) -> str:
        """Write a shard and return its name (its digest)."""
        meta, arrays = shard_payload(shard)
        name = hashlib.sha256(meta + b"\0" + arrays).hexdigest()[:32]
        json_name, bin_name = shard_files(name)
        self.write_bytes(json_name, meta)
        self.write_bytes(bin_name, arrays)
        return name

    def link_shard(self, previous: Path, name: str, digests: dict[str, str]) -> None:
        """Reuse an unchanged shard of the previous version: a hard link, or a copy where links are refused."""
        # plain strings: at 1,000 documents, Path arithmetic was half the time spent linking
        for rel in shard_files(name):
            source, target = f"{previous}/{rel}", f"{self.folder}/{rel}"
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
                self._written.append(Path(target))
            self.files[rel] = digests[rel]

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write one file of the version and remember its checksum."""
        path = self.folder / rel
        path.write_bytes(data)
        self.files[rel] = hashlib.sha256(data).hexdigest()
        self._written.append(path)

    def write_json(self, rel: str, data: object) -> None:
        """Write one JSON file of the version."""
        self.write_bytes(rel, orjson.dumps(data))

    def write_arrays(self, rel: str, **arrays: np.ndarray) -> None:
        """Write one .npz file of the version."""
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        self.write_bytes(rel, buffer.getvalue())

    def publish(self, manifest: Manifest) -> tuple[Path, Manifest]:
        """Seal the version (manifest with checksums, fsync), rename it into place and point CURRENT at it; the
        published folder and its manifest."""
        manifest = dataclasses.replace(manifest, files=dict(sorted(self.files.items())))
        self.write_json(MANIFEST, manifest.to_json())
        for path in self._written:
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(self.folder / SHARDS)
        _fsync_dir(self.folder)
        final = self.folder.with_suffix("")
        self.folder.rename(final)
        pointer_tmp = self.index_dir / (CURRENT + ".tmp")
        pointer_tmp.write_text(final.name, encoding="utf-8")
        with pointer_tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(pointer_tmp, self.index_dir / CURRENT)
        _fsync_dir(self.index_dir)
        self.folder = final
        return final, manifest

    def discard(self) -> None:
        """Remove an unpublished version folder."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_old_versions(index_dir: Path, keep: str) -> None:
    """Delete every version folder but the published one (and leftovers of interrupted builds)."""
    for child in index_dir.iterdir():
        if child.is_dir() and child.name.startswith("v-") and child.name != keep:
            shutil.rmtree(child, ignore_errors=True)
