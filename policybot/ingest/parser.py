"""Text → Document: 文号, 发文机关, 日期, validity, references and the clause tree with 牵头/责任单位."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from policybot.document import (
    CN_DIGITS,
    DOC_NUMBER_RE,
    Clause,
    Document,
    Reference,
    cn_to_int,
    normalize,
    normalize_doc_number,
)
from policybot.ingest import units as unit_lists
from policybot.ingest.reflow import recover
from policybot.ingest.tables import Table, TaskRow, find_tables
from policybot.ingest.units import OPEN_BRACKETS, match_bracket

DATE_RE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
CN_DATE_RE = re.compile(
    r"^\s*([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日\s*$"
)
VALIDITY_RE = re.compile(r"(现行有效|部分失效|已失效|失效|已废止|废止|已修改|尚未生效)\s*$")
SITE_DATE_RE = re.compile(r"(?:发布日期|发布时间|成文日期)\s*[:：]\s*(\d{4}-\d{2}-\d{2})")
TRUNCATION_RE = re.compile(r"(请登录|登录后|查看或下载全文|查看全文|阅读全文|开通会员|下载全文)")
NOTICE_TITLE_RE = re.compile(r"关于(?:印发|转发|下发)《?(.+?)》?的通知$")
ISSUER_SUFFIX_RE = re.compile(
    r"(人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|委员会|管委会|局|厅|部|委|院|署|中心|会)$"
)

LEVEL1_RE = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*")
LEVEL2_RE = re.compile(r"^[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]\s*")
LEVEL3_RE = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*")
LEVEL4_RE = re.compile(r"^[(（]\s*(\d{1,2})\s*[)）]\s*")
DASH_RE = re.compile(r"^[—－-]{2}\s*")
CHAPTER_RE = re.compile(r"^#*\s*第([零一二三四五六七八九十百千\d]+)\s*([编章节])\s*(.*)$")
ARTICLE_RE = re.compile(r"^第([零一二三四五六七八九十百千\d]+)\s*条\s*")
# a chapter's heading run into its first article or section, as scraped pages keep it on one line: "第二章 工资支付形式
# 与周期第十一条 农民工工资…", "第一章 总 则第一条", "第五章 特别规定 第一节 集体合同第五十一条" (a short heading,
# no punctuation: a sentence that cites "第十一条" is no heading)
HEADING_THEN_ARTICLE_RE = re.compile(
    r"^([^。；;，,：:（(“\"]{0,24}?)\s*(第[零一二三四五六七八九十百千\d]+\s*(?:条|节)(?![的之所中第]|规定).*)$", re.S
)

HEADING_MAX_CHARS = 30
# an opening text up to this long stays one 序言; a longer unnumbered text is read as paragraphs
PREAMBLE_MAX_CHARS = 600
PARAGRAPH_MAX_CHARS = 500
SENTENCE_PIECE_RE = re.compile(r"[^。；;！!？?]*[。；;！!？?”’」』]*")
QUESTION_LINE_RE = re.compile(r"^(?:问|提问|主持人|[^：:，,。]{0,10}记者)\s*[:：]\s*(.+)$")
LEVEL_KINDS = {1: "part", 2: "section", 3: "item", 4: "item"}
ARTICLE_HEADING_MAX_CHARS = 40  # an article's first sentence, shown as its heading, is cut here (with …)
FIRST_SENTENCE_RE = re.compile(r"^[^。；;：:！!？?\n]+")
HEADING_RE = re.compile(r"^(.{1,%d}?)[。:：]" % HEADING_MAX_CHARS)  # noqa: UP031 - a regex quantifier, not text
# names what reading a file gives (the loaders' text, then parse_document): an index built under another name has
# every file read and parsed again (vectors of unchanged text are still reused)
PARSER_ID = "clauses-v3+scraped-v1+task-tables-v1+units-v2"
PHRASE_RE = re.compile(r"^(.{1,%d}?)[，,；;]" % HEADING_MAX_CHARS)  # noqa: UP031 - a regex quantifier, not text
# "附件1：重点任务分工表" (or "附件" with the title on the next line) just before a task table
ATTACHMENT_RE = re.compile(r"^附\s*件\s*([0-9０-９一二三四五六七八九十]{0,3})\s*[:：]?\s*")
ATTACHMENT_MAX_CHARS = 40
ATTACHMENT_LOOKAHEAD = 4  # at most this many lines from "附件" to its table (the table's title)


def parse_date(line: str) -> str:
    """'2020年7月13日' or '二〇二〇年七月十三日' → '2020-07-13'; '' when the line is not a date."""
    m = DATE_RE.match(line)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}"
    m = CN_DATE_RE.match(line)
    if m:
        y = int("".join(str(CN_DIGITS[c]) for c in m.group(1)))
        return f"{y:04d}-{cn_to_int(m.group(2)):02d}-{cn_to_int(m.group(3)):02d}"
    return ""


def find_references(text: str) -> list[Reference]:
    """Every 《title》 in the text, with the 文号 in the bracket right after it when there is one."""
    refs: list[Reference] = []
    for m in re.finditer(r"《\s*([^《》]+?)\s*》", text):
        title = re.sub(r"\s+", "", m.group(1))
        number = ""
        rest = text[m.end() : m.end() + 4]
        offset = len(rest) - len(rest.lstrip())
        start = m.end() + offset
        if start < len(text) and text[start] in OPEN_BRACKETS:
            end = match_bracket(text, start)
            if end > start:
                number = normalize_doc_number(text[start + 1 : end])
        refs.append(Reference(title=title, doc_number=number))
    return refs


@dataclass(slots=True)
class _Node:
    """A clause being assembled while lines are read."""

    id: str
    number: str
    path: str
    heading: str
    level: int
    parent: _Node | None
    ordinal: int
    lines: list[str]
    heading_path: tuple[str, ...]
    kind: str = ""
    child_last: dict[int, int] = field(default_factory=dict)
    child_group: dict[int, int] = field(default_factory=dict)
    units: tuple[tuple[str, ...], tuple[str, ...], str] | None = None  # a table row's (lead, responsible, note)


def _split_heading(body: str) -> tuple[str, str]:
    """A clause line's heading (its first short sentence) and the whole body text."""
    body = body.strip()
    m = HEADING_RE.match(body)
    if m:
        return m.group(1).strip(), body
    if len(body) <= HEADING_MAX_CHARS and not re.search(r"[。；;]", body):
        return body, ""
    return "", body


def _match_numbering(line: str) -> tuple[int, int, str, str] | None:
    """(level, ordinal, label, rest) when a line starts a numbered clause."""
    for level, regex, label in (
        (1, LEVEL1_RE, "{}、"),
        (2, LEVEL2_RE, "（{}）"),
        (3, LEVEL3_RE, "{}."),
        (4, LEVEL4_RE, "（{}）"),
    ):
        m = regex.match(line)
        if m:
            raw = m.group(1)
            return level, cn_to_int(raw), label.format(raw), line[m.end() :]
    return None


class _ClauseBuilder:
    """Turns plan lines into a clause tree, coping with numbering that restarts mid-part."""

    def __init__(self) -> None:
        self.root = _Node("", "", "", "", 0, None, 0, [], ())
        self.nodes: list[_Node] = []
        self.current = self.root
        self._table: _Node | None = None  # the last task table read, which a page break may continue

    def _parent_for(self, level: int) -> _Node:
        node = self.current
        while node is not self.root and node.level >= level:
            node = node.parent  # type: ignore[assignment]
        return node

    def _new_id(self, parent: _Node, level: int, ordinal: int, token: str) -> str:
        last = parent.child_last.get(level)
        group = parent.child_group.get(level, 1)
        if last is not None and ordinal <= last:
            # numbering restarted under the same parent: a heading is missing in the source
            group += 1
            parent.child_group[level] = group
        parent.child_last[level] = ordinal
        segment = f"r{group}.{token}" if group > 1 else token
        return f"{parent.id}.{segment}" if parent.id else segment

    def open(
        self, level: int, ordinal: int, label: str, rest: str, path_label: str | None = None, kind: str = ""
    ) -> None:
        parent = self._parent_for(level)
        node_id = self._new_id(parent, level, ordinal, str(ordinal))
        heading, body = _split_heading(rest)
        path_piece = path_label if path_label is not None else (label.rstrip("、.") if level == 1 else label)
        node = _Node(
            id=node_id,
            number=label,
            path=parent.path + path_piece,
            heading=heading,
            level=level,
            parent=parent,
            ordinal=ordinal,
            lines=[body] if body else [],
            heading_path=parent.heading_path + (f"{label}{heading}" if heading else label,),
            kind=kind or LEVEL_KINDS.get(level, "item"),
        )
        self.nodes.append(node)
        self.current = node

    def open_dash(self, rest: str) -> None:
        # "——坚持…" items belong to the clause that introduces them, below any earlier dash sibling
        parent = self.current
        while parent.number == "——" and parent.parent is not None:
            parent = parent.parent
        ordinal = parent.child_last.get(99, 0) + 1
        parent.child_last[99] = ordinal
        heading, body = _split_heading(rest)
        node = _Node(
            id=f"{parent.id}.{ordinal}" if parent.id else str(ordinal),
            number="——",
            path=f"{parent.path}第{ordinal}项",
            heading=heading,
            level=parent.level + 1,
            parent=parent,
            ordinal=ordinal,
            lines=[body] if body else [],
            heading_path=parent.heading_path + (f"——{heading}" if heading else "——",),
            kind="dash",
        )
        self.nodes.append(node)
        self.current = node

    def open_attachment(self, line: str, title: str) -> None:
        """ "附件1：重点任务分工表" before a task table: a top-level part holding the table, cited as 附件1."""
        m = ATTACHMENT_RE.match(line)
        assert m is not None
        number = unicodedata.normalize("NFKC", m.group(1))
        ordinal = cn_to_int(number) if number else sum(1 for n in self.nodes if n.id.startswith("att")) + 1
        node_id = f"att{ordinal}"
        while any(n.id == node_id for n in self.nodes):
            node_id += "x"  # two attachments numbered alike
        label = f"附件{number}"
        heading = line[m.end() :].strip() or title
        node = _Node(
            id=node_id,
            number=line[: m.end()].strip(),
            path=label,
            heading=heading,
            level=1,
            parent=self.root,
            ordinal=ordinal,
            lines=[],
            heading_path=(f"{label}：{heading}" if heading else label,),
        )
        self.nodes.append(node)
        self.current = node

    def add_task_table(self, table: Table) -> None:
        """A task table's rows as task clauses under the attachment just opened, or under a 表 of the open clause."""
        host = self.current
        attachment = host.id.startswith("att") and host.level == 1
        if table.continued and self._table is not None:
            holder = self._table  # the same table after a page break
        elif attachment and not any(n.parent is host for n in self.nodes):
            holder = host  # the attachment just opened for this table
        else:
            holder = self._open_table(host)  # a second table, or one under a clause
        holder.lines.extend(table.other_lines)
        taken = {n.id for n in self.nodes}
        for ordinal, row in enumerate(table.tasks, 1):
            node = _row_node(holder, ordinal, row)
            while node.id in taken:  # 序号 repeated across the pages of one table
                node.id += "x"
            taken.add(node.id)
            self.nodes.append(node)
        self._table = holder
        self.current = host

    def _open_table(self, host: _Node) -> _Node:
        count = host.child_last.get(TABLE_KEY, 0) + 1
        host.child_last[TABLE_KEY] = count
        path = f"{host.path}表{count if count > 1 else ''}"
        node = _Node(
            id=f"{host.id}.table{count}" if host.id else f"table{count}",
            number="表",
            path=path,
            heading="",
            level=host.level + 1,
            parent=host,
            ordinal=count,
            lines=[],
            heading_path=host.heading_path + (path,),
        )
        self.nodes.append(node)
        return node

    def add_text(self, line: str) -> bool:
        """Append body text to the open clause; False when no clause is open yet."""
        if self.current is self.root:
            return False
        self.current.lines.append(line)
        return True


TABLE_KEY = 98  # child_last slot counting a clause's tables (99 counts its —— items)


def _row_heading(row: TaskRow) -> str:
    """A task row's heading: its task title, else the first short sentence or phrase of its task."""
    if row.title:
        return row.title
    first = row.text.split("\n", 1)[0]
    heading, _ = _split_heading(first)
    if not heading and (m := PHRASE_RE.match(first)):
        heading = m.group(1).strip()
    return heading


def _row_node(table: _Node, ordinal: int, row: TaskRow) -> _Node:
    """A task table row as a clause: '附件1 第3项', with its group (if any) in its heading path."""
    heading = _row_heading(row)
    has_units = bool(row.lead_units or row.responsible_units)
    return _Node(
        id=f"{table.id}.t{row.key}",
        number=row.number,
        path=f"{table.path} 第{row.key}项",  # what ROW_PATH_RE knows a table row by
        heading=heading,
        level=table.level + 1,
        parent=table,
        ordinal=ordinal,
        lines=[row.text],
        heading_path=table.heading_path + ((row.group,) if row.group else ()) + (f"第{row.key}项{heading}",),
        units=(row.lead_units, row.responsible_units, row.units_note) if has_units else None,
    )


def _to_clause(node: _Node) -> Clause:
    text = "\n".join(node.lines)
    if node.units is not None:
        lead, responsible, note = node.units
    else:
        text, lead, responsible, note = unit_lists.extract_units(text)
    parent_id = node.parent.id if node.parent is not None and node.parent.id else None
    heading = node.heading or (article_heading(text) if node.kind == "article" else "")
    return Clause(
        id=node.id,
        number=node.number,
        path=node.path,
        heading=heading,
        text=text,
        level=node.level,
        parent_id=parent_id,
        heading_path=node.heading_path,
        lead_units=lead,
        responsible_units=responsible,
        units_note=note,
        kind=node.kind,
    )


def article_heading(body: str) -> str:
    """An article's first sentence, which serves as its heading ("劳动合同期限三个月以上不满一年的，试用期不得超过一个月")."""
    m = FIRST_SENTENCE_RE.match(body.strip())
    first = m.group(0).strip() if m else ""
    return first if len(first) <= ARTICLE_HEADING_MAX_CHARS else first[: ARTICLE_HEADING_MAX_CHARS - 1] + "…"


def _strip_markdown_heading(line: str) -> str:
    return re.sub(r"^#{1,6}\s+", "", line)


def _is_structure_line(line: str) -> bool:
    return bool(_match_numbering(line) or DASH_RE.match(line) or ARTICLE_RE.match(line) or CHAPTER_RE.match(line))


@dataclass(slots=True)
class _Front:
    """Metadata read from the lines before the plan body."""

    title: str = ""
    notice_title: str = ""
    doc_number: str = ""
    issuer: str = ""
    date: str = ""
    addressees: tuple[str, ...] = ()
    validity: str = "未标注"
    validity_note: str = ""
    validity_basis: Reference | None = None
    banner: str = ""
    notice_lines: list[str] = field(default_factory=list)


def _read_front(lines: list[str]) -> tuple[_Front, int]:
    """Title, 文号, validity banner, addressees, notice body, signature; returns where the body starts."""
    front = _Front()
    i = 0
    front.title = _strip_markdown_heading(lines[0]).strip() if lines else ""
    i = 1
    while i < len(lines) and normalize(lines[i]) == normalize(front.title):
        i += 1  # a site that repeats the title line
    notice = NOTICE_TITLE_RE.search(normalize(front.title))
    if notice:
        front.notice_title = front.title
        front.title = notice.group(1).strip("《》")
    plan_start = None
    scan_limit = min(len(lines), 40)
    for j in range(i, scan_limit):
        line = lines[j]
        if front.notice_title and normalize(line) == normalize(front.title):
            plan_start = j + 1
            break
        if _is_structure_line(line) or line.startswith("<!--") or line.startswith("为"):
            break
    end = plan_start - 1 if plan_start else i
    if not plan_start:
        # no notice wrapper: front matter is what precedes the first structural or long line
        j = i
        while j < scan_limit and _is_front_line(lines[j]):
            j += 1
        end = j
    for j in range(i, end):
        _read_front_line(front, lines, j)
    body_start = plan_start if plan_start else end
    if lines[body_start - 1 if body_start else 0].startswith("<!--"):
        pass
    return front, body_start


def _is_front_line(line: str) -> bool:
    """Metadata lines before a plan without a notice wrapper; body starts at structure or prose."""
    if _is_banner(line) or SITE_DATE_RE.search(line):
        return True
    if _is_structure_line(line) or line.startswith(("为", "根据", "按照")) or line.endswith("。"):
        return False
    return len(line) <= 80


def _is_banner(line: str) -> bool:
    return "提示" in line and bool(VALIDITY_RE.search(line))


def _read_front_line(front: _Front, lines: list[str], j: int) -> None:
    line = lines[j]
    stripped = line.strip()
    if not front.doc_number and DOC_NUMBER_RE.fullmatch(normalize(stripped)):
        front.doc_number = normalize_doc_number(stripped)
        return
    status = VALIDITY_RE.search(stripped)
    if status and (_is_banner(stripped) or "有效" in stripped or "失效" in stripped or "废止" in stripped):
        front.validity = status.group(1)
        if _is_banner(stripped):
            # the site's statement about the document, kept as where the status comes from, not as its text
            front.banner = stripped
            site = stripped[: stripped.find("提示")].rstrip("®:： ")
            front.validity_note = f"据来源网站{site}标注" if site else "据来源网站标注"
        else:
            front.validity_note = stripped
        refs = find_references(stripped)
        if refs:
            front.validity_basis = refs[0]
        return
    date = parse_date(stripped)
    if date:
        front.date = date
        prev = lines[j - 1].strip() if j > 0 else ""
        if prev and len(prev) <= 30 and ISSUER_SUFFIX_RE.search(prev):
            front.issuer = prev
            if front.notice_lines and front.notice_lines[-1] == prev:
                front.notice_lines.pop()
        return
    if stripped.endswith((":", "：")) and not front.addressees and not front.notice_lines:
        parts = unit_lists.split_units(stripped[:-1], separators=",，;；")
        front.addressees = tuple(parts)
        return
    if stripped.startswith("<!--"):
        return
    site_date = SITE_DATE_RE.search(stripped)
    if site_date:
        # a website's "发布日期：2021-03-08 来源：…" line is page furniture, not text of the document
        front.date = front.date or site_date.group(1)
        return
    front.notice_lines.append(stripped)


def _split_signature(lines: list[str], body_start: int) -> tuple[list[str], str, str]:
    """A plan that ends with its signature (issuer line, then date line): take them out of the last clause."""
    if len(lines) - body_start < 2:
        return lines, "", ""
    date = parse_date(lines[-1])
    if not date:
        return lines, "", ""
    prev = lines[-2]
    if len(prev) <= 30 and ISSUER_SUFFIX_RE.search(prev) and not _is_structure_line(prev):
        return lines[:-2], prev, date
    return lines[:-1], "", date


def _document_date_fallback(front: _Front, lines: list[str]) -> str:
    for line in lines[:12]:
        m = re.match(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日", line)
        if m:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return ""


def _issuer_from_title(title: str) -> str:
    m = re.match(r"^(.{2,30}?)关于", title)
    return m.group(1) if m else ""


def parse_document(text: str, source: str, doc_id: str | None = None) -> Document:
    """Parse the plain text of one policy document (clean or scraped from a web page) into a Document."""
    from policybot.errors import DocumentError

    recovered = recover(text, source)
    lines = list(recovered.lines)
    if not lines or not any(normalize(ln) for ln in lines):
        raise DocumentError(source, "文件没有文字内容 (no text to parse)")
    truncated = bool(TRUNCATION_RE.search(lines[-1])) and len(lines[-1]) <= 40
    if truncated:
        lines = lines[:-1]
    front, body_start = _read_front(lines)
    lines, signature_issuer, signature_date = _split_signature(lines, body_start)
    builder = _ClauseBuilder()
    preamble: list[str] = []
    body = [_strip_markdown_heading(line) for line in lines[body_start:] if not line.startswith("<!--")]
    _read_body(builder, preamble, body)
    if front.notice_lines and not front.notice_title:
        # without a notice wrapper, the lines after the title are the document's own opening text
        preamble[:0] = front.notice_lines
        front.notice_lines = []
    if not builder.nodes and not preamble and not front.notice_lines:
        preamble = [front.title]  # a file that is only a title line: its one line is still its text
    clauses = _opening_clauses(front, preamble) + [_to_clause(node) for node in builder.nodes]
    self_title = normalize(front.title)
    references = []
    seen: set[tuple[str, str]] = set()
    for ref in find_references("\n".join(lines[body_start:]) + "\n" + "\n".join(front.notice_lines)):
        key = (ref.title, ref.doc_number)
        if normalize(ref.title) == self_title or key in seen:
            continue
        seen.add(key)
        references.append(ref)
    issuer = front.issuer or signature_issuer or _issuer_from_title(front.notice_title or front.title)
    notes = list(recovered.notes)
    if not issuer and ISSUER_SUFFIX_RE.search(recovered.site_source):
        issuer = recovered.site_source
        notes.append("发文机关取自网页的“来源”")
    date = front.date or signature_date or _document_date_fallback(front, lines) or recovered.site_date
    return Document(
        doc_id=doc_id or _slug(source),
        source=source,
        title=front.title,
        doc_number=front.doc_number,
        issuer=issuer,
        date=date,
        addressees=front.addressees,
        notice_title=front.notice_title,
        validity=front.validity,
        validity_note=front.validity_note,
        validity_basis=front.validity_basis,
        references=tuple(references),
        truncated=truncated,
        clauses=tuple(clauses),
        source_note=front.banner,
        notes=tuple(notes) + _missing(front.doc_number, issuer, date, truncated),
    )


def _missing(doc_number: str, issuer: str, date: str, truncated: bool) -> tuple[str, ...]:
    """Notes on what the text does not state, so a reader knows what the metadata lacks."""
    notes = [
        label
        for value, label in ((doc_number, "未找到文号"), (issuer, "未找到发文机关"), (date, "未找到日期"))
        if not value
    ]
    if truncated:
        notes.append("原文不完整：来源只给出了部分正文")
    return tuple(notes)


def _opening_clauses(front: _Front, preamble: list[str]) -> list[Clause]:
    """The notice wrapping a plan, and the text before the first numbered clause: one 序言, or for a long unnumbered
    text (a news article, an interview) bounded paragraphs, each a clause of its own."""
    clauses = []
    if front.notice_lines:
        clauses.append(
            Clause(
                id="notice",
                number="",
                path="通知",
                heading=front.notice_title or "通知",
                text="\n".join(front.notice_lines),
                level=0,
                heading_path=("通知",),
                kind="notice",
            )
        )
    if preamble and sum(len(line) for line in preamble) <= PREAMBLE_MAX_CHARS:
        clauses.append(
            Clause(
                id="preamble",
                number="",
                path="序言",
                heading="序言",
                text="\n".join(preamble),
                level=0,
                heading_path=("序言",),
                kind="preamble",
            )
        )
    elif preamble:
        clauses += _paragraph_clauses(preamble)
    return clauses


def _paragraph_clauses(lines: list[str]) -> list[Clause]:
    """Paragraphs as clauses "第N段", none longer than about PARAGRAPH_MAX_CHARS: a longer one is cut at sentence ends.
    In an interview ("问：…", "记者：…") each question heads the paragraph that asks it, and the answer's paragraphs
    carry it in their heading path."""
    pieces: list[tuple[str, str, str]] = []  # (heading, text, the question being answered)
    question = ""
    asking = False  # the last piece is a question waiting for its answer
    for line in lines:
        asked = QUESTION_LINE_RE.match(line)
        if asked:
            question = asked.group(1).strip()[:ARTICLE_HEADING_MAX_CHARS]
        for n, part in enumerate(bounded(line, PARAGRAPH_MAX_CHARS)):
            if asking and n == 0 and not asked:
                # the answer's first part goes with the question it answers
                heading, text, _ = pieces.pop()
                pieces.append((heading, f"{text}\n{part}", question))
            else:
                pieces.append((question if asked and n == 0 else "", part, question))
        asking = bool(asked)
    return [
        Clause(
            id=f"p{n}",
            number=f"第{n}段",
            path=f"第{n}段",
            heading=heading,
            text=text,
            level=0,
            heading_path=(f"第{n}段", *([asked] if asked and asked != heading else [])),
            kind="paragraph",
        )
        for n, (heading, text, asked) in enumerate(pieces, 1)
    ]


def bounded(text: str, limit: int) -> list[str]:
    """The text cut at sentence ends into pieces of at most about `limit` characters (a longer sentence stands
    alone); nothing is dropped."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in SENTENCE_PIECE_RE.findall(text):
        if current and len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces


def _read_body(builder: _ClauseBuilder, preamble: list[str], body: list[str]) -> None:
    """Build the clause tree from the body's lines; a task table's rows become task clauses, and the rows of any
    table are never read as headings (a row "一、优化营商环境 |  | " names a group, not a part)."""
    tables = {t.start: t for t in find_tables(body)}
    task_tables = [t.start for t in tables.values() if t.tasks]
    i = 0
    while i < len(body):
        table = tables.get(i)
        if table is not None:
            if table.tasks:
                builder.add_task_table(table)
            else:
                for line in table.other_lines:
                    if not builder.add_text(line):
                        preamble.append(line)
            i = table.end
            continue
        line = body[i]
        upcoming = next((s for s in task_tables if i < s <= i + ATTACHMENT_LOOKAHEAD), None)
        if upcoming is not None and len(line) <= ATTACHMENT_MAX_CHARS and ATTACHMENT_RE.match(line):
            title = ""
            if not ATTACHMENT_RE.sub("", line).strip() and i + 1 < upcoming:
                i += 1
                title = body[i]  # "附件" alone, then the table's title
            builder.open_attachment(line, title)
        else:
            _consume_line(builder, preamble, line)
        i += 1


def split_chapter_line(line: str) -> tuple[str, str]:
    """A chapter's line as its heading and the article (or section) run into it, "" when none is: an article is
    never a chapter's text."""
    chapter = CHAPTER_RE.match(line)
    inner = HEADING_THEN_ARTICLE_RE.match(chapter.group(3)) if chapter else None
    if chapter is None or inner is None:
        return line, ""
    return line[: chapter.start(3)] + inner.group(1).strip(), inner.group(2)


def _consume_line(builder: _ClauseBuilder, preamble: list[str], line: str) -> None:
    chapter = CHAPTER_RE.match(line)
    if chapter:
        line, run_in = split_chapter_line(line)
        chapter = CHAPTER_RE.match(line)
        n = cn_to_int(chapter.group(1))
        unit = chapter.group(2)
        level = {"编": 1, "章": 2, "节": 3}[unit]
        label = f"第{chapter.group(1)}{unit}"
        builder.open(level, n, label + " ", chapter.group(3), path_label=label, kind="chapter")
        if run_in:
            _consume_line(builder, preamble, run_in)
        return
    article = ARTICLE_RE.match(line)
    if article:
        n = cn_to_int(article.group(1))
        label = f"第{article.group(1)}条"
        parent = builder._parent_for(4)
        builder.current = parent
        body = line[article.end() :]
        node = _Node(
            id=f"art{n}",
            number=label,
            path=label,
            heading=article_heading(body),
            level=4,
            parent=parent,
            ordinal=n,
            lines=[body] if body else [],
            heading_path=parent.heading_path + (label,),
            kind="article",
        )
        builder.nodes.append(node)
        builder.current = node
        return
    numbering = _match_numbering(line)
    if numbering and not (builder.current.id.startswith("art") and numbering[0] >= 2):
        # inside a law article, (一)/1. items are the article's own enumerations
        builder.open(*numbering)
        return
    if DASH_RE.match(line) and builder.current is not builder.root:
        builder.open_dash(DASH_RE.sub("", line))
        return
    if not builder.add_text(line):
        preamble.append(line)


def _slug(source: str) -> str:
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name
