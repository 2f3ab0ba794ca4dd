"""The index on disk: FAISS + BM25 + chunk table + manifest, saved atomically and updated incrementally."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bm25s
import faiss
import numpy as np

from policybot.chunks import Chunk, chunk_document
from policybot.document import Clause, Document, Reference
from policybot.embed import Embedder
from policybot.errors import IndexCorrupt, IndexMismatch
from policybot.segment import Segmenter

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
CURRENT = "CURRENT"
LOCK = ".lock"
HNSW_FROM_CHUNKS = 50_000
EMBED_BATCH = 64

Progress = Callable[[float, str], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What an index build did, for the progress log and the benchmarks."""

    documents: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class PolicyIndex:
    """A loaded index: the parsed documents, their chunks, and both search structures."""

    path: Path
    manifest: dict
    documents: dict[str, Document]
    chunks: list[Chunk]
    tokens: list[list[str]]
    vectors: np.ndarray
    bm25: bm25s.BM25
    dense: faiss.Index
    extra_words: list[str]
    clause_chunks: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    @property
    def embedder_id(self) -> str:
        """Which embedder built the dense vectors."""
        return self.manifest["embedder"]["id"]

    def clause(self, doc_id: str, clause_id: str) -> Clause:
        """The clause behind a hit."""
        return self.documents[doc_id].clause(clause_id)


def _noop_progress(fraction: float, message: str) -> None:
    log.info("%3.0f%% %s", fraction * 100, message)


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def document_to_dict(doc: Document) -> dict:
    """A Document as plain JSON data."""
    return asdict(doc)


def document_from_dict(data: dict) -> Document:
    """The inverse of document_to_dict."""
    clauses = tuple(
        Clause(
            **{
                **c,
                "heading_path": tuple(c["heading_path"]),
                "lead_units": tuple(c["lead_units"]),
                "responsible_units": tuple(c["responsible_units"]),
            }
        )
        for c in data["clauses"]
    )
    basis = data.get("validity_basis")
    return Document(
        **{
            **data,
            "addressees": tuple(data["addressees"]),
            "references": tuple(Reference(**r) for r in data["references"]),
            "validity_basis": Reference(**basis) if basis else None,
            "clauses": clauses,
        }
    )


def words_from_documents(documents: list[Document]) -> list[str]:
    """Unit names and titles the parser found: taught to jieba so they stay whole."""
    words: set[str] = set()
    for doc in documents:
        words.add(doc.title)
        if doc.issuer:
            words.add(doc.issuer)
        for clause in doc.clauses:
            words.update(u for u in (*clause.lead_units, *clause.responsible_units) if len(u) <= 20)
    return sorted(words)


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


def index_exists(index_dir: Path) -> bool:
    """True when a complete index has been published in this folder."""
    return (index_dir / CURRENT).is_file()


def _current_version(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexCorrupt(f"{index_dir} 中没有索引 (no index built yet): run `policybot index`")
    name = pointer.read_text(encoding="utf-8").strip()
    version = index_dir / name
    if not re.fullmatch(r"v-[\w.-]+", name) or not version.is_dir():
        raise IndexCorrupt(f"{pointer} points at a missing version {name!r}: run `policybot index` to rebuild")
    return version


def _choose_dense(kind: str, n: int, dim: int) -> faiss.Index:
    if kind == "auto":
        kind = "hnsw" if n >= HNSW_FROM_CHUNKS else "flat"
    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 96
        return index
    raise ValueError(f"unknown FAISS index kind {kind!r} (use flat, hnsw or auto)")


def _cached_rows(previous: PolicyIndex | None, embedder: Embedder) -> dict[str, int]:
    if previous is None or previous.embedder_id != embedder.id:
        return {}
    return {c.text_hash: i for i, c in enumerate(previous.chunks)}


def _tokenize(
    chunks: list[Chunk], segmenter: Segmenter, previous: PolicyIndex | None, new_words: list[str]
) -> list[list[str]]:
    cache: dict[str, list[str]] = {}
    if previous is not None:
        cache = {c.text_hash: previous.tokens[i] for i, c in enumerate(previous.chunks)}
    stale = re.compile("|".join(re.escape(w) for w in sorted(new_words, key=len, reverse=True))) if new_words else None
    tokens = []
    for chunk in chunks:
        cached = cache.get(chunk.text_hash)
        # a cached tokenisation is stale only when the chunk contains a word the dictionary just learnt
        if cached is None or (stale is not None and stale.search(chunk.search_text)):
            cached = segmenter.tokens(chunk.search_text)
        tokens.append(cached)
    return tokens


def _embed(
    chunks: list[Chunk], embedder: Embedder, previous: PolicyIndex | None, progress: Progress
) -> tuple[np.ndarray, int]:
    rows = _cached_rows(previous, embedder)
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    todo = []
    for i, chunk in enumerate(chunks):
        row = rows.get(chunk.text_hash)
        if row is None:
            todo.append(i)
        else:
            vectors[i] = previous.vectors[row]  # type: ignore[union-attr]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        vectors[batch] = embedder.encode_passages([chunks[i].search_text for i in batch])
        progress(0.2 + 0.7 * (start + len(batch)) / max(1, len(todo)), f"向量化 {start + len(batch)}/{len(todo)}")
    return vectors, len(todo)


def _write_version(
    index_dir: Path,
    documents: list[Document],
    chunks: list[Chunk],
    tokens: list[list[str]],
    vectors: np.ndarray,
    dense: faiss.Index,
    bm25: bm25s.BM25,
    manifest: dict,
) -> Path:
    version = index_dir / f"v-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}.tmp"
    version.mkdir(parents=True)
    _write_json(version / "documents.json", [document_to_dict(d) for d in documents])
    rows = [asdict(c) | {"tokens": t} for c, t in zip(chunks, tokens, strict=True)]
    (version / "chunks.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    np.save(version / "vectors.npy", vectors)
    faiss.write_index(dense, str(version / "dense.faiss"))
    bm25.save(str(version / "bm25"))
    files = sorted(p for p in version.rglob("*") if p.is_file())
    manifest["files"] = {str(p.relative_to(version)): _sha256(p) for p in files}
    _write_json(version / "manifest.json", manifest)
    for p in [*files, version / "manifest.json"]:
        with p.open("rb") as fh:
            os.fsync(fh.fileno())
    final = version.with_suffix("")
    version.rename(final)
    return final


def _publish(index_dir: Path, version: Path) -> None:
    pointer_tmp = index_dir / (CURRENT + ".tmp")
    pointer_tmp.write_text(version.name, encoding="utf-8")
    with pointer_tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(pointer_tmp, index_dir / CURRENT)
    dir_fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _remove_old_versions(index_dir: Path, keep: str) -> None:
    for child in index_dir.iterdir():
        if child.is_dir() and child.name.startswith("v-") and child.name != keep:
            shutil.rmtree(child, ignore_errors=True)


def corpus_fingerprint(chunks: list[Chunk]) -> str:
    """A hash of every chunk's identity and text: equal fingerprints, equal corpora."""
    digest = hashlib.sha256()
    for c in chunks:
        digest.update(f"{c.chunk_id}\t{c.text_hash}\n".encode())
    return digest.hexdigest()[:32]


def build_index(
    documents: list[Document],
    index_dir: Path,
    segmenter: Segmenter,
    embedder: Embedder,
    progress: Progress | None = None,
    dense_kind: str = "auto",
    corpus_files: dict[str, str] | None = None,
) -> BuildReport:
    """Build (or update) the index for these documents, re-embedding only chunks whose text changed."""
    with index_lock(index_dir):
        return build_index_locked(documents, index_dir, segmenter, embedder, progress, dense_kind, corpus_files)


def build_index_locked(
    documents: list[Document],
    index_dir: Path,
    segmenter: Segmenter,
    embedder: Embedder,
    progress: Progress | None = None,
    dense_kind: str = "auto",
    corpus_files: dict[str, str] | None = None,
) -> BuildReport:
    """build_index for a caller that already holds index_lock (e.g. while it changes the corpus)."""
    progress = progress or _noop_progress
    started = time.perf_counter()
    timings: dict[str, float] = {}
    previous = _open_previous(index_dir)
    t = time.perf_counter()
    documents = sorted(documents, key=lambda d: d.doc_id)
    chunks = [chunk for doc in documents for chunk in chunk_document(doc)]
    timings["chunk"] = time.perf_counter() - t
    progress(0.05, f"{len(documents)} 个文件，{len(chunks)} 个片段")

    t = time.perf_counter()
    words = words_from_documents(documents)
    new_words = [w for w in words if w.lower() not in segmenter.words]
    segmenter.add_words(words)
    tokens = _tokenize(chunks, segmenter, previous, new_words)
    timings["segment"] = time.perf_counter() - t
    progress(0.2, "分词完成")

    t = time.perf_counter()
    vectors, embedded = _embed(chunks, embedder, previous, progress)
    timings["embed"] = time.perf_counter() - t

    t = time.perf_counter()
    dense = _choose_dense(dense_kind, len(chunks), embedder.dim)
    if len(chunks):
        dense.add(vectors)
    bm25 = bm25s.BM25()
    bm25.index(tokens or [[""]], show_progress=False)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "embedder": {"id": embedder.id, "dim": embedder.dim},
        "corpus_fingerprint": corpus_fingerprint(chunks),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "dense_kind": type(dense).__name__,
        "documents": [{"doc_id": d.doc_id, "source": d.source, "clauses": len(d.clauses)} for d in documents],
        "chunks": len(chunks),
        "extra_words": words,
        "corpus_files": corpus_files or {},
    }
    version = _write_version(index_dir, documents, chunks, tokens, vectors, dense, bm25, manifest)
    _publish(index_dir, version)
    _remove_old_versions(index_dir, keep=version.name)
    timings["index"] = time.perf_counter() - t
    report = BuildReport(
        documents=len(documents),
        chunks=len(chunks),
        embedded=embedded,
        reused=len(chunks) - embedded,
        seconds=time.perf_counter() - started,
        timings=timings,
    )
    progress(1.0, f"索引完成：{report.chunks} 个片段，新向量化 {report.embedded}，复用 {report.reused}")
    return report


def _open_previous(index_dir: Path) -> PolicyIndex | None:
    """The published index to reuse embeddings from; a damaged one is rebuilt from scratch."""
    if not index_exists(index_dir):
        return None
    try:
        return open_index(index_dir)
    except (IndexCorrupt, IndexMismatch, OSError, ValueError, KeyError) as exc:
        log.warning("previous index not reusable, rebuilding everything: %s", exc)
        return None


def _verify(version: Path, manifest: dict) -> None:
    for name, digest in manifest.get("files", {}).items():
        path = version / name
        if not path.is_file():
            raise IndexCorrupt(f"索引文件缺失 {path} (missing): run `policybot index` to rebuild")
        if _sha256(path) != digest:
            raise IndexCorrupt(
                f"索引文件校验失败 {path} (checksum mismatch, corrupted): run `policybot index` to rebuild"
            )


def open_index(index_dir: Path, embedder_id: str | None = None, verify: bool = True) -> PolicyIndex:
    """Load the published index; checks schema, checksums and (when given) the embedder it was built with."""
    version = _current_version(index_dir)
    try:
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise IndexCorrupt(f"{version / 'manifest.json'} 无法读取 ({exc}): run `policybot index` to rebuild") from exc
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatch(
            f"索引格式版本 {manifest.get('schema_version')} 与程序版本 {SCHEMA_VERSION} 不符: run `policybot index` to rebuild"
        )
    built_with = manifest["embedder"]["id"]
    if embedder_id is not None and built_with != embedder_id:
        raise IndexMismatch(
            f"索引由嵌入模型 {built_with} 构建，但当前配置为 {embedder_id}。"
            f"请用 `policybot index` 重建索引，或改回 --embedder 设置 (index embedder {built_with} != configured {embedder_id})"
        )
    if verify:
        _verify(version, manifest)
    try:
        documents = [document_from_dict(d) for d in json.loads((version / "documents.json").read_text("utf-8"))]
        chunks, tokens = [], []
        for line in (version / "chunks.jsonl").read_text("utf-8").splitlines():
            row = json.loads(line)
            tokens.append(row.pop("tokens"))
            chunks.append(Chunk(**row))
        vectors = np.load(version / "vectors.npy", mmap_mode="r")
        dense = faiss.read_index(str(version / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(version / "bm25"))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorrupt(f"索引 {version} 无法加载 ({exc}): run `policybot index` to rebuild") from exc
    clause_chunks: dict[tuple[str, str], list[int]] = {}
    for i, c in enumerate(chunks):
        clause_chunks.setdefault((c.doc_id, c.clause_id), []).append(i)
    return PolicyIndex(
        path=version,
        manifest=manifest,
        documents={d.doc_id: d for d in documents},
        chunks=chunks,
        tokens=tokens,
        vectors=vectors,
        bm25=bm25,
        dense=dense,
        extra_words=manifest.get("extra_words", []),
        clause_chunks=clause_chunks,
    )
