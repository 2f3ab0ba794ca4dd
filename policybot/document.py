"""The data model every stage shares: a parsed Document, its Clauses and the References it cites, and the
helpers that read them (normalising for matching, 文号 in official form, Chinese numerals)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}

# 文号: issuer abbreviation + year in any bracket variant + serial 号
DOC_NUMBER_RE = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*(\d{1,5})\s*号")
ROW_PATH_RE = re.compile(r" 第[\d.]+项$")  # a task table row's path, "附件1 第3项" (a row's key is its 序号)


@dataclass(frozen=True, slots=True)
class Reference:
    """A document this one cites: 《title》 and its 文号 when the text gives one."""

    title: str
    doc_number: str = ""


@dataclass(frozen=True, slots=True)
class Clause:
    """One numbered part of a document, with where it sits and who carries it out."""

    id: str
    number: str
    path: str
    heading: str
    text: str
    level: int
    parent_id: str | None = None
    heading_path: tuple[str, ...] = ()
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    units_note: str = ""
    # what the clause is: notice, preamble, paragraph (of an unnumbered text), part (一、), section (（一）),
    # item (1. or （1）), dash (——), chapter (编/章/节) or article (第X条, whose heading is its first sentence)
    kind: str = ""

    @property
    def has_units(self) -> bool:
        """True when the clause names its 牵头单位 or 责任单位."""
        return bool(self.lead_units or self.responsible_units)

    @property
    def has_text(self) -> bool:
        """False for a heading-only clause (a part, chapter or section whose content is in the clauses under it)."""
        return bool(self.text.strip())

    @property
    def titled(self) -> bool:
        """True when the heading is a title the document gave the clause (not an article's or paragraph's opening)."""
        return bool(self.heading) and self.kind not in ("article", "paragraph")


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed policy document: metadata plus clauses in reading order."""

    doc_id: str
    source: str
    title: str
    doc_number: str = ""
    issuer: str = ""
    date: str = ""
    addressees: tuple[str, ...] = ()
    notice_title: str = ""
    validity: str = "未标注"
    validity_note: str = ""
    validity_basis: Reference | None = None
    references: tuple[Reference, ...] = ()
    truncated: bool = False
    clauses: tuple[Clause, ...] = field(default_factory=tuple)
    source_url: str = ""
    # what the source site says about the document (its banner, "USHUI.NET®提示…现行有效"): metadata, not its text
    source_note: str = ""
    # how the text was read, and what could not be found in it ("标题取自文件名", "未找到文号")
    notes: tuple[str, ...] = ()

    def clause(self, clause_id: str) -> Clause:
        """The clause with this id; KeyError names the id when there is none."""
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(f"{self.doc_id}: no clause {clause_id!r}")

    def children(self, clause_id: str | None) -> list[Clause]:
        """Direct sub-clauses of a clause (None: the top level)."""
        return [c for c in self.clauses if c.parent_id == clause_id]


def normalize(text: str) -> str:
    """NFKC and collapsed whitespace, for matching only (never for display)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def normalize_doc_number(text: str) -> str:
    """A 文号 in the official form 〔year〕, whatever brackets or spaces it was written with."""
    m = DOC_NUMBER_RE.search(text)
    if not m:
        return ""
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"


def cn_to_int(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; digits pass through."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
    return total + current


def int_to_cn(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (up to 99), the way headings are numbered."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def is_table_row(clause: Clause) -> bool:
    """True for a task read from a row of a task table (cited "附件1 第3项"), whose text is its task cells followed
    by its other columns as "列名：内容" lines."""
    return bool(ROW_PATH_RE.search(clause.path))
