"""The `policybot` command in-process: exit codes and messages a shell user sees."""

from __future__ import annotations

import io
import json
import os

import pytest

from policybot.cli import main


@pytest.fixture
def where(built_bot, monkeypatch) -> list[str]:
    """--corpus/--index of the built seed, with no POLICYBOT_* settings leaking in from the environment."""
    for name in [n for n in os.environ if n.startswith("POLICYBOT_")]:
        monkeypatch.delenv(name)
    return ["--corpus", str(built_bot.settings.corpus_dir), "--index", str(built_bot.settings.index_dir)]


def test_ask_prints_the_lead_unit_and_the_clause_it_rests_on(where, capsys):
    assert main(["ask", "加大用地支持由哪个单位牵头？", *where]) == 0
    out = capsys.readouterr().out
    assert "市自然资源局" in out
    assert "出处：" in out and "遵府办函〔2020〕141号" in out


def test_a_question_over_the_limit_exits_2_naming_the_limit(where, built_bot, capsys):
    limit = built_bot.settings.max_question_chars
    assert main(["ask", "用地" * limit, *where]) == 2
    err = capsys.readouterr().err
    assert f"上限 {limit} 字" in err and f"{2 * limit} 字" in err


def test_questions_from_stdin_answer_the_good_ones_and_report_the_bad_one(where, built_bot, capsys, monkeypatch):
    limit = built_bot.settings.max_question_chars
    monkeypatch.setattr("sys.stdin", io.StringIO("加大用地支持由哪个单位牵头？\n" + "地" * (limit + 1) + "\n"))
    assert main(["ask", "-", *where]) == 2
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2
    assert "市自然资源局" in rows[0]["answer"]
    assert f"上限 {limit} 字" in rows[1]["error"]


def test_search_over_the_limit_exits_2(where, built_bot, capsys):
    assert main(["search", "地" * (built_bot.settings.max_question_chars + 1), *where]) == 2
    assert "问题过长" in capsys.readouterr().err
