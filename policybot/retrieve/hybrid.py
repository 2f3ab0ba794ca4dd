"""Hybrid search: BM25 and dense rankings fused, filtered, folded back to clauses → Hit."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from policybot.document import normalize, normalize_doc_number
from policybot.index.backend import ChunkFilter, LocalBackend, Ranked, SearchBackend
from policybot.index.build import PolicyIndex
from policybot.index.chunks import chunk_document, window_of
from policybot.index.embed import Embedder
from policybot.index.segment import Segmenter, highlight_terms
from policybot.retrieve.query import Query
from policybot.retrieve.validity import is_current

RRF_K = 60
CANDIDATES = 100
FUSIONS = ("rrf", "score", "bm25", "dense")
DENSE_WEIGHT = 0.5  # of the min-max normalised dense score in score fusion (BM25's is the rest)


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Restrict a search to documents, issuers or a date range (ISO dates, inclusive)."""

    doc_ids: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    include_expired: bool = True
    with_units: bool = False  # only clauses that name their 牵头单位 or 责任单位 (who-leads questions)
    within: tuple[tuple[str, str], ...] = ()  # only these clauses (doc_id, clause_id): the articles of a chapter

    @property
    def active(self) -> bool:
        """True when the filter excludes anything."""
        return bool(
            self.doc_ids
            or self.issuers
            or self.date_from
            or self.date_to
            or not self.include_expired
            or self.with_units
        )

    @property
    def by_document(self) -> bool:
        """True when the filter excludes whole documents."""
        return bool(self.doc_ids or self.issuers or self.date_from or self.date_to or not self.include_expired)


@dataclass(frozen=True, slots=True)
class Hit:
    """One clause found for a query, with everything needed to cite it."""

    doc_id: str
    doc_title: str
    doc_number: str
    clause_id: str
    clause_path: str
    heading: str
    text: str
    score: float
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    issuer: str = ""
    date: str = ""
    validity: str = ""
    matched_terms: tuple[str, ...] = ()
    bm25_score: float = 0.0
    dense_score: float = 0.0
    window: str = ""  # the part of the clause that matched (one of its chunks); the whole text for a lookup
    kind: str = ""

    def to_json(self) -> dict:
        """The fields the CLI and API print for a hit."""
        return {
            "doc_title": self.doc_title,
            "doc_number": self.doc_number,
            "clause_id": self.clause_id,
            "clause_path": self.clause_path,
            "heading": self.heading,
            "text": self.text,
            "score": round(float(self.score), 4),
            "lead_units": list(self.lead_units),
            "responsible_units": list(self.responsible_units),
            "doc_id": self.doc_id,
            "issuer": self.issuer,
            "date": self.date,
            "validity": self.validity,
            "matched_terms": list(self.matched_terms),
            "window": self.window,
        }


@dataclass(slots=True)
class SearchResult:
    """Hits plus how long each stage took, in milliseconds."""

    hits: list[Hit]
    took_ms: float
    query_tokens: list[str]
    stages: dict[str, float] = field(default_factory=dict)
    decided_by: str = "search"  # or the rule that put the first hit first (a clause number, a heading, a term)


def fair_to_unembedded(fused: dict[int, float], embedded: np.ndarray | None, fusion: str) -> dict[int, float]:
    """Fused scores in which a chunk without a vector yet (its index is still being embedded) is ranked by BM25
    alone: its BM25 share stands for both rankings, so the dense score it cannot have does not sink it."""
    if embedded is None or fusion not in ("rrf", "score"):
        return fused
    # rrf: its BM25 rank counts twice, as if the dense ranking agreed; score: BM25's weight becomes the whole
    factor = 2.0 if fusion == "rrf" else 1.0 / (1.0 - DENSE_WEIGHT)
    return {row: score if embedded[row] else score * factor for row, score in fused.items()}


class Retriever:
    """Searches one loaded index with one segmenter and embedder."""

    def __init__(
        self,
        index: PolicyIndex,
        segmenter: Segmenter,
        embedder: Embedder,
        fusion: str = "rrf",
        backend: SearchBackend | None = None,
    ) -> None:
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}")
        self.index = index
        self.backend = backend or LocalBackend(index)
        self.segmenter = segmenter
        self.embedder = embedder
        self.fusion = fusion
        self._number_of_doc = {
            normalize_doc_number(d.doc_number): d.doc_id for d in index.documents.values() if d.doc_number
        }

    def allowed_documents(self, flt: SearchFilter) -> set[str]:
        """The ids of the documents a filter lets through."""
        return self._allowed_docs(flt)

    def _allowed_docs(self, flt: SearchFilter) -> set[str]:
        allowed = set()
        for doc in self.index.documents.values():
            if flt.doc_ids and doc.doc_id not in flt.doc_ids:
                continue
            if flt.issuers and not any(normalize(i) in normalize(doc.issuer) for i in flt.issuers):
                continue
            if flt.date_from and (not doc.date or doc.date < flt.date_from):
                continue
            if flt.date_to and (not doc.date or doc.date > flt.date_to):
                continue
            if not flt.include_expired and not is_current(doc.validity):
                continue
            allowed.add(doc.doc_id)
        return allowed

    def _where(self, flt: SearchFilter) -> ChunkFilter | None:
        """The chunks a filter lets through, as the backend is told (None: every chunk)."""
        if not flt.active:
            return None
        doc_ids = frozenset(self._allowed_docs(flt)) if flt.by_document else None
        return ChunkFilter(doc_ids=doc_ids, with_units=flt.with_units, clauses=flt.within)

    def _fuse(self, bm25: Ranked, dense: Ranked) -> dict[int, float]:
        fused: dict[int, float] = {}
        if self.fusion in ("rrf", "bm25"):
            for rank, i in enumerate(bm25.rows):
                fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (RRF_K + rank + 1)
        if self.fusion in ("rrf", "dense"):
            for rank, i in enumerate(dense.rows):
                fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (RRF_K + rank + 1)
        if self.fusion == "score":
            for ids, scores, weight in (
                (bm25.rows, bm25.scores, 1 - DENSE_WEIGHT),
                (dense.rows, dense.scores, DENSE_WEIGHT),
            ):
                if len(ids) == 0:
                    continue
                lo, hi = float(scores.min()), float(scores.max())
                span = hi - lo if hi > lo else 1.0
                for i, s in zip(ids, scores, strict=True):
                    fused[int(i)] = fused.get(int(i), 0.0) + weight * ((float(s) - lo) / span if hi > lo else 1.0)
        return fused

    def search(self, query: str | Query, k: int = 5, flt: SearchFilter | None = None) -> SearchResult:
        """The k best clauses for a query (its text, or a Query with weighted words), best first, each with its
        citation fields and the window that matched."""
        flt = flt or SearchFilter()
        started = time.perf_counter()
        stages: dict[str, float] = {}
        t = time.perf_counter()
        if isinstance(query, str):
            query = Query(text=query, terms=tuple(self.segmenter.tokens(query)))
        groups = query.keywords
        groups[0][0].extend(self._doc_number_tokens(query.text))
        tokens = groups[0][0]  # the asker's own words: what a hit shows as matched
        stages["segment"] = (time.perf_counter() - t) * 1000
        where = self._where(flt)
        bm25, dense = Ranked.empty(), Ranked.empty()
        if self.fusion == "bm25":
            t = time.perf_counter()
            bm25 = self.backend.keyword(groups, where, CANDIDATES)
            stages["bm25"] = (time.perf_counter() - t) * 1000
            fused = self._fuse(bm25, dense)
        else:
            t = time.perf_counter()
            vector = self.embedder.encode_queries([query.text])[0]
            stages["embed"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            engine = self.backend.hybrid(groups, vector, where, CANDIDATES) if self.fusion != "dense" else None
            if engine is not None:  # the engine fused both rankings (Milvus's RRF or weighted ranker)
                stages["hybrid"] = (time.perf_counter() - t) * 1000
                fused = {int(i): float(s) for i, s in zip(engine.rows, engine.scores, strict=True)}
            else:
                if self.fusion != "dense":
                    bm25 = self.backend.keyword(groups, where, CANDIDATES)
                    stages["bm25"] = (time.perf_counter() - t) * 1000
                t = time.perf_counter()
                dense = self.backend.dense(vector, where, CANDIDATES)
                stages["faiss"] = (time.perf_counter() - t) * 1000
                fused = self._fuse(bm25, dense)
        t = time.perf_counter()
        fused = fair_to_unembedded(fused, self.index.embedded, self.fusion)
        bm25_of = {int(i): float(s) for i, s in zip(bm25.rows, bm25.scores, strict=True)}
        dense_of = {int(i): float(s) for i, s in zip(dense.rows, dense.scores, strict=True)}
        hits = self._clause_hits(fused, bm25_of, dense_of, tokens, k)
        stages["fusion"] = (time.perf_counter() - t) * 1000
        return SearchResult(
            hits=hits, took_ms=(time.perf_counter() - started) * 1000, query_tokens=tokens, stages=stages
        )

    def opening(self, query: str, doc_id: str, k: int) -> SearchResult:
        """The start of a document (its notice or preamble, then its parts) for a query that names only it."""
        started = time.perf_counter()
        tokens = self.segmenter.tokens(query)
        doc = self.index.documents[doc_id]
        first = [c for c in doc.clauses if c.id in ("notice", "preamble")]
        parts = [c for c in doc.clauses if c.level == 1 and c not in first]
        hits = [self.make_hit(doc_id, c.id, 1.0, tokens) for c in [*first, *parts][:k]]
        return SearchResult(hits=hits, took_ms=(time.perf_counter() - started) * 1000, query_tokens=tokens)

    def _doc_number_tokens(self, query: str) -> list[str]:
        # a 文号 written with other brackets still finds its document
        number = normalize_doc_number(query)
        if number and number in self._number_of_doc:
            return self.segmenter.tokens(number)
        return []

    def _clause_hits(
        self, fused: dict[int, float], bm25_of: dict[int, float], dense_of: dict[int, float], tokens: list[str], k: int
    ) -> list[Hit]:
        best: dict[tuple[str, str], tuple[float, int]] = {}
        for i, score in fused.items():
            doc_id, clause = self.index.clause_at(i)
            key = (doc_id, clause.id)
            if key not in best or score > best[key][0]:
                best[key] = (score, i)
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:k]
        hits = []
        for (doc_id, clause_id), (score, i) in ranked:
            doc = self.index.documents[doc_id]
            window = window_of(doc, doc.clause(clause_id), self.index.part_at(i))
            hits.append(
                self.make_hit(doc_id, clause_id, score, tokens, bm25_of.get(i, 0.0), dense_of.get(i, 0.0), window)
            )
        return hits

    def make_hit(
        self,
        doc_id: str,
        clause_id: str,
        score: float,
        tokens: list[str] = (),  # type: ignore[assignment]
        bm25_score: float = 0.0,
        dense_score: float = 0.0,
        window: str = "",
    ) -> Hit:
        """A Hit for a known clause (also used by lookups that find a clause by number)."""
        doc = self.index.documents[doc_id]
        clause = doc.clause(clause_id)
        text = clause.text or clause.heading
        return Hit(
            doc_id=doc_id,
            doc_title=doc.title,
            doc_number=doc.doc_number,
            clause_id=clause_id,
            clause_path=clause.path,
            heading=clause.heading,
            text=text,
            score=float(score),
            lead_units=clause.lead_units,
            responsible_units=clause.responsible_units,
            issuer=doc.issuer,
            date=doc.date,
            validity=doc.validity,
            matched_terms=tuple(highlight_terms(tokens, f"{clause.heading}\n{text}")),
            bm25_score=bm25_score,
            dense_score=dense_score,
            window=window or text,
            kind=clause.kind,
        )

    def dense_similarity(self, query: str, doc_id: str, clause_id: str) -> float:
        """Cosine similarity between a query and the best chunk of a clause (for answer confidence)."""
        vectors = self.index.clause_vectors(doc_id, clause_id)
        if len(vectors) == 0 and not self.index.is_embedded(doc_id) and doc_id in self.index.documents:
            # the build has not embedded this document yet: its clause is embedded now, for this answer only
            doc = self.index.documents[doc_id]
            texts = [c.search_text for c in chunk_document(doc) if c.clause_id == clause_id]
            vectors = self.embedder.encode_passages(texts) if texts else vectors
        if len(vectors) == 0:
            return 0.0
        vector = self.embedder.encode_queries([query])[0]
        return float(np.max(vectors @ vector))
