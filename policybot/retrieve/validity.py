"""Validity you can trust: whether each document is in force, read from the corpus itself.

A document that says another "同时废止 / 予以废止 / 不再执行" repeals it; one that says it "自…起施行，有效期…年" sets its
own period; of two versions of one document (the same title) the earlier is 已被修订. Without any of these the
document keeps the validity its source states (a site's banner, a sidecar). This is corpus-level state: it is
computed from the parsed documents whenever an index is opened or built, never stored in a document."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from policybot.document import Document, cn_to_int, normalize
from policybot.retrieve.links import DATE_TEXT, REPEALS, SENTENCE_RE, CorpusLinks, Link, iso_date, version_date

CURRENT, REPEALED, EXPIRED, NOT_YET, REVISED = "现行有效", "已废止", "已失效", "尚未施行", "已被修订"
# statuses under which a document is no longer (or not yet) the one to quote; the others (未标注, 部分失效, 已修改)
# still count as in force
NOT_CURRENT = frozenset({REPEALED, "废止", EXPIRED, "失效", REVISED, NOT_YET, "尚未生效"})
START_RE = re.compile(r"自\s*(" + DATE_TEXT + r"|(?:印发|发布|公布|颁布)之日)\s*起\s*(?:施行|实施|执行|生效)")
YEARS_RE = re.compile(r"有效期(?:为|限为)?\s*([一二两三四五六七八九十\d]{1,3})\s*年")
UNTIL_RE = re.compile(r"有效期至\s*" + DATE_TEXT)
# a title written with its version: "中华人民共和国慈善法（2023年修正）"
VERSION_SUFFIX_RE = re.compile(r"[(（]\s*\d{4}\s*年?\s*(?:修订|修正|修改)?(?:版|本)?\s*[)）]$")
REVISION_RE = re.compile(r"修订|修正|修改")


@dataclass(frozen=True, slots=True)
class Validity:
    """Whether a document is in force, and on what basis: the sentence that says so and the document saying it."""

    doc_id: str
    status: str
    note: str = ""  # where the status comes from, in words a reader can check
    basis_sentence: str = ""
    basis_doc_id: str = ""  # the document whose sentence decides ('' for the source's banner or a sidecar)
    since: str = ""  # ISO date from which the status holds (the repeal's or the expiry's date), when known
    effective_from: str = ""
    expires: str = ""
    current_version: str = ""  # for an earlier version (已被修订): the doc id of the version in force

    @property
    def is_current(self) -> bool:
        """False for a repealed, expired, revised or not yet effective document."""
        return is_current(self.status)

    def to_json(self) -> dict:
        """The validity as `policybot show --json` prints it."""
        return dataclasses.asdict(self)


def is_current(status: str) -> bool:
    """True unless the status says the document is repealed, expired, revised or not yet effective."""
    return status not in NOT_CURRENT


def corpus_validity(documents: Mapping[str, Document], links: CorpusLinks, today: date) -> dict[str, Validity]:
    """Each document's validity on `today`: repeals by other documents first, then revisions (a later version),
    then the document's own period, else what its source states."""
    result = {doc_id: _stated(doc) for doc_id, doc in documents.items()}
    for doc_id, doc in documents.items():
        own = _own_period(doc, today)
        if own is not None:
            result[doc_id] = own
    for doc_id, later in _later_versions(documents, links).items():
        result[doc_id] = _revised(documents[doc_id], documents[later], links, result[doc_id])
    for link in links.links():
        if link.relation == REPEALS and link.doc_id != link.citing_doc_id and _older(link, links):
            repeal = _repealed(link, documents[link.citing_doc_id], today)
            if repeal is not None:
                result[link.doc_id] = dataclasses.replace(repeal, effective_from=result[link.doc_id].effective_from)
    return result


def _older(link: Link, links: CorpusLinks) -> bool:
    """True unless the repealed document is a later version than the one repealing it (which cannot be meant)."""
    repealed, repealing = links.made(link.doc_id), links.made(link.citing_doc_id)
    return not repealed or not repealing or repealed <= repealing


def _stated(doc: Document) -> Validity:
    return Validity(doc.doc_id, doc.validity, doc.validity_note)


def effective_period(doc: Document) -> tuple[str, str, str]:
    """(effective from, expires, the sentence saying so) as the document states them ('' when it does not)."""
    for clause in reversed(doc.clauses):  # the closing clause states it; an earlier one may quote another's period
        for m in SENTENCE_RE.finditer(clause.text):
            sentence = m.group(0).strip()
            if not sentence.startswith("本"):
                continue  # "本办法自…起施行": a period of something else (居住证有效期为1年) is not the document's
            start = START_RE.search(sentence)
            until = UNTIL_RE.search(sentence)
            years = YEARS_RE.search(sentence)
            if not (start or until or years):
                continue
            begin = _start_date(start, doc) if start else doc.date
            return begin, _expiry(begin, years, until), sentence
    return "", "", ""


def _start_date(m: re.Match[str], doc: Document) -> str:
    if m.group(2):
        return _iso(m.group(2), m.group(3), m.group(4))
    return doc.date  # 自印发之日起


def _expiry(begin: str, years: re.Match[str] | None, until: re.Match[str] | None) -> str:
    if until:
        return _iso(*until.groups())
    if years and begin:
        start = date.fromisoformat(begin)
        end_year = start.year + cn_to_int(years.group(1))
        # the period's last day is the day before its anniversary (29 February has none: 28 February)
        anniversary = start.replace(year=end_year, day=min(start.day, 28) if start.month == 2 else start.day)
        return date.fromordinal(anniversary.toordinal() - 1).isoformat()
    return ""


def _iso(year: str, month: str, day: str) -> str:
    return iso_date(year, month, day)


def _own_period(doc: Document, today: date) -> Validity | None:
    """尚未施行 before the stated start, 已失效 after the stated period, else 现行有效 (None: the text says nothing)."""
    begin, expires, sentence = effective_period(doc)
    if not sentence:
        return None
    period = Validity(doc.doc_id, CURRENT, effective_from=begin, expires=expires, basis_sentence=sentence)
    today_iso = today.isoformat()
    if begin and today_iso < begin:
        return dataclasses.replace(period, status=NOT_YET, note=f"本文件自{begin}起施行")
    if expires and today_iso > expires:
        return dataclasses.replace(period, status=EXPIRED, since=expires, note=f"有效期至{expires}，已届满")
    if doc.validity != "未标注" and not expires:
        return None  # a start date alone says nothing against what the source states (部分失效, 已修改…)
    note = f"自{begin}起施行" + (f"，有效期至{expires}" if expires else "")
    return dataclasses.replace(period, note=note)


def version_key(title: str) -> str:
    """A title for finding versions of one document: normalised, without a "（2023年修正）" suffix."""
    return VERSION_SUFFIX_RE.sub("", normalize(title))


def _later_versions(documents: Mapping[str, Document], links: CorpusLinks) -> dict[str, str]:
    """Earlier version → the version in force, for documents sharing a title and made on different dates."""
    groups: dict[str, list[tuple[str, Document]]] = {}
    for doc in documents.values():
        made = links.made(doc.doc_id)
        if doc.title and made:
            groups.setdefault(version_key(doc.title), []).append((made, doc))
    later: dict[str, str] = {}
    for versions in groups.values():
        versions.sort(key=lambda v: (v[0], v[1].doc_id))
        newest_date, newest = versions[-1]
        for made, doc in versions[:-1]:
            if made < newest_date:
                later[doc.doc_id] = newest.doc_id
    return later


def _revised(doc: Document, newest: Document, links: CorpusLinks, before: Validity) -> Validity:
    """The earlier version marked 已被修订, citing the sentence of the later one that says so when it has one."""
    sentence = next(
        (link.sentence for link in links.references(newest.doc_id) if link.doc_id == doc.doc_id),
        "",
    ) or _revision_line(newest)
    number = f"（{newest.doc_number}）" if newest.doc_number else ""
    made = version_date(newest)
    return Validity(
        doc.doc_id,
        REVISED,
        note=f"已被{made}的《{newest.title}》{number}修订，现行版本为后者",
        basis_sentence=sentence,
        basis_doc_id=newest.doc_id,
        since=made,
        effective_from=before.effective_from,
        current_version=newest.doc_id,
    )


def _revision_line(doc: Document) -> str:
    """A law's history line saying it was revised or amended ("2023年12月29日…修正"), '' when there is none."""
    for clause in doc.clauses[:3]:
        for m in SENTENCE_RE.finditer(clause.text):
            if REVISION_RE.search(m.group(0)):
                return m.group(0).strip()
    return ""


def _repealed(link: Link, repealing: Document, today: date) -> Validity | None:
    """已废止 by the repealing document, from the day it takes effect (None while it is not yet in force)."""
    begin, _, _ = effective_period(repealing)
    since = begin or repealing.date
    if since and today.isoformat() < since:
        return None
    number = f"（{repealing.doc_number}）" if repealing.doc_number else ""
    return Validity(
        link.doc_id,
        REPEALED,
        note=f"依据《{repealing.title}》{number}",
        basis_sentence=link.sentence,
        basis_doc_id=repealing.doc_id,
        since=since,
    )


def warning(validity: Validity, title: str) -> str:
    """What an answer citing a document no longer in force must say: "该文件已于…废止（依据…）"."""
    when = f"于{validity.since}" if validity.since else ""
    basis = f"：“{validity.basis_sentence}”" if validity.basis_sentence else ""
    if validity.status == REPEALED:
        return f"注意：《{title}》已{when}废止（{validity.note}{basis}），以下内容仅供参考。"
    if validity.status == EXPIRED:
        return f"注意：《{title}》已{when}失效（{validity.note}），以下内容仅供参考。"
    if validity.status == REVISED:
        return f"注意：《{title}》{validity.note}，以下为旧版本内容。"
    if validity.status == NOT_YET:
        return f"注意：《{title}》尚未施行（{validity.note}）。"
    return f"注意：《{title}》的效力状态为{validity.status}（{validity.note}）。"


def apply(
    documents: Mapping[str, Document],
    validity: Mapping[str, Validity],
    before: Mapping[str, Document] | None = None,
    shown_before: Mapping[str, Document] | None = None,
) -> dict[str, Document]:
    """The documents as readers see them: each with its validity from the corpus. A document whose text and
    validity did not change since `before` (shown then as in `shown_before`) is the same object as then, so that
    what was built from it (the catalog's entries) is reused."""
    before, shown_before = before or {}, shown_before or {}
    shown: dict[str, Document] = {}
    for doc_id, doc in documents.items():
        v = validity[doc_id]
        old = shown_before.get(doc_id)
        if v.status == doc.validity and v.note == doc.validity_note:
            shown[doc_id] = doc
        elif before.get(doc_id) is doc and old is not None and (old.validity, old.validity_note) == (v.status, v.note):
            shown[doc_id] = old
        else:
            # the note names the deciding document; the source's basis no longer holds
            shown[doc_id] = dataclasses.replace(doc, validity=v.status, validity_note=v.note, validity_basis=None)
    return shown
