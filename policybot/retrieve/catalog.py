"""Exact lookups over the indexed documents: by 文号, by title, by clause path or article, by heading, by unit.

Built once per loaded index (and after an update, changed only where documents changed), so a question costs a
dictionary lookup or a few searches in one string, not a walk through every clause of a thousand documents.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from policybot.document import DOC_NUMBER_RE, Document, normalize, normalize_doc_number

ClauseKey = tuple[str, str]  # (doc_id, clause_id)
# key → document → the document's entries under that key: "三（二）" or "市财政局" is under a key in every one of a
# thousand documents, and an update takes a changed document out of such a key in one step, not by a walk
ByDocument = dict[str, dict[str, list]]
LEAD, RESPONSIBLE = "lead", "responsible"  # a unit's role in a clause: 牵头单位 or 责任单位
# "财政局" in a question stands for "市财政局" (or "县财政局") of the documents: the level prefix is often left out
UNIT_LEVEL_RE = re.compile(r"^(省|市|州|县|区)")
MIN_UNIT_ALIAS_CHARS = 3
# the short forms everyone uses for these departments: "住建局" is "住房城乡建设局"
UNIT_SHORT_FORMS = (
    ("住房城乡建设", "住建"),
    ("住房和城乡建设", "住建"),
    ("发展改革", "发改"),
    ("发展和改革", "发改"),
    ("人力资源社会保障", "人社"),
    ("人力资源和社会保障", "人社"),
    ("工业和信息化", "工信"),
    ("文化和旅游", "文旅"),
)
UNIT_BRACKETS = str.maketrans("〔［【[〕］】]", "(((())))")  # brackets a unit's name is written with, alike
OPENING_CLAUSES = ("notice", "preamble")
MIN_TITLE_CHARS = 6  # a shorter title ("通知") would match too many questions
MAX_HEADING_CHARS = 40  # longer "headings" are sentences; looking for them inside a question is wasted work
# past this share of changed documents, cataloguing everything again is quicker than patching
REBUILD_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class _Entries:
    """What one document adds to the catalog, worked out once while the document is unchanged."""

    doc: Document
    number: str
    titles: tuple[str, ...]
    paths: tuple[tuple[str, str], ...]  # (normalised path, clause id)
    headings: tuple[tuple[str, str], ...]  # (normalised heading, clause id)
    units: tuple[tuple[str, str, str], ...]  # (normalised unit, clause id, LEAD or RESPONSIBLE)
    terms: tuple[tuple[str, str], ...]  # (normalised term, clause id): the clause says what the term is
    clause_order: dict[str, int] = field(hash=False, compare=False)


def _entries(doc: Document) -> _Entries:
    titles = {normalize(doc.title), normalize(doc.notice_title)}
    return _Entries(
        doc=doc,
        number=normalize_doc_number(doc.doc_number) if doc.doc_number else "",
        titles=tuple(t for t in titles if len(t) >= MIN_TITLE_CHARS),
        paths=tuple((normalize(c.path), c.id) for c in doc.clauses),
        headings=tuple(
            (heading, c.id)
            for c in doc.clauses
            if c.titled and c.id not in OPENING_CLAUSES and len(heading := normalize(c.heading).replace("\n", "")) >= 2
        ),
        terms=tuple((term, c.id) for c in doc.clauses for term in defined_terms(c.text)),
        units=tuple(
            (normalize(unit), c.id, role)
            for c in doc.clauses
            for role, names in ((LEAD, c.lead_units), (RESPONSIBLE, c.responsible_units))
            for unit in names
        ),
        clause_order={c.id: i for i, c in enumerate(doc.clauses)},
    )


# how a text says what a term is: "本法所称用人单位，是指…", "劳务派遣是指…", "特色小镇是在几平方公里土地上…"
DEFINITION_RES = (
    re.compile(r"所称[“\"]?([^，,。；;：:“”\"]{2,20}?)[”\"]?[，,]?(?:是指|指的是|系指|包括)"),
    re.compile(r"(?:^|[。；;\n])[“\"]?([^，,。；;：:“”\"\n（(]{2,16}?)[”\"]?[，,]?(?:是指|指的是|系指)"),
    re.compile(
        r"(?:^|[。；;\n])([^，,。；;：:“”\"\n（(这那其此本我要应该各对在按为把由如]{1}[^，,。；;：:“”\"\n（(]{1,11}?)是(?!指|否|不|由|为了)[^。；;]{6,}"
    ),
)


def defined_terms(text: str) -> set[str]:
    """The terms a clause defines, normalised."""
    return {normalize(m.group(1)) for regex in DEFINITION_RES for m in regex.finditer(text)}


def _short_form(unit: str) -> str:
    """A unit's name with each department written the short way (市发展改革委 → 市发改委)."""
    for full, short in UNIT_SHORT_FORMS:
        unit = unit.replace(full, short)
    return unit


def _aliases(unit: str) -> set[str]:
    """What else people call a unit: without its level ("财政局"), by its short form ("市住建局", "住建局")."""
    names = {unit, _short_form(unit)}
    names |= {UNIT_LEVEL_RE.sub("", n) for n in names}
    return names - {unit}


def _unit_key(unit: str) -> str:
    """One key for the names of one unit (normalised): 市发改委 and 市发展改革委, 各县〔市、区〕 and 各县（市、区）."""
    return _short_form(unit).translate(UNIT_BRACKETS)


class Catalog:
    """Where each document and clause can be found by what users type: 文号, title, '三（二）', heading."""

    def __init__(self, documents: Mapping[str, Document], previous: Catalog | None = None) -> None:
        """Catalog the documents; what `previous` knew of documents unchanged since is reused."""
        known = previous._entries if previous is not None else {}
        self._entries: dict[str, _Entries] = {}
        for doc_id, doc in documents.items():
            old = known.get(doc_id)
            self._entries[doc_id] = old if old is not None and old.doc is doc else _entries(doc)
        self._doc_order = {doc_id: i for i, doc_id in enumerate(self._entries)}
        changed = {d for d, e in self._entries.items() if known.get(d) is not e} | (known.keys() - self._entries.keys())
        if previous is None or len(changed) > REBUILD_SHARE * max(len(self._entries), 1):
            self._catalog_all()
        else:
            self._patch(previous, changed)
        self._titles.sort(key=lambda t: -len(t[0]))
        self._index_headings()
        self._index_units()

    def _catalog_all(self) -> None:
        self._by_number: dict[str, str] = {}
        self._titles: list[tuple[str, str]] = []
        self._by_path: ByDocument = {}  # entries (doc_id, clause_id)
        self._by_heading: ByDocument = {}  # entries (doc_id, clause_id)
        self._by_unit: ByDocument = {}  # entries (doc_id, clause_id, role)
        self._by_term: ByDocument = {}  # entries (doc_id, clause_id)
        for doc_id in self._entries:
            self._add(doc_id)

    def _add(self, doc_id: str) -> None:
        entries = self._entries[doc_id]
        if entries.number:
            self._by_number.setdefault(entries.number, doc_id)
        self._titles += [(title, doc_id) for title in entries.titles]
        for path, clause_id in entries.paths:
            self._by_path.setdefault(path, {}).setdefault(doc_id, []).append((doc_id, clause_id))
        for heading, clause_id in entries.headings:
            self._by_heading.setdefault(heading, {}).setdefault(doc_id, []).append((doc_id, clause_id))
        for unit, clause_id, role in entries.units:
            self._by_unit.setdefault(unit, {}).setdefault(doc_id, []).append((doc_id, clause_id, role))
        for term, clause_id in entries.terms:
            self._by_term.setdefault(term, {}).setdefault(doc_id, []).append((doc_id, clause_id))

    def _patch(self, previous: Catalog, changed: set[str]) -> None:
        """The previous catalog without the changed documents' old entries, plus their new ones."""
        self._by_number = {n: d for n, d in previous._by_number.items() if d not in changed}
        self._titles = [t for t in previous._titles if t[1] not in changed]
        self._by_path = dict(previous._by_path)
        self._by_heading = dict(previous._by_heading)
        self._by_unit = dict(previous._by_unit)
        self._by_term = dict(previous._by_term)
        touched_paths, touched_headings, touched_units, touched_terms = set(), set(), set(), set()
        for doc_id in changed:
            for old_or_new in (previous._entries.get(doc_id), self._entries.get(doc_id)):
                if old_or_new is not None:
                    touched_paths.update(p for p, _ in old_or_new.paths)
                    touched_headings.update(h for h, _ in old_or_new.headings)
                    touched_units.update(u for u, _, _ in old_or_new.units)
                    touched_terms.update(t for t, _ in old_or_new.terms)
        tables = (
            (self._by_path, touched_paths),
            (self._by_heading, touched_headings),
            (self._by_unit, touched_units),
            (self._by_term, touched_terms),
        )
        for table, touched in tables:
            for key in touched:
                # a copy: the previous catalog may still be answering a question with the original
                by_doc = dict(table.get(key, {}))
                for doc_id in changed:
                    by_doc.pop(doc_id, None)
                if by_doc:
                    table[key] = by_doc
                else:
                    table.pop(key, None)
        for doc_id in sorted(changed & self._entries.keys(), key=self._doc_order.__getitem__):
            self._add(doc_id)

    def _index_headings(self) -> None:
        # every heading in one string: "is the topic inside a heading" becomes a few str.find calls
        self._heading_keys = list(self._by_heading)
        self._heading_text = "\n".join(self._heading_keys)
        self._heading_starts: list[int] = []
        start = 0
        for heading in self._heading_keys:
            self._heading_starts.append(start)
            start += len(heading) + 1

    def _index_units(self) -> None:
        self._unit_names = sorted(self._by_unit, key=len, reverse=True)
        aliases: dict[str, list[str]] = {}
        for name in self._unit_names:
            for alias in _aliases(name):
                if len(alias) >= MIN_UNIT_ALIAS_CHARS and alias not in self._by_unit:
                    aliases.setdefault(alias, []).append(name)
        self._unit_aliases = sorted(aliases.items(), key=lambda a: -len(a[0]))
        self._units_by_key: dict[str, list[str]] = {}
        self._units_by_bare_key: dict[str, list[str]] = {}
        for name in sorted(self._by_unit):
            key = _unit_key(name)
            self._units_by_key.setdefault(key, []).append(name)
            self._units_by_bare_key.setdefault(UNIT_LEVEL_RE.sub("", key), []).append(name)

    def _in_reading_order(self, keys: Iterable[ClauseKey], doc_ids: Iterable[str]) -> list[ClauseKey]:
        allowed = set(doc_ids)
        kept = [k for k in keys if not allowed or k[0] in allowed]
        return sorted(kept, key=lambda k: (self._doc_order[k[0]], self._entries[k[0]].clause_order[k[1]]))

    def document_by_number(self, number: str) -> str | None:
        """The document with this 文号 (any bracket style), if indexed."""
        found = self.number_in(number) if number else None
        return found[0] if found else None

    def number_in(self, text: str) -> tuple[str, str] | None:
        """(doc_id, the 文号 as written) of an indexed document whose 文号 the text gives in any bracket style.

        "根据襄政办发〔2017〕97号" reads as the 文号 prefix 根据襄政办发: the words before the prefix are dropped one
        character at a time until an indexed 文号 matches."""
        for m in DOC_NUMBER_RE.finditer(normalize(text)):
            prefix, year, serial = m.groups()
            for cut in range(len(prefix)):
                doc_id = self._by_number.get(f"{prefix[cut:]}〔{year}〕{serial}号")
                if doc_id is not None:
                    return doc_id, m.group(0)[cut:]
        return None

    def document_in(self, text: str) -> tuple[str, str] | None:
        """(doc_id, name as written) of the document a question or query names by 文号 or by title."""
        return self.number_in(text) or self.document_named_in(text)

    def document_named_in(self, text: str) -> tuple[str, str] | None:
        """(doc_id, title) of the document whose title (or notice title) the text quotes, longest title first."""
        norm = normalize(text)
        for title, doc_id in self._titles:
            if title in norm:
                return doc_id, title
        return None

    def clauses_at(self, path: str, doc_ids: Iterable[str] = ()) -> list[ClauseKey]:
        """Clauses numbered `path` ('三（二）', '第十条'), in the given documents or in all, in reading order."""
        return self._in_reading_order(_entries_under(self._by_path, [normalize(path)], doc_ids), doc_ids)

    def clauses_headed(self, topic: str, doc_ids: Iterable[str] = ()) -> list[ClauseKey]:
        """Clauses whose heading is the topic, contains it (3+ characters) or is contained in it (4+)."""
        topic = normalize(topic)
        if len(topic) < 2:
            return []
        headings = {topic} if topic in self._by_heading else set()
        if len(topic) >= 3:
            headings |= self._headings_containing(topic)
        headings |= self._headings_inside(topic)
        return self._in_reading_order(_entries_under(self._by_heading, headings, doc_ids), doc_ids)

    def clauses_named_in(self, text: str, doc_ids: Iterable[str] = ()) -> list[ClauseKey]:
        """Clauses whose heading (4+ characters) the text quotes word for word, the longest heading first."""
        headings = sorted(self._headings_inside(normalize(text)), key=len, reverse=True)
        keys: list[ClauseKey] = []
        for heading in headings:
            keys += self._in_reading_order(_entries_under(self._by_heading, [heading], doc_ids), doc_ids)
        return keys

    def clauses_defining(self, term: str, doc_ids: Iterable[str] = ()) -> list[ClauseKey]:
        """Clauses that say what the term is ("…是指…"), in reading order."""
        return self._in_reading_order(_entries_under(self._by_term, [normalize(term)], doc_ids), doc_ids)

    def units_in(self, text: str) -> list[tuple[str, list[str]]]:
        """The units the text mentions: (the name as written, the units as the documents name them), longest
        names first. "财政局" stands for every unit so named at any level ("市财政局", "县财政局"), "住建局" for
        "市住房城乡建设局"."""
        rest = normalize(text)
        found = []
        for name in self._unit_names:
            if name in rest:
                found.append((name, self._units_by_key[_unit_key(name)]))  # 市发改委 also as 市发展改革委
                rest = rest.replace(name, "\0")
        for alias, names in self._unit_aliases:
            if alias in rest:
                found.append((alias, names))
                rest = rest.replace(alias, "\0")
        return found

    def units_named(self, name: str) -> list[str]:
        """The units of the documents that a unit's name stands for: the same unit written in full or short
        (市发改委 and 市发展改革委 are one unit), and for a name without its level ("财政局") the unit at every level
        ("市财政局", "县财政局"). Names as the catalog keeps them (normalised), for duties_of."""
        key = _unit_key(normalize(name))
        found = self._units_by_key.get(key, [])
        if not found and not UNIT_LEVEL_RE.match(key):
            found = self._units_by_bare_key.get(key, [])
        return list(found)

    def duties_of(self, units: Iterable[str], doc_ids: Iterable[str] = ()) -> list[tuple[ClauseKey, str]]:
        """The clauses naming any of the units as 牵头单位 (LEAD) or 责任单位 (RESPONSIBLE), in reading order."""
        named = _entries_under(self._by_unit, [normalize(unit) for unit in units], doc_ids)
        roles = {(d, c): role for d, c, role in named if role == LEAD}
        for d, c, role in named:
            roles.setdefault((d, c), role)
        return [(key, roles[key]) for key in self._in_reading_order(roles, doc_ids)]

    def _headings_inside(self, text: str) -> set[str]:
        """Headings of 4+ characters that are substrings of the text (each of its substrings looked up once)."""
        return {
            text[i:j]
            for i in range(len(text))
            for j in range(i + 4, min(len(text), i + MAX_HEADING_CHARS) + 1)
            if text[i:j] in self._by_heading
        }

    def _headings_containing(self, topic: str) -> set[str]:
        found = set()
        at = self._heading_text.find(topic)
        while at != -1:
            n = bisect.bisect_right(self._heading_starts, at) - 1
            found.add(self._heading_keys[n])
            at = self._heading_text.find(topic, self._heading_starts[n] + len(self._heading_keys[n]) + 1)
        return found


def _entries_under(table: ByDocument, keys: Iterable[str], doc_ids: Iterable[str] = ()) -> list:
    """The entries under these keys, of the given documents or of all."""
    wanted = list(dict.fromkeys(doc_ids))
    found = []
    for key in keys:
        by_doc = table.get(key, {})
        for entries in by_doc.values() if not wanted else (by_doc.get(d, ()) for d in wanted):
            found += entries
    return found
