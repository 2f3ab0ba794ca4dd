"""Links between the documents of a corpus: what a document implements (上位文件), what implements or cites it
(下位文件), and which documents amend or repeal it, all read from the sentences that cite them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from policybot.document import DOC_NUMBER_RE, Document, normalize, normalize_doc_number
from policybot.ingest.parser import find_references

IMPLEMENTS, REPEALS, AMENDS, CITES = "implements", "repeals", "amends", "cites"
# what the citing sentence does to the document it cites, checked in this order (a sentence that repeals the old
# plan "根据工作需要" still repeals it)
RELATION_RES = (
    (REPEALS, re.compile(r"同时废止|予以废止|废止|不再执行|停止执行")),
    (AMENDS, re.compile(r"修订|修正|修改")),
    (IMPLEMENTS, re.compile(r"贯彻|落实|根据|依据|依照|按照|遵照")),
)
# how the browse tab names each relation, seen from the citing document and from the cited one
RELATION_LABELS = {IMPLEMENTS: "上位文件", REPEALS: "废止", AMENDS: "修订/修正", CITES: "引用"}
INCOMING_LABELS = {IMPLEMENTS: "下位文件", REPEALS: "被其废止", AMENDS: "被其修订/修正", CITES: "下位文件"}
SENTENCE_RE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
QUOTED_RE = re.compile(r"《[^《》]*》")
LAW_PREFIX = "中华人民共和国"
DATE_TEXT = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
# a law's history line: "2023年12月29日 第十四届全国人民代表大会常务委员会第七次会议…修正"
HISTORY_RE = re.compile(r"^\s*" + DATE_TEXT + r".*(?:通过|修订|修正|修改|公布)")
# "1988年7月18日国务院发布的《军人抚恤优待条例》": the year of the version meant, written right before its title
YEAR_BEFORE_RE = re.compile(r"(\d{4})\s*年[^《》。；]{0,30}$")


@dataclass(frozen=True, slots=True)
class Link:
    """One document citing another: the reference as written, whether the corpus holds it, and what the citing
    sentence does with it (implements, repeals, amends or cites)."""

    title: str
    doc_number: str
    in_corpus: bool
    doc_id: str  # the cited document ('' when it is not in the corpus)
    citing_doc_id: str
    relation: str
    sentence: str
    clause_id: str = ""

    def to_json(self) -> dict:
        """The reference as `policybot show --json` prints it."""
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "in_corpus": self.in_corpus,
            "doc_id": self.doc_id,
            "relation": self.relation,
            "sentence": self.sentence,
        }


@dataclass(frozen=True, slots=True)
class RelatedDocument:
    """A document linked to the one shown, for the browse tab: how it is related, and what to show as the link."""

    relation: str  # 上位文件, 下位文件, 废止, 被其废止, 修订/修正, 被其修订/修正, 引用
    doc_id: str
    title: str
    doc_number: str
    date: str
    sentence: str  # the sentence that makes the link, to show on hover or under the link


@dataclass(frozen=True, slots=True)
class Mention:
    """A reference found in a document's text, with the sentence and clause it stands in."""

    title: str
    doc_number: str
    sentence: str
    clause_id: str
    year: str = ""  # the year of the version meant, when the sentence writes it right before the title


def relation_of(sentence: str) -> str:
    """What a sentence does to the document it cites, judged outside the quoted titles (a title may say 废止)."""
    outside = QUOTED_RE.sub("", sentence)
    for relation, pattern in RELATION_RES:
        if pattern.search(outside):
            return relation
    return CITES


def mentions_in(doc: Document) -> list[Mention]:
    """Every document the text cites, by 《title》 (with its 文号 when given) or by a bare 文号, sentence by sentence."""
    found: list[Mention] = []
    for clause in doc.clauses:
        text = clause.text if clause.heading in clause.text else f"{clause.heading}\n{clause.text}"
        if "《" not in text and "号" not in text:
            continue  # most clauses cite nothing: skipping them is most of the time at a thousand documents
        for m in SENTENCE_RE.finditer(text):
            sentence = m.group(0).strip()
            if sentence:
                found += _citations_in_sentence(sentence, clause.id)
    return found


def _citations_in_sentence(sentence: str, clause_id: str) -> list[Mention]:
    found = [
        Mention(r.title, r.doc_number, sentence, clause_id, _year_before(sentence, r.title))
        for r in find_references(sentence)
    ]
    quoted_numbers = {c.doc_number for c in found if c.doc_number}
    for m in DOC_NUMBER_RE.finditer(QUOTED_RE.sub("", sentence)):
        number = normalize_doc_number(m.group(0))
        if number and number not in quoted_numbers:
            quoted_numbers.add(number)
            found.append(Mention("", number, sentence, clause_id))
    return found


def _year_before(sentence: str, title: str) -> str:
    at = sentence.find("《")
    while at >= 0 and re.sub(r"\s+", "", sentence[at + 1 : sentence.find("》", at)]) != title:
        at = sentence.find("《", at + 1)
    m = YEAR_BEFORE_RE.search(sentence[:at]) if at > 0 else None
    return m.group(1) if m else ""


def iso_date(year: str, month: str, day: str) -> str:
    """'2023', '12', '9' → '2023-12-09'."""
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def version_date(doc: Document) -> str:
    """When this version was made: the last date of a law's history lines (its latest 修订/修正), else its date."""
    dates = [doc.date] if doc.date else []
    for clause in doc.clauses[:2]:
        if clause.kind in ("preamble", "notice"):
            dates += [iso_date(*m.groups()[:3]) for m in map(HISTORY_RE.match, clause.text.splitlines()) if m]
    return max(dates, default="")


class CorpusLinks:
    """The links between the documents of one corpus, resolved once when the index is opened or built."""

    def __init__(self, documents: Mapping[str, Document], previous: CorpusLinks | None = None) -> None:
        """Resolve every document's references; what `previous` read from documents unchanged since is reused."""
        self._documents = documents
        known = previous._mentions if previous is not None else {}
        self._mentions: dict[str, tuple[Document, list[Mention]]] = {}
        for doc in documents.values():
            old = known.get(doc.doc_id)
            self._mentions[doc.doc_id] = old if old is not None and old[0] is doc else (doc, mentions_in(doc))
        self._made = {doc_id: version_date(doc) for doc_id, doc in documents.items()}
        self._by_number = {normalize_doc_number(d.doc_number): d.doc_id for d in documents.values() if d.doc_number}
        self._by_title: dict[str, list[str]] = {}
        for doc in documents.values():
            for title in _titles_of(doc):
                self._by_title.setdefault(title, []).append(doc.doc_id)
        self._outgoing: dict[str, tuple[Link, ...]] = {}
        incoming: dict[str, list[Link]] = {}
        for doc in documents.values():
            links = tuple(self._links_of(doc))
            self._outgoing[doc.doc_id] = links
            for link in links:
                if link.in_corpus:
                    incoming.setdefault(link.doc_id, []).append(link)
        self._incoming = {doc_id: tuple(links) for doc_id, links in incoming.items()}

    def made(self, doc_id: str) -> str:
        """When the document's version was made (version_date), '' when it has no date."""
        return self._made.get(doc_id, "")

    def references(self, doc_id: str) -> tuple[Link, ...]:
        """What the document cites, each resolved to a document of the corpus when it holds one."""
        return self._outgoing.get(doc_id, ())

    def cited_by(self, doc_id: str) -> tuple[Link, ...]:
        """The links of other documents to this one (its 下位文件, and what amends or repeals it)."""
        return self._incoming.get(doc_id, ())

    def links(self) -> Iterable[Link]:
        """Every resolved link of the corpus."""
        for links in self._incoming.values():
            yield from links

    def related_documents(self, doc_id: str) -> list[RelatedDocument]:
        """The documents linked to this one, for the browse tab: 上位文件 first, then 下位文件, repeals and revisions."""
        related = [self._related(link.doc_id, RELATION_LABELS[link.relation], link) for link in self.references(doc_id)]
        related = [r for r in related if r is not None]
        for link in self.cited_by(doc_id):
            item = self._related(link.citing_doc_id, INCOMING_LABELS[link.relation], link)
            if item is not None:
                related.append(item)
        return related

    def _related(self, doc_id: str, relation: str, link: Link) -> RelatedDocument | None:
        doc = self._documents.get(doc_id)
        if doc is None:
            return None
        return RelatedDocument(relation, doc.doc_id, doc.title, doc.doc_number, doc.date, link.sentence)

    def resolve(self, title: str, doc_number: str, citing: Document | None = None, year: str = "") -> str:
        """The doc id a reference names (by 文号 first, then by title: the latest version made before the citing
        document, of the year the sentence gives), '' when the corpus does not hold it."""
        if doc_number:
            doc_id = self._by_number.get(normalize_doc_number(doc_number), "")
            if doc_id:
                return doc_id
        candidates = [d for d in self._by_title.get(_title_key(title), []) if citing is None or d != citing.doc_id]
        if year:
            candidates = [d for d in candidates if year in (self._documents[d].date[:4], self._made[d][:4])]
        if not candidates:
            return ""
        return self._version_cited(candidates, citing)

    def _version_cited(self, candidates: list[str], citing: Document | None) -> str:
        """Of documents sharing a title, the one a citing document means: the latest version made before it ('' when
        every version is later: a document cannot cite what did not exist yet)."""
        ordered = sorted(candidates, key=lambda d: (self._made[d], d))
        made = self._made.get(citing.doc_id, "") if citing is not None else ""
        if not made:
            return ordered[-1]
        earlier = [d for d in ordered if self._made[d] <= made]
        return earlier[-1] if earlier else ""

    def _links_of(self, doc: Document) -> list[Link]:
        links: list[Link] = []
        seen: set[tuple[str, str, str]] = set()
        own_title = _title_key(doc.title)
        own_number = normalize_doc_number(doc.doc_number)
        for citation in self._mentions[doc.doc_id][1]:
            relation = relation_of(citation.sentence)
            if citation.doc_number and citation.doc_number == own_number:
                continue
            if _title_key(citation.title) == own_title and relation not in (REPEALS, AMENDS):
                continue  # the document naming itself ("《…实施方案》已经市人民政府同意"), not an earlier version
            doc_id = self.resolve(citation.title, citation.doc_number, doc, citation.year)
            key = (citation.title, citation.doc_number, relation)
            if key in seen:
                continue
            seen.add(key)
            title = citation.title or (self._documents[doc_id].title if doc_id else "")
            links.append(
                Link(
                    title=title,
                    doc_number=citation.doc_number,
                    in_corpus=bool(doc_id),
                    doc_id=doc_id,
                    citing_doc_id=doc.doc_id,
                    relation=relation,
                    sentence=citation.sentence,
                    clause_id=citation.clause_id,
                )
            )
        return links


def _title_key(title: str) -> str:
    """A title for matching: normalised, without 中华人民共和国 (a law is cited with and without it)."""
    key = normalize(title).strip("《》")
    return key.removeprefix(LAW_PREFIX)


def _titles_of(doc: Document) -> set[str]:
    titles = {_title_key(doc.title)} if doc.title else set()
    if doc.notice_title:
        titles.add(_title_key(doc.notice_title))
    return {t for t in titles if t}
