"""What a unit is charged with, from the 牵头单位/责任单位 the parser extracted: "市财政局牵头哪些工作？".

Nothing here is searched or guessed: the clauses are those whose unit lists name the unit, and the answer lists them
by document, newest document first.
"""

from __future__ import annotations

from dataclasses import dataclass

from policybot.retrieve.catalog import LEAD
from policybot.retrieve.hybrid import Hit

MAX_DOCUMENTS_LISTED = 8  # past this, the answer asks for a 文号 rather than listing every city's plan
MAX_CITED = 10


@dataclass(frozen=True, slots=True)
class Duties:
    """A unit's duties as an answer: the text, and the clauses it cites (those it leads first)."""

    text: str
    cited: tuple[Hit, ...]


def _clause_names(hits: list[Hit]) -> str:
    return "；".join(f"{h.clause_path}{h.heading}" for h in hits)


def _by_document(duties: list[tuple[Hit, str]]) -> list[tuple[list[Hit], list[Hit]]]:
    """(clauses led, clauses shared) for each document, newest document first."""
    grouped: dict[str, tuple[list[Hit], list[Hit]]] = {}
    for hit, role in duties:
        led, shared = grouped.setdefault(hit.doc_id, ([], []))
        (led if role == LEAD else shared).append(hit)
    return sorted(grouped.values(), key=lambda g: (g[0] or g[1])[0].date, reverse=True)


def describe_duties(unit: str, role_asked: str, duties: list[tuple[Hit, str]]) -> Duties:
    """The answer to "what does this unit lead (role_asked "lead") or carry out ("any")": counts, then the clauses
    of each document; for "lead", the clauses it only shares are counted but not listed."""
    if not duties:
        return Duties(f"所选文件中没有以{unit}为牵头单位或责任单位的条款。", ())
    documents = _by_document(duties)
    led = sum(len(g[0]) for g in documents)
    shared = sum(len(g[1]) for g in documents)
    counts = f"牵头 {led} 项工作" + (f"，作为责任单位参与 {shared} 项" if shared else "")
    if len(documents) == 1:
        first = (documents[0][0] or documents[0][1])[0]
        number = f"（{first.doc_number}）" if first.doc_number else ""
        head = f"{unit}在《{first.doc_title}》{number}中{counts}"
    else:
        head = f"{unit}在 {len(documents)} 份文件中{counts}"
        if len(documents) > MAX_DOCUMENTS_LISTED:
            head += f"；以下是最新的 {MAX_DOCUMENTS_LISTED} 份，问题中写明文号可只看一份"
    lines = []
    for doc_led, doc_shared in documents[:MAX_DOCUMENTS_LISTED]:
        parts = []
        if doc_led:
            parts.append("牵头：" + _clause_names(doc_led))
        if doc_shared and role_asked != "lead":
            parts.append("参与：" + _clause_names(doc_shared))
        elif doc_shared and len(documents) > 1:  # one document: the count above says it
            parts.append(f"另参与 {len(doc_shared)} 项")
        if len(documents) > 1 and parts:
            some = (doc_led or doc_shared)[0]
            parts[0] = f"《{some.doc_title}》" + (f"（{some.doc_number}）" if some.doc_number else "") + parts[0]
        if parts:
            lines.append("，".join(parts) + "。")
    cited = [h for g in documents for h in g[0]]
    if role_asked != "lead" or not cited:
        cited += [h for g in documents for h in g[1]]
    return Duties(f"{head}：\n" + "\n".join(lines), tuple(cited[:MAX_CITED]))
