"""The JSON PolicyBot gives for a search and for an answer: one shape for `policybot search/ask --json` and for the
HTTP API (/api/search, /api/ask), so a script can switch between them."""

from __future__ import annotations

from policybot.answer.answerer import Answer
from policybot.answer.selfcheck import Benefit
from policybot.document import Document
from policybot.retrieve.hybrid import SearchResult


def search_json(result: SearchResult, semantic_coverage: float = 1.0, backend: str = "local") -> dict:
    """{"hits": [...], "took_ms": ..., "decided_by": ..., "semantic_coverage": ..., "backend": ...}: what
    `policybot search --json` prints for one query; semantic_coverage (0.0–1.0) is the share of chunks searched by
    meaning as well as by keywords (below 1 while the index is still being embedded); backend says which engine
    searched (local or milvus)."""
    return {
        "hits": [h.to_json() for h in result.hits],
        "took_ms": round(result.took_ms, 2),
        "decided_by": result.decided_by,
        "semantic_coverage": round(semantic_coverage, 4),
        "backend": backend,
    }


def answer_json(answer: Answer, semantic_coverage: float = 1.0, backend: str = "local") -> dict:
    """{answer, intent, found, lead_units, ..., citations, semantic_coverage, backend}: what `policybot ask --json`
    prints for one question (semantic_coverage and backend as in search_json)."""
    return {**answer.to_json(), "semantic_coverage": round(semantic_coverage, 4), "backend": backend}


def document_json(doc: Document) -> dict:
    """A document as listed by /api/documents: its metadata and clause count, not its text."""
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "issuer": doc.issuer,
        "date": doc.date,
        "validity": doc.validity,
        "source": doc.source,
        "source_url": doc.source_url,
        "clauses": len(doc.clauses),
    }


def selfcheck_json(benefits: list[Benefit]) -> dict:
    """{"benefits": [...]}: the clauses an enterprise may claim, each with 享受主体, conditions judged and contact."""
    return {"benefits": [b.to_json() for b in benefits]}


def error_json(message: str) -> dict:
    """{"error": message}: a refused request, with the message the CLI prints for the same input."""
    return {"error": message}
