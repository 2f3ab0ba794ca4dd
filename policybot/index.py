"""The searchable index: documents → chunks → bags of words and passage vectors → BM25 + FAISS, kept up to date.

An update re-chunks only documents that changed, re-embeds only chunks whose text is new, re-segments only
chunks that contain a word the dictionary just learnt, and writes only the changed documents' shards.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import faiss
import numpy as np
import orjson

from policybot import store
from policybot.bm25 import Bags, assemble, bag_of, build_bm25, concat
from policybot.chunks import CHUNKER_ID, Chunk, chunk_document
from policybot.document import Clause, Document
from policybot.embed import Embedder
from policybot.errors import IndexCorrupt, IndexMismatch
from policybot.segment import Segmenter
from policybot.store import Shard, VersionWriter, index_exists, index_lock, read_manifest

log = logging.getLogger(__name__)

__all__ = [
    "BuildReport",
    "PolicyIndex",
    "build_index",
    "build_index_locked",
    "index_exists",
    "index_lock",
    "open_index",
]

# below this a flat scan is exact and fast enough; above it IVF keeps a query near 1 ms and, unlike HNSW
# (80 s to build at 100 k chunks on 2 cores), takes an update in milliseconds: each chunk keeps its cell
IVF_FROM_CHUNKS = 20_000
IVF_PROBES = 24
EMBED_BATCH = 64
VOCAB_FILE = "vocab.json"
DENSE_FILE = "dense.npz"
HNSW_FILE = "dense.faiss"

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
    # the index just published, already in memory, so the caller need not read it back from disk
    index: PolicyIndex | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class PolicyIndex:
    """A loaded index: the parsed documents, where each chunk sits, and both search structures."""

    path: Path
    manifest: dict
    documents: dict[str, Document]
    shards: dict[str, Shard]
    doc_ids: list[str]  # row_doc's ordinals
    row_doc: np.ndarray  # int32 per chunk: which document (an ordinal into doc_ids)
    row_clause: np.ndarray  # int32 per chunk: which clause (a position in that document's clauses)
    row_start: dict[str, int]  # first chunk row of each document
    bags: Bags
    vocab: dict[str, int]
    bm25: bm25s.BM25
    dense: faiss.Index
    centroids: np.ndarray | None  # the IVF cells' centres, for an IVF index
    cells: np.ndarray | None  # the IVF cell of each chunk, for an IVF index
    extra_words: list[str]

    @property
    def embedder_id(self) -> str:
        """Which embedder built the dense vectors."""
        return self.manifest["embedder"]["id"]

    @property
    def rows(self) -> int:
        """How many chunks are indexed."""
        return len(self.row_doc)

    def clause(self, doc_id: str, clause_id: str) -> Clause:
        """The clause behind a hit."""
        return self.documents[doc_id].clause(clause_id)

    def clause_at(self, row: int) -> tuple[str, Clause]:
        """The document id and clause of a chunk row."""
        doc_id = self.doc_ids[self.row_doc[row]]
        return doc_id, self.documents[doc_id].clauses[self.row_clause[row]]

    def clause_vectors(self, doc_id: str, clause_id: str) -> np.ndarray:
        """The passage vectors of one clause's chunks."""
        shard = self.shards.get(doc_id)
        positions = [i for i, c in enumerate(shard.doc.clauses) if c.id == clause_id] if shard else []
        if shard is None or not positions:
            return np.zeros((0, self.manifest["embedder"]["dim"]), np.float32)
        return shard.vectors[shard.clause_pos == positions[0]]

    def all_vectors(self) -> np.ndarray:
        """Every chunk's passage vector in row order (a copy: each document keeps its own)."""
        dim = self.manifest["embedder"]["dim"]
        return np.concatenate([s.vectors for s in self.shards.values()]) if self.shards else np.zeros((0, dim))

    def chunks(self) -> list[Chunk]:
        """Every chunk in row order, with its text (cut again from the documents: texts are not kept in memory)."""
        return [chunk for doc_id in self.doc_ids for chunk in chunk_document(self.documents[doc_id])]


@dataclass(slots=True)
class _Reusable:
    """What a build may take from the previous version: intact shards, the vocabulary, the trained IVF cells."""

    version: Path | None
    files: dict[str, str]
    shards: dict[str, Shard]
    embedder_id: str
    segmenter_id: str
    chunker_id: str
    vocab: dict[str, int] | None
    centroids: np.ndarray | None
    cells: dict[str, np.ndarray]
    words: list[str] = field(default_factory=list)


def _noop_progress(fraction: float, message: str) -> None:
    log.info("%3.0f%% %s", fraction * 100, message)


def document_words(doc: Document) -> set[str]:
    """A document's unit names and title, as the parser found them: taught to jieba so they stay whole."""
    words = {doc.title}
    if doc.issuer:
        words.add(doc.issuer)
    for clause in doc.clauses:
        words.update(u for u in (*clause.lead_units, *clause.responsible_units) if len(u) <= 20)
    return words


def _shard_fingerprint(shard: Shard) -> str:
    if not shard.fingerprint:
        digest = hashlib.sha256()
        clauses = shard.doc.clauses
        for pos, part, text_hash in zip(shard.clause_pos, shard.parts, shard.hashes, strict=True):
            digest.update(f"{shard.doc.doc_id}#{clauses[pos].id}#{part}\t{text_hash}\n".encode())
        shard.fingerprint = digest.hexdigest()
    return shard.fingerprint


def corpus_fingerprint(shards: Iterable[Shard]) -> str:
    """A hash of every chunk's identity and text: equal fingerprints, equal corpora."""
    digest = hashlib.sha256()
    for shard in shards:
        digest.update(_shard_fingerprint(shard).encode())
    return digest.hexdigest()[:32]


# --- building ----------------------------------------------------------------------------------------------------------


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
    previous: PolicyIndex | None = None,
) -> BuildReport:
    """build_index for a caller that already holds index_lock (e.g. while it changes the corpus).

    `previous` is the published index if the caller has it loaded (saves reading it back).
    """
    progress = progress or _noop_progress
    started = time.perf_counter()
    timings: dict[str, float] = {}
    t = time.perf_counter()
    if previous is not None and store.is_current(index_dir, previous.path):
        reusable = _reusable_from_loaded(previous)
    else:
        reusable = _reusable_from_disk(index_dir)
    timings["load_previous"] = time.perf_counter() - t

    t = time.perf_counter()
    documents = sorted(documents, key=lambda d: d.doc_id)
    # the words the previous version was cut with come first: only words beyond them make old bags stale
    segmenter.add_words(reusable.words)
    words = sorted(set(reusable.words).union(*(_words_of(doc, reusable) for doc in documents)))
    new_words = segmenter.add_words(words)
    plan = _Plan(reusable, segmenter, embedder)
    stale = plan.stale_documents(documents, new_words)
    shards, pending = plan.shards_for(documents, stale)
    timings["segment"] = time.perf_counter() - t
    rows = sum(s.rows for s in shards)
    progress(0.2, f"{len(documents)} 个文件，{rows} 个片段；分词完成")

    t = time.perf_counter()
    embedded = _embed_pending(pending, embedder, progress)
    timings["embed"] = time.perf_counter() - t

    t = time.perf_counter()
    index_kind = _dense_kind(dense_kind, rows)
    bags = _concat_bags(shards)
    centroids, cells = plan.cells(shards, index_kind)
    dense = _dense_index(index_kind, shards, embedder.dim, centroids, cells)
    timings["faiss"] = time.perf_counter() - t
    t = time.perf_counter()
    bm25 = build_bm25(bags, plan.vocab)
    timings["bm25"] = time.perf_counter() - t

    t = time.perf_counter()
    manifest = _manifest(documents, shards, embedder, segmenter, index_kind, words, corpus_files)
    writer = VersionWriter(index_dir)
    try:
        for shard in shards:
            if shard.name and reusable.version is not None:
                store_name = shard.name
                writer.link_shard(reusable.version, store_name, reusable.files)
            else:
                writer.add_shard(shard)
        manifest["documents"] = [_document_entry(s) for s in shards]
        writer.write_json(VOCAB_FILE, sorted(plan.vocab, key=plan.vocab.__getitem__))
        if centroids is not None and cells is not None:
            writer.write_arrays(DENSE_FILE, centroids=centroids, cells=cells)
        elif index_kind == "hnsw":
            writer.write_bytes(HNSW_FILE, faiss.serialize_index(dense).tobytes())
        version = writer.publish(manifest)
    except BaseException:
        writer.discard()
        raise
    store.remove_old_versions(index_dir, keep=version.name)
    timings["write"] = time.perf_counter() - t

    t = time.perf_counter()
    built = _loaded(version, manifest, shards, bags, plan.vocab, bm25, dense, centroids, cells)
    timings["assemble"] = time.perf_counter() - t
    timings["index"] = timings["faiss"] + timings["bm25"] + timings["write"] + timings["assemble"]
    report = BuildReport(
        documents=len(documents),
        chunks=rows,
        embedded=embedded,
        reused=rows - embedded,
        seconds=time.perf_counter() - started,
        timings=timings,
        index=built,
    )
    progress(1.0, f"索引完成：{report.chunks} 个片段，新向量化 {report.embedded}，复用 {report.reused}")
    return report


def _words_of(doc: Document, reusable: _Reusable) -> set[str]:
    """The document's words, kept on its previous shard while the document is unchanged."""
    old = reusable.shards.get(doc.doc_id)
    if old is None or old.doc != doc:
        return document_words(doc)
    if old.words is None:
        old.words = tuple(sorted(document_words(doc)))
    return set(old.words)


@dataclass(slots=True)
class _Pending:
    """A chunk whose vector must be computed: its text, and where the vector goes."""

    text: str
    shard: Shard
    row: int


class _Plan:
    """Decides, document by document and chunk by chunk, what is reused from the previous version."""

    def __init__(self, reusable: _Reusable, segmenter: Segmenter, embedder: Embedder) -> None:
        self.reusable = reusable
        self.segmenter = segmenter
        self.same_vectors = reusable.embedder_id == embedder.id
        self.same_bags = reusable.vocab is not None and reusable.segmenter_id == segmenter.id
        self.same_chunks = reusable.chunker_id == CHUNKER_ID
        self.dim = embedder.dim
        self.vocab: dict[str, int] = dict(reusable.vocab) if self.same_bags and reusable.vocab else {}
        self._by_hash: dict[str, Shard] | None = None

    def stale_documents(self, documents: list[Document], new_words: list[str]) -> set[str]:
        """Documents whose text holds a word the dictionary just learnt: their old bags would cut it apart."""
        if not new_words or not self.same_bags:
            return set()
        stale = set()
        for doc in documents:
            old = self.reusable.shards.get(doc.doc_id)
            if old is None:
                continue
            text = self.segmenter.normalize(_searchable_text(old.doc))
            if any(w in text for w in new_words):
                stale.add(doc.doc_id)
        return stale

    def shards_for(self, documents: list[Document], stale: set[str]) -> tuple[list[Shard], list[_Pending]]:
        """A shard per document (the old one when nothing about it changed) and the chunks left to embed."""
        shards: list[Shard] = []
        pending: list[_Pending] = []
        for doc in documents:
            old = self.reusable.shards.get(doc.doc_id)
            if (
                old is not None
                and self.same_vectors
                and self.same_bags
                and self.same_chunks
                and doc.doc_id not in stale
                and old.doc == doc
            ):
                # a copy: the previous index may still be answering questions with the original
                shards.append(dataclasses.replace(old))
                continue
            shard, todo = self._new_shard(doc, reuse_bags=doc.doc_id not in stale)
            shards.append(shard)
            pending += todo
        return shards, pending

    def _new_shard(self, doc: Document, reuse_bags: bool) -> tuple[Shard, list[_Pending]]:
        chunks = chunk_document(doc)
        position = {c.id: i for i, c in enumerate(doc.clauses)}
        hashes = [c.text_hash for c in chunks]
        vectors = np.zeros((len(chunks), self.dim), np.float32)
        bags = []
        shard = Shard(
            doc=doc,
            clause_pos=np.array([position[c.clause_id] for c in chunks], dtype=np.int32),
            parts=np.array([c.part for c in chunks], dtype=np.int32),
            hashes=hashes,
            vectors=vectors,
            bags=Bags(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(1, np.int64)),
        )
        todo = []
        for row, (chunk, text_hash) in enumerate(zip(chunks, hashes, strict=True)):
            found = self._find(text_hash, doc.doc_id)
            if found is not None and self.same_bags and reuse_bags:
                bags.append(found[0].bags.row(found[1]))
            else:
                bags.append(bag_of(self.segmenter.tokens(chunk.search_text), self.vocab))
            if found is not None and self.same_vectors:
                vectors[row] = found[0].vectors[found[1]]
            else:
                todo.append(_Pending(chunk.search_text, shard, row))
        shard.bags = assemble(bags)
        return shard, todo

    def _find(self, text_hash: str, doc_id: str) -> tuple[Shard, int] | None:
        """A chunk of the previous version with this text: in the same document, or (for a document new under
        this name, e.g. a renamed file) anywhere."""
        old = self.reusable.shards.get(doc_id)
        if old is not None:
            return (old, old.hashes.index(text_hash)) if text_hash in old.hashes else None
        if self._by_hash is None:
            self._by_hash = {h: s for s in self.reusable.shards.values() for h in s.hashes}
        found = self._by_hash.get(text_hash)
        return (found, found.hashes.index(text_hash)) if found is not None else None

    def cells(self, shards: list[Shard], kind: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        """IVF centroids and each chunk's cell: kept from the previous version where it can be, else trained."""
        if kind != "ivf":
            return None, None
        n = sum(s.rows for s in shards)
        old = self.reusable
        previous_rows = sum(len(c) for c in old.cells.values())
        keep = (
            old.centroids is not None
            and self.same_vectors
            and old.centroids.shape[1] == self.dim
            and 0.5 <= n / max(previous_rows, 1) <= 2
        )
        centroids = old.centroids if keep and old.centroids is not None else _train_centroids(shards, self.dim)
        cells = []
        for shard in shards:
            kept = old.cells.get(shard.doc.doc_id) if keep and shard.name else None
            cells.append(kept if kept is not None and len(kept) == shard.rows else _assign(centroids, shard.vectors))
        return centroids, np.concatenate(cells) if cells else np.zeros(0, np.int64)


def _searchable_text(doc: Document) -> str:
    """Everything of a document that its chunks are cut from."""
    parts = [doc.title, doc.doc_number]
    for c in doc.clauses:
        parts += [c.heading, c.text, *c.heading_path]
    return "\n".join(parts)


def _embed_pending(pending: list[_Pending], embedder: Embedder, progress: Progress) -> int:
    for start in range(0, len(pending), EMBED_BATCH):
        batch = pending[start : start + EMBED_BATCH]
        vectors = embedder.encode_passages([p.text for p in batch])
        for item, vector in zip(batch, vectors, strict=True):
            item.shard.vectors[item.row] = vector
        done = start + len(batch)
        progress(0.2 + 0.7 * done / len(pending), f"向量化 {done}/{len(pending)}")
    return len(pending)


def _concat_bags(shards: list[Shard]) -> Bags:
    """All bags in row order; each shard then views its part (one copy in memory)."""
    bags = concat([s.bags for s in shards])
    start = 0
    for shard in shards:
        lo, hi = bags.offsets[start], bags.offsets[start + shard.rows]
        shard.bags = Bags(bags.terms[lo:hi], bags.counts[lo:hi], bags.offsets[start : start + shard.rows + 1] - lo)
        start += shard.rows
    return bags


def _dense_kind(kind: str, n: int) -> str:
    if kind == "auto":
        return "ivf" if n >= IVF_FROM_CHUNKS else "flat"
    if kind not in ("flat", "ivf", "hnsw"):
        raise ValueError(f"unknown FAISS index kind {kind!r} (use flat, ivf, hnsw or auto)")
    return kind


def ivf_lists(n: int) -> int:
    """How many IVF cells for n vectors: about 4·√n, so a cell holds a few hundred."""
    return max(16, int(4 * np.sqrt(max(n, 1))))


def _train_centroids(shards: list[Shard], dim: int) -> np.ndarray:
    sizes = np.array([s.rows for s in shards], dtype=np.int64)
    n = int(sizes.sum())
    lists = min(ivf_lists(n), max(1, n))
    rows = np.sort(np.random.default_rng(0).choice(n, min(n, 40 * lists), replace=False)) if n else []
    # gather the sample from the documents' own arrays: no copy of every vector
    ends = np.cumsum(sizes)
    which = np.searchsorted(ends, rows, side="right")
    starts = ends - sizes
    sample = np.stack([shards[d].vectors[r - starts[d]] for d, r in zip(which, rows, strict=True)]) if n else []
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    kmeans = faiss.Kmeans(dim, max(lists, 1), niter=20, spherical=True, seed=1234, verbose=False)
    if not n:
        return np.zeros((0, dim), np.float32)
    kmeans.train(np.ascontiguousarray(sample, dtype=np.float32))
    return np.ascontiguousarray(kmeans.centroids, dtype=np.float32)


def _assign(centroids: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """The nearest cell (by inner product) of each vector."""
    if len(vectors) == 0:
        return np.zeros(0, np.int64)
    quantizer = faiss.IndexFlatIP(centroids.shape[1])
    quantizer.add(centroids)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    _, cells = quantizer.search(np.ascontiguousarray(vectors, dtype=np.float32), 1)
    return cells[:, 0].astype(np.int64)


def _dense_index(
    kind: str,
    shards: list[Shard],
    dim: int,
    centroids: np.ndarray | None,
    cells: np.ndarray | None,
    hnsw: bytes | None = None,
) -> faiss.Index:
    """The FAISS index over every shard's vectors in row order: flat, IVF with the given cells, or HNSW."""
    if kind == "ivf" and centroids is not None and cells is not None:
        quantizer = faiss.IndexFlatIP(dim)
        quantizer.add(centroids)
        index = faiss.IndexIVFFlat(quantizer, dim, max(len(centroids), 1), faiss.METRIC_INNER_PRODUCT)
        index.nprobe = IVF_PROBES
        start = 0
        for shard in shards:
            if shard.rows:
                # the cell of every vector is known: add without searching the quantizer
                vectors = np.ascontiguousarray(shard.vectors, dtype=np.float32)
                part = np.ascontiguousarray(cells[start : start + shard.rows])
                index.add_core(shard.rows, faiss.swig_ptr(vectors), None, faiss.swig_ptr(part))
            start += shard.rows
        return index
    if kind == "hnsw":
        if hnsw is not None:
            return faiss.deserialize_index(np.frombuffer(hnsw, dtype=np.uint8))
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(dim)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    for shard in shards:
        if shard.rows:
            index.add(np.ascontiguousarray(shard.vectors, dtype=np.float32))
    return index


def _manifest(
    documents: list[Document],
    shards: list[Shard],
    embedder: Embedder,
    segmenter: Segmenter,
    dense_kind: str,
    words: list[str],
    corpus_files: dict[str, str] | None,
) -> dict:
    return {
        "schema_version": store.SCHEMA_VERSION,
        "embedder": {"id": embedder.id, "dim": embedder.dim},
        "segmenter": segmenter.id,
        "chunker": CHUNKER_ID,
        "dense": {"kind": dense_kind, "probes": IVF_PROBES},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "corpus_fingerprint": corpus_fingerprint(shards),
        "chunks": sum(s.rows for s in shards),
        "extra_words": words,
        "corpus_files": corpus_files or {},
    }


def _document_entry(shard: Shard) -> dict:
    doc = shard.doc
    return {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "title": doc.title,
        "shard": shard.name,
        "rows": shard.rows,
        "clauses": len(doc.clauses),
    }


# --- loading -------------------------------------------------------------------------------------------------------------


def _loaded(
    version: Path,
    manifest: dict,
    shards: list[Shard],
    bags: Bags,
    vocab: dict[str, int],
    bm25: bm25s.BM25,
    dense: faiss.Index,
    centroids: np.ndarray | None,
    cells: np.ndarray | None,
) -> PolicyIndex:
    doc_ids = [s.doc.doc_id for s in shards]
    sizes = np.array([s.rows for s in shards], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]) if len(shards) else np.zeros(0, np.int64)
    return PolicyIndex(
        path=version,
        manifest=manifest,
        documents={s.doc.doc_id: s.doc for s in shards},
        shards={s.doc.doc_id: s for s in shards},
        doc_ids=doc_ids,
        row_doc=np.repeat(np.arange(len(shards), dtype=np.int32), sizes),
        row_clause=np.concatenate([s.clause_pos for s in shards]) if shards else np.zeros(0, np.int32),
        row_start={d: int(s) for d, s in zip(doc_ids, starts, strict=True)},
        bags=bags,
        vocab=vocab,
        bm25=bm25,
        dense=dense,
        centroids=centroids,
        cells=cells,
        extra_words=manifest.get("extra_words", []),
    )


def open_index(index_dir: Path, embedder_id: str | None = None, verify: bool = True) -> PolicyIndex:
    """Load the published index; checks schema, checksums and (when given) the embedder it was built with."""
    version, manifest = read_manifest(index_dir)
    try:
        built_with = str(manifest["embedder"]["id"])
    except (KeyError, TypeError) as exc:
        raise IndexCorrupt(f"{version} 的清单缺少嵌入模型信息 ({exc}): run `policybot index` to rebuild") from exc
    if embedder_id is not None and built_with != embedder_id:
        raise IndexMismatch(
            f"索引由嵌入模型 {built_with} 构建，但当前配置为 {embedder_id}。"
            f"请用 `policybot index` 重建索引，或改回 --embedder 设置 (index embedder {built_with} != configured {embedder_id})"
        )
    if verify:
        store.verify(version, manifest)
    try:
        shards = [store.read_shard(version, entry["shard"]) for entry in manifest["documents"]]
        vocab = {term: i for i, term in enumerate(orjson.loads((version / VOCAB_FILE).read_bytes()))}
        rows = sum(s.rows for s in shards)
        dim = int(manifest["embedder"]["dim"])
        if any(s.vectors.shape[1] != dim for s in shards if s.rows):
            raise ValueError(f"a shard's vectors are not {dim}-dimensional")
        bags = _concat_bags(shards)
        bags.check(rows, len(vocab))
        kind = manifest["dense"]["kind"]
        centroids = cells = hnsw = None
        if kind == "ivf":
            with np.load(version / DENSE_FILE, allow_pickle=False) as arrays:
                centroids, cells = arrays["centroids"], arrays["cells"]
            if len(cells) != rows or (len(cells) and (cells.min() < 0 or cells.max() >= len(centroids))):
                raise ValueError(f"{DENSE_FILE}: cells do not match the {rows} chunks")
        elif kind == "hnsw":
            hnsw = (version / HNSW_FILE).read_bytes()
        dense = _dense_index(kind, shards, dim, centroids, cells, hnsw)
        bm25 = build_bm25(bags, vocab)
    except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError, orjson.JSONDecodeError) as exc:
        raise IndexCorrupt(f"索引 {version} 无法加载 ({exc}): run `policybot index` to rebuild") from exc
    return _loaded(version, manifest, shards, bags, vocab, bm25, dense, centroids, cells)


def _reusable_from_loaded(index: PolicyIndex) -> _Reusable:
    """What the loaded (published) index offers a build."""
    cells: dict[str, np.ndarray] = {}
    if index.cells is not None:
        cells = {d: index.cells[index.row_start[d] : index.row_start[d] + s.rows] for d, s in index.shards.items()}
    return _Reusable(
        version=index.path,
        files=index.manifest.get("files", {}),
        shards=index.shards,
        embedder_id=index.manifest["embedder"]["id"],
        segmenter_id=index.manifest.get("segmenter", ""),
        chunker_id=index.manifest.get("chunker", ""),
        vocab=index.vocab,
        centroids=index.centroids,
        cells=cells,
        words=index.extra_words,
    )


def _reusable_from_disk(index_dir: Path) -> _Reusable:
    """The intact parts of the published version: a damaged shard is rebuilt alone, not the whole index."""
    nothing = _Reusable(None, {}, {}, "", "", "", None, None, {})
    if not index_exists(index_dir):
        return nothing
    try:
        version, manifest = read_manifest(index_dir)
        embedder_id = manifest["embedder"]["id"]
        entries = manifest["documents"]
    except (IndexCorrupt, IndexMismatch, KeyError, TypeError) as exc:
        log.warning("previous index not reusable, rebuilding everything: %s", exc)
        return nothing
    shards: dict[str, Shard] = {}
    for entry in entries:
        try:
            store.verify(version, manifest, list(store.shard_files(entry["shard"])))
            shards[entry["doc_id"]] = store.read_shard(version, entry["shard"])
        except (IndexCorrupt, OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
            log.warning("shard of %s not reusable, rebuilding it: %s", entry.get("doc_id"), exc)
    vocab = _intact_vocab(version, manifest, shards)
    centroids, cells = _intact_cells(version, manifest, entries, shards)
    return _Reusable(
        version=version,
        files=manifest.get("files", {}),
        shards=shards,
        embedder_id=embedder_id,
        segmenter_id=manifest.get("segmenter", ""),
        chunker_id=manifest.get("chunker", ""),
        vocab=vocab,
        centroids=centroids,
        cells=cells,
        words=list(manifest.get("extra_words", [])) if vocab is not None else [],
    )


def _intact_vocab(version: Path, manifest: dict, shards: dict[str, Shard]) -> dict[str, int] | None:
    try:
        store.verify(version, manifest, [VOCAB_FILE])
        vocab = {term: i for i, term in enumerate(orjson.loads((version / VOCAB_FILE).read_bytes()))}
        for shard in shards.values():
            shard.bags.check(shard.rows, len(vocab))
        return vocab
    except (IndexCorrupt, OSError, ValueError, orjson.JSONDecodeError) as exc:
        log.warning("BM25 vocabulary not reusable, segmenting everything again: %s", exc)
        return None


def _intact_cells(
    version: Path, manifest: dict, entries: list[dict], shards: dict[str, Shard]
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    if manifest.get("dense", {}).get("kind") != "ivf":
        return None, {}
    try:
        store.verify(version, manifest, [DENSE_FILE])
        with np.load(version / DENSE_FILE, allow_pickle=False) as arrays:
            centroids, cells = arrays["centroids"], arrays["cells"]
    except (IndexCorrupt, OSError, ValueError, KeyError) as exc:
        log.warning("IVF cells not reusable, training them again: %s", exc)
        return None, {}
    by_doc: dict[str, np.ndarray] = {}
    start = 0
    for entry in entries:
        rows = int(entry["rows"])
        if entry["doc_id"] in shards and start + rows <= len(cells):
            by_doc[entry["doc_id"]] = cells[start : start + rows]
        start += rows
    return centroids, by_doc
