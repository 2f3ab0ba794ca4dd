"""The 任务分工 tab through its handlers (no browser): the ledger shown per document with the filters chosen, the file
to download in each format, an unknown unit named, and a document's text never rendered as live markup."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import openpyxl
import pytest
from samples import live_markup, rendered

from policybot.answer.tasks import task_entries
from policybot.ingest.parser import parse_document
from policybot.web.app import build_app
from policybot.web.ledger_tab import (
    ALL_UNITS,
    KEEP_FILES_SECONDS,
    document_choices,
    ledger_markdown,
    show_ledger,
    unit_choices,
    write_ledger,
)

SEED_ID = "zunyi-fubanhan-2020-141"
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def test_the_whole_ledger_shows_every_task_and_downloads_as_a_workbook(built_bot, tmp_path: Path) -> None:
    view = show_ledger(built_bot, [], ALL_UNITS, "xlsx", tmp_path)
    assert view.rows == 8 and view.markdown.startswith("共 8 项任务")
    _, text = rendered(view.markdown)
    assert "加大用地支持" in text and "市自然资源局" in text and "到2022年底" in text
    assert view.file is not None and view.file.name == "任务分工台账.xlsx"
    sheet = openpyxl.load_workbook(view.file).active
    assert sheet.max_row == 9 and sheet["A1"].value == "序号" and sheet.freeze_panes == "A2"


@pytest.mark.parametrize("unit", ["市自然资源局", "自然资源局"])
def test_a_units_filter_shows_only_its_tasks(built_bot, tmp_path: Path, unit: str) -> None:
    view = show_ledger(built_bot, [SEED_ID], unit, "json", tmp_path)
    assert view.file is not None
    rows = json.loads(view.file.read_text(encoding="utf-8"))
    assert [(r["clause_path"], r["lead_units"]) for r in rows] == [
        ("三（二）", ["市自然资源局"]),
        ("三（三）", ["市自然资源局"]),
    ]
    assert view.rows == 2 and f"涉及「{unit}」" in view.markdown


def test_an_unknown_unit_is_named_and_nothing_is_offered_for_download(built_bot, tmp_path: Path) -> None:
    view = show_ledger(built_bot, [], "市教育局", "csv", tmp_path)
    assert view.file is None and view.rows == 0
    assert "市教育局" in view.markdown and view.markdown.startswith("⚠️")


def test_the_filters_offer_the_documents_with_tasks_and_their_units_most_named_first(built_bot) -> None:
    assert document_choices(built_bot) == [
        ("遵义市加快推动特色小镇和小城镇高质量发展实施方案（遵府办函〔2020〕141号）", SEED_ID)
    ]
    units = unit_choices(built_bot)
    assert units[:2] == [ALL_UNITS, "各县〔市、区〕人民政府"]  # in all 8 tasks
    assert "市委统战部(市民宗委)" in units and len(units) == len(set(units))


def test_a_documents_text_shows_as_text_in_the_ledger() -> None:
    doc = parse_document(
        f"某市方案\n一、重点任务\n（一）{XSS}孵化园补贴。对入驻企业{XSS}给予补贴。（牵头单位：市科技局{XSS}；责任单位：市财政局）\n",
        "hostile.txt",
    )
    markdown = ledger_markdown(task_entries(doc))
    assert live_markup(markdown) == []
    assert "<script>alert(1)</script>" in rendered(markdown)[1]  # shown, not run


def test_a_written_ledger_is_deleted_after_an_hour(built_bot, tmp_path: Path) -> None:
    entries = built_bot.task_ledger()
    old = write_ledger(entries[:1], "csv", tmp_path)
    hour_ago = time.time() - KEEP_FILES_SECONDS - 1
    os.utime(old, (hour_ago, hour_ago))
    new = write_ledger(entries, "csv", tmp_path)
    assert new.exists() and not old.exists()


def test_the_app_shows_the_tab_after_browsing(built_bot) -> None:
    blocks = build_app(built_bot).config["components"]
    tabs = [b["props"]["label"] for b in blocks if b["type"] == "tabitem"]
    assert tabs[2:4] == ["文件浏览", "任务分工"]
