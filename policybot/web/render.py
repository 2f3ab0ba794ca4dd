"""Markdown and HTML for the app's answers, hits, clauses and documents: every text from a document or a user is
escaped, so nothing a document or a question holds is rendered as live HTML or script."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable

from policybot.answer.answerer import Answer, Citation
from policybot.answer.beneficiaries import clause_beneficiaries
from policybot.document import Clause, Document
from policybot.retrieve.hybrid import SearchResult

STATUS_MARK = {"met": "✔", "not_met": "✘", "unknown": "？"}
SNIPPET_CHARS = 160
REPEATED_MARK = "（编号重复）"
REPEATED_NOTE = "原文中有不止一条编号为 {path} 的条款（可能缺少一级标题），引用时请同时写明标题以示区分。"
INDENT = "\u3000\u3000"  # full-width spaces: a radio label keeps them, where ordinary ones are collapsed
MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]{}|~#])")


def esc_html(text: str) -> str:
    """Text safe inside HTML: no tag or entity from a document or a question stays live."""
    return html.escape(text or "", quote=True)


def esc_md(text: str) -> str:
    """Text safe inside Markdown: HTML escaped, and Markdown syntax characters shown as themselves."""
    return MD_SPECIAL_RE.sub(r"\\\1", esc_html(text))


def highlight(text: str, terms: Iterable[str]) -> str:
    """Markdown of the text with each matched term in **bold** (the text itself escaped)."""
    terms = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not terms:
        return esc_md(text)
    parts = re.split("(" + "|".join(re.escape(t) for t in terms) + ")", text)
    return "".join(f"**{esc_md(p)}**" if i % 2 else esc_md(p) for i, p in enumerate(parts))


def snippet(text: str, terms: Iterable[str], width: int = SNIPPET_CHARS) -> str:
    """The part of a clause around its first matched term, at most `width` characters."""
    positions = [text.find(t) for t in terms if t and t in text]
    start = max(0, min(positions) - width // 4) if positions else 0
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def units_lines(lead: Iterable[str], responsible: Iterable[str], sep: str = "  \n") -> str:
    """'牵头单位：…' and '责任单位：…' lines (Markdown), or a note when the clause names none."""
    lead, responsible = tuple(lead), tuple(responsible)
    lines = []
    if lead:
        lines.append("**牵头单位**：" + esc_md("、".join(lead)))
    if responsible:
        lines.append("**责任单位**：" + esc_md("、".join(responsible)))
    return sep.join(lines) or "（本条未写明牵头单位或责任单位）"


def clause_title(path: str, heading: str) -> str:
    """'三（三） 加大用地支持'; the path alone when the heading only repeats it ('序言', not '序言 序言')."""
    return path if not heading or heading == path else f"{path} {heading}".strip()


def repeated_paths(doc: Document) -> set[str]:
    """The clause numbers a document gives more than one clause (a source that lost a heading numbers on)."""
    counts = Counter(c.path for c in doc.clauses)
    return {path for path, n in counts.items() if n > 1}


def citation_html(c: Citation) -> str:
    """A citation as an expandable block: the label, then the full clause and its units (whether it is only the
    nearest clause is said once, by the heading above the group)."""
    units = []
    if c.lead_units:
        units.append("<b>牵头单位：</b>" + esc_html("、".join(c.lead_units)))
    if c.responsible_units:
        units.append("<b>责任单位：</b>" + esc_html("、".join(c.responsible_units)))
    body = esc_html(c.text).replace("\n", "<br>")
    return (
        f"<details><summary>{esc_html(c.label)}</summary>"
        f"<p>{body}</p><p>{'<br>'.join(units) or '（本条未写明牵头单位或责任单位）'}</p></details>"
    )


def answer_markdown(answer: Answer, details: bool = True) -> str:
    """An answer as Markdown: the answer text, then its citations (expandable blocks, or quotes for the API)."""
    parts = [esc_md(answer.answer)]
    if answer.note:
        parts.append("*" + esc_md(answer.note) + "*")
    if answer.citations:
        found = [c for c in answer.citations if not c.nearest_only]
        nearest = [c for c in answer.citations if c.nearest_only]
        for title, group in (("依据条款", found), ("最接近的条款（仅供参考）", nearest)):
            if not group:
                continue
            parts.append(f"**{title}**：")
            if details:
                parts.append("\n".join(citation_html(c) for c in group))
            else:
                for c in group:
                    units = units_lines(c.lead_units, c.responsible_units, sep="；")
                    parts.append(f"- {esc_md(c.label)}\n\n  > {esc_md(c.text)}\n\n  {units}")
    return "\n\n".join(parts)


def hits_markdown(result: SearchResult) -> str:
    """Search results: count and time, then each hit with its citation, score, highlighted terms and units."""
    lines = [f"共 {len(result.hits)} 条，用时 {result.took_ms:.0f} ms"]
    for i, h in enumerate(result.hits, 1):
        number = f" {esc_md(h.doc_number)}" if h.doc_number else ""
        lines.append(
            f"**{i}. 《{esc_md(h.doc_title)}》{number} {esc_md(h.clause_path)} {esc_md(h.heading)}**"
            f"　相关度 {h.score:.3f}\n\n"
            f"> {highlight(snippet(h.text, h.matched_terms), h.matched_terms)}\n\n"
            + units_lines(h.lead_units, h.responsible_units)
        )
    if not result.hits:
        lines.append("没有找到相关条款，请换个说法或放宽筛选条件。")
    return "\n\n---\n\n".join(lines)


def clause_markdown(doc: Document, clause: Clause) -> str:
    """One clause in full: where it sits, its text, and who carries it out."""
    number = f"（{esc_md(doc.doc_number)}）" if doc.doc_number else ""
    trail = " › ".join(esc_md(h) for h in clause.heading_path if h)
    text = "\n\n".join(esc_md(p) for p in clause.text.split("\n") if p.strip()) or esc_md(clause.heading)
    parts = [
        f"### {esc_md(clause_title(clause.path, clause.heading))}",
        f"《{esc_md(doc.title)}》{number}" + (f"  \n{trail}" if trail else ""),
        text,
        units_lines(clause.lead_units, clause.responsible_units),
    ]
    receivers = clause_beneficiaries(clause)
    if receivers.stated:
        parts.append("**享受主体**：" + esc_md("、".join(receivers.labels())))
    if clause.path in repeated_paths(doc):
        parts.append(f"*{REPEATED_NOTE.format(path=esc_md(clause.path))}*")
    if clause.units_note:
        parts.append("*" + esc_md(clause.units_note) + "*")
    return "\n\n".join(parts)


def document_markdown(doc: Document) -> str:
    """A document's metadata: 文号, 发文机关, 日期, 效力, 引用文件, and a warning when the text is incomplete."""
    validity = doc.validity + (f"（{doc.validity_note}）" if doc.validity_note else "")
    rows = [
        ("文号", doc.doc_number),
        ("发文机关", doc.issuer),
        ("日期", doc.date),
        ("效力", validity),
        ("主送", "，".join(doc.addressees)),
        (
            "引用文件",
            "；".join(f"《{r.title}》" + (f"（{r.doc_number}）" if r.doc_number else "") for r in doc.references),
        ),
        ("来源文件", doc.source),
        ("来源网址", doc.source_url),
        ("来源网站说明", doc.source_note),
        ("条款数", str(len(doc.clauses))),
    ]
    warning = (
        "> ⚠️ **原文不完整**：来源只给出了部分正文，部分条款可能缺失，请以正式文件为准。\n\n" if doc.truncated else ""
    )
    # a note from the site the text was saved from is shown only when there is one: it is not part of the document
    rows = [(k, v) for k, v in rows if v or k != "来源网站说明"]
    bullets = "\n".join(f"- **{k}**：{esc_md(v) or '（未标注）'}" for k, v in rows)
    return f"## {esc_md(doc.title)}\n\n{warning}{bullets}"


def tree_choices(doc: Document) -> list[tuple[str, str]]:
    """The clause tree as clickable entries (label, clause id) in reading order: indented by level, with each
    clause's 牵头单位, and a clause whose number another clause shares marked REPEATED_MARK. Labels are plain text
    (a radio shows them as text, never as markup)."""
    repeated = repeated_paths(doc)
    entries = []
    for c in doc.clauses:
        mark = REPEATED_MARK if c.path in repeated else ""
        lead = f"〔牵头：{'、'.join(c.lead_units)}〕" if c.lead_units else ""
        title = clause_title(c.path, c.heading) or c.id
        entries.append((f"{INDENT * max(0, c.level - 1)}{title}{mark}{lead}", c.id))
    return entries


def documents_table(docs: list[Document]) -> str:
    """The indexed documents as a Markdown table with clause counts."""
    if not docs:
        return "索引中还没有文件。"
    rows = ["| 标题 | 文号 | 发文机关 | 日期 | 效力 | 条款数 |", "|---|---|---|---|---|---|"]
    for d in docs:
        cells = (d.title, d.doc_number, d.issuer, d.date, d.validity, str(len(d.clauses)))
        rows.append("| " + " | ".join(esc_md(c) for c in cells) + " |")
    return f"共 {len(docs)} 个文件\n\n" + "\n".join(rows)


def preview_markdown(doc: Document) -> str:
    """How an uploaded file parsed: title, 文号, clause count and each clause with its units."""
    head = (
        f"### 解析预览：{esc_md(doc.title)}\n\n- **文号**：{esc_md(doc.doc_number) or '（未识别）'}\n"
        f"- **发文机关**：{esc_md(doc.issuer) or '（未识别）'}\n- **日期**：{esc_md(doc.date) or '（未识别）'}\n"
        f"- **条款数**：{len(doc.clauses)}"
    )
    if doc.truncated:
        head += "\n\n> ⚠️ **原文不完整**：文中有“登录后查看全文”等字样。"
    rows = []
    for c in doc.clauses:
        units = units_lines(c.lead_units, c.responsible_units, sep="；") if c.has_units else ""
        rows.append(f"{'  ' * max(0, c.level - 1)}- {esc_md(c.path)} {esc_md(c.heading)}　{units}")
    return head + "\n\n" + "\n".join(rows) + "\n\n确认无误后点击“加入索引”。"


def benefits_markdown(benefits: list) -> str:
    """Self-check results: each benefit clause with what it offers, its conditions (✔/✘/？) and whom to contact."""
    if not benefits:
        return "没有找到可能适用的惠企条款。可补充行业、需求等信息后再试。"
    parts = [
        f"找到 {len(benefits)} 条可能适用的条款（✔ 符合　✘ 不符合　？ 需确认）。结果仅供参考，以牵头单位解释为准。"
    ]
    for i, b in enumerate(benefits, 1):
        conditions = "\n".join(
            f"- {STATUS_MARK.get(c.status, '？')} {esc_md(c.text)}（{esc_md(c.reason)}）" for c in b.conditions
        )
        contact = esc_md("、".join(b.contact)) if b.contact else "（条款未写明牵头单位，可咨询发文机关）"
        receivers = esc_md("、".join(b.beneficiaries)) if b.beneficiaries else "条款未写明"
        parts.append(
            f"### {i}. {esc_md(b.citation.label)}\n\n**享受主体**：{receivers}\n\n**可享受**：{esc_md(b.summary)}\n\n"
            f"**条件**：\n\n{conditions or '- 条款未写明具体条件'}\n\n**联系单位**：{contact}\n\n"
            + citation_html(b.citation)
        )
    return "\n\n---\n\n".join(parts)


def error_md(exc: Exception) -> str:
    """An error message a user can read, escaped."""
    return f"⚠️ {esc_md(str(exc))}"
