"""The searchable index: documents → chunks → bags of words and passage vectors → BM25 + FAISS, kept up to date.

An update re-chunks only documents that changed, re-embeds only chunks whose text is new, re-segments only
chunks that contain a word the dictionary just learnt, and writes only the changed documents' shards.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections import Counter
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
from policybot.index.dense import (
    IVF_PROBES,
    PATCH_ROWS,
    PatchedIVF,
    choose_dense_kind,
    dense_index,
    partial_flat,
    patched_ivf,
)
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
    lock_is_held,
    read_manifest,
)
from policybot.ingest.parser import PARSER_ID

log = logging.getLogger(__name__)

__all__ = [
    "BuildReport",
    "Phases",
    "PolicyIndex",
    "build_index",
    "build_index_locked",
    "index_exists",
    "index_lock",
    "lock_is_held",
    "open_index",
    "published_manifest",
]

EMBED_BATCH = 32  # vectors per model call; also how often the embedding journal is written
EMBED_WINDOW = 512  # chunks sorted by length at a time (documents complete, and are published, window by window)
# more chunks than this to embed (seconds of work): a keyword-searchable version is published before embedding
KEYWORD_FIRST_CHUNKS = 32
PUBLISH_SECONDS = 180.0  # while embedding, a version with the documents embedded so far at most this often

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
    semantic_coverage: float = 1.0  # below 1 when the build stopped after the keyword phase (Phases.embed)


@dataclass(frozen=True, slots=True)
class Phases:
    """How a build that has much to embed publishes: a keyword-searchable version first, then versions with
    the documents embedded so far, then the whole one."""

    publish_every: float = PUBLISH_SECONDS  # seconds between two versions published while embedding
    embed: bool = True  # False: stop once the keyword version is published (the next build embeds)
    on_publish: Callable[[PolicyIndex], None] | None = None  # told of each version published before the last


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
    embedded: np.ndarray | None = None  # bool per chunk: has its vector (None: every chunk has one)

    @property
    def semantic_coverage(self) -> float:
        """The share of chunks searchable by meaning (1.0 once every chunk is embedded)."""
        return self.manifest.semantic_coverage

    def is_embedded(self, doc_id: str) -> bool:
        """True when the document's chunks have their vectors (False while the build has not reached it)."""
        shard = self.shards.get(doc_id)
        return shard is not None and shard.embedded

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
        if shard is None or not positions or not shard.embedded:
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


def shard_fingerprint(shard: Shard) -> str:
    """A hash of a document's chunks (their clause, window and text): equal fingerprints, equal chunks."""
    return _shard_fingerprint(shard)


def _with_fingerprint(shard: Shard) -> Shard:
    """The shard with its fingerprint (kept in the manifest, so that a load need not derive it again)."""
    return shard if shard.fingerprint else dataclasses.replace(shard, fingerprint=_shard_fingerprint(shard))


def corpus_fingerprint(shards: Iterable[Shard]) -> str:
    """A hash of every chunk's identity and text: equal fingerprints, equal corpora."""
    digest = hashlib.sha256()
    for shard in shards:
        digest.update(_shard_fingerprint(shard).encode())
    return digest.hexdigest()[:32]


# --- publishing while embedding ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Embedding:
    """What the embedding loop reports progress against, and how often it publishes."""

    pending: int  # vectors this build needs (journalled ones included)
    resumed: int  # of them, found in the journal
    publish_every: float


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a version links its unchanged shards from, and shards this build already published whole."""

    version: Path | None
    files: dict[str, str]
    names: dict[str, str] = field(default_factory=dict)  # doc_id → name of its embedded shard already written


def _waiting_view(shard: Shard) -> Shard:
    """A document's shard as published before its vectors are all computed: the vectors it has so far (reused
    from the previous version or the journal; zero rows are the missing ones), copied: the build fills its own."""
    vectors = shard.vectors.copy() if shard.vectors.any() else np.zeros(shard.vectors.shape, np.float32)
    return dataclasses.replace(shard, vectors=vectors, embedded=False, name="")


@dataclass(slots=True)
class _Publisher:
    """Publishes the versions of one build made before its last: BM25 over every chunk, FAISS (flat) over the
    documents embedded so far. Each document's shard is written once waiting and once embedded, else linked."""

    index_dir: Path
    documents: list[Document]
    segmenter: Segmenter
    embedder: Embedder
    words: list[str]
    corpus_files: dict[str, str] | None
    reusable: Reusable
    vocab: dict[str, int]
    version: Path | None = None  # the last version it published
    files: dict[str, str] = field(default_factory=dict)
    views: dict[str, Shard] = field(default_factory=dict)  # doc_id → its shard as last published
    last_index: PolicyIndex | None = None

    def source(self) -> _Source:
        """Where the next version links shards from."""
        if self.version is None:
            return _Source(self.reusable.version, self.reusable.files)
        names = {d: v.name for d, v in self.views.items() if v.embedded and v.name}
        return _Source(self.version, self.files, names)

    def publish(
        self,
        shards: list[Shard],
        bm25: BM25Index,
        waiting: set[str],
        rate: float,
        on_publish: Callable[[PolicyIndex], None] | None,
    ) -> None:
        """Publish a version in which the documents in `waiting` are found by keywords only."""
        views = []
        for shard in shards:
            doc_id = shard.doc.doc_id
            old = self.views.get(doc_id)
            if doc_id in waiting:
                views.append(old if old is not None and not old.embedded else _waiting_view(shard))
            else:
                views.append(old if old is not None and old.embedded else shard)
        views = [_with_fingerprint(v) for v in views]
        manifest = _manifest(
            self.documents, views, self.embedder, self.segmenter, "flat", self.words, self.corpus_files
        )
        manifest = dataclasses.replace(manifest, embed_rate=rate, published_unix=time.time())
        dense = partial_flat(views, self.embedder.dim)
        version, manifest, views = _write_version(
            self.index_dir, manifest, views, self.source(), self.vocab, dense, None, None
        )
        self.version, self.files = version, manifest.files
        self.views = {v.doc.doc_id: v for v in views}
        self.last_index = _loaded(version, manifest, views, self.vocab, bm25, dense, None, None)
        log.info("published %s: semantic coverage %.0f%%", version.name, 100 * manifest.semantic_coverage)
        if on_publish is not None:
            on_publish(self.last_index)

    def publisher(
        self, shards: list[Shard], bm25: BM25Index, on_publish: Callable[[PolicyIndex], None] | None
    ) -> Callable[[set[str], float], None]:
        """publish() for the embedding loop: (documents still waiting, chunks per second)."""
        return lambda waiting, rate: self.publish(shards, bm25, waiting, rate, on_publish)


# --- building ----------------------------------------------------------------------------------------------------------


def build_index(
    documents: list[Document],
    index_dir: Path,
    segmenter: Segmenter,
    embedder: Embedder,
    progress: Progress | None = None,
    dense_kind: str = "auto",
    corpus_files: dict[str, str] | None = None,
    phases: Phases | None = None,
) -> BuildReport:
    """Build (or update) the index for these documents, re-embedding only chunks whose text changed."""
    with index_lock(index_dir):
        return build_index_locked(
            documents, index_dir, segmenter, embedder, progress, dense_kind, corpus_files, phases=phases
        )


def build_index_locked(
    documents: list[Document],
    index_dir: Path,
    segmenter: Segmenter,
    embedder: Embedder,
    progress: Progress | None = None,
    dense_kind: str = "auto",
    corpus_files: dict[str, str] | None = None,
    previous: PolicyIndex | None = None,
    phases: Phases | None = None,
) -> BuildReport:
    """build_index for a caller that already holds index_lock (e.g. while it changes the corpus).

    `previous` is the published index if the caller has it loaded (saves reading it back). With more than
    KEYWORD_FIRST_CHUNKS chunks to embed, a version searchable by keywords is published before embedding, and the
    dense part as it grows (see Phases)."""
    progress = progress or _noop_progress
    phases = phases or Phases()
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

    context = _Publisher(index_dir, documents, segmenter, embedder, words, corpus_files, reusable, plan.vocab)
    bm25 = None
    publish = None
    journal = EmbedJournal(index_dir, embedder.id, embedder.dim)
    try:
        todo, resumed = _resume(pending, journal, progress)
        if len(todo) > KEYWORD_FIRST_CHUNKS:
            bags, shards = _concat_bags(shards)
            bm25 = build_bm25(bags, plan.vocab)
            context.publish(shards, bm25, {p.doc_id for p in todo}, 0.0, phases.on_publish)
            timings["keyword"] = time.perf_counter() - started
            progress(0.2, f"关键词检索已可用：{rows} 个片段（语义索引随向量化逐步发布）")
            if not phases.embed:
                return _report(documents, shards, 0, resumed, started, timings, context.last_index)
            publish = context.publisher(shards, bm25, phases.on_publish)
        t = time.perf_counter()
        run = _Embedding(pending=len(pending), resumed=resumed, publish_every=phases.publish_every)
        embedded = _embed_todo(todo, run, embedder, progress, journal, publish)
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
    if bm25 is None:
        bm25, shards = _bm25_for(shards, plan, previous, moves)
    timings["bm25"] = time.perf_counter() - t

    t = time.perf_counter()
    shards = [_with_fingerprint(s) for s in shards]
    manifest = _manifest(documents, shards, embedder, segmenter, kind, words, corpus_files)
    version, manifest, shards = _write_version(
        index_dir, manifest, shards, context.source(), plan.vocab, dense, centroids, cells
    )
    journal.remove()
    timings["write"] = time.perf_counter() - t

    t = time.perf_counter()
    built = _loaded(version, manifest, shards, plan.vocab, bm25, dense, centroids, cells)
    timings["assemble"] = time.perf_counter() - t
    timings["index"] = timings["faiss"] + timings["bm25"] + timings["write"] + timings["assemble"]
    report = _report(documents, shards, embedded, resumed, started, timings, built)
    progress(1.0, f"索引完成：{report.chunks} 个片段，新向量化 {report.embedded}，复用 {report.reused}")
    return report


def _report(
    documents: list[Document],
    shards: list[Shard],
    embedded: int,
    resumed: int,
    started: float,
    timings: dict[str, float],
    built: PolicyIndex | None,
) -> BuildReport:
    rows = sum(s.rows for s in shards)
    return BuildReport(
        documents=len(documents),
        chunks=rows,
        embedded=embedded,
        reused=rows - embedded,
        resumed=resumed,
        seconds=time.perf_counter() - started,
        timings=timings,
        index=built,
        semantic_coverage=built.semantic_coverage if built is not None else 1.0,
    )


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
    source: _Source,
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
            name = shard.name or source.names.get(shard.doc.doc_id, "")
            if name and source.version is not None:
                writer.link_shard(source.version, name, source.files)
                written.append(dataclasses.replace(shard, name=name) if name != shard.name else shard)
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


def _resume(pending: list[Pending], journal: EmbedJournal, progress: Progress) -> tuple[list[Pending], int]:
    """Fill the pending vectors an interrupted build journalled; the ones still to compute, and how many were found."""
    if not pending:
        return [], 0
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
    return todo, resumed


def _embed_todo(
    todo: list[Pending],
    run: _Embedding,
    embedder: Embedder,
    progress: Progress,
    journal: EmbedJournal,
    publish: Callable[[set[str], float], None] | None,
) -> int:
    """Compute the vectors still to compute, journalled batch by batch; with `publish`, a version with the
    documents done so far is published every run.publish_every seconds. How many vectors were computed."""
    waiting = Counter(item.doc_id for item in todo)
    started = last_publish = time.perf_counter()
    computed = 0
    for window_start in range(0, len(todo), EMBED_WINDOW):
        window = todo[window_start : window_start + EMBED_WINDOW]
        # texts of like length share a batch: the engine pads a batch to its longest text
        ordered = sorted(window, key=lambda p: len(p.text))
        for start in range(0, len(ordered), EMBED_BATCH):
            batch = ordered[start : start + EMBED_BATCH]
            vectors = embedder.encode_passages([p.text for p in batch])
            journal.append([p.text_hash for p in batch], vectors)
            for item, vector in zip(batch, vectors, strict=True):
                item.vectors[item.row] = vector
            computed += len(batch)
            done = run.resumed + computed
            progress(0.2 + 0.7 * done / run.pending, f"向量化 {done}/{run.pending}")
        waiting.subtract(item.doc_id for item in window)
        now = time.perf_counter()
        if publish is not None and computed < len(todo) and now - last_publish >= run.publish_every:
            publish({d for d, n in waiting.items() if n > 0}, computed / max(now - started, 1e-9))
            last_publish = time.perf_counter()
    return computed


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
        embedded=None if all(s.embedded for s in shards) else np.repeat([s.embedded for s in shards], sizes),
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
        if all(s.embedded for s in shards):
            dense = dense_index(kind, shards, dim, centroids, cells, hnsw)
        else:  # published while its build was embedding: only the embedded documents are searched by meaning
            dense = partial_flat(shards, dim)
        bm25 = build_bm25(bags, vocab)
    except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError, orjson.JSONDecodeError) as exc:
        raise IndexCorrupt(f"索引 {version} 无法加载 ({exc}): run `policybot index` to rebuild") from exc
    return _loaded(version, manifest, shards, vocab, bm25, dense, centroids, cells)
