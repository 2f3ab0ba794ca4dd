"""Clauses → retrieval chunks that carry their document title and heading path."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from policybot.document import Clause, Document

WINDOW_CHARS = 260
# a clause's own heading counts this many times in its chunks' bags of words (field weighting, as BM25F or a search
# engine's title^N): a question naming "金融支持" means the clause headed so more than one that mentions it once
HEADING_WEIGHT = 3
# changes whenever chunk_document would cut the same document differently: an index built by another cut is re-chunked
CHUNKER_ID = f"sentence-windows-{WINDOW_CHARS}-heading{HEADING_WEIGHT}-v2"
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
    heading: str = ""  # the clause's own title, weighted above body words for BM25

    @property
    def search_text(self) -> str:
        """What is embedded and tokenised: where the text sits, then the text itself."""
        return f"{self.context}\n{self.text}"

    @property
    def keyword_text(self) -> str:
        """What BM25 counts: the search text, with the clause's heading repeated to weigh HEADING_WEIGHT times."""
        return (
            "\n".join([self.search_text, *[self.heading] * (HEADING_WEIGHT - 1)]) if self.heading else self.search_text
        )

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
    """The clause text, or for a heading-only clause its outline: the titles of the clauses beneath it ("保障措施：
    强化组织领导；…"). A chapter's articles have no titles, only openings: a chapter is its heading alone, so that
    it is not found for what its articles say (the articles are)."""
    if clause.has_text:
        return clause.text
    kids = [c.heading for c in doc.children(clause.id) if c.titled]
    heading = clause.heading or clause.number
    return f"{heading}：{'；'.join(kids)}" if kids else heading


def window_of(doc: Document, clause: Clause, part: int) -> str:
    """The text of one chunk of a clause (chunk texts are cut again when needed, not kept in memory)."""
    parts = windows(clause_body(doc, clause))
    return parts[part] if 0 <= part < len(parts) else parts[0]


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
                    heading=clause.heading if clause.titled else "",
                )
            )
    return chunks
