"""Reliability: hostile questions and uploads are refused cleanly; a killed or corrupted index build never breaks search."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import DATA, SEED, copy_seed_corpus
from samples import blank_pdf, zip_with_zeros

from policybot.answer import Answer
from policybot.bot import PolicyBot, safe_upload_name
from policybot.errors import DocumentError, IndexCorrupt, InputError
from policybot.index import open_index
from policybot.journal import JOURNAL_FILE
from policybot.settings import REPO_ROOT, Settings
from policybot.store import CURRENT

QUESTION = "加大用地支持由哪个单位牵头？"


# --- questions ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "🏠🏭 加大用地支持由哪个单位牵头？🤔",
        "加大用地支持由哪個單位牽頭？",
        "<script>alert(1)</script><img src=x onerror=alert(1)>加大用地支持由哪个单位牵头？",
        "加大\x00用地\x07支持\x1b[31m由哪个\u202e单位牵头？\x7f",
        "遵府办函【2020】141号讲了什么",
        "遵府办函(2020)141号",
        "））【【〔〕",
    ],
)
def test_odd_questions_answer_or_refuse_cleanly(built_bot, question):
    try:
        answer = built_bot.ask(question)
    except InputError as exc:
        assert str(exc)
    else:
        assert isinstance(answer, Answer)
        assert "<script>" not in answer.answer


def test_megabyte_question_is_refused_naming_the_limit(built_bot):
    with pytest.raises(InputError, match="500"):
        built_bot.ask("特" * 1_000_000)


@pytest.mark.parametrize("question", ["", "   ", "\n\t\u3000 ", "\x00\x01\x02", None])
def test_empty_question_is_refused(built_bot, question):
    with pytest.raises(InputError):
        built_bot.ask(question)


# --- uploads -----------------------------------------------------------------------------------------------------


GOOD = (DATA / "upload_sample.txt").read_bytes()

TRAVERSAL_NAMES = ["../evil.txt", "..\\evil.txt", "a/../../b.txt", "/etc/evil.txt"]


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_upload_name_with_a_folder_is_refused_with_the_name(name):
    with pytest.raises(DocumentError) as info:
        safe_upload_name(name)
    assert name in str(info.value)
    assert "路径" in str(info.value)


BAD_UPLOADS = [
    ("ev\x00il.txt", GOOD),
    ("ev\nil\x1b.txt", GOOD),
    (".hidden.txt", GOOD),
    ("x.exe", GOOD),
    ("empty.txt", b""),
    ("binary.txt", (DATA / "binary.txt").read_bytes()),
    ("random.txt", bytes(range(256)) * 64),
    ("bomb.docx", None),  # built lazily: the zip bomb
    ("scan.pdf", None),  # built lazily: a pdf without a text layer
]


@pytest.fixture(scope="module")
def upload_bot(bot_copy) -> PolicyBot:
    return bot_copy()


def _state(bot: PolicyBot) -> tuple:
    root = bot.settings.corpus_dir.parent
    return (
        sorted(p.name for p in root.iterdir()),
        sorted(p.name for p in bot.settings.corpus_dir.iterdir()),
        open_index(bot.settings.index_dir).manifest["corpus_fingerprint"],
    )


@pytest.mark.parametrize(("name", "data"), BAD_UPLOADS, ids=[repr(n) for n, _ in BAD_UPLOADS])
def test_bad_upload_is_refused_and_changes_nothing(upload_bot, name, data):
    if name == "bomb.docx":
        data = zip_with_zeros(60 * 1024 * 1024)
    elif name == "scan.pdf":
        data = blank_pdf()
    before = _state(upload_bot)
    with pytest.raises((DocumentError, InputError)) as info:
        upload_bot.add_document(name, data)
    shown = name.replace("\\", "/").rsplit("/", 1)[-1]
    assert name in str(info.value) or shown in str(info.value)
    assert _state(upload_bot) == before


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_upload_name_with_folders_is_refused_and_changes_nothing(upload_bot, name):
    outside = upload_bot.settings.corpus_dir.parent / "evil.txt"
    before = _state(upload_bot)
    with pytest.raises(DocumentError) as info:
        upload_bot.add_document(name, GOOD)
    assert name in str(info.value)
    assert _state(upload_bot) == before
    assert not outside.exists()
    assert not (upload_bot.settings.corpus_dir / name.replace("\\", "/").rsplit("/", 1)[-1]).exists()


def test_upload_over_the_size_limit_is_refused(upload_bot):
    before = _state(upload_bot)
    original = upload_bot.settings
    upload_bot.settings = replace(original, max_upload_bytes=1000)
    try:
        with pytest.raises(DocumentError, match="big.txt"):
            upload_bot.add_document("big.txt", GOOD * (1 + 2000 // max(1, len(GOOD))))
    finally:
        upload_bot.settings = original
    assert _state(upload_bot) == before


# --- index builds that die or rot --------------------------------------------------------------------------------


def _cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def _index_cmd(corpus: Path, index: Path) -> list[str]:
    return [sys.executable, "-m", "policybot.cli", "index", "--corpus", str(corpus), "--index", str(index)]


def _run_index(corpus: Path, index: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        _index_cmd(corpus, index), cwd=REPO_ROOT, env=_cli_env(), capture_output=True, text=True, timeout=300
    )


def _bot(corpus: Path, index: Path) -> PolicyBot:
    return PolicyBot(Settings.from_env(env={}, corpus_dir=corpus, index_dir=index))


@pytest.mark.slow
def test_killed_index_build_leaves_a_usable_index(tmp_path):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")
    index = tmp_path / "index"
    first = _run_index(corpus, index)
    assert first.returncode == 0, first.stderr
    shutil.copy(DATA / "fullwidth_units.txt", corpus / "fullwidth_units.txt")

    for delay in (0.3, 1.0, 2.0, 3.5):
        proc = subprocess.Popen(
            _index_cmd(corpus, index),
            cwd=REPO_ROOT,
            env=_cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        opened = open_index(index)  # the previous or the new complete index
        assert opened.rows
        answer = _bot(corpus, index).ask(QUESTION)
        assert isinstance(answer, Answer) and answer.found

    final = _run_index(corpus, index)
    assert final.returncode == 0, final.stderr
    sources = {d["source"] for d in open_index(index).manifest["documents"]}
    assert "fullwidth_units.txt" in sources
    assert not [p for p in index.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_a_first_build_killed_while_embedding_resumes_where_it_stopped(tmp_path):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    for city in ("贵阳", "安顺", "毕节"):  # four plans' worth of chunks: several batches to kill between
        (corpus / f"{city}.txt").write_text(SEED.read_text(encoding="utf-8").replace("遵义", city), encoding="utf-8")
    index = tmp_path / "index"
    journal = index / JOURNAL_FILE
    proc = subprocess.Popen(
        _index_cmd(corpus, index), cwd=REPO_ROOT, env=_cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    # one batch of vectors is ~50 KB: wait until at least one is journalled, then pull the plug
    while not (journal.is_file() and journal.stat().st_size > 20_000):
        assert proc.poll() is None, "the build finished before it could be killed"
        assert time.monotonic() < deadline, "no vectors journalled in time"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (index / CURRENT).exists()

    resumed = _run_index(corpus, index)
    assert resumed.returncode == 0, resumed.stderr
    taken = re.search(r"其中 (\d+) 个取自上次中断的构建", resumed.stderr)
    assert taken and int(taken.group(1)) >= 1, resumed.stderr
    assert not journal.exists()
    assert _bot(corpus, index).ask(QUESTION).found


def test_truncated_index_file_is_reported_and_repaired(bot_copy):
    bot = bot_copy()
    index = bot.settings.index_dir
    version = index / (index / CURRENT).read_text(encoding="utf-8").strip()
    victims = sorted((version / "shards").glob("*.bin")) + sorted((version / "shards").glob("*.json"))
    for victim in victims:  # the last one stays truncated
        data = victim.read_bytes()
        victim.write_bytes(data[: len(data) // 2])
        with pytest.raises(IndexCorrupt, match="policybot index"):
            open_index(index)
        if victim != victims[-1]:
            victim.write_bytes(data)
            assert open_index(index).rows
    repaired = _run_index(bot.settings.corpus_dir, index)
    assert repaired.returncode == 0, repaired.stderr
    assert open_index(index).rows
    assert _bot(bot.settings.corpus_dir, index).ask(QUESTION).found
