"""bot: questions asked while the index is still loading wait for that one load; a build in a new process reuses
the published index instead of parsing, segmenting and embedding everything again."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import policybot.bot as bot_module
from policybot.bot import PolicyBot
from policybot.ingest.parser import PARSER_ID


def test_questions_during_the_first_load_wait_for_it(bot_copy, monkeypatch) -> None:
    bot = bot_copy()
    fresh = PolicyBot(bot.settings)
    fresh.segmenter, fresh.embedder  # noqa: B018 - loaded up front: only the index load is under test
    opened = []
    real_open = bot_module.open_index

    def slow_open(*args, **kwargs):
        opened.append(threading.get_ident())
        time.sleep(0.5)  # a large index takes seconds: questions arrive meanwhile
        return real_open(*args, **kwargs)

    monkeypatch.setattr(bot_module, "open_index", slow_open)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(fresh.ask, ["加大用地支持由哪个单位牵头？"] * 4))
    assert len(opened) == 1
    assert all(a.lead_units == ("市自然资源局",) for a in answers)


def test_an_update_in_a_new_process_reuses_every_unchanged_chunk(bot_copy) -> None:
    bot = bot_copy()
    seed = next(bot.settings.corpus_dir.glob("*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8").replace("应保尽保", "优先保障"), encoding="utf-8")
    report, errors = PolicyBot(bot.settings).build()  # a new PolicyBot: nothing in memory, as `policybot index`
    assert errors == []
    assert report.embedded == 1 and report.reused == report.chunks - 1
    assert "parse" in report.timings


def test_an_index_built_by_another_parser_is_parsed_again_reusing_every_vector(bot_copy) -> None:
    bot = bot_copy()
    manifest_path = bot.index.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["parser"] = "clauses-v0"  # as an index built before task tables were read
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    fresh = PolicyBot(bot.settings)
    assert not fresh.index_is_current()  # so `policybot index` and the app's start parse every file again
    report = fresh.ensure_index()
    assert report is not None and report.embedded == 0 and report.reused == report.chunks
    assert fresh.index.manifest.parser == PARSER_ID
