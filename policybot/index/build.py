"""The searchable index: documents → chunks → bags of words and passage vectors → BM25 + FAISS, kept up to date.

An update re-chunks only documents that changed, re-embeds only chunks whose text is new, re-segments only
chunks that contain a word the dictionary just learnt, and writes only the changed documents' shards.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np
import orjson

from policybot.document import Clause, Document
from policybot.errors import IndexCorrupt, IndexMismatch
from policybot.index import store
from policybot.index.bm25 import Bags, BM25Index, Vocabulary, build_bm25, concat, patched_bm25
from policybot.index.chunks import CHUNKER_ID, Chunk, chunk_document
from policybot.index.dense import IVF_PROBES, PATCH_ROWS, PatchedIVF, choose_dense_kind, dense_index, patched_ivf
from policybot.index.embed import Embedder
from policybot.index.journal import EmbedJournal
from policybot.index.manifest import DERIVED_ID, SCHEMA_VERSION, Manifest
from policybot.index.reuse import Pending, Plan, Reusable, reusable_from, words_of
from policybot.index.rowpatch import RowMoves
from policybot.index.segment import Segmenter
from policybot.index.store import (
    DENSE_FILE,
    HNSW_FILE,
    VOCAB_FILE,
    Shard,
    VersionWriter,
    index_exists,
    index_lock,
    read_manifest,
)
from policybot.ingest.parser import PARSER_ID

log = logging.getLogger(__name__)

__all__ = [
    "BuildReport",
    "PolicyIndex",
    "build_index",
    "build_index_locked",
    "index_exists",
    "index_lock",
    "open_index",
    "published_manifest",
]

EMBED_BATCH = 32  # vectors per model call; also how often the embedding journal is written

Progress = Callable[[float, str], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What an index build did, for the progress log and the benchmarks."""

    documents: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    resumed: int = 0  # of the reused: vectors an interrupted earlier build had computed (from the journal)
    timings: dict[str, float] = field(default_factory=dict)
    # the index just published, already in memory, so the caller need not read it back from disk
    index: PolicyIndex | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class PolicyIndex:
    """A loaded index: the parsed documents, where each chunk sits, and both search structures."""

    path: Path
    manifest: Manifest
    documents: dict[str, Document]
    shards: dict[str, Shard]
    doc_ids: list[str]  # row_doc's ordinals
    row_doc: np.ndarray  # int32 per chunk: which document (an ordinal into doc_ids)
    row_clause: np.ndarray  # int32 per chunk: which clause (a position in that document's clauses)
    row_start: dict[str, int]  # first chunk row of each document
    vocab: dict[str, int]
    bm25: BM25Index
    dense: faiss.Index | PatchedIVF
    centroids: np.ndarray | None  # the IVF cells' centres, for an IVF index
    cells: np.ndarray | None  # the IVF cell of each chunk, for an IVF index
    extra_words: list[str]

    @property
    def embedder_id(self) -> str:
        """Which embedder built the dense vectors."""
        return self.manifest.embedder_id

    @property
    def rows(self) -> int:
        """How many chunks are indexed."""
        return len(self.row_doc)

    def vocabulary(self) -> Vocabulary:
        """The documents' words and how telling each is, for what reads questions (the answerer's evidence)."""
        return Vocabulary(self.vocab, self.bm25.idf)

    def is_published(self) -> bool:
        """True while this is the version the index folder publishes (no other process has published since)."""
        return store.is_current(self.path.parent, self.path)

    def clause(self, doc_id: str, clause_id: str) -> Clause:
        """The clause behind a hit."""
        return self.documents[doc_id].clause(clause_id)

    def clause_at(self, row: int) -> tuple[str, Clause]:
        """The document id and clause of a chunk row."""
        doc_id = self.doc_ids[self.row_doc[row]]
        return doc_id, self.documents[doc_id].clauses[self.row_clause[row]]

    def part_at(self, row: int) -> int:
        """Which window of its clause a chunk row is (0 for the first)."""
        doc_id = self.doc_ids[self.row_doc[row]]
        return int(self.shards[doc_id].parts[row - self.row_start[doc_id]])

    def rows_with_units(self) -> np.ndarray:
        """True for each chunk row whose clause names its 牵头单位 or 责任单位."""
        flags = [
            np.array([c.has_units for c in self.documents[d].clauses], dtype=bool)[self.shards[d].clause_pos]
            for d in self.doc_ids
        ]
        return np.concatenate(flags) if flags else np.zeros(0, dtype=bool)

    def clause_vectors(self, doc_id: str, clause_id: str) -> np.ndarray:
        """The passage vectors of one clause's chunks."""
        shard = self.shards.get(doc_id)
        positions = [i for i, c in enumerate(shard.doc.clauses) if c.id == clause_id] if shard else []
        if shard is None or not positions:
            return np.zeros((0, self.manifest.embedder_dim), np.float32)
        return shard.vectors[shard.clause_pos == positions[0]]

    def all_vectors(self) -> np.ndarray:
        """Every chunk's passage vector in row order (a copy: each document keeps its own)."""
        dim = self.manifest.embedder_dim
        return np.concatenate([s.vectors for s in self.shards.values()]) if self.shards else np.zeros((0, dim))

    def settle_bm25(self) -> None:
        """Compute BM25's score matrix for bm25s after a patched update (a few tenths of a second at 100 k chunks);
        questions meanwhile are scored from the postings, with the same result."""
        if self.bm25.model is None:
            self.bm25 = build_bm25(concat([self.shards[d].bags for d in self.doc_ids]), self.vocab)

    def chunks(self) -> list[Chunk]:
        """Every chunk in row order, with its text (cut again from the documents: texts are not kept in memory)."""
        return [chunk for doc_id in self.doc_ids for chunk in chunk_document(self.documents[doc_id])]


def _noop_progress(fraction: float, message: str) -> None:
    log.info("%3.0f%% %s", fraction * 100, message)


def _shard_fingerprint(shard: Shard) -> str:
    if shard.fingerprint:
        return shard.fingerprint
    digest = hashlib.sha256()
    clauses = shard.doc.clauses
    for pos, part, text_hash in zip(shard.clause_pos, shard.parts, shard.hashes, strict=True):
        digest.update(f"{shard.doc.doc_id}#{clauses[pos].id}#{part}\t{text_hash}\n".encode())
    return digest.hexdigest()


def _with_fingerprint(shard: Shard) -> Shard:
    """The shard with its fingerprint (kept in the manifest, so that a load need not derive it again)."""
    return shard if shard.fingerprint else dataclasses.replace(shard, fingerprint=_shard_fingerprint(shard))


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
    if previous is not None and not previous.is_published():
        previous = None  # another process published since it was loaded: nothing is patched from it
    reusable = reusable_from(index_dir, previous)
    timings["load_previous"] = time.perf_counter() - t

    t = time.perf_counter()
    documents = sorted(documents, key=lambda d: d.doc_id)
    plan, words, stale = _plan_for(documents, reusable, segmenter, embedder)
    shards, pending = plan.shards_for(documents, stale)
    timings["segment"] = time.perf_counter() - t
    rows = sum(s.rows for s in shards)
    progress(0.2, f"{len(documents)} 个文件，{rows} 个片段；分词完成")

    t = time.perf_counter()
    journal = EmbedJournal(index_dir, embedder.id, embedder.dim)
    try:
        embedded, resumed = _embed_pending(pending, embedder, progress, journal)
    finally:
        journal.close()
    timings["embed"] = time.perf_counter() - t

    t = time.perf_counter()
    kind = choose_dense_kind(dense_kind, rows)
    moves = _row_moves(previous, shards) if previous is not None else None
    centroids, cells = plan.cells(shards, kind)
    dense = _dense_for(kind, shards, embedder.dim, centroids, cells, previous, moves)
    timings["faiss"] = time.perf_counter() - t
    t = time.perf_counter()
    bm25, shards = _bm25_for(shards, plan, previous, moves)
    timings["bm25"] = time.perf_counter() - t

    t = time.perf_counter()
    shards = [_with_fingerprint(s) for s in shards]
    manifest = _manifest(documents, shards, embedder, segmenter, kind, words, corpus_files)
    version, manifest, shards = _write_version(
        index_dir, manifest, shards, reusable, plan.vocab, dense, centroids, cells
    )
    journal.remove()
    timings["write"] = time.perf_counter() - t

    t = time.perf_counter()
    built = _loaded(version, manifest, shards, plan.vocab, bm25, dense, centroids, cells)
    timings["assemble"] = time.perf_counter() - t
    timings["index"] = timings["faiss"] + timings["bm25"] + timings["write"] + timings["assemble"]
    report = BuildReport(
        documents=len(documents),
        chunks=rows,
        embedded=embedded,
        reused=rows - embedded,
        resumed=resumed,
        seconds=time.perf_counter() - started,
        timings=timings,
        index=built,
    )
    progress(1.0, f"索引完成：{report.chunks} 个片段，新向量化 {report.embedded}，复用 {report.reused}")
    return report


def _dense_for(
    kind: str,
    shards: list[Shard],
    dim: int,
    centroids: np.ndarray | None,
    cells: np.ndarray | None,
    previous: PolicyIndex | None,
    moves: RowMoves | None,
) -> faiss.Index | PatchedIVF:
    """The FAISS index of a version: the loaded previous one patched where it has the same IVF cells."""
    if (
        kind == "ivf"
        and previous is not None
        and moves is not None
        and centroids is not None
        and cells is not None
        and centroids is previous.centroids
        and isinstance(previous.dense, faiss.IndexIVFFlat | PatchedIVF)
    ):
        if moves.unchanged:
            return previous.dense
        patched = patched_ivf(previous.dense, moves, shards, centroids, cells)
        if patched is not None:
            return patched
    return dense_index(kind, shards, dim, centroids, cells)


def _bm25_for(
    shards: list[Shard], plan: Plan, previous: PolicyIndex | None, moves: RowMoves | None
) -> tuple[BM25Index, list[Shard]]:
    """BM25 of a version: the loaded previous one patched while few rows changed and term ids still hold; with
    the shards, which view the bags of a BM25 built whole."""
    if previous is not None and moves is not None and plan.same_bags and previous.bm25.rows == previous.rows:
        if moves.unchanged:
            return previous.bm25, shards
        kept = {s.doc.doc_id for s in shards if _kept(previous, s)}
        gone = [old.bags for doc_id, old in previous.shards.items() if doc_id not in kept]
        new = concat([s.bags for s in shards if s.doc.doc_id not in kept])
        patched = patched_bm25(previous.bm25, moves, gone, new, plan.vocab, most_changed=PATCH_ROWS)
        if patched is not None:
            return patched, shards
    bags, shards = _concat_bags(shards)
    return build_bm25(bags, plan.vocab), shards


def _kept(previous: PolicyIndex, shard: Shard) -> bool:
    """True when the shard is the previous version's, unchanged (its rows move, not change)."""
    old = previous.shards.get(shard.doc.doc_id)
    return bool(shard.name) and old is not None and old.name == shard.name


def _row_moves(previous: PolicyIndex, shards: list[Shard]) -> RowMoves:
    """Where each row of the previous index goes (-1: its document changed or left), and the rows that are new."""
    moved = np.full(previous.rows, -1, np.int64)
    added = []
    start = 0
    for shard in shards:
        if _kept(previous, shard):
            first = previous.row_start[shard.doc.doc_id]
            moved[first : first + shard.rows] = np.arange(start, start + shard.rows)
        else:
            added.append(np.arange(start, start + shard.rows))
        start += shard.rows
    return RowMoves(moved, np.concatenate(added) if added else np.zeros(0, np.int64))


def _plan_for(
    documents: list[Document], reusable: Reusable, segmenter: Segmenter, embedder: Embedder
) -> tuple[Plan, list[str], set[str]]:
    """Teach jieba every document's words; the plan, all words taught, and documents whose old bags are stale."""
    # the words the previous version was cut with come first: only words beyond them make old bags stale
    segmenter.add_words(reusable.words)
    words = sorted(set(reusable.words).union(*(words_of(doc, reusable) for doc in documents)))
    new_words = segmenter.add_words(words)
    plan = Plan(reusable, segmenter, embedder)
    return plan, words, plan.stale_documents(documents, new_words)


def _write_version(
    index_dir: Path,
    manifest: Manifest,
    shards: list[Shard],
    reusable: Reusable,
    vocab: dict[str, int],
    dense: faiss.Index | PatchedIVF,
    centroids: np.ndarray | None,
    cells: np.ndarray | None,
) -> tuple[Path, Manifest, list[Shard]]:
    """Write and publish a version: new shards written, unchanged ones linked; older versions removed. The
    version's folder, its manifest as published, and the shards with their names."""
    writer = VersionWriter(index_dir)
    written = []
    try:
        for shard in shards:
            if shard.name and reusable.version is not None:
                writer.link_shard(reusable.version, shard.name, reusable.files)
                written.append(shard)
            else:
                written.append(dataclasses.replace(shard, name=writer.add_shard(shard)))
        shards = written
        word_ids = {w: i for i, w in enumerate(manifest.extra_words)}
        manifest = dataclasses.replace(manifest, documents=tuple(store.document_entry(s, word_ids) for s in shards))
        writer.write_json(VOCAB_FILE, sorted(vocab, key=vocab.__getitem__))
        if centroids is not None and cells is not None:
            writer.write_arrays(DENSE_FILE, centroids=centroids, cells=cells)
        elif manifest.dense_kind == "hnsw":
            writer.write_bytes(HNSW_FILE, faiss.serialize_index(dense).tobytes())
        version, manifest = writer.publish(manifest)
    except BaseException:
        writer.discard()
        raise
    store.remove_old_versions(index_dir, keep=version.name)
    return version, manifest, shards


def _embed_pending(
    pending: list[Pending], embedder: Embedder, progress: Progress, journal: EmbedJournal
) -> tuple[int, int]:
    """Compute the pending vectors, journalled batch by batch; (how many computed, how many the journal had)."""
    if not pending:
        return 0, 0
    recorded = journal.open({item.text_hash for item in pending})
    todo = []
    for item in pending:
        vector = recorded.get(item.text_hash)
        if vector is None:
            todo.append(item)
        else:
            item.vectors[item.row] = vector
    resumed = len(pending) - len(todo)
    if resumed:
        progress(0.2, f"续用上次中断的构建已计算的向量 {resumed} 个")
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        vectors = embedder.encode_passages([p.text for p in batch])
        journal.append([p.text_hash for p in batch], vectors)
        for item, vector in zip(batch, vectors, strict=True):
            item.vectors[item.row] = vector
        done = resumed + start + len(batch)
        progress(0.2 + 0.7 * done / len(pending), f"向量化 {done}/{len(pending)}")
    return len(todo), resumed


def _concat_bags(shards: list[Shard]) -> tuple[Bags, list[Shard]]:
    """All bags in row order, and the shards viewing their part of them (one copy in memory)."""
    bags = concat([s.bags for s in shards])
    viewing = []
    start = 0
    for shard in shards:
        lo, hi = bags.offsets[start], bags.offsets[start + shard.rows]
        part = Bags(bags.terms[lo:hi], bags.counts[lo:hi], bags.offsets[start : start + shard.rows + 1] - lo)
        viewing.append(dataclasses.replace(shard, bags=part))
        start += shard.rows
    return bags, viewing


def _manifest(
    documents: list[Document],
    shards: list[Shard],
    embedder: Embedder,
    segmenter: Segmenter,
    dense_kind: str,
    words: list[str],
    corpus_files: dict[str, str] | None,
) -> Manifest:
    """What this build is made from (its documents' entries are added once their shards are written)."""
    return Manifest(
        schema_version=SCHEMA_VERSION,
        embedder_id=embedder.id,
        embedder_dim=embedder.dim,
        segmenter=segmenter.id,
        chunker=CHUNKER_ID,
        parser=PARSER_ID,
        dense_kind=dense_kind,
        dense_probes=IVF_PROBES,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        corpus_fingerprint=corpus_fingerprint(shards),
        chunks=sum(s.rows for s in shards),
        extra_words=tuple(words),
        derived=DERIVED_ID,
        corpus_files=dict(corpus_files or {}),
    )


# --- loading -------------------------------------------------------------------------------------------------------------


def _loaded(
    version: Path,
    manifest: Manifest,
    shards: list[Shard],
    vocab: dict[str, int],
    bm25: BM25Index,
    dense: faiss.Index | PatchedIVF,
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
        vocab=vocab,
        bm25=bm25,
        dense=dense,
        centroids=centroids,
        cells=cells,
        extra_words=list(manifest.extra_words),
    )


def published_manifest(index_dir: Path) -> Manifest:
    """What the published index was built from (without loading it); IndexCorrupt/IndexMismatch say to rebuild."""
    return read_manifest(index_dir)[1]


def open_index(index_dir: Path, embedder_id: str | None = None, verify: bool = True) -> PolicyIndex:
    """Load the published index; checks schema, checksums and (when given) the embedder it was built with."""
    version, manifest = read_manifest(index_dir)
    built_with = manifest.embedder_id
    if embedder_id is not None and built_with != embedder_id:
        raise IndexMismatch(
            f"索引由嵌入模型 {built_with} 构建，但当前配置为 {embedder_id}。"
            f"请用 `policybot index` 重建索引，或改回 --embedder 设置 (index embedder {built_with} != configured {embedder_id})"
        )
    if verify:
        store.verify(version, manifest)
    try:
        shards = [store.restore_derived(store.read_shard(version, e.shard), e, manifest) for e in manifest.documents]
        vocab = {term: i for i, term in enumerate(orjson.loads((version / VOCAB_FILE).read_bytes()))}
        rows = sum(s.rows for s in shards)
        dim = manifest.embedder_dim
        if any(s.vectors.shape[1] != dim for s in shards if s.rows):
            raise ValueError(f"a shard's vectors are not {dim}-dimensional")
        bags, shards = _concat_bags(shards)
        bags.check(rows, len(vocab))
        kind = manifest.dense_kind
        centroids = cells = hnsw = None
        if kind == "ivf":
            with np.load(version / DENSE_FILE, allow_pickle=False) as arrays:
                centroids, cells = arrays["centroids"], arrays["cells"]
            if len(cells) != rows or (len(cells) and (cells.min() < 0 or cells.max() >= len(centroids))):
                raise ValueError(f"{DENSE_FILE}: cells do not match the {rows} chunks")
        elif kind == "hnsw":
            hnsw = (version / HNSW_FILE).read_bytes()
        dense = dense_index(kind, shards, dim, centroids, cells, hnsw)
        bm25 = build_bm25(bags, vocab)
    except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError, orjson.JSONDecodeError) as exc:
        raise IndexCorrupt(f"索引 {version} 无法加载 ({exc}): run `policybot index` to rebuild") from exc
    return _loaded(version, manifest, shards, vocab, bm25, dense, centroids, cells)
