"""What an index version was built from, as one record: read from and written to manifest.json here only.

A manifest written by an earlier version of this code (no segmenter, chunker, parser or derived fields) still
reads: what it lacks reads as unknown, and whatever depends on it is rebuilt rather than trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from policybot.errors import IndexCorrupt, IndexMismatch

SCHEMA_VERSION = 4
# names how a document entry's derived values are derived (index.build's shard fingerprint, reuse.document_words):
# a manifest written under another name has its values derived again rather than trusted
DERIVED_ID = "fingerprint-v1+words-v1"
REBUILD = "run `policybot index` to rebuild"
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    """One document of a version: its shard, its size, and what is costly to derive again on every load."""

    doc_id: str
    source: str
    title: str
    shard: str  # the shard's name (its content digest)
    rows: int  # its chunks
    clauses: int
    fingerprint: str = ""  # the shard's fingerprint ("" when not recorded or malformed)
    words: tuple[int, ...] | None = None  # its words, as ids into Manifest.extra_words (None when not recorded)
    embedded: bool = True  # False: published for keyword search before its vectors were computed

    @property
    def embedded_rows(self) -> int:
        """How many of its chunks have vectors."""
        return self.rows if self.embedded else 0

    def to_json(self) -> dict:
        """The entry as manifest.json holds it."""
        data: dict = {"fingerprint": self.fingerprint} if self.fingerprint else {}
        if self.words is not None:
            data["words"] = list(self.words)
        data.update(doc_id=self.doc_id, source=self.source, title=self.title, shard=self.shard)
        data.update(rows=self.rows, clauses=self.clauses)
        if not self.embedded:
            data["embedded"] = False
        return data

    @staticmethod
    def from_json(data: dict, words: int) -> DocumentEntry:
        """An entry read back; KeyError/TypeError/ValueError when a field it cannot do without is missing or
        wrong, while a malformed derived value is only dropped (derived again when needed)."""
        fingerprint = data.get("fingerprint")
        ids = data.get("words")
        valid_ids = isinstance(ids, list) and all(type(i) is int and 0 <= i < words for i in ids)
        return DocumentEntry(
            doc_id=str(data["doc_id"]),
            source=str(data.get("source", "")),
            title=str(data.get("title", "")),
            shard=_text(data["shard"]),
            rows=int(data["rows"]),
            clauses=int(data.get("clauses", 0)),
            fingerprint=fingerprint if isinstance(fingerprint, str) and _HEX64.fullmatch(fingerprint) else "",
            words=tuple(ids) if valid_ids else None,
            embedded=data.get("embedded", True) is not False,
        )


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a version was built from (embedder, segmenter, chunker, parser, FAISS kind, corpus files), the
    documents it holds, and the sha256 of each of its files."""

    schema_version: int = SCHEMA_VERSION
    embedder_id: str = ""
    embedder_dim: int = 0
    segmenter: str = ""
    chunker: str = ""
    parser: str = ""
    dense_kind: str = "flat"
    dense_probes: int = 0
    built_at: str = ""
    corpus_fingerprint: str = ""
    chunks: int = 0
    extra_words: tuple[str, ...] = ()  # every word taught to jieba for this corpus (unit names, titles)
    derived: str = ""  # DERIVED_ID when the entries' derived values may be trusted
    corpus_files: dict[str, str] = field(default_factory=dict)  # corpus file name → sha256, as when built
    # while documents still wait for their vectors: how fast the build embeds (chunks/s) and when this was
    # published (Unix time), for the ETA shown beside semantic_coverage
    embed_rate: float = 0.0
    published_unix: float = 0.0
    documents: tuple[DocumentEntry, ...] = ()
    files: dict[str, str] = field(default_factory=dict)  # file of the version → sha256, set when published

    def to_json(self) -> dict:
        """The manifest as manifest.json holds it."""
        return {
            "schema_version": self.schema_version,
            "embedder": {"id": self.embedder_id, "dim": self.embedder_dim},
            "segmenter": self.segmenter,
            "chunker": self.chunker,
            "parser": self.parser,
            "dense": {"kind": self.dense_kind, "probes": self.dense_probes},
            "built_at": self.built_at,
            "corpus_fingerprint": self.corpus_fingerprint,
            "chunks": self.chunks,
            "extra_words": list(self.extra_words),
            "derived": self.derived,
            "corpus_files": dict(self.corpus_files),
            "embedding": {"rate": self.embed_rate, "published_unix": self.published_unix},
            "documents": [entry.to_json() for entry in self.documents],
            "files": dict(self.files),
        }

    @staticmethod
    def from_json(data: object, path: Path) -> Manifest:
        """A manifest read back from `path`; IndexMismatch for another schema, IndexCorrupt naming what is missing."""
        if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            found = data.get("schema_version") if isinstance(data, dict) else None
            raise IndexMismatch(
                f"索引格式版本 {found} 与程序版本 {SCHEMA_VERSION} 不符 (index format changed): {REBUILD}"
            )
        try:
            embedder = data["embedder"]
            embedder_id, embedder_dim = str(embedder["id"]), int(embedder["dim"])
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexCorrupt(f"{path} 的清单缺少嵌入模型信息 ({exc!r}): {REBUILD}") from exc
        try:
            words = tuple(str(w) for w in data.get("extra_words", []))
            dense = data["dense"]
            return Manifest(
                schema_version=SCHEMA_VERSION,
                embedder_id=embedder_id,
                embedder_dim=embedder_dim,
                segmenter=str(data.get("segmenter", "")),
                chunker=str(data.get("chunker", "")),
                parser=str(data.get("parser", "")),
                dense_kind=_text(dense["kind"]),
                dense_probes=int(dense.get("probes", 0)),
                built_at=str(data.get("built_at", "")),
                corpus_fingerprint=str(data.get("corpus_fingerprint", "")),
                chunks=int(data.get("chunks", 0)),
                extra_words=words,
                derived=str(data.get("derived", "")),
                corpus_files=_digests(data.get("corpus_files", {})),
                embed_rate=float(data.get("embedding", {}).get("rate", 0.0)),
                published_unix=float(data.get("embedding", {}).get("published_unix", 0.0)),
                documents=tuple(DocumentEntry.from_json(d, len(words)) for d in data["documents"]),
                files=_digests(data.get("files", {})),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise IndexCorrupt(f"{path} 的清单内容不完整 ({exc!r}): {REBUILD}") from exc

    @property
    def semantic_coverage(self) -> float:
        """The share of chunks with vectors (1.0 once the embedding phase is done)."""
        embedded = sum(entry.embedded_rows for entry in self.documents)
        return embedded / self.chunks if self.chunks else 1.0

    def semantic_eta(self, now: float) -> float:
        """Seconds until every chunk has its vector, at the rate the build embedded at (0 when done or unknown)."""
        left = sum(entry.rows - entry.embedded_rows for entry in self.documents)
        if not left or self.embed_rate <= 0:
            return 0.0
        return max(0.0, left / self.embed_rate - max(0.0, now - self.published_unix))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {value!r}")
    return value


def _digests(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError(f"expected file → sha256, found {type(value).__name__}")
    return {str(k): str(v) for k, v in value.items()}
