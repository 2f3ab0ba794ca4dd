"""The Milvus collections: the index's chunks in one, its parsed documents in another (milvus_backend.py searches
them for the retriever).

Chunks carry the dense vector, PolicyBot's own jieba tokens (space-joined, in a `whitespace`-analysed VARCHAR that
Milvus's BM25 function turns into a sparse vector, so the engine keeps idf right as documents come and go) and the
scalar fields filters need. Documents are stored as the same JSON the index folder keeps, so that every replica
reading the collection sees the same corpus. A path URI (`index/milvus.db`) runs Milvus Lite in a child process;
`http://host:19530` talks to a Milvus server or cluster."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from policybot.document import Document
from policybot.errors import BackendUnavailable, IndexMismatch, InputError
from policybot.index.backend import KeywordGroups
from policybot.index.bm25 import K1, B
from policybot.index.store import Shard, document_from_dict, document_to_dict

if TYPE_CHECKING:
    from policybot.index.build import PolicyIndex

log = logging.getLogger(__name__)

RANKERS = ("local", "rrf", "weighted")  # local: PolicyBot fuses Milvus's two rankings as it fuses its own
INDEX_TYPES = ("FLAT", "IVF_FLAT", "AUTOINDEX")  # what Milvus Lite builds (not HNSW); a server takes more
RRF_K = 60
DENSE_WEIGHT = 0.5  # the dense ranking's share in the weighted ranker, as in the retriever's score fusion
CONNECT_SECONDS = 3.0
MAX_VARCHAR = 65535  # bytes, Milvus's limit for a VARCHAR field
ID_CHARS = 512
DOC_PIECE_CHARS = 20000  # a document's JSON in pieces of this many characters (≤ 60 000 bytes in UTF-8)
INSERT_BATCH = 1000
DELETE_BATCH = 200
SPACE_RE = re.compile(r"\s")
SPACE_STANDIN = "\u2581"  # a token holding whitespace would be split by the analyser: it is written with ▁


@dataclass(frozen=True, slots=True)
class MilvusConfig:
    """Where the Milvus engine is and how PolicyBot uses it."""

    uri: str
    token: str = ""
    collection: str = "policybot"  # prefix of the two collections: <prefix>_chunks, <prefix>_documents
    index_type: str = "FLAT"

    @property
    def is_lite(self) -> bool:
        """True when the URI is a local file: Milvus Lite on this machine."""
        return not re.match(r"^(https?|tcp|grpc)://", self.uri)


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync changed in the collections."""

    upserted: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: int
    chunks: int  # chunks written
    seconds: float


def token_text(tokens: Iterable[str]) -> str:
    """Tokens as the whitespace analyser reads them back: one word each, in order, repeats kept."""
    return " ".join(SPACE_RE.sub(SPACE_STANDIN, t) for t in tokens if t)


def literal(value: str) -> str:
    """A string literal of Milvus's filter expressions."""
    return json.dumps(value, ensure_ascii=False)


def literals(values: Iterable[str]) -> str:
    """A list literal of Milvus's filter expressions."""
    return "[" + ", ".join(literal(v) for v in values) + "]"


def sync_key(shard: Shard, fingerprint: str, embedder_id: str) -> str:
    """What a document's rows in Milvus were written from: changes when its text, metadata, vectors or model do."""
    digest = hashlib.sha256(f"{embedder_id}\t{fingerprint}\t{int(shard.embedded)}\t".encode())
    digest.update(orjson.dumps(document_to_dict(shard.doc)))
    return digest.hexdigest()[:32]


def _connect(config: MilvusConfig) -> Any:
    try:
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException
    except ImportError as exc:
        raise BackendUnavailable(
            f"POLICYBOT_BACKEND=milvus 需要 pymilvus：pip install -e '.[milvus]' (pymilvus not installed: {exc})"
        ) from exc
    if config.is_lite:
        if not config.uri.endswith(".db"):
            raise InputError(
                f"POLICYBOT_MILVUS_URI={config.uri!r}：本机 Milvus Lite 的路径须以 .db 结尾（如 index/milvus.db），"
                "服务器须以 http:// 开头 (a Milvus Lite path must end in .db; a server URI starts with http://)"
            )
        Path(config.uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # Lite keeps no MVCC timestamps: every query iterator says so at WARNING, on stderr, and then works as it should
        logging.getLogger("pymilvus.orm.iterator").setLevel(logging.ERROR)
    try:
        return MilvusClient(uri=config.uri, token=config.token, timeout=CONNECT_SECONDS)
    except (MilvusException, OSError, RuntimeError) as exc:
        raise BackendUnavailable(
            f"无法连接 Milvus：{config.uri}（{exc}）。请检查 POLICYBOT_MILVUS_URI 与 POLICYBOT_MILVUS_TOKEN，"
            f"确认服务已启动 (cannot reach Milvus at {config.uri})"
        ) from exc


class MilvusStore:
    """The two collections of one PolicyBot deployment: chunks (searched) and documents (the shared corpus)."""

    def __init__(self, config: MilvusConfig, dim: int) -> None:
        if config.index_type not in INDEX_TYPES:
            raise InputError(f"POLICYBOT_MILVUS_INDEX={config.index_type!r}：可选 {', '.join(INDEX_TYPES)}")
        self.config = config
        self.dim = dim
        self.chunks = f"{config.collection}_chunks"
        self.docs = f"{config.collection}_documents"
        self.client = _connect(config)
        try:
            self._ensure_collections()
        except BaseException:
            self.client.close()
            raise

    # --- collections ---------------------------------------------------------------------------------------------

    def _ensure_collections(self) -> None:
        if self.client.has_collection(self.chunks):
            self._check_dim()
        else:
            self._create_chunks()
        if not self.client.has_collection(self.docs):
            self._create_documents()
        for name in (self.chunks, self.docs):
            self.client.load_collection(name)  # a server may have released them; loaded ones stay as they are

    def _check_dim(self) -> None:
        fields = self.client.describe_collection(self.chunks)["fields"]
        dim = next((int(f["params"]["dim"]) for f in fields if f["name"] == "dense"), None)
        if dim != self.dim:
            raise IndexMismatch(
                f"Milvus 集合 {self.chunks}（{self.config.uri}）的向量为 {dim} 维，当前嵌入模型为 {self.dim} 维。"
                f"请换用 POLICYBOT_MILVUS_COLLECTION 另建集合，或删除该集合后重新 policybot index "
                f"(collection vectors {dim}-d, embedder {self.dim}-d)"
            )

    def _create_chunks(self) -> None:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, description="PolicyBot chunks")
        schema.add_field("chunk", DataType.VARCHAR, is_primary=True, max_length=ID_CHARS + 12)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=ID_CHARS)
        schema.add_field("offset", DataType.INT32)  # the chunk's place among its document's chunks
        schema.add_field("fingerprint", DataType.VARCHAR, max_length=64)  # the document version it was cut from
        schema.add_field("clause_id", DataType.VARCHAR, max_length=ID_CHARS)
        schema.add_field("issuer", DataType.VARCHAR, max_length=ID_CHARS)
        schema.add_field("date", DataType.VARCHAR, max_length=16)
        schema.add_field("validity", DataType.VARCHAR, max_length=64)
        schema.add_field("doc_number", DataType.VARCHAR, max_length=ID_CHARS)
        schema.add_field("has_units", DataType.BOOL)
        schema.add_field("embedded", DataType.BOOL)
        schema.add_field(
            "tokens",
            DataType.VARCHAR,
            max_length=MAX_VARCHAR,
            enable_analyzer=True,
            analyzer_params={"tokenizer": "whitespace"},
        )
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["tokens"],
                output_field_names=["sparse"],
            )
        )
        params = self.client.prepare_index_params()
        params.add_index(
            field_name="sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": K1, "bm25_b": B},  # as the local BM25 scores
        )
        dense = {"nlist": 1024} if self.config.index_type == "IVF_FLAT" else {}
        params.add_index(field_name="dense", index_type=self.config.index_type, metric_type="IP", params=dense)
        params.add_index(field_name="doc_id", index_type="INVERTED")
        # Strong: a search after a sync sees it (a deleted document is never returned)
        self.client.create_collection(self.chunks, schema=schema, index_params=params, consistency_level="Strong")

    def _create_documents(self) -> None:
        from pymilvus import DataType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, description="PolicyBot parsed documents")
        schema.add_field("piece_id", DataType.VARCHAR, is_primary=True, max_length=ID_CHARS + 12)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=ID_CHARS)
        schema.add_field("piece", DataType.INT32)
        schema.add_field("pieces", DataType.INT32)
        schema.add_field("sync_key", DataType.VARCHAR, max_length=64)
        schema.add_field("json", DataType.VARCHAR, max_length=MAX_VARCHAR)
        schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field in every collection
        params = self.client.prepare_index_params()
        params.add_index(field_name="unused", index_type="FLAT", metric_type="L2")
        self.client.create_collection(self.docs, schema=schema, index_params=params, consistency_level="Strong")

    def close(self) -> None:
        """Let go of the connection (Milvus Lite's child process ends with the last one)."""
        self.client.close()

    # --- writing ---------------------------------------------------------------------------------------------------

    def stored_keys(self) -> dict[str, str]:
        """doc_id → the sync key of what the collections hold for it."""
        rows = self._query_all(self.docs, "piece == 0", ["doc_id", "sync_key"])
        return {r["doc_id"]: r["sync_key"] for r in rows}

    def sync(self, index: PolicyIndex, fingerprints: dict[str, str], embedder_id: str) -> SyncReport:
        """Make the collections hold exactly the index's documents: upsert the changed ones, delete the gone ones."""
        started = time.perf_counter()
        stored = self.stored_keys()
        wanted = {d: sync_key(s, fingerprints[d], embedder_id) for d, s in index.shards.items()}
        gone = sorted(set(stored) - set(wanted))
        changed = [d for d in index.doc_ids if stored.get(d) != wanted[d]]
        self.delete_documents(gone)
        words = _word_list(index.vocab)
        written = 0
        for doc_ids in _batches(changed, DELETE_BATCH):
            self._delete_rows(doc_ids)  # the old version's chunks: a document may now have fewer
            rows: list[dict] = []
            for doc_id in doc_ids:
                rows.extend(chunk_rows(index.shards[doc_id], fingerprints[doc_id], words))
                written += index.shards[doc_id].rows
            for batch in _batches(rows, INSERT_BATCH):
                self.client.insert(self.chunks, batch)
            # the document last: its key says its chunks are complete (a sync cut short is redone next time)
            self.client.insert(self.docs, [p for d in doc_ids for p in _document_pieces(index.shards[d], wanted[d])])
        seconds = time.perf_counter() - started
        if gone or changed:
            log.info("milvus: %d documents written, %d deleted in %.1f s", len(changed), len(gone), seconds)
        return SyncReport(tuple(changed), tuple(gone), len(wanted) - len(changed), written, seconds)

    def delete_documents(self, doc_ids: list[str]) -> None:
        """Remove documents and their chunks; they are never returned again."""
        for batch in _batches(doc_ids, DELETE_BATCH):
            self._delete_rows(batch)

    def _delete_rows(self, doc_ids: list[str]) -> None:
        expr = f"doc_id in {literals(doc_ids)}"
        self.client.delete(self.docs, filter=expr)
        self.client.delete(self.chunks, filter=expr)

    # --- reading ---------------------------------------------------------------------------------------------------

    def count(self) -> int:
        """How many chunks the collection holds."""
        rows = self.client.query(self.chunks, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def documents(self) -> dict[str, Document]:
        """The parsed documents the collections hold (what another replica indexed)."""
        pieces: dict[str, list[tuple[int, str]]] = {}
        for row in self._query_all(self.docs, "piece >= 0", ["doc_id", "piece", "json"]):
            pieces.setdefault(row["doc_id"], []).append((row["piece"], row["json"]))
        return {
            doc_id: document_from_dict(orjson.loads("".join(text for _, text in sorted(parts))))
            for doc_id, parts in pieces.items()
        }

    def keyword(self, tokens: list[str], expr: str, n: int) -> list[dict]:
        """The n best chunks by the engine's BM25 for these tokens."""
        text = token_text(tokens)
        if not text:
            return []
        params = {"metric_type": "BM25"}
        return self._search(text, "sparse", params, expr, n)

    def dense(self, vector: np.ndarray, expr: str, n: int) -> list[dict]:
        """The n chunks nearest the vector (inner product), of embedded documents only."""
        expr = f"({expr}) and embedded == true" if expr else "embedded == true"
        return self._search(vector.astype(np.float32).tolist(), "dense", self._dense_params(), expr, n)

    def hybrid(self, groups: KeywordGroups, vector: np.ndarray, expr: str, n: int, ranker: str) -> list[dict]:
        """Both rankings fused by Milvus's RRF or weighted ranker (the related-words group only counts in the
        weighted one: RRF cannot weigh a ranking less)."""
        from pymilvus import AnnSearchRequest, RRFRanker, WeightedRanker

        texts = [(token_text(tokens), weight) for tokens, weight in groups]
        if ranker == "rrf":
            texts = texts[:1]
        texts = [(t, w) for t, w in texts if t]
        dense_expr = f"({expr}) and embedded == true" if expr else "embedded == true"
        requests = [AnnSearchRequest([t], "sparse", {"metric_type": "BM25"}, n, expr=expr or None) for t, _ in texts]
        requests.append(
            AnnSearchRequest([vector.astype(np.float32).tolist()], "dense", self._dense_params(), n, expr=dense_expr)
        )
        if ranker == "rrf":
            fusion = RRFRanker(RRF_K)
        else:
            share = sum(w for _, w in texts) or 1.0
            fusion = WeightedRanker(*[(1 - DENSE_WEIGHT) * w / share for _, w in texts], DENSE_WEIGHT)
        found = self.client.hybrid_search(self.chunks, requests, fusion, limit=n, output_fields=OUTPUT_FIELDS)
        return list(found[0]) if found else []

    def _dense_params(self) -> dict:
        return (
            {"metric_type": "IP", "params": {"nprobe": 32}}
            if self.config.index_type == "IVF_FLAT"
            else {"metric_type": "IP"}
        )

    def _search(self, data: object, field: str, params: dict, expr: str, n: int) -> list[dict]:
        found = self.client.search(
            self.chunks,
            data=[data],
            anns_field=field,
            search_params=params,
            limit=n,
            filter=expr,
            output_fields=OUTPUT_FIELDS,
        )
        return list(found[0]) if found else []

    def _query_all(self, collection: str, expr: str, fields: list[str]) -> Iterator[dict]:
        iterator = self.client.query_iterator(collection, batch_size=1000, filter=expr, output_fields=fields)
        try:
            while batch := iterator.next():
                yield from batch
        finally:
            iterator.close()


OUTPUT_FIELDS = ["doc_id", "offset", "fingerprint"]


def _word_list(vocab: dict[str, int]) -> list[str]:
    words = [""] * len(vocab)
    for word, i in vocab.items():
        words[i] = word
    return words


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def chunk_rows(shard: Shard, fingerprint: str, words: list[str]) -> list[dict]:
    """The Milvus rows of one document's chunks: its bags of words as tokens, its vectors, its filter fields."""
    doc = shard.doc
    units = [c.has_units for c in doc.clauses]
    rows = []
    for offset in range(shard.rows):
        terms, counts = shard.bags.row(offset)
        tokens = _fitting(token_text(w for t, c in zip(terms, counts, strict=True) for w in [words[t]] * int(c)))
        pos = int(shard.clause_pos[offset])
        rows.append(
            {
                "chunk": f"{doc.doc_id}#{offset}",
                "doc_id": doc.doc_id,
                "offset": offset,
                "fingerprint": fingerprint,
                "clause_id": doc.clauses[pos].id,
                "issuer": doc.issuer[:ID_CHARS],
                "date": doc.date,
                "validity": doc.validity[:64],
                "doc_number": doc.doc_number[:ID_CHARS],
                "has_units": units[pos],
                "embedded": shard.embedded,
                "tokens": tokens,
                "dense": shard.vectors[offset].astype(np.float32).tolist(),
            }
        )
    return rows


def _fitting(text: str) -> str:
    """The token text cut to Milvus's VARCHAR limit at a word boundary (a chunk is ~260 characters: rare)."""
    if len(text.encode("utf-8")) <= MAX_VARCHAR:
        return text
    log.warning("milvus: a chunk's %d tokens are cut to %d bytes", text.count(" ") + 1, MAX_VARCHAR)
    cut = text.encode("utf-8")[:MAX_VARCHAR].decode("utf-8", errors="ignore")
    return cut.rsplit(" ", 1)[0]


def _document_pieces(shard: Shard, key: str) -> list[dict]:
    text = orjson.dumps(document_to_dict(shard.doc)).decode("utf-8")
    parts = [text[i : i + DOC_PIECE_CHARS] for i in range(0, len(text), DOC_PIECE_CHARS)] or [""]
    doc_id = shard.doc.doc_id
    return [
        {
            "piece_id": f"{doc_id}#{n}",
            "doc_id": doc_id,
            "piece": n,
            "pieces": len(parts),
            "sync_key": key,
            "json": part,
            "unused": [0.0, 0.0],
        }
        for n, part in enumerate(parts)
    ]
