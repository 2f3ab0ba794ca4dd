"""The task ledger (任务分工台账): every task clause of the chosen documents, or of one unit, with its 牵头单位,
责任单位 and the deadlines its text states, as the rows a supervision office (督查督办) tracks; written as CSV, Excel
or JSON.

Nothing is guessed: a row is a clause whose parse names its units (a "(牵头单位:…)" clause or a task table row), and
a unit's rows are found through the catalog, which knows 市发改委 and 市发展改革委 for one unit.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from policybot.document import Clause, Document, is_table_row, normalize
from policybot.errors import InputError
from policybot.ingest.tables import DEADLINE, column_of
from policybot.retrieve.catalog import Catalog

FORMATS = ("csv", "xlsx", "json")
SUMMARY_CHARS = 60
SENTENCE_RE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_DATE = r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
_PART = r"(?:底|末|上半年|下半年|第[一二三四]季度)"
DEADLINE_RE = re.compile(
    rf"(?:到|至|截至|截止到?)\s*{_DATE}{_PART}?(?:前|以前|之前)?"  # 到2022年底, 截至2021年6月
    rf"|{_DATE}{_PART}?(?:前|以前|之前)|{_DATE}{_PART}"  # 2020年9月底前, 2021年底
    # as a deadline of its own ("完成时限：长期坚持", "…，持续推进。"), not as the verb of a task ("持续推进改革")
    r"|(?:长期坚持|持续推进|长期推进|常态化推进|持续开展|长期开展)(?![\u4e00-\u9fff])"
)
MAX_UNIT_CHARS = 60
# the ledger's columns as a spreadsheet shows them: (header, width in characters)
COLUMNS = (
    ("序号", 6),
    ("文号", 22),
    ("文件名称", 30),
    ("条款", 14),
    ("标题", 24),
    ("任务摘要", 48),
    ("牵头单位", 26),
    ("责任单位", 40),
    ("完成时限", 18),
)
SHEET_TITLE = "任务分工台账"
FORMULA_START = ("=", "+", "-", "@")  # a spreadsheet would run a cell starting so as a formula


@dataclass(frozen=True, slots=True)
class TaskEntry:
    """One row of the ledger: a task clause, where it is, what it asks, who leads, who takes part, by when."""

    doc_id: str
    doc_title: str
    doc_number: str
    clause_id: str
    clause_path: str
    heading: str
    summary: str
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    deadlines: tuple[str, ...]

    def to_json(self) -> dict:
        """The row as `policybot tasks --format json` prints it."""
        return {
            "doc_number": self.doc_number,
            "doc_title": self.doc_title,
            "doc_id": self.doc_id,
            "clause_id": self.clause_id,
            "clause_path": self.clause_path,
            "heading": self.heading,
            "summary": self.summary,
            "lead_units": list(self.lead_units),
            "responsible_units": list(self.responsible_units),
            "deadlines": list(self.deadlines),
        }

    def cells(self, number: int) -> list[str]:
        """The row's cells under COLUMNS, `number` being its 序号 in the ledger."""
        return [
            str(number),
            self.doc_number,
            self.doc_title,
            self.clause_path,
            self.heading,
            self.summary,
            "、".join(self.lead_units),
            "、".join(self.responsible_units),
            "；".join(self.deadlines),
        ]


def _row_columns(clause: Clause) -> list[tuple[str, str]]:
    """(role, cell) of each of a table row's other columns (完成时限, 责任领导…); none for another clause."""
    if not is_table_row(clause):
        return []
    return [column for line in clause.text.split("\n") if (column := column_of(line)) is not None]


def deadlines_of(clause: Clause) -> tuple[str, ...]:
    """The deadlines a task states: its table's 完成时限 cell, then those in its text ("到2022年底", "长期坚持")."""
    found = [cell for role, cell in _row_columns(clause) if role == DEADLINE]
    for m in DEADLINE_RE.finditer(clause.text):
        if not any(m.group(0) in known for known in found):
            found.append(m.group(0))
    return tuple(found)


def summary_of(clause: Clause) -> str:
    """The task in one line: the first sentence of its text after its heading (for a table row, of its task cells),
    cut at SUMMARY_CHARS; the heading when the text says nothing more."""
    lines = clause.text.split("\n")
    if is_table_row(clause):  # its task cells, not its other columns ("完成时限：长期坚持")
        lines = [line for line in lines if column_of(line) is None]
    heading = normalize(clause.heading).rstrip("。；;")
    sentences = [s.strip() for line in lines for s in SENTENCE_RE.findall(line) if s.strip()]
    first = next((s for s in sentences if normalize(s).rstrip("。；;！!？?") != heading), "") or clause.heading
    return first if len(first) <= SUMMARY_CHARS else first[: SUMMARY_CHARS - 1] + "…"


def task_entries(doc: Document, clause_ids: Iterable[str] | None = None) -> list[TaskEntry]:
    """The task clauses of a document (those of `clause_ids` only, when given) as ledger rows, in reading order."""
    wanted = set(clause_ids) if clause_ids is not None else None
    return [
        TaskEntry(
            doc_id=doc.doc_id,
            doc_title=doc.title,
            doc_number=doc.doc_number,
            clause_id=c.id,
            clause_path=c.path,
            heading=c.heading,
            summary=summary_of(c),
            lead_units=c.lead_units,
            responsible_units=c.responsible_units,
            deadlines=deadlines_of(c),
        )
        for c in doc.clauses
        if c.has_units and (wanted is None or c.id in wanted)
    ]


def resolve_document(name: str, documents: Mapping[str, Document], catalog: Catalog) -> str:
    """The id of the document a user names by doc_id, 文号 (any brackets) or title (whole or a unique part of it);
    InputError naming what matched nothing, or what matched several."""
    if name in documents:
        return name
    by_number = catalog.document_by_number(name)
    if by_number is not None:
        return by_number
    wanted = normalize(name).strip("《》")
    titled = [d for d, doc in documents.items() if wanted in (normalize(doc.title), normalize(doc.notice_title))]
    if not titled and len(wanted) >= 2:
        titled = [d for d, doc in documents.items() if wanted in normalize(doc.title)]
    if len(titled) == 1:
        return titled[0]
    if titled:
        names = "；".join(f"《{documents[d].title}》{documents[d].doc_number}" for d in titled[:5])
        raise InputError(
            f"文件「{name}」对应 {len(titled)} 个文件：{names}。请写明文号 (--doc matches several documents)"
        )
    raise InputError(f"没有找到文件「{name}」：请用文号、文件 id 或标题 (--doc: no such document)")


def ledger(
    documents: Mapping[str, Document], catalog: Catalog, doc_names: Sequence[str] = (), unit: str = ""
) -> list[TaskEntry]:
    """The ledger of the named documents (all, newest first, when none is named), of one unit's tasks when a unit
    is given (as 牵头单位 or 责任单位, under any name the documents give it); InputError for an unknown document or
    a unit no document names."""
    if doc_names:
        doc_ids = list(dict.fromkeys(resolve_document(n, documents, catalog) for n in doc_names))
    else:
        doc_ids = sorted(documents, key=lambda d: (documents[d].date, d), reverse=True)
    unit = unit.strip()
    if not unit:
        return [e for d in doc_ids for e in task_entries(documents[d])]
    by_doc: dict[str, set[str]] = {}
    for (doc_id, clause_id), _ in catalog.duties_of(units_named(unit, catalog), doc_ids):
        by_doc.setdefault(doc_id, set()).add(clause_id)
    return [e for d in doc_ids if d in by_doc for e in task_entries(documents[d], by_doc[d])]


def units_named(unit: str, catalog: Catalog) -> list[str]:
    """The units of the documents a unit's name stands for (市发改委: 市发改委 and 市发展改革委); InputError naming
    the unit when no document names it, or when the name is too long to be one."""
    if len(unit) > MAX_UNIT_CHARS:
        raise InputError(
            f"单位名称过长：{len(unit)} 字，上限 {MAX_UNIT_CHARS} 字 (--unit is {len(unit)} chars; limit {MAX_UNIT_CHARS})"
        )
    names = catalog.units_named(unit)
    if not names:
        raise InputError(
            f"没有文件以「{unit}」为牵头单位或责任单位：请用文件中的单位名称，如“市财政局” (--unit: no task names this unit)"
        )
    return names


# --- files ---------------------------------------------------------------------------------------------------------


def _inert(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def ledger_csv(entries: Sequence[TaskEntry]) -> bytes:
    """The ledger as CSV with Chinese headers, UTF-8 with a BOM (so Excel and WPS read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _ in COLUMNS])
    for number, entry in enumerate(entries, 1):
        writer.writerow([_inert(cell) for cell in entry.cells(number)])
    return out.getvalue().encode("utf-8-sig")


def ledger_json(entries: Sequence[TaskEntry]) -> bytes:
    """The ledger as a JSON list of rows (Chinese as is)."""
    return (json.dumps([e.to_json() for e in entries], ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def ledger_xlsx(entries: Sequence[TaskEntry]) -> bytes:
    """The ledger as an Excel workbook: Chinese headers in bold, the header row frozen and filterable, columns wide
    enough to read, long cells wrapped."""
    from openpyxl import Workbook  # imported when a workbook is written: the app should not wait for it to start
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, (header, width) in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    for number, entry in enumerate(entries, 1):
        sheet.cell(row=number + 1, column=1, value=number).alignment = wrap
        for col, value in enumerate(entry.cells(number)[1:], 2):
            # control characters are not allowed in a workbook; they show nothing in a document either
            cell = sheet.cell(row=number + 1, column=col, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # text, never a formula, even when it starts with "="
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(entries) + 1}"
    sheet.print_title_rows = "1:1"
    book.properties.creator = "PolicyBot"
    book.properties.title = SHEET_TITLE
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger_file(entries: Sequence[TaskEntry], fmt: str) -> bytes:
    """The ledger in one of FORMATS; InputError naming the format otherwise."""
    writers = {"csv": ledger_csv, "xlsx": ledger_xlsx, "json": ledger_json}
    if fmt not in writers:
        raise InputError(
            f"不支持的格式 {fmt}，可用：{'、'.join(FORMATS)} (--format must be one of {', '.join(FORMATS)})"
        )
    return writers[fmt](entries)
