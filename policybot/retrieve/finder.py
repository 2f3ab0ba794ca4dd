"""The search people get, in the app, on the command line and under every answer: exact references first, then
hybrid search on the question's own words.

A question that names a clause ("三（二）", "第十九条"), quotes a heading ("加大金融支持") or asks what a term is
("什么是劳务派遣") has that clause first: the catalog knows it exactly. The rest is hybrid search on the query the
question makes (its function words out, related words in). A chapter or part that matches only by its heading is
replaced by the clause under it that matched: an answer cites the article, not the chapter. Answers read the same
ranking, so `ask` cites what `search` shows first, and says which rule decided when one did.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from policybot.document import Document, normalize
from policybot.retrieve.catalog import Catalog, ClauseKey
from policybot.retrieve.excerpt import holds_facts, match_share, wanted_facts, weighted_words
from policybot.retrieve.hybrid import Hit, Retriever, SearchFilter
from policybot.retrieve.intent import Question, defined_term, understand
from policybot.retrieve.query import Query, QueryBuilder, content_terms, spelled_out_in, where_said_removed

# "青禾市", "南湖区", "石湾县": a name and its level (not 城市, 全市, 社区…: those are no names)
PLACE_NAME_RE = re.compile(
    r"(?<![全本各该此每])(?![全本各该此每在城都超上门集夜股社园景小片辖郊山特新市县区])[\u4e00-\u9fff]{2}(?:省|市|县|区)"
)
PLACE_LEVEL_RE = re.compile(r"(?:自治州|自治县|省|市|县|区|州|镇|乡|村)$")
SEARCH = "search"
CLAUSE_NUMBER = "clause_number"
HEADING = "heading"
DEFINITION = "definition"
MIN_CANDIDATES = 20  # a chapter's articles are looked for among this many hits before a search of its own
TEXTS_KEPT = 64  # documents whose whole text is kept for looking words up (a question looks in a few)
RERANKED = 12  # the first hits are ranked again by their best sentence
# among clauses without a title of their own (a news text's paragraphs, a law's articles) words tell less which one
# answers than meaning: the min-max normalised dense similarity counts this much in the rerank (tune sets)
RERANK_DENSE_WEIGHT = 0.6
UNTITLED_KINDS = ("paragraph", "article")
SENTENCE_WEIGHT = 0.5  # how much the best sentence's match counts beside the fused score
# a clause without the kind of fact asked for (a number of days, a sum, a date, names): "一年能休几天年假" is answered
# by the article that gives the days, not by the one that only names the leave (tune sets)
MISSING_FACT_PENALTY = 0.3
ABSENT_PLACE_PENALTY = (
    0.5  # a hit whose document never mentions a place the question names ("青禾市" asked, 云溪 cited)
)


@dataclass(frozen=True, slots=True)
class Found:
    """Clauses for a question, best first; which rule put the first one there; the query that was searched."""

    hits: list[Hit]
    decided_by: str
    query: Query
    pinned: int = 0  # how many of the first hits the rule put there
    took_ms: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)


class Finder:
    """Exact references and hybrid search over one loaded index."""

    def __init__(self, retriever: Retriever, catalog: Catalog, builder: QueryBuilder) -> None:
        self.retriever = retriever
        self.catalog = catalog
        self.builder = builder
        self._vocab = retriever.index.vocab
        # normalised text of the documents a word was last looked for in, with the Document it was made from (an
        # edited document is a new object); at most TEXTS_KEPT, so a large corpus does not keep every text twice
        self._texts: OrderedDict[str, tuple[Document, str]] = OrderedDict()

    @property
    def documents(self) -> dict[str, Document]:
        """The documents searched, by id."""
        return self.retriever.index.documents

    def query_for(self, q: Question) -> Query:
        """The search query a question makes."""
        return self.builder.build(q.search_text, q.intent)

    def find(self, question: Question | str, k: int = 5, flt: SearchFilter | None = None) -> Found:
        """The k best clauses for a question, exact references first."""
        started = time.perf_counter()
        q = understand(question) if isinstance(question, str) else question
        flt = flt or SearchFilter()
        query = self.query_for(q)
        pinned, rule = self.pinned(q, flt)
        result = self.retriever.search(query, k=max(k * 3, MIN_CANDIDATES), flt=flt)
        searched = self.reranked(q, query, self._resolved(q, result.hits, query, flt))
        seen = {(h.doc_id, h.clause_id) for h in pinned}
        hits = [*pinned, *(h for h in searched if (h.doc_id, h.clause_id) not in seen)][:k]
        return Found(
            hits=hits,
            decided_by=rule if pinned else SEARCH,
            query=query,
            pinned=min(len(pinned), k),
            took_ms=(time.perf_counter() - started) * 1000,
            stages=result.stages,
        )

    def reranked(self, q: Question, query: Query, hits: list[Hit]) -> list[Hit]:
        """The first RERANKED hits ranked again: the fused score, plus how well the clause's best sentence matches the
        question (a paragraph that mentions the topic loses to the one whose sentence answers), for clauses without a
        title how near in meaning they are among these hits, less a penalty for a document that never mentions a place
        the question names and for a clause without the kind of fact asked for (days, a sum, a date)."""
        if not hits:
            return hits
        words = self.weighted_words(q, query)
        places = self.places_in(q.search_text)
        wanted = wanted_facts(where_said_removed(q.text))
        top = max(h.score for h in hits[:RERANKED]) or 1.0
        dense = [h.dense_score for h in hits[:RERANKED] if h.dense_score]
        low, high = (min(dense), max(dense)) if dense else (0.0, 0.0)

        def combined(hit: Hit) -> float:
            score = hit.score / top + SENTENCE_WEIGHT * match_share(hit.text, q.text, words)
            if high > low and hit.dense_score and hit.kind in UNTITLED_KINDS:
                score += RERANK_DENSE_WEIGHT * (hit.dense_score - low) / (high - low)
            if places and self.places_missing(places, hit.doc_id):
                score -= ABSENT_PLACE_PENALTY
            if wanted and not holds_facts(wanted, hit.text):
                score -= MISSING_FACT_PENALTY
            return score

        # the score shown is the one ranked by, on the fused score's scale
        head = [
            replace(h, score=top * combined(h) / (1 + SENTENCE_WEIGHT + RERANK_DENSE_WEIGHT)) for h in hits[:RERANKED]
        ]
        head.sort(key=lambda h: h.score, reverse=True)
        floor = head[-1].score if head else 0.0
        return head + [replace(h, score=min(h.score, floor)) for h in hits[RERANKED:]]

    def weighted_words(self, q: Question, query: Query) -> list[tuple[str, float]]:
        """The question's own words (weighed by how rare they are in the documents) and its related words."""
        segmenter = self.builder.segmenter
        own = [w for w in content_terms(segmenter.cut(q.search_text), q.intent) if w in self._vocab]
        return weighted_words(own, query.expansions, self.idf)

    def idf(self, word: str) -> float:
        """BM25's idf of a word (0 for one the documents never use)."""
        term = self._vocab.get(word.lower())
        return float(self.retriever.index.bm25.idf[term]) if term is not None else 0.0

    def places_in(self, text: str) -> list[str]:
        """The places a question names that some document mentions (others are for the answer to judge): jieba's
        place names, and names ending in 省/市/县/区 that the documents use ("青禾市" is in no dictionary)."""
        named = [*self.builder.segmenter.places(text), *(m.group(0) for m in PLACE_NAME_RE.finditer(normalize(text)))]
        known = [p for p in dict.fromkeys(named) if any(form in self._vocab for form in place_forms(p))]
        return [p for p in known if not any(p != other and p in other for other in known)]

    def places_missing(self, places: list[str], doc_id: str) -> list[str]:
        """The places of the list that a document never mentions (its title and text)."""
        text = self._document_text(doc_id)
        return [p for p in places if not any(form in text for form in place_forms(p))]

    def words_missing(self, words: list[str], doc_id: str) -> list[str]:
        """The words of the list that a document never uses (nor any word related to them, nor writes out in full)."""
        text = self._document_text(doc_id)
        synonyms = self.builder.synonyms
        missing = []
        for word in words:
            related = (
                [*synonyms.expand([word], self._vocab), *synonyms.domain_related(word)] if synonyms is not None else []
            )
            if word.lower() not in text and not any(r in text for r in related) and not spelled_out_in(word, text):
                missing.append(word)
        return missing

    def _document_text(self, doc_id: str) -> str:
        doc = self.documents[doc_id]
        kept = self._texts.get(doc_id)
        if kept is not None and kept[0] is doc:
            self._texts.move_to_end(doc_id)
            return kept[1]
        text = normalize(doc.title + "".join(c.heading + c.text for c in doc.clauses)).lower()
        self._texts[doc_id] = (doc, text)
        self._texts.move_to_end(doc_id)
        while len(self._texts) > TEXTS_KEPT:
            self._texts.popitem(last=False)
        return text

    def pinned(self, q: Question, flt: SearchFilter) -> tuple[list[Hit], str]:
        """The clauses the question names exactly, and by what: a clause number, a heading, a term it defines."""
        for rule, keys in (
            (CLAUSE_NUMBER, self.catalog.clauses_at(q.path or q.article, flt.doc_ids) if q.path or q.article else []),
            (DEFINITION, self._defining(q, flt)),
            (HEADING, self.catalog.clauses_named_in(q.search_text, flt.doc_ids)),
        ):
            hits = [self._hit(key) for key in dict.fromkeys(keys)]
            hits = [h for h in hits if self._allowed(h, flt)]
            if rule != CLAUSE_NUMBER:  # "三" names the part; a heading names what is under it
                hits = self._resolved(q, hits, self.query_for(q), flt)
            if hits:
                return hits, rule
        return [], SEARCH

    def _defining(self, q: Question, flt: SearchFilter) -> list[ClauseKey]:
        term = defined_term(q.search_text)
        return self.catalog.clauses_defining(term, flt.doc_ids) if term else []

    def _allowed(self, hit: Hit, flt: SearchFilter) -> bool:
        if flt.with_units and not (hit.lead_units or hit.responsible_units):
            return False
        return not flt.by_document or hit.doc_id in self.retriever.allowed_documents(flt)

    def _hit(self, key: ClauseKey) -> Hit:
        doc_id, clause_id = key
        return self.retriever.make_hit(doc_id, clause_id, 1.0)

    def _resolved(self, q: Question, hits: list[Hit], query: Query, flt: SearchFilter) -> list[Hit]:
        """The hits with each heading-only clause (a chapter, a part) replaced by the clause under it that matched
        best: the best-ranked one among the hits, else the best one a search within it finds."""
        out: list[Hit] = []
        taken: set[ClauseKey] = set()
        for hit in hits:
            key = (hit.doc_id, hit.clause_id)
            if key in taken:
                continue
            if hit.kind in ("part", "chapter", "section") and not self.documents[hit.doc_id].clause(hit.clause_id).text:
                inner = self._inner(q, hit, hits, taken, query, flt)
                if inner is None:
                    continue
                hit = replace(inner, score=max(inner.score, hit.score))
                key = (hit.doc_id, hit.clause_id)
            out.append(hit)
            taken.add(key)
        return out

    def _inner(
        self, q: Question, outer: Hit, hits: list[Hit], taken: set[ClauseKey], query: Query, flt: SearchFilter
    ) -> Hit | None:
        below = set(descendants(self.documents[outer.doc_id], outer.clause_id))
        for hit in hits:
            if hit.doc_id == outer.doc_id and hit.clause_id in below and (hit.doc_id, hit.clause_id) not in taken:
                return hit
        within = tuple((outer.doc_id, c) for c in below if (outer.doc_id, c) not in taken)
        if not within:
            return None
        # ranked as search ranks: "工伤认定申请多长时间出结果" is the article of that chapter with the days
        found = self.reranked(q, query, self.retriever.search(query, k=RERANKED, flt=replace(flt, within=within)).hits)
        return found[0] if found else None


def descendants(doc: Document, clause_id: str) -> list[str]:
    """The ids of the clauses under a clause that have text of their own, in reading order."""
    clauses = doc.clauses
    start = next(i for i, c in enumerate(clauses) if c.id == clause_id)
    level = clauses[start].level
    out = []
    for clause in clauses[start + 1 :]:
        if clause.level <= level:
            break
        if clause.has_text:
            out.append(clause.id)
    return out


def place_forms(place: str) -> list[str]:
    """How a document may write a place: as asked, or without its level ("南湖区" → 南湖)."""
    place = normalize(place).lower()
    bare = PLACE_LEVEL_RE.sub("", place)  # one level only: 鹭州市 → 鹭州, not 鹭
    return [place, bare] if len(bare) >= 2 and bare != place else [place]
