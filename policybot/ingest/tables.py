"""Tables in a document's text: a task table (序号 | 工作任务 | 牵头单位 | 责任单位 | 完成时限) read row by row into
tasks with their units (their 完成时限 and other columns kept in their text as "列名：内容" lines, which column_of reads
back); any other table (figures, a list of towns) left as rows of text.

The loaders write a table row as one line, every cell of the grid joined by " | " (empty ones too, so columns stay
in place); text files may separate columns by "|", tabs or runs of two or more spaces. A task table is known by its
header, not by exact column names: a column says what is to be done (任务, 内容, 措施…) and a column says who does it
(牵头…, 责任单位, 配合单位…); the header may take two rows (责任单位 over 牵头单位 | 配合单位), 序号 may be missing, and
a row of one merged cell ("一、优化营商环境") names the group of the rows below it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from policybot.ingest.units import labelled_units, split_units

PIPE_RE = re.compile(r"[|｜]")
SPACES_RE = re.compile(r"[ \u3000]{2,}")
SEPARATOR_ROW_RE = re.compile(r"^[\s|｜:：\-—–]+$")  # Markdown's |---|:---| line under a header
CELL_UNIT_SEPARATORS = (
    "、,，;；/ \u3000\t"  # units in a cell: listed with 、 or ； or one per paragraph (joined by spaces)
)
LEAD_MARK_RE = re.compile(r"\s*[(（]\s*牵头\s*[)）]\s*$")  # "市财政局（牵头）" in a 责任单位 cell
CN_NUMERAL_RE = re.compile(r"^[(（]?[一二三四五六七八九十]{1,3}[)）、.．]?$")
TASK_NUMBER_RE = re.compile(r"^[(（]?\s*(\d{1,3}(?:\.\d{1,3})*)\s*[)）.．、]?$")
MAX_HEADER_CELL_CHARS = 12  # a longer cell is data, not a column name
MAX_HEADER_ROWS = 3
MAX_CAPTION_ROWS = 2
MAX_PAGE_BREAK_LINES = 2
PAGE_NUMBER_RE = re.compile(r"^[-—－–\s]*(?:第\s*)?\d{1,4}\s*(?:页|/\s*\d{1,4})?[-—－–\s]*$")
MAX_CATEGORY_CHARS = 40  # a line without separators inside a text table is a group name only when this short

NUMBER, TASK, LEAD, RESPONSIBLE, DEADLINE, GROUP, DETAIL = (
    "number",
    "task",
    "lead",
    "responsible",
    "deadline",
    "group",
    "",
)
# a column's role from its name; the first pattern that matches decides ("牵头单位" is LEAD before it is anything else)
ROLE_PATTERNS = (
    (NUMBER, re.compile(r"^(序号|编号|序|项次|No\.?)$", re.IGNORECASE)),
    (DETAIL, re.compile(r"领导|责任人|联系人")),  # people, not units
    (LEAD, re.compile(r"牵头|主责|主办")),
    (RESPONSIBLE, re.compile(r"责任单位|责任部门|责任主体|配合|协办|协同|参与|实施单位|实施主体|承办|责任处室")),
    (DEADLINE, re.compile(r"时限|时间|期限|进度|节点|日期")),
    (GROUP, re.compile(r"类别|类型|领域|分类|板块|方面")),
    (TASK, re.compile(r"任务|内容|事项|措施|举措|工作|项目|目标|要求|名称")),
)


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One row of a task table: what is to be done, who leads, who takes part, by when, under which group."""

    key: str  # what the row is numbered by: its 序号 ("3"), or its place among the table's tasks when 序号 is missing
    number: str  # the 序号 as written ("3", "（3）"), or ""
    title: str  # the first task column when the table has several ("重点任务 | 具体措施"), else ""
    text: str  # the task columns, then the others as "列名：内容" lines (完成时限 among them)
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    units_note: str  # the unit cells as written: "牵头单位：…；责任单位：…"
    group: str  # the group row above it ("一、优化营商环境"), or ""


@dataclass(frozen=True, slots=True)
class Table:
    """Lines start..end (end excluded) of a body that form one table; tasks when it is a task table."""

    start: int
    end: int
    tasks: tuple[TaskRow, ...]
    other_lines: tuple[str, ...]  # the lines that are no task (caption, header, group rows), in order
    continued: bool = False  # the task table before it, continued after a page break (no header of its own)


@dataclass(frozen=True, slots=True)
class _Column:
    role: str
    name: str


def find_tables(lines: Sequence[str]) -> list[Table]:
    """The tables among a body's lines, in order: every run of "|" rows, and text tables whose header names tasks."""
    tables: list[Table] = []
    columns: list[_Column] | None = None  # those of the last task table, for its continuation on the next page
    counted = 0  # tasks of the last task table so far (with its continuations)
    i = 0
    while i < len(lines):
        after_task_table = bool(tables and tables[-1].tasks and _is_page_break(lines[tables[-1].end : i]))
        follows = (columns, counted) if after_task_table and columns is not None else None
        end = _pipe_block_end(lines, i)
        # one row is no table, unless it is the last row of a task table, alone on the next page
        rows = _pipe_rows(lines[i:end]) if end - i >= (1 if follows else 2) else None
        if rows is None:
            end = _text_block_end(lines, i)
            rows = _text_rows(lines[i:end]) if end > i else None
        if rows is None:
            i += 1
            continue
        table, columns = _read_table(lines, i, end, rows, follows)
        counted = (counted if table.continued else 0) + len(table.tasks)
        tables.append(table)
        i = end
    return tables


def _is_page_break(gap: Sequence[str]) -> bool:
    """Lines between two tables that a page turn puts there (nothing, or a page number such as "- 3 -")."""
    return len(gap) <= MAX_PAGE_BREAK_LINES and all(PAGE_NUMBER_RE.match(line) for line in gap)


# --- rows and cells ----------------------------------------------------------------------------------------------


def _is_pipe_row(line: str) -> bool:
    return bool(PIPE_RE.search(line))


def _pipe_block_end(lines: Sequence[str], start: int) -> int:
    """End of the run of "|" rows at `start`; a group's name alone on a line between two rows belongs to it."""
    end = start
    while end < len(lines) and (_is_pipe_row(lines[end]) or end > start and _is_group_between(lines, end)):
        end += 1
    return end


def _is_group_between(lines: Sequence[str], at: int) -> bool:
    """A group's name alone on its line, with a table row after it."""
    return _is_category_line(lines[at]) and at + 1 < len(lines) and _is_pipe_row(lines[at + 1])


def _pipe_rows(block: Sequence[str]) -> list[list[str] | None]:
    """Cells of each "|" row (None for a Markdown separator row); | … | edges are dropped when every row has them."""
    edged = all(line.startswith(("|", "｜")) and line.endswith(("|", "｜")) for line in block if _is_pipe_row(line))
    rows: list[list[str] | None] = []
    for line in block:
        if SEPARATOR_ROW_RE.match(line) and "-" in line:
            rows.append(None)
            continue
        cells = [c.strip() for c in PIPE_RE.split(line)]
        rows.append(cells[1:-1] if edged and _is_pipe_row(line) else cells)
    return rows


def _split_text_row(line: str) -> list[str]:
    """A text table's cells: between tabs (exactly: two tabs hold an empty cell), else between runs of spaces."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return [c.strip() for c in SPACES_RE.split(line)]


def _text_block_end(lines: Sequence[str], start: int) -> int:
    """End of a tab- or space-separated table starting at `start` with a task header (start itself when there is none).

    Only a header that names tasks and units makes such lines a table: prose may hold double spaces too."""
    header = _split_text_row(lines[start])
    if len(header) < 3 or _columns([header]) is None:
        return start
    end = start + 1
    while end < len(lines):
        if len(_split_text_row(lines[end])) >= 2:
            end += 1
        elif _is_category_line(lines[end]) and end + 1 < len(lines) and len(_split_text_row(lines[end + 1])) >= 2:
            end += 1  # a group name between rows
        else:
            break
    return end if end - start >= 2 else start


def _is_category_line(line: str) -> bool:
    short = len(line) <= MAX_CATEGORY_CHARS and not line.endswith(("。", "；", ";"))
    return short and not PAGE_NUMBER_RE.match(line)


def _text_rows(block: Sequence[str]) -> list[list[str] | None]:
    width = len(_split_text_row(block[0]))
    header_starts = _cell_starts(block[0])
    rows: list[list[str] | None] = []
    for line in block:
        cells = _split_text_row(line)
        if 1 < len(cells) < width and "\t" not in line:
            cells = _aligned(line, cells, header_starts, width)
        rows.append(cells)
    return rows


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_starts(line: str) -> list[int]:
    """Where each space-separated cell starts on screen (wide characters count two columns)."""
    starts, at = [0], 0
    for m in SPACES_RE.finditer(line):
        at = m.end()
        starts.append(_display_width(line[:at]))
    return starts


def _aligned(line: str, cells: list[str], header_starts: list[int], width: int) -> list[str]:
    """A space-separated row missing cells, its cells placed under the header column each starts nearest to."""
    placed = [""] * width
    columns = [min(range(width), key=lambda c: abs(header_starts[c] - start)) for start in _cell_starts(line)]
    if len(set(columns)) < len(columns) or columns != sorted(columns):
        return cells + [""] * (width - len(cells))  # not laid out in columns after all: fill from the left
    for column, cell in zip(columns, cells, strict=True):
        placed[column] = cell
    return placed


def _fit(cells: list[str], width: int) -> list[str]:
    """A row with exactly `width` cells: short rows padded; extra cells (a "|" inside a cell) kept in the last one."""
    if len(cells) <= width:
        return cells + [""] * (width - len(cells))
    return cells[: width - 1] + [" | ".join(cells[width - 1 :])]


# --- the header ----------------------------------------------------------------------------------------------------


def _role(name: str) -> str | None:
    """The role a column name gives its column; None when the text is not a column name."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    if not key or len(key) > MAX_HEADER_CELL_CHARS:
        return None
    for role, pattern in ROLE_PATTERNS:
        if pattern.search(key):
            return role
    return None


def column_of(line: str) -> tuple[str, str] | None:
    """(role, cell) of a line in which a task row's text gives one of its other columns, as _task writes them
    ("完成时限：2022年6月底前" → (DEADLINE, "2022年6月底前")); None for a line of the task itself."""
    name, colon, cell = line.partition("：")
    role = _role(name) if colon else None
    return (role, cell) if role is not None and role != TASK else None


def _is_header_row(cells: list[str]) -> bool:
    names = {c for c in cells if c}
    named = sum(1 for c in names if _role(c) is not None)
    return named >= 2 and 2 * named >= len(names)


def _columns(header_rows: list[list[str]]) -> list[_Column] | None:
    """Each column's role, decided by its lowest name (责任单位 over 牵头单位: LEAD); None unless the header names a
    task column and a unit column."""
    width = max(len(r) for r in header_rows)
    columns = []
    for c in range(width):
        names = [r[c] for r in reversed(header_rows) if c < len(r) and r[c]]
        role = next((role for name in names if (role := _role(name)) is not None), DETAIL)
        name = next((name for name in names if _role(name) == role), names[0] if names else "")
        columns.append(_Column(role, name))
    roles = {c.role for c in columns}
    return columns if TASK in roles and roles & {LEAD, RESPONSIBLE} else None


def _distinct(cells: list[str]) -> list[str]:
    return list(dict.fromkeys(c for c in cells if c))


def _header(rows: list[list[str] | None]) -> tuple[int, int] | None:
    """(first, end) of the header rows, after at most two caption rows; None when there is no header."""
    start = 0
    while start < min(len(rows), MAX_CAPTION_ROWS + 1):
        row = rows[start]
        if row is not None and _is_header_row(row):
            break
        if row is not None and len(_distinct(row)) > 1:
            return None  # a data row before any header
        start += 1
    else:
        return None
    end = start
    while end < len(rows) and end - start < MAX_HEADER_ROWS and (rows[end] is None or _is_header_row(rows[end])):
        end += 1
    return start, end


# --- rows to tasks -------------------------------------------------------------------------------------------------


def _read_table(
    lines: Sequence[str],
    start: int,
    end: int,
    rows: list[list[str] | None],
    follows: tuple[list[_Column], int] | None,
) -> tuple[Table, list[_Column] | None]:
    """The table in lines start..end, and its columns when it is a task table. A table without a header right after
    a task table (`follows`: its columns and how many tasks it had) with as many columns is that table continued on
    the next page."""
    block = list(lines[start:end])
    found = _header(rows)
    columns = _columns([r for r in rows[found[0] : found[1]] if r is not None]) if found else None
    continued, before = False, 0
    if found is None and follows is not None and all(r is None or len(r) == len(follows[0]) for r in rows):
        found, (columns, before), continued = (0, 0), follows, True
    if found is None or columns is None:
        return Table(start, end, (), tuple(block)), None
    header_rows = {tuple(_fit(r, len(columns))) for r in rows[found[0] : found[1]] if r is not None}
    drafts: list[tuple[list[str], str]] = []  # (cells, group) of each task row
    other: list[str] = block[: found[1]]
    group = ""
    for line, row in zip(block[found[1] :], rows[found[1] :], strict=True):
        cells = _fit(row, len(columns)) if row is not None else None
        if cells is None or not any(cells) or tuple(cells) in header_rows:
            other.append(line)  # a separator, an empty row, the header repeated on a new page
            continue
        category = _category(cells, columns)
        if category:
            group = category
            other.append(line)
        elif any(cells[i] for i, c in enumerate(columns) if c.role in (TASK, LEAD, RESPONSIBLE)):
            drafts.append((cells, group))
        else:
            other.append(line)
    keys = _keys([_cell(cells, columns, NUMBER) for cells, _ in drafts], before)
    tasks = tuple(_task(cells, columns, group, key) for (cells, group), key in zip(drafts, keys, strict=True))
    return Table(start, end, tasks, tuple(other), continued), columns


def _cell(cells: list[str], columns: list[_Column], role: str) -> str:
    return next((cells[i] for i, c in enumerate(columns) if c.role == role and cells[i]), "")


def _category(cells: list[str], columns: list[_Column]) -> str:
    """The group a row names ("一、优化营商环境"): one merged cell, or a 序号 like 一 with a name and no units."""
    values = _distinct(cells)
    if len(values) == 1:
        return values[0]
    number = _cell(cells, columns, NUMBER)
    unitless = not any(cells[i] for i, c in enumerate(columns) if c.role in (LEAD, RESPONSIBLE, DEADLINE))
    if number and CN_NUMERAL_RE.match(number) and unitless:
        rest = " ".join(cells[i] for i, c in enumerate(columns) if c.role != NUMBER and cells[i])
        return f"{number}{'、' if number[-1] not in '、.．)）' else ''}{rest}"
    return ""


def _keys(numbers: list[str], before: int) -> list[str]:
    """Each task's number for "第3项": its 序号 when every task has a distinct one, else its place in the table
    (after the `before` tasks of the page before, for a continued table)."""
    digits = [m.group(1) if (m := TASK_NUMBER_RE.match(n)) else "" for n in numbers]
    if all(digits) and len(set(digits)) == len(digits):
        return digits
    return [str(i) for i in range(before + 1, before + len(numbers) + 1)]


def _units(cells: list[str], columns: list[_Column]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(lead, responsible) from the unit columns; with no 牵头 column, a unit marked "（牵头）" leads."""
    lead: list[str] = []
    responsible: list[str] = []
    has_lead_column = any(c.role == LEAD for c in columns)
    for cell, column in zip(cells, columns, strict=True):
        if column.role not in (LEAD, RESPONSIBLE) or not cell:
            continue
        labelled = labelled_units(cell)
        if labelled is not None:  # "牵头单位：市财政局；责任单位：市税务局" in one cell
            lead += labelled[0]
            responsible += labelled[1]
            continue
        for unit in split_units(cell, separators=CELL_UNIT_SEPARATORS):
            if column.role == LEAD:
                lead.append(unit)
            elif not has_lead_column and LEAD_MARK_RE.search(unit):
                lead.append(LEAD_MARK_RE.sub("", unit))
            else:
                responsible.append(unit)
    return tuple(dict.fromkeys(lead)), tuple(dict.fromkeys(u for u in responsible if u not in lead))


def _task(cells: list[str], columns: list[_Column], group: str, key: str) -> TaskRow:
    tasks = [cells[i] for i, c in enumerate(columns) if c.role == TASK and cells[i]]
    extra = [
        f"{c.name}：{cells[i]}" if c.name else cells[i]
        for i, c in enumerate(columns)
        if c.role in (DETAIL, DEADLINE, GROUP) and cells[i]
    ]
    note = "；".join(
        f"{c.name}：{cells[i]}" for i, c in enumerate(columns) if c.role in (LEAD, RESPONSIBLE) and cells[i]
    )
    lead, responsible = _units(cells, columns)
    return TaskRow(
        key=key,
        number=_cell(cells, columns, NUMBER),
        title=tasks[0] if len(tasks) > 1 else "",
        text="\n".join(tasks + extra),
        lead_units=lead,
        responsible_units=responsible,
        units_note=note,
        group=_cell(cells, columns, GROUP) or group,
    )
