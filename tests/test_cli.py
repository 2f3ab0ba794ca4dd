"""The `policybot` command in-process: exit codes and messages a shell user sees."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import copy_seed_corpus

from policybot.cli import build_parser, date_option, main
from policybot.settings import REPO_ROOT


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


# --- search filters: dates, documents, issuers, and why nothing was found ---------------------------------------------

SEED_NUMBER = "遵府办函〔2020〕141号"
SEED_ID = "zunyi-fubanhan-2020-141"
SAMPLE = Path(__file__).parent / "data" / "upload_sample.txt"  # 青府办发〔2023〕15号, 青川市人民政府办公室, 2023-06-01


@pytest.fixture(scope="module")
def two_documents(bot_copy) -> list[str]:
    """--corpus/--index of the seed (遵义, 2020) plus a second plan (青川, 2023)."""
    bot = bot_copy()
    bot.add_document(SAMPLE.name, SAMPLE.read_bytes())
    return ["--corpus", str(bot.settings.corpus_dir), "--index", str(bot.settings.index_dir)]


def search_json(capsys, *args: str) -> tuple[int, dict, str]:
    status = main(["search", *args, "--json"])
    captured = capsys.readouterr()
    return status, json.loads(captured.out) if captured.out else {}, captured.err


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2020-07-13", "2020-07-13", "2020-07-13"),
        ("2020/7/13", "2020-07-13", "2020-07-13"),
        ("2020.7.13", "2020-07-13", "2020-07-13"),
        ("2020年7月13日", "2020-07-13", "2020-07-13"),
        ("２０２０年７月１３日", "2020-07-13", "2020-07-13"),
        (" 2020-7 ", "2020-07-01", "2020-07-31"),
        ("2020年2月", "2020-02-01", "2020-02-29"),
        ("2020", "2020-01-01", "2020-12-31"),
        ("2020年", "2020-01-01", "2020-12-31"),
    ],
)
def test_common_date_shapes_are_read_a_year_or_month_from_its_first_or_to_its_last_day(value, start, end):
    assert date_option("--date-from", value) == start
    assert date_option("--date-to", value, end=True) == end


@pytest.mark.parametrize("value", ["2020/1/1", "2020.1.1", "2020年1月1日", "2020"])
def test_search_from_a_date_before_the_seed_finds_it(where, capsys, value):
    status, result, _ = search_json(capsys, "人地挂钩", "--date-from", value, *where)
    assert status == 0
    assert result["hits"] and result["hits"][0]["doc_number"] == SEED_NUMBER


@pytest.mark.parametrize("value", ["yesterday", "20200101", "2020-13-01", "2020-02-30", "2020/1/1/1", "1/1/2020"])
def test_a_value_that_is_no_date_exits_2_naming_the_option_and_the_value(where, capsys, value):
    assert main(["search", "人地挂钩", "--date-to", value, *where]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--date-to" in captured.err and f"「{value}」" in captured.err
    assert "2020年1月1日" in captured.err or "有效日期" in captured.err  # says what is accepted, or what is wrong


def test_a_range_that_ends_before_it_starts_exits_2_naming_both_ends(where, capsys):
    assert main(["search", "人地挂钩", "--date-from", "2022", "--date-to", "2019", *where]) == 2
    err = capsys.readouterr().err
    assert "日期范围为空" in err and "2022-01-01" in err and "2019-12-31" in err


@pytest.mark.parametrize("name", [SEED_ID, SEED_NUMBER, "遵府办函[2020]141号", "特色小镇和小城镇"])
def test_doc_takes_an_id_a_doc_number_in_any_brackets_or_part_of_a_title(two_documents, capsys, name):
    status, result, _ = search_json(capsys, "资金", "--doc", name, *two_documents)
    assert status == 0
    assert result["hits"] and {h["doc_number"] for h in result["hits"]} == {SEED_NUMBER}


def test_an_unknown_document_exits_2_naming_it_and_the_documents_there_are(where, capsys):
    assert main(["search", "人地挂钩", "--doc", "nosuchdoc", *where]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "「nosuchdoc」" in captured.err and SEED_NUMBER in captured.err


def test_a_mistyped_document_number_is_answered_with_the_closest_one(where, capsys):
    assert main(["search", "人地挂钩", "--doc", "遵府办函〔2020〕14号", *where]) == 2
    err = capsys.readouterr().err
    assert "「遵府办函〔2020〕14号」" in err and f"相近的文件：{SEED_NUMBER}" in err


def test_zero_hits_in_text_mode_say_which_filter_excluded_everything(where, capsys):
    assert main(["search", "人地挂钩", "--date-from", "2021", *where]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 条结果：")
    assert "2021-01-01 及以后" in out and "2020-07-13" in out  # the range asked and the date the documents have


def test_zero_hits_name_an_issuer_no_document_has_and_the_issuers_there_are(where, capsys):
    assert main(["search", "人地挂钩", "--issuer", "贵州省人民政府", *where]) == 0
    out = capsys.readouterr().out
    assert "0 条结果：" in out and "「贵州省人民政府」" in out and "遵义市人民政府办公室" in out


def test_zero_hits_from_filters_that_each_match_a_document_but_not_together(two_documents, capsys):
    assert main(["search", "贷款", "--issuer", "遵义", "--date-from", "2023", *two_documents]) == 0
    out = capsys.readouterr().out
    assert "0 条结果：没有文件同时满足所有筛选条件" in out and "--issuer 遵义" in out and "2023-01-01" in out


def test_zero_hits_as_json_keep_the_shape_and_give_the_reason_on_stderr(where, capsys):
    status, result, err = search_json(capsys, "人地挂钩", "--date-to", "2019年12月31日", *where)
    assert status == 0
    assert result["hits"] == [] and set(result) == {"hits", "took_ms", "decided_by", "semantic_coverage", "backend"}
    assert result["semantic_coverage"] == 1.0
    assert "0 条结果：" in err and "2019-12-31 及以前" in err


def test_hits_in_text_mode_end_with_how_many_were_found(where, capsys):
    assert main(["search", "人地挂钩", "-k", "2", *where]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1. ") and "三（三）" in out[0]
    assert out[-1].startswith("2 条结果（")


def test_ask_json_still_says_which_rule_decided(where, capsys):
    assert main(["ask", "三（三）由哪个单位牵头？", "--json", *where]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["decided_by"] == "clause_number" and "市自然资源局" in answer["answer"]


# --- parse: a file or a folder ------------------------------------------------------------------------------------------


def test_parse_a_folder_parses_every_file_in_it(tmp_path, capsys):
    copy_seed_corpus(tmp_path)
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    assert main(["parse", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert SEED_NUMBER in captured.out and "青府办发〔2023〕15号" in captured.out
    assert "已解析 2 个文件" in captured.err and "不支持" not in captured.err


def test_parse_a_folder_as_json_prints_one_document_per_line(tmp_path, capsys):
    copy_seed_corpus(tmp_path)
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    assert main(["parse", str(tmp_path), "--json"]) == 0
    docs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["doc_number"] for d in docs] == ["青府办发〔2023〕15号", SEED_NUMBER]  # in file-name order
    assert docs[1]["source_url"] == "https://www.ushui.net/"  # the sidecar applied, not parsed as a file


def test_parse_a_folder_names_each_file_it_cannot_read_and_exits_2(tmp_path, capsys):
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    (tmp_path / "旧通知.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    assert main(["parse", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "青府办发〔2023〕15号" in captured.out
    assert "旧通知.doc" in captured.err and ".docx" in captured.err
    assert "已解析 1 个文件，1 个无法读取" in captured.err


def test_parse_an_empty_folder_says_it_is_a_folder_without_documents(tmp_path, capsys):
    assert main(["parse", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path} 是文件夹" in err and ".txt" in err and "无扩展名" not in err


def test_parse_a_missing_file_names_it(tmp_path, capsys):
    missing = tmp_path / "没有这个文件.txt"
    assert main(["parse", str(missing)]) == 2
    assert f"找不到文件 {missing}" in capsys.readouterr().err


def test_parse_a_file_shows_what_the_parser_noted(capsys):
    assert main(["parse", str(REPO_ROOT / "corpus" / "zunyi-fubanhan-2020-141.txt")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("遵义市加快推动特色小镇和小城镇高质量发展实施方案\n")
    assert "注意：原文不完整" in out


# --- help ----------------------------------------------------------------------------------------------------------------


def test_every_option_of_every_subcommand_has_help_text():
    parser = build_parser()
    missing = []
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert subcommands
    parsers = {"policybot": parser, **{f"policybot {n}": p for n, p in subcommands[0].choices.items()}}
    assert {"policybot parse", "policybot search", "policybot ask", "policybot serve"} <= set(parsers)
    for name, p in parsers.items():
        for action in p._actions:
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_tasks_answers_a_mistyped_document_with_the_closest_one(where, capsys):
    assert main(["tasks", "--doc", "遵府办函〔2020〕1411号", *where]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"相近的文件：{SEED_NUMBER}" in captured.err


def test_selfcheck_lists_what_an_enterprise_may_claim(where, capsys) -> None:
    assert main(["selfcheck", "小微企业，需要用地和贷款", *where]) == 0
    out = capsys.readouterr().out
    assert "享受主体：企业" in out and "三（三）" in out
    assert "以奖代补" not in out  # a reward for counties, not for firms


def test_selfcheck_without_a_profile_names_what_to_give(where, capsys) -> None:
    assert main(["selfcheck", *where]) == 2
    assert "--need" in capsys.readouterr().err


def test_the_cli_offers_the_self_checks_sizes_and_needs() -> None:
    from policybot import cli
    from policybot.answer import selfcheck

    assert cli.SELFCHECK_SIZES == selfcheck.SIZES
    assert tuple(selfcheck.NEED_WORDS) == cli.SELFCHECK_NEEDS


def embedding_progress(progress, total: int = 1000) -> None:
    progress(0.2, "3 个文件，1000 个片段；分词完成")
    for done in range(4, total + 1, 4):
        progress(0.2 + 0.7 * done / total, f"向量化 {done}/{total}")
    progress(1.0, f"索引完成：{total} 个片段，新向量化 {total}，复用 0")


def test_index_progress_in_a_log_is_a_line_per_tenth_with_rate_and_time_left():
    from policybot.cli import ConsoleProgress

    out = io.StringIO()
    embedding_progress(ConsoleProgress(out, tty=False))
    lines = out.getvalue().splitlines()
    counted = [line for line in lines if "] 向量化" in line]
    assert 10 <= len(counted) <= 12, lines
    assert counted[-1].startswith("[ 90%] 向量化 1000/1000")
    assert all("个/秒" in line for line in counted[1:])
    assert any("约剩" in line for line in counted[1:-1])
    assert lines[0] == "[ 20%] 3 个文件，1000 个片段；分词完成" and lines[-1].startswith("[100%] 索引完成")


def test_index_progress_on_a_terminal_is_a_bar_with_rate_and_eta():
    from policybot.cli import ConsoleProgress

    out = io.StringIO()
    embedding_progress(ConsoleProgress(out, tty=True))
    text = out.getvalue()
    assert "向量化" in text and "1000/1000" in text and "片段/s" in text
    assert "\r" in text  # one bar redrawn in place, not a line per step
    assert text.count("[ 90%] 向量化") == 0


def test_index_search_and_ask_on_milvus_lite_answer_as_the_local_backend(
    where, built_bot, tmp_path, monkeypatch, capsys
):
    pytest.importorskip("milvus_lite")
    for part in ("corpus", "index"):
        shutil.copytree(getattr(built_bot.settings, f"{part}_dir"), tmp_path / part)
    mine = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    asked = ["ask", "加大用地支持由哪个单位牵头？", "--json"]
    assert main([*asked, *where]) == 0
    local = json.loads(capsys.readouterr().out)
    monkeypatch.setenv("POLICYBOT_BACKEND", "milvus")
    monkeypatch.setenv("POLICYBOT_MILVUS_URI", str(tmp_path / "index" / "milvus.db"))
    assert main(["index", *mine]) == 0
    assert f"Milvus（{tmp_path / 'index' / 'milvus.db'}）：写入 1 个文件" in capsys.readouterr().err
    assert main([*asked, *mine]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["backend"] == "milvus" and local["backend"] == "local"
    assert answer["lead_units"] == local["lead_units"] == ["市自然资源局"]
    assert answer["answer"] == local["answer"]
    assert main(["search", "金融支持", "--json", *mine]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["backend"] == "milvus" and found["hits"][0]["heading"] == "加大金融支持"
