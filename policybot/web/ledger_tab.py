"""The app's 任务分工 tab: the task ledger (任务分工台账) of chosen documents or of one unit, shown as a table per
document and downloaded as Excel, CSV or JSON.

The handlers are plain functions over a PolicyBot (tests call them without a browser); `ledger_tab` lays the tab
out and wires them, inside the app's gr.Tabs().
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from policybot.answer.tasks import FORMATS, TaskEntry, ledger_file
from policybot.bot import PolicyBot
from policybot.errors import PolicyBotError
from policybot.web.render import error_md, esc_md

ALL_UNITS = "（全部单位）"
FILE_STEM = "任务分工台账"
MAX_SHOWN_ROWS = 300  # on the page; the download always holds every row
KEEP_FILES_SECONDS = 3600  # a written ledger file is deleted after an hour (Gradio has served its own copy by then)
SHOWN_COLUMNS = ("条款", "标题", "任务摘要", "牵头单位", "责任单位", "完成时限")


@dataclass(frozen=True, slots=True)
class LedgerView:
    """What the tab shows for one choice of filters: the ledger as Markdown, and the file to download (None after
    an error)."""

    markdown: str
    file: Path | None
    rows: int


def document_choices(bot: PolicyBot) -> list[tuple[str, str]]:
    """(label, doc_id) of every indexed document that has task clauses, newest first."""
    return [
        (f"{d.title}（{d.doc_number}）" if d.doc_number else d.title, d.doc_id)
        for d in bot.documents()
        if any(c.has_units for c in d.clauses)
    ]


def unit_choices(bot: PolicyBot) -> list[str]:
    """ALL_UNITS, then every unit the task clauses name, the most often named first."""
    counts: dict[str, int] = {}
    for entry in bot.task_ledger():
        for unit in (*entry.lead_units, *entry.responsible_units):
            counts[unit] = counts.get(unit, 0) + 1
    return [ALL_UNITS, *sorted(counts, key=lambda u: (-counts[u], u))]


def ledger_markdown(entries: Sequence[TaskEntry], unit: str = "") -> str:
    """The ledger as one Markdown table per document (every text escaped), the first MAX_SHOWN_ROWS rows."""
    if not entries:
        whose = f"「{esc_md(unit)}」的" if unit else ""
        return f"所选文件中没有{whose}任务分工条款（写明牵头单位或责任单位的条款、任务分工表的行）。"
    whose = f"，涉及「{esc_md(unit)}」" if unit else ""
    parts = [f"共 {len(entries)} 项任务{whose}"]
    if len(entries) > MAX_SHOWN_ROWS:
        parts[0] += f"（页面显示前 {MAX_SHOWN_ROWS} 项，完整台账请下载）"
    doc_id = None
    for entry in entries[:MAX_SHOWN_ROWS]:
        if entry.doc_id != doc_id:
            doc_id = entry.doc_id
            number = f"（{esc_md(entry.doc_number)}）" if entry.doc_number else ""
            parts.append(f"\n**《{esc_md(entry.doc_title)}》{number}**\n")
            parts.append("| " + " | ".join(SHOWN_COLUMNS) + " |\n|" + "---|" * len(SHOWN_COLUMNS))
        cells = (
            entry.clause_path,
            entry.heading,
            entry.summary,
            "、".join(entry.lead_units),
            "、".join(entry.responsible_units),
            "；".join(entry.deadlines),
        )
        parts.append("| " + " | ".join(esc_md(c) for c in cells) + " |")
    return "\n".join(parts)


def write_ledger(entries: Sequence[TaskEntry], fmt: str, folder: Path) -> Path:
    """The ledger written as 任务分工台账.<fmt> in a folder of its own under `folder` (named by its content, so the
    download keeps the Chinese name); files written more than KEEP_FILES_SECONDS ago are deleted."""
    data = ledger_file(entries, fmt)
    for old in folder.glob(f"*/{FILE_STEM}.*"):
        if time.time() - old.stat().st_mtime > KEEP_FILES_SECONDS:
            old.unlink(missing_ok=True)
    target = folder / hashlib.sha256(data).hexdigest()[:16] / f"{FILE_STEM}.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def show_ledger(bot: PolicyBot, doc_ids: Sequence[str] | None, unit: str | None, fmt: str, folder: Path) -> LedgerView:
    """The ledger of the chosen documents (all when none) and unit (all when ALL_UNITS or empty), with its file in
    `fmt`; an unknown document or unit gives a message naming it and no file."""
    unit = "" if unit in (None, ALL_UNITS) else unit.strip()
    try:
        entries = bot.task_ledger(tuple(doc_ids or ()), unit)
        path = write_ledger(entries, fmt if fmt in FORMATS else "xlsx", folder)
    except PolicyBotError as exc:
        return LedgerView(error_md(exc), None, 0)
    return LedgerView(ledger_markdown(entries, unit), path, len(entries))


# --- the tab -------------------------------------------------------------------------------------------------------


def ledger_tab(bot: PolicyBot) -> gr.Tab:
    """The 任务分工 tab (to be called inside the app's gr.Tabs()): filters, the ledger, and its download button."""
    folder = tempfile.TemporaryDirectory(prefix="policybot-ledger-")  # removed with the app's process
    loaded = bot.is_loaded  # before the index is loaded the lists start empty; opening the tab fills them
    with gr.Tab("任务分工", id="tasks") as tab:
        gr.Markdown("任务分工台账：各文件中写明牵头单位、责任单位的任务及其完成时限，可按文件、单位筛选并下载。")
        with gr.Row():
            docs = gr.Dropdown(
                document_choices(bot) if loaded else [],
                multiselect=True,
                value=[],
                label="文件（不选为全部）",
                elem_id="tasks-docs",
                scale=3,
            )
            unit = gr.Dropdown(
                unit_choices(bot) if loaded else [ALL_UNITS],
                value=ALL_UNITS,
                allow_custom_value=True,
                label="单位（可输入简称，如 市发改委）",
                elem_id="tasks-unit",
                scale=2,
            )
            fmt = gr.Radio(list(FORMATS), value="xlsx", label="下载格式", scale=1)
        with gr.Row():
            run = gr.Button("生成台账", variant="primary", elem_id="tasks-run")
            download = gr.DownloadButton("下载台账", visible=False, elem_id="tasks-download")
        table = gr.Markdown(elem_id="tasks-table")

    def refresh() -> tuple:
        return gr.update(choices=document_choices(bot)), gr.update(choices=unit_choices(bot))

    def generate(doc_ids: list[str] | None, unit_name: str | None, format_name: str) -> tuple:
        view = show_ledger(bot, doc_ids, unit_name, format_name, Path(folder.name))
        shown = view.file is not None
        label = f"下载台账（{view.rows} 项，{format_name}）" if shown else "下载台账"
        return view.markdown, gr.update(value=str(view.file) if shown else None, visible=shown, label=label)

    tab.select(refresh, None, [docs, unit], api_visibility="private")
    run.click(generate, [docs, unit, fmt], [table, download], api_visibility="private")
    for choice in (docs, unit, fmt):  # the file offered is always the ledger of the filters shown
        choice.input(lambda: gr.update(visible=False), None, download, api_visibility="private")
    return tab
