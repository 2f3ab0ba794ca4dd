"""牵头单位/责任单位: find the parenthetical that names them and split it into exact unit lists."""

from __future__ import annotations

import re

OPEN_BRACKETS = "(（〔[［【"
CLOSE_BRACKETS = ")）〕]］】"
UNITS_KEY_RE = re.compile(r"^\s*(牵头单位|责任单位|配合单位|主责单位)\s*[:：]\s*")
UNITS_START_RE = re.compile(r"[(（]\s*(?:牵头单位|责任单位)\s*[:：]")


def match_bracket(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start` (any bracket kind nests); -1 when unclosed."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch in OPEN_BRACKETS:
            depth += 1
        elif ch in CLOSE_BRACKETS:
            depth -= 1
            if depth == 0:
                return i
    return -1


def split_units(text: str, separators: str = "、,，") -> list[str]:
    """Split a unit list on separators at bracket depth 0, so '各县〔市、区〕人民政府' stays whole."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in OPEN_BRACKETS:
            depth += 1
        elif ch in CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _split_fields(inner: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for piece in split_units(inner, separators=";；"):
        m = UNITS_KEY_RE.match(piece)
        if m:
            key = "牵头单位" if m.group(1) in ("牵头单位", "主责单位") else "责任单位"
            fields[key] = (fields.get(key, "") + "、" + piece[m.end() :]).strip("、")
    return fields


def labelled_units(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(lead, responsible) from "牵头单位：…；责任单位：…" written without brackets (a table cell); None without labels."""
    if not UNITS_KEY_RE.match(text):
        return None
    fields = _split_fields(text)
    return tuple(split_units(fields.get("牵头单位", ""))), tuple(split_units(fields.get("责任单位", "")))


def extract_units(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
    """(text without the units parenthetical, lead units, responsible units, the parenthetical as written)."""
    matches = list(UNITS_START_RE.finditer(text))
    if not matches:
        return text, (), (), ""
    start = matches[-1].start()
    end = match_bracket(text, start)
    closed = end >= 0
    if not closed:  # the bracket runs to the end of the text: its last character is a unit's, not a bracket
        end = len(text) - 1
    note = text[start : end + 1]
    fields = _split_fields(note[1:-1] if closed else note[1:])
    body = (text[:start] + text[end + 1 :]).rstrip()
    lead = tuple(split_units(fields.get("牵头单位", "")))
    responsible = tuple(split_units(fields.get("责任单位", "")))
    return body, lead, responsible, note
