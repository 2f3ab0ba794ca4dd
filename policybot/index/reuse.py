"""What an index build takes from the previous version: unchanged shards, vectors and bags of words by text,
the BM25 vocabulary, the trained IVF cells, the words jieba was taught; and what is left to segment and embed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import orjson

from policybot.document import Document
from policybot.errors import IndexCorrupt, IndexMismatch
from policybot.index import store
from policybot.index.bm25 import assemble, bag_of
from policybot.index.chunks import CHUNKER_ID, chunk_document
from policybot.index.dense import assign, train_centroids
from policybot.index.embed import Embedder
from policybot.index.manifest import Manifest
from policybot.index.segment import Segmenter
from policybot.index.store import DENSE_FILE, VOCAB_FILE, Shard, index_exists, read_manifest

if TYPE_CHECKING:
    from policybot.index.build import PolicyIndex

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Reusable:
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


def document_words(doc: Document) -> set[str]:
    """A document's unit names and title, as the parser found them: taught to jieba so they stay whole."""
    words = {doc.title}
    if doc.issuer:
        words.add(doc.issuer)
    for clause in doc.clauses:
        words.update(u for u in (*clause.lead_units, *clause.responsible_units) if len(u) <= 20)
    return words


def words_of(doc: Document, reusable: Reusable) -> set[str]:
    """The document's words, kept on its previous shard while the document is unchanged."""
    old = reusable.shards.get(doc.doc_id)
    if old is None or old.doc != doc or old.words is None:
        return document_words(doc)
    return set(old.words)


@dataclass(slots=True)
class Pending:
    """A chunk whose vector must be computed: its text and its text's hash, and where the vector goes (a row of
    the vectors of a shard not yet published)."""

    text: str
    text_hash: str
    vectors: np.ndarray
    row: int
    doc_id: str = ""


class Plan:
    """Decides, document by document and chunk by chunk, what is reused from the previous version."""

    def __init__(self, reusable: Reusable, segmenter: Segmenter, embedder: Embedder) -> None:
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

    def shards_for(self, documents: list[Document], stale: set[str]) -> tuple[list[Shard], list[Pending]]:
        """A shard per document (the old one when nothing about it changed) and the chunks left to embed."""
        shards: list[Shard] = []
        pending: list[Pending] = []
        for doc in documents:
            old = self.reusable.shards.get(doc.doc_id)
            if (
                old is not None
                and old.embedded
                and self.same_vectors
                and self.same_bags
                and self.same_chunks
                and doc.doc_id not in stale
                and old.doc == doc
            ):
                # shared with the previous index, which may still be answering questions: never changed (frozen);
                # words derived another way than today's are derived again, on a new shard, and kept in the manifest
                shards.append(old if old.words is not None else replace(old, words=tuple(sorted(document_words(doc)))))
                continue
            shard, todo = self._new_shard(doc, reuse_bags=doc.doc_id not in stale)
            shards.append(shard)
            pending += todo
        return shards, pending

    def _new_shard(self, doc: Document, reuse_bags: bool) -> tuple[Shard, list[Pending]]:
        chunks = chunk_document(doc)
        position = {c.id: i for i, c in enumerate(doc.clauses)}
        hashes = [c.text_hash for c in chunks]
        vectors = np.zeros((len(chunks), self.dim), np.float32)
        bags = []
        todo = []
        for row, (chunk, text_hash) in enumerate(zip(chunks, hashes, strict=True)):
            found = self._find(text_hash, doc.doc_id)
            if found is not None and self.same_bags and reuse_bags:
                bags.append(found[0].bags.row(found[1]))
            else:
                bags.append(bag_of(self.segmenter.tokens_by_piece(chunk.keyword_text), self.vocab))
            if found is not None and self.same_vectors and _has_vector(*found):
                vectors[row] = found[0].vectors[found[1]]
            else:
                todo.append(Pending(chunk.search_text, text_hash, vectors, row, doc.doc_id))
        shard = Shard(
            doc=doc,
            clause_pos=np.array([position[c.clause_id] for c in chunks], dtype=np.int32),
            parts=np.array([c.part for c in chunks], dtype=np.int32),
            hashes=hashes,
            vectors=vectors,
            bags=assemble(bags),
            words=tuple(sorted(document_words(doc))),
        )
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
        centroids = old.centroids if keep and old.centroids is not None else train_centroids(shards, self.dim)
        cells = []
        for shard in shards:
            kept = old.cells.get(shard.doc.doc_id) if keep and shard.name else None
            cells.append(kept if kept is not None and len(kept) == shard.rows else assign(centroids, shard.vectors))
        return centroids, np.concatenate(cells) if cells else np.zeros(0, np.int64)


def _has_vector(shard: Shard, row: int) -> bool:
    """True when the chunk's vector was computed: a document published before the build embedded it has zeros
    (vectors are unit length otherwise) where a vector is still missing."""
    return shard.embedded or bool(shard.vectors[row].any())


def _searchable_text(doc: Document) -> str:
    """Everything of a document that its chunks are cut from."""
    parts = [doc.title, doc.doc_number]
    for c in doc.clauses:
        parts += [c.heading, c.text, *c.heading_path]
    return "\n".join(parts)


def reusable_from(index_dir: Path, previous: PolicyIndex | None) -> Reusable:
    """What a build may take from the published version: everything of `previous` (the published index, loaded),
    else the intact parts of what is on disk (a damaged shard is rebuilt alone, not the whole index)."""
    return _from_loaded(previous) if previous is not None else _from_disk(index_dir)


def _reusable(
    version: Path,
    manifest: Manifest,
    shards: dict[str, Shard],
    vocab: dict[str, int] | None,
    centroids: np.ndarray | None,
    cells: dict[str, np.ndarray],
    words: list[str],
) -> Reusable:
    return Reusable(
        version=version,
        files=manifest.files,
        shards=shards,
        embedder_id=manifest.embedder_id,
        segmenter_id=manifest.segmenter,
        chunker_id=manifest.chunker,
        vocab=vocab,
        centroids=centroids,
        cells=cells,
        words=words,
    )


def _from_loaded(index: PolicyIndex) -> Reusable:
    """What the loaded (published) index offers a build."""
    cells: dict[str, np.ndarray] = {}
    if index.cells is not None:
        cells = {d: index.cells[index.row_start[d] : index.row_start[d] + s.rows] for d, s in index.shards.items()}
    return _reusable(index.path, index.manifest, index.shards, index.vocab, index.centroids, cells, index.extra_words)


def _from_disk(index_dir: Path) -> Reusable:
    """The intact parts of the published version on disk."""
    nothing = Reusable(None, {}, {}, "", "", "", None, None, {})
    if not index_exists(index_dir):
        return nothing
    try:
        version, manifest = read_manifest(index_dir)
    except (IndexCorrupt, IndexMismatch) as exc:
        log.warning("previous index not reusable, rebuilding everything: %s", exc)
        return nothing
    shards: dict[str, Shard] = {}
    for entry in manifest.documents:
        try:
            store.verify(version, manifest, list(store.shard_files(entry.shard)))
            shards[entry.doc_id] = store.restore_derived(store.read_shard(version, entry.shard), entry, manifest)
        except (IndexCorrupt, OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
            log.warning("shard of %s not reusable, rebuilding it: %s", entry.doc_id, exc)
    vocab = _intact_vocab(version, manifest, shards)
    centroids, cells = _intact_cells(version, manifest, shards)
    words = list(manifest.extra_words) if vocab is not None else []
    return _reusable(version, manifest, shards, vocab, centroids, cells, words)


def _intact_vocab(version: Path, manifest: Manifest, shards: dict[str, Shard]) -> dict[str, int] | None:
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
    version: Path, manifest: Manifest, shards: dict[str, Shard]
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    if manifest.dense_kind != "ivf":
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
    for entry in manifest.documents:
        if entry.doc_id in shards and start + entry.rows <= len(cells):
            by_doc[entry.doc_id] = cells[start : start + entry.rows]
        start += entry.rows
    return centroids, by_doc
