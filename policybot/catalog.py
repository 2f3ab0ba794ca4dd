"""Exact lookups over the indexed documents: by 文号, by title, by clause path or article, by heading.

Built once per loaded index, so a question costs a dictionary lookup or one pass over precomputed strings,
not a walk through every clause of a thousand documents.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping

from policybot.document import Document, normalize, normalize_doc_number

ClauseKey = tuple[str, str]  # (doc_id, clause_id)
OPENING_CLAUSES = ("notice", "preamble")
MIN_TITLE_CHARS = 6  # a shorter title ("通知") would match too many questions


class Catalog:
    """Where each document and clause can be found by what users type: 文号, title, '三（二）', heading."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._by_number: dict[str, str] = {}
        self._titles: list[tuple[str, str]] = []
        self._by_path: dict[str, list[ClauseKey]] = {}
        self._by_heading: dict[str, list[ClauseKey]] = {}
        for doc in documents.values():
            self._add(doc)
        self._titles.sort(key=lambda t: -len(t[0]))
        # every heading in one string: "is the topic inside a heading" becomes a few str.find calls
        self._heading_keys = list(self._by_heading)
        self._heading_text = "\n".join(self._heading_keys)
        self._heading_order = {h: i for i, h in enumerate(self._heading_keys)}
        self._heading_starts: list[int] = []
        start = 0
        for heading in self._heading_keys:
            self._heading_starts.append(start)
            start += len(heading) + 1

    def _add(self, doc: Document) -> None:
        number = normalize_doc_number(doc.doc_number) if doc.doc_number else ""
        if number:
            self._by_number.setdefault(number, doc.doc_id)
        for title in {normalize(doc.title), normalize(doc.notice_title)}:
            if len(title) >= MIN_TITLE_CHARS:
                self._titles.append((title, doc.doc_id))
        for clause in doc.clauses:
            self._by_path.setdefault(normalize(clause.path), []).append((doc.doc_id, clause.id))
            heading = normalize(clause.heading).replace("\n", "")
            if len(heading) >= 2 and clause.id not in OPENING_CLAUSES:
                self._by_heading.setdefault(heading, []).append((doc.doc_id, clause.id))

    def document_by_number(self, number: str) -> str | None:
        """The document with this 文号 (any bracket style), if indexed."""
        return self._by_number.get(normalize_doc_number(number)) if number else None

    def document_named_in(self, text: str) -> str | None:
        """The document whose title (or notice title) the text quotes, longest title first."""
        norm = normalize(text)
        for title, doc_id in self._titles:
            if title in norm:
                return doc_id
        return None

    def clauses_at(self, path: str, doc_ids: Iterable[str] = ()) -> list[ClauseKey]:
        """Clauses numbered `path` ('三（二）', '第十条'), in the given documents or in all."""
        found = self._by_path.get(normalize(path), [])
        allowed = set(doc_ids)
        return [key for key in found if not allowed or key[0] in allowed]

    def clauses_headed(self, topic: str, doc_ids: Iterable[str] = ()) -> list[ClauseKey]:
        """Clauses whose heading is the topic, contains it (3+ characters) or is contained in it (4+)."""
        topic = normalize(topic)
        if len(topic) < 2:
            return []
        headings = {topic} if topic in self._by_heading else set()
        if len(topic) >= 3:
            headings |= self._headings_containing(topic)
        # a heading inside the topic is one of the topic's own substrings of 4+ characters
        headings |= {
            topic[i:j]
            for i in range(len(topic))
            for j in range(i + 4, len(topic) + 1)
            if topic[i:j] in self._by_heading
        }
        allowed = set(doc_ids)
        keys = [
            key
            for heading in sorted(headings, key=self._heading_order.__getitem__)
            for key in self._by_heading[heading]
        ]
        return [key for key in keys if not allowed or key[0] in allowed]

    def _headings_containing(self, topic: str) -> set[str]:
        found = set()
        at = self._heading_text.find(topic)
        while at != -1:
            n = bisect.bisect_right(self._heading_starts, at) - 1
            found.add(self._heading_keys[n])
            at = self._heading_text.find(topic, self._heading_starts[n] + len(self._heading_keys[n]) + 1)
        return found
