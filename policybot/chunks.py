"""Clauses → retrieval chunks that carry their document title and heading path."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from policybot.document import Clause, Document

WINDOW_CHARS = 260
# changes whenever chunk_document would cut the same document differently: an index built by another cut is re-chunked
CHUNKER_ID = f"sentence-windows-{WINDOW_CHARS}-v1"
SENTENCE_RE = re.compile(r"[^。；;！!？?\n]*[。；;！!？?\n]?")


@dataclass(frozen=True, slots=True)
class Chunk:
    """A searchable window of one clause; `clause_id` always leads back to the clause it came from."""

    chunk_id: str
    doc_id: str
    clause_id: str
    part: int
    text: str
    context: str

    @property
    def search_text(self) -> str:
        """What is embedded and tokenised: where the text sits, then the text itself."""
        return f"{self.context}\n{self.text}"

    @property
    def text_hash(self) -> str:
        """Identity of the searchable text, the key of the embedding cache."""
        return hashlib.sha256(self.search_text.encode("utf-8")).hexdigest()[:24]


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。；！？ or a line break, nothing dropped."""
    return [s for s in SENTENCE_RE.findall(text) if s]


def windows(text: str, limit: int = WINDOW_CHARS) -> list[str]:
    """Consecutive sentence windows of at most ~limit characters (a longer sentence stands alone)."""
    out: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        if current and len(current) + len(sentence) > limit:
            out.append(current)
            current = ""
        current += sentence
    if current:
        out.append(current)
    return out or [text]


def clause_body(doc: Document, clause: Clause) -> str:
    """The clause text, or for a heading-only clause its outline (the headings beneath it)."""
    if clause.text.strip():
        return clause.text
    kids = [c.heading or c.text[:40] for c in doc.children(clause.id)]
    heading = clause.heading or clause.number
    return f"{heading}：{'；'.join(kids)}" if kids else heading


def chunk_document(doc: Document, limit: int = WINDOW_CHARS) -> list[Chunk]:
    """All chunks of a document in reading order."""
    chunks: list[Chunk] = []
    for clause in doc.clauses:
        context = " ".join((doc.title, doc.doc_number, clause.path, *clause.heading_path[-2:]))
        for part, window in enumerate(windows(clause_body(doc, clause), limit)):
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}#{clause.id}#{part}",
                    doc_id=doc.doc_id,
                    clause_id=clause.id,
                    part=part,
                    text=window,
                    context=context,
                )
            )
    return chunks
