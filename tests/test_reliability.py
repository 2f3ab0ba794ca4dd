"""Reliability: hostile questions and uploads are refused cleanly; a killed or corrupted index build never breaks search."""

from __future__ import annotations

import codecs
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import DATA, SEED, copy_seed_corpus, subprocess_env
from samples import blank_pdf, live_markup, zip_with_zeros

from policybot.answer.answerer import Answer
from policybot.bot import PolicyBot, safe_upload_name
from policybot.errors import DocumentError, IndexCorrupt, InputError
from policybot.index.build import open_index
from policybot.index.journal import JOURNAL_FILE
from policybot.index.store import CURRENT
from policybot.settings import REPO_ROOT, Settings
from policybot.web.render import answer_markdown

QUESTION = "加大用地支持由哪个单位牵头？"


# --- questions ---------------------------------------------------------------------------------------------------


LEADS = "由市自然资源局牵头"
THE_141_DOCUMENT = "《遵义市加快推动特色小镇和小城镇高质量发展实施方案》（遵府办函〔2020〕141号）"


def shown_safely(answer: Answer) -> str:
    """The answer as the app shows it (both forms), checked to hold no live tag; the API form is returned."""
    for details in (True, False):
        assert live_markup(answer_markdown(answer, details=details)) == []
    return answer_markdown(answer, details=False)


@pytest.mark.parametrize(
    "question",
    [
        "🏠🏭 加大用地支持由哪个单位牵头？🤔",
        "<script>alert(1)</script><img src=x onerror=alert(1)>加大用地支持由哪个单位牵头？",
        "[点我](http://evil.example/)加大用地支持由哪个单位牵头？",
        "加大\x00用地\x07支持\x1b[31m由哪个\u202e单位牵头？\x7f",
        "加大\u200b用地支持由哪个\ufeff单位牵头？\r\n",
    ],
    ids=["emoji", "html", "markdown-link", "control", "invisible"],
)
def test_noise_around_a_question_still_gets_its_answer(built_bot, question):
    answer = built_bot.ask(question)
    assert LEADS in answer.answer
    assert (answer.citations[0].clause_path, answer.citations[0].heading) == ("三（三）", "加大用地支持")
    shown = shown_safely(answer)
    assert "<script" not in shown and "<img" not in shown and "](http" not in shown


def test_a_question_in_traditional_characters_finds_the_clause_and_its_lead_unit(built_bot):
    answer = built_bot.ask("加大用地支持由哪個單位牽頭？")
    assert answer.found and answer.lead_units == ("市自然资源局",)
    assert (answer.citations[0].clause_path, answer.citations[0].heading) == ("三（三）", "加大用地支持")
    assert "**牵头单位**：市自然资源局" in shown_safely(answer)


def test_a_question_in_traditional_characters_is_answered_in_one_sentence(built_bot):
    assert LEADS in built_bot.ask("加大用地支持由哪個單位牽頭？").answer
    traditional, simplified = built_bot.ask("市財政局牽頭哪些工作？"), built_bot.ask("市财政局牵头哪些工作？")
    assert traditional.answer == simplified.answer and "市财政局" in traditional.answer
    assert traditional.citations == simplified.citations != ()
    assert built_bot.search("遵府辦函〔2020〕141號").hits[0].doc_number == "遵府办函〔2020〕141号"


@pytest.mark.parametrize(
    "question",
    [
        "遵府办函【2020】141号讲了什么",
        "遵府办函(2020)141号",
        "遵府办函（2020）141号",
        "遵府办函[2020]141号",
        "遵府办函〔2020〕141号",
        "遵府办函 〔 2020 〕 141 号",
    ],
)
def test_a_doc_number_with_odd_brackets_finds_the_document(built_bot, question):
    answer = built_bot.ask(question)
    assert answer.found and answer.answer.startswith(THE_141_DOCUMENT)
    assert "主要内容" in answer.answer
    assert {c.doc_number for c in answer.citations} == {"遵府办函〔2020〕141号"}


@pytest.mark.parametrize("question", ["🏠🏭🤔", "<script>alert(1)</script>", "））【【〔〕", "&lt;b&gt;&#60;i&#62;"])
def test_a_question_of_pure_noise_says_nothing_was_found(built_bot, question):
    answer = built_bot.ask(question)
    assert not answer.found and "没有找到" in answer.answer
    assert answer.citations and all(c.nearest_only for c in answer.citations)
    assert "最接近的条款（仅供参考）" in shown_safely(answer)


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
# a message shows invisible characters as \uXXXX escapes: the name on screen is the name that was sent
SHOWN_AS = {"ev\x00il.txt": r"ev\u0000il.txt", "ev\nil\x1b.txt": r"ev\u000ail\u001b.txt"}


@pytest.fixture(scope="module")
def upload_bot(bot_copy) -> PolicyBot:
    return bot_copy()


def _state(bot: PolicyBot) -> tuple:
    root = bot.settings.corpus_dir.parent
    return (
        sorted(p.name for p in root.iterdir()),
        sorted(p.name for p in bot.settings.corpus_dir.iterdir()),
        open_index(bot.settings.index_dir).manifest.corpus_fingerprint,
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
    assert SHOWN_AS.get(name, name) in str(info.value)
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


def test_upload_over_the_default_limit_is_refused_naming_file_and_limit(upload_bot):
    limit = Settings().max_upload_bytes
    assert upload_bot.settings.max_upload_bytes == limit == 20 * 1024 * 1024
    data = GOOD + b"\n" * (50 * 1024 * 1024 - len(GOOD))  # a 50 MB text file
    before = _state(upload_bot)
    for attempt in (upload_bot.preview, upload_bot.add_document):
        with pytest.raises(DocumentError) as info:
            attempt("超大通知.txt", data)
        message = str(info.value)
        assert message.startswith("超大通知.txt:") and "文件过大：50 MB" in message
        assert "上限 20 MB" in message and f"upload limit {limit} bytes" in message
    assert _state(upload_bot) == before


def _corpus_bytes(bot: PolicyBot) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in bot.settings.corpus_dir.iterdir()}


def _others_unchanged(bot: PolicyBot, documents: dict, files: dict[str, bytes]) -> None:
    """The documents and corpus files from before an upload are all still there, exactly as they were."""
    assert {doc_id: bot.index.documents.get(doc_id) for doc_id in documents} == documents
    now = _corpus_bytes(bot)
    assert {name: now.get(name) for name in files} == files


def test_a_gbk_text_upload_without_a_bom_is_read_and_the_others_stay_as_they_were(bot_copy):
    bot = bot_copy()
    data = (DATA / "gbk_notice.txt").read_bytes()
    assert not data.startswith(codecs.BOM_UTF8)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    documents, files = dict(bot.index.documents), _corpus_bytes(bot)
    doc = bot.add_document("纾困措施.txt", data)
    assert (doc.title, doc.doc_number) == ("青川市支持中小微企业纾困发展若干措施", "青府办发〔2021〕7号")
    vat = next(c for c in doc.clauses if "对月销售额15万元以下的小规模纳税人免征增值税" in c.text)
    assert vat.lead_units == ("市财政局",)
    answer = bot.ask("扩大普惠小微贷款投放由哪个单位牵头？")
    assert "由市金融办牵头" in answer.answer and answer.citations[0].doc_number == "青府办发〔2021〕7号"
    _others_unchanged(bot, documents, files)


SCRIPTED_PAGE = """<html><head><meta charset="utf-8"><title>青川市网页测试</title>
<script>var secret = "偷偷上传密码"; document.write('<p>脚本写入的段落</p>');</script></head>
<body><div class="nav">首页 | 政策文件</div><div class="TRS_Editor">
<p>青川市人民政府办公室关于印发青川市网页发布测试办法的通知</p><p>青府办发〔2024〕3号</p>
<p>青川市网页发布测试办法</p><p>一、适用范围</p>
<p>（一）明确适用对象。本办法适用于网页发布的政策文件。（牵头单位：市数据局；责任单位：市财政局）</p>
<script>alert("恶意脚本内容")</script><noscript>请启用脚本</noscript></div></body></html>"""
NOT_TEXT = ("偷偷上传密码", "脚本写入的段落", "恶意脚本内容", "请启用脚本", "alert", "首页")


def test_a_mislabelled_gbk_page_with_scripts_keeps_only_its_article(bot_copy):
    bot = bot_copy()
    data = SCRIPTED_PAGE.encode("gbk")  # its <meta> says utf-8: the label is wrong
    documents, files = dict(bot.index.documents), _corpus_bytes(bot)
    doc = bot.add_document("网页通知.html", data)
    assert (doc.title, doc.doc_number) == ("青川市网页发布测试办法", "青府办发〔2024〕3号")
    assert doc.clauses[-1].text.startswith("明确适用对象。") and doc.clauses[-1].lead_units == ("市数据局",)
    hits = bot.search("偷偷上传密码 脚本写入的段落 恶意脚本内容 请启用脚本", k=20).hits
    for piece in NOT_TEXT:
        assert piece not in repr(doc)
        assert all(piece not in hit.text for hit in hits)
    _others_unchanged(bot, documents, files)


ODD_NAMES = [  # (name sent, name the message shows)
    ("通知\u202eexe.txt", r"通知\u202eexe.txt"),  # the RTL override would show it as 通知txt.exe
    ("通\u200b知.txt", r"通\u200b知.txt"),
    ("\ufeff通知.txt", r"\ufeff通知.txt"),
    ("📄通知.txt", "📄通知.txt"),
    ("政策／通知.txt", "政策／通知.txt"),
    ("政策＼通知.txt", "政策＼通知.txt"),
    ("．．／evil.txt", "．．／evil.txt"),
    ("．．evil.txt", "．．evil.txt"),
    ("通知..txt", "通知..txt"),
]


@pytest.mark.parametrize(("name", "shown"), ODD_NAMES, ids=[ascii(n) for n, _ in ODD_NAMES])
def test_an_odd_unicode_file_name_is_refused_naming_it_visibly(upload_bot, name, shown):
    before = _state(upload_bot)
    with pytest.raises(DocumentError) as info:
        upload_bot.add_document(name, GOOD)
    message = str(info.value)
    assert message.startswith(shown + ":")
    assert not [ch for ch in message if unicodedata.category(ch) in ("Cc", "Cf")]
    assert _state(upload_bot) == before


def test_a_decomposed_file_name_is_stored_composed(bot_copy):
    bot = bot_copy()
    composed = "Café政策通知.txt"
    name = unicodedata.normalize("NFD", composed)
    assert name != composed
    outside = sorted(p.name for p in bot.settings.corpus_dir.parent.iterdir())
    doc = bot.add_document(name, GOOD)
    assert doc.source == composed and doc.doc_number == "青府办发〔2023〕15号"
    assert composed in _corpus_bytes(bot) and name not in _corpus_bytes(bot)
    assert sorted(p.name for p in bot.settings.corpus_dir.parent.iterdir()) == outside


# --- index builds that die or rot --------------------------------------------------------------------------------


def _index_cmd(corpus: Path, index: Path) -> list[str]:
    return [sys.executable, "-m", "policybot.cli", "index", "--corpus", str(corpus), "--index", str(index)]


def _run_index(corpus: Path, index: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        _index_cmd(corpus, index), cwd=REPO_ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=300
    )


def _bot(corpus: Path, index: Path) -> PolicyBot:
    return PolicyBot(Settings.from_env(env={}, corpus_dir=corpus, index_dir=index))


def _kill_when(corpus: Path, index: Path, line: str | None, delay: float = 0.0) -> None:
    """Start `policybot index`; SIGKILL it once a progress line matching `line` is on stderr (None: at start)
    plus `delay` seconds, asserting it was still running when killed."""
    proc = subprocess.Popen(
        _index_cmd(corpus, index),
        cwd=REPO_ROOT,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = []
    if line is not None:
        assert proc.stderr is not None
        for out in proc.stderr:  # ends when the build ends: then the kill point was never reached
            seen.append(out)
            if re.search(line, out.decode("utf-8", "replace")):
                break
    time.sleep(delay)
    assert proc.poll() is None, f"the build ended before it could be killed at {line!r}: {seen}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_killed_index_build_leaves_a_usable_index(tmp_path):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")
    index = tmp_path / "index"
    first = _run_index(corpus, index)
    assert first.returncode == 0, first.stderr
    shutil.copy(DATA / "fullwidth_units.txt", corpus / "fullwidth_units.txt")

    kill_points = [
        (None, 0.3),  # starting up
        ("分词完成", 0.0),  # parsed and tokenised, about to embed
        # embedded (or taken from the journal an earlier kill left), about to write and publish the new version
        ("向量化|续用", 0.0),
    ]
    for line, delay in kill_points:
        _kill_when(corpus, index, line, delay)
        opened = open_index(index)  # the previous or the new complete index
        assert opened.rows
        answer = _bot(corpus, index).ask(QUESTION)
        assert isinstance(answer, Answer) and answer.found

    final = _run_index(corpus, index)
    assert final.returncode == 0, final.stderr
    sources = {d.source for d in open_index(index).manifest.documents}
    assert "fullwidth_units.txt" in sources
    assert not [p for p in index.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_two_index_builds_at_once_take_turns(tmp_path):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    shutil.copy(DATA / "gbk_notice.txt", corpus / "gbk_notice.txt")
    index = tmp_path / "index"
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    procs = []
    for log in logs:
        with log.open("wb") as err:
            cmd = _index_cmd(corpus, index)
            procs.append(
                subprocess.Popen(cmd, cwd=REPO_ROOT, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=err)
            )
    deadline = time.monotonic() + 120
    # the first progress line comes from whichever build holds the lock: the other must still be running then
    while not any("分词完成" in log.read_text(encoding="utf-8") for log in logs):
        assert time.monotonic() < deadline, "no build made progress in time"
        time.sleep(0.05)
    assert all(proc.poll() is None for proc in procs), [log.read_text(encoding="utf-8") for log in logs]
    for proc in procs:
        assert proc.wait(timeout=240) == 0
    reports = [log.read_text(encoding="utf-8") for log in logs]
    embedded = sorted(int(re.search(r"新向量化 (\d+)", r).group(1)) for r in reports)
    chunks = {int(re.search(r"、(\d+) 个片段", r).group(1)) for r in reports}
    # one build embedded everything; the other waited for it and then reused every vector it published
    assert len(chunks) == 1 and embedded == [0, chunks.pop()], reports
    opened = open_index(index)
    assert {d.source for d in opened.manifest.documents} == {"zunyi-fubanhan-2020-141.txt", "gbk_notice.txt"}
    assert not [p for p in index.iterdir() if p.name.endswith(".tmp")]
    assert _bot(corpus, index).ask(QUESTION).found


@pytest.mark.slow
def test_a_first_build_killed_while_embedding_resumes_where_it_stopped(tmp_path):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    for city in ("贵阳", "安顺", "毕节"):  # four plans' worth of chunks: several batches to kill between
        (corpus / f"{city}.txt").write_text(SEED.read_text(encoding="utf-8").replace("遵义", city), encoding="utf-8")
    index = tmp_path / "index"
    journal = index / JOURNAL_FILE
    proc = subprocess.Popen(
        _index_cmd(corpus, index),
        cwd=REPO_ROOT,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    # one batch of vectors is ~50 KB: wait until at least one is journalled, then pull the plug
    while not (journal.is_file() and journal.stat().st_size > 20_000):
        assert proc.poll() is None, "the build finished before it could be killed"
        assert time.monotonic() < deadline, "no vectors journalled in time"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # the keyword version published before embedding began keeps answering meanwhile
    killed = _bot(corpus, index)
    assert killed.ask(QUESTION).found and killed.semantic_coverage() < 1.0

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
