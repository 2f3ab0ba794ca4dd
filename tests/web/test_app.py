"""The web app over HTTP (gradio_client) and through its handlers: /ask and /search answer with citations, search
filters narrow the hits, browse shows a document's metadata, follow-ups use the conversation, self-check marks
conditions; admin actions need the password and uploads are refused by name when too big or of the wrong type."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from policybot.ingest.loaders import SUPPORTED_SUFFIXES  # noqa: E402
from policybot.settings import REPO_ROOT  # noqa: E402
from policybot.web.app import build_app  # noqa: E402
from policybot.web.browse import show_clause, show_document  # noqa: E402
from policybot.web.lookup import ALL_ISSUERS  # noqa: E402
from policybot.web.search_tab import run_search  # noqa: E402
from policybot.web.selfcheck_tab import run_self_check  # noqa: E402

PASSWORD = "正确的密码-horse-42"
SAMPLE = REPO_ROOT / "tests" / "data" / "upload_sample.txt"
DISABLED = "文件管理已禁用"
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
SEED_NUMBER = "遵府办函〔2020〕141号"
SAMPLE_NUMBER = "青府办发〔2023〕15号"


@pytest.fixture(scope="module")
def seed_url(built_bot, launch_app) -> str:
    """The URL of the app over the seed corpus, without an admin password."""
    return launch_app(built_bot)


@pytest.fixture(scope="module")
def client(seed_url) -> Client:
    """A client of the app over the seed corpus (one session for the module)."""
    return Client(seed_url, verbose=False)


@pytest.fixture(scope="module")
def admin_bot(bot_copy):
    """A bot with an admin password, over its own copy of the seed corpus and index."""
    return bot_copy(admin_password=PASSWORD)


@pytest.fixture
def admin_client(admin_bot, launch_app) -> Client:
    """A fresh app (fresh password rate limit) with an admin password set."""
    return Client(launch_app(admin_bot), verbose=False)


@pytest.fixture(scope="module")
def two_doc_bot(bot_copy):
    """A bot over the seed document (遵义, 2020) and the upload sample (青川, 2023)."""
    bot = bot_copy()
    bot.add_document(SAMPLE.name, SAMPLE.read_bytes())
    return bot


def corpus_names(bot) -> set[str]:
    return {p.name for p in bot.settings.corpus_dir.iterdir()}


def doc_id_of(bot, doc_number: str) -> str:
    return next(d.doc_id for d in bot.documents() if d.doc_number == doc_number)


def test_ask_names_lead_unit_and_cites_the_clause(client):
    reply = client.predict("加大用地支持由哪个单位牵头？", api_name="/ask")
    assert "市自然资源局" in reply
    assert "三（三）加大用地支持" in reply
    assert "遵府办函〔2020〕141号" in reply


def test_ask_without_an_answer_says_so_and_marks_nearest_clauses(client):
    reply = client.predict("明天天气怎么样", api_name="/ask")
    assert "没有找到" in reply
    assert "最接近的条款（仅供参考）" in reply


def test_over_long_question_is_refused_with_the_limit(client):
    with pytest.raises(AppError, match="问题过长"):
        client.predict("特色小镇" * 200, api_name="/ask")


def test_search_returns_hits_with_citation_fields(client):
    hits = client.predict("人地挂钩", 3, api_name="/search")
    assert 1 <= len(hits) <= 3
    top = hits[0]
    assert (top["clause_path"], top["heading"]) == ("三（三）", "加大用地支持")
    assert top["lead_units"] == ["市自然资源局"]
    assert "人地挂钩" in top["matched_terms"]
    assert top["doc_number"] == "遵府办函〔2020〕141号"


def test_chat_shows_html_in_a_question_as_text(client):
    history, _ = client.predict(XSS + "加大用地支持由哪个单位牵头？", [], api_name="/chat")
    shown = " ".join(str(m["content"]) for m in history)
    assert "<script" not in shown and "<img" not in shown
    assert "&lt;script&gt;" in shown
    assert "市自然资源局" in shown


def test_chat_shows_an_input_error_as_a_message(client):
    history, _ = client.predict("？" * 600, [], api_name="/chat")
    assert history[-1]["role"] == "assistant"
    assert "问题过长" in str(history[-1]["content"])


def test_admin_is_disabled_without_a_configured_password(client, built_bot):
    before = corpus_names(built_bot)
    for password in ("", "anything"):
        status, _ = client.predict(password, api_name="/admin_login")
        assert DISABLED in status
        assert DISABLED in client.predict(password, handle_file(SAMPLE), api_name="/admin_preview")
        status, *_ = client.predict(password, handle_file(SAMPLE), api_name="/admin_add")
        assert DISABLED in status
    assert corpus_names(built_bot) == before


def test_upload_is_refused_without_the_right_password(admin_client, admin_bot):
    before = corpus_names(admin_bot)
    for password in ("", "wrong"):
        status, *_ = admin_client.predict(password, handle_file(SAMPLE), api_name="/admin_add")
        assert "密码错误" in status
    assert corpus_names(admin_bot) == before
    assert "青府办发〔2023〕15号" not in {d.doc_number for d in admin_bot.documents()}


def test_wrong_passwords_lock_the_admin_out(admin_client):
    for n in range(5):
        status, _ = admin_client.predict(f"guess-{n}", api_name="/admin_login")
        assert "密码错误" in status
    status, _ = admin_client.predict(PASSWORD, api_name="/admin_login")
    assert "次数过多" in status  # even the right password waits out the lock
    status = admin_client.predict(PASSWORD, handle_file(SAMPLE), api_name="/admin_preview")
    assert "次数过多" in status


def test_preview_shows_how_an_upload_parsed_with_html_escaped(admin_client, tmp_path):
    status, _ = admin_client.predict(PASSWORD, api_name="/admin_login")
    assert "已验证" in status
    preview = admin_client.predict(PASSWORD, handle_file(SAMPLE), api_name="/admin_preview")
    assert "青府办发〔2023〕15号" in preview
    assert "条款数**：12" in preview
    assert "市财政局" in preview
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        SAMPLE.read_text(encoding="utf-8").replace("贷款贴息实施办法", "贷款贴息" + XSS), encoding="utf-8"
    )
    preview = admin_client.predict(PASSWORD, handle_file(hostile), api_name="/admin_preview")
    assert "<script" not in preview and "<img" not in preview
    assert "&lt;script&gt;" in preview


def test_bad_upload_is_named_in_the_error(admin_client, tmp_path):
    empty = tmp_path / "空白通知.txt"
    empty.write_bytes(b"")
    preview = admin_client.predict(PASSWORD, handle_file(empty), api_name="/admin_preview")
    assert preview.startswith("⚠️") and "空白通知.txt" in preview


def test_upload_of_an_unsupported_type_is_refused_naming_file_and_types(admin_client, admin_bot, tmp_path):
    before = corpus_names(admin_bot)
    for name in ("notes.xyz", "setup.exe"):
        unsupported = tmp_path / name
        unsupported.write_bytes("MZ 不是政策文件".encode())
        preview = admin_client.predict(PASSWORD, handle_file(unsupported), api_name="/admin_preview")
        status, *_ = admin_client.predict(PASSWORD, handle_file(unsupported), api_name="/admin_add")
        for message in (preview, status):
            assert message.startswith("⚠️") and name in message and "不支持的文件类型" in message
            assert all(suffix in message for suffix in SUPPORTED_SUFFIXES)
    assert corpus_names(admin_bot) == before


def test_oversized_upload_is_refused_naming_file_and_limit(bot_copy, launch_app, tmp_path):
    bot = bot_copy(admin_password=PASSWORD, max_upload_bytes=512 * 1024)
    client = Client(launch_app(bot), verbose=False)
    big = tmp_path / "超大通知.txt"
    big.write_text(SAMPLE.read_text(encoding="utf-8") + "特色小镇" * 60_000, encoding="utf-8")  # ~0.7 MB
    before, documents = corpus_names(bot), len(bot.documents())
    preview = client.predict(PASSWORD, handle_file(big), api_name="/admin_preview")
    status, *_ = client.predict(PASSWORD, handle_file(big), api_name="/admin_add")
    for message in (preview, status):
        assert message.startswith("⚠️") and "超大通知.txt" in message
        assert "文件过大" in message and "上限 0.5 MB" in message
    assert corpus_names(bot) == before and len(bot.documents()) == documents
    # a file within the limit still goes through
    assert SAMPLE_NUMBER in client.predict(PASSWORD, handle_file(SAMPLE), api_name="/admin_preview")


def table_row(table: str, title: str) -> list[str]:
    """The cells of the admin list's row for a document title."""
    row = next(line for line in table.splitlines() if line.startswith(f"| {title} |"))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_admin_adds_lists_and_deletes_a_document(bot_copy, launch_app):
    bot = bot_copy(admin_password=PASSWORD)
    client = Client(launch_app(bot), verbose=False)
    status, *_ = client.predict(PASSWORD, handle_file(SAMPLE), api_name="/admin_add")
    assert "已加入索引" in status and "青川市小微企业贷款贴息实施办法" in status
    status, table = client.predict(PASSWORD, api_name="/admin_login")
    assert "共 2 个文件" in table
    assert table_row(table, "青川市小微企业贷款贴息实施办法")[1] == SAMPLE_NUMBER
    assert table_row(table, "青川市小微企业贷款贴息实施办法")[-1] == "12"  # 条款数
    seed = next(d for d in bot.documents() if d.doc_number == SEED_NUMBER)
    assert table_row(table, seed.title)[-1] == str(len(seed.clauses))
    hits = client.predict("流动资金贷款贴息", 3, api_name="/search")
    assert hits[0]["doc_number"] == SAMPLE_NUMBER
    assert hits[0]["lead_units"] == ["市财政局"]
    doc_id = hits[0]["doc_id"]
    for password in ("", "wrong"):  # the HTTP endpoint checks the password itself
        status, *_ = client.predict(password, doc_id, True, api_name="/admin_delete")
        assert "密码错误" in status
    assert client.predict("流动资金贷款贴息", 3, api_name="/search")[0]["doc_id"] == doc_id
    status, *_ = client.predict(PASSWORD, doc_id, False, api_name="/admin_delete")
    assert "确认删除" in status
    status, *_, table = client.predict(PASSWORD, doc_id, True, api_name="/admin_delete")
    assert "已删除" in status and "青川市小微企业贷款贴息实施办法" in status
    assert "青川市小微企业贷款贴息实施办法" not in table and "共 1 个文件" in table
    hits = client.predict("流动资金贷款贴息", 3, api_name="/search")
    assert all(h["doc_id"] != doc_id for h in hits)
    assert SAMPLE.name not in corpus_names(bot)


def test_app_py_serves_a_built_index_and_answers(bot_copy):
    """`python app.py` on a built index: the page is served first, the index loads behind it, /ask answers."""
    bot = bot_copy()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = os.environ | {
        "POLICYBOT_CORPUS_DIR": str(bot.settings.corpus_dir),
        "POLICYBOT_INDEX_DIR": str(bot.settings.index_dir),
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    root = REPO_ROOT
    proc = subprocess.Popen(
        [sys.executable, str(root / "app.py"), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "app did not serve within 120 s"
                time.sleep(0.2)
        answer = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(
            "加大用地支持由哪个单位牵头？", api_name="/ask"
        )
        assert "市自然资源局" in answer
        assert "三（三）" in answer
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_search_filters_by_document_issuer_and_year(two_doc_bot):
    seed, sample = doc_id_of(two_doc_bot, SEED_NUMBER), doc_id_of(two_doc_bot, SAMPLE_NUMBER)

    def hit_docs(doc_ids=(), issuer=ALL_ISSUERS, year_from=None, year_to=None) -> set[str]:
        view = run_search(two_doc_bot, "特色小镇企业贴息", 20, list(doc_ids), issuer, year_from, year_to)
        assert view.markdown.startswith(f"共 {len(view.keys)} 条，用时 ")
        return {doc_id for doc_id, _ in view.keys}

    assert hit_docs() == {seed, sample}
    assert hit_docs(doc_ids=[sample]) == {sample}
    assert hit_docs(doc_ids=[seed]) == {seed}
    assert hit_docs(issuer="青川市人民政府办公室") == {sample}
    assert hit_docs(issuer="遵义市人民政府办公室") == {seed}
    assert hit_docs(year_from=2023, year_to=2023) == {sample}
    assert hit_docs(year_from=0, year_to=2020) == {seed}
    assert hit_docs(year_from=2021, year_to=2022) == set()
    issuer_box = next(b for b in build_app(two_doc_bot).blocks.values() if getattr(b, "label", None) == "发文机关")
    assert {"青川市人民政府办公室", "遵义市人民政府办公室"} <= {value for _, value in issuer_box.choices}


def test_browse_shows_metadata_references_and_a_clause_with_its_lead_unit(built_bot):
    seed = doc_id_of(built_bot, SEED_NUMBER)
    view = show_document(built_bot, seed)
    meta = view.markdown
    assert f"- **文号**：{SEED_NUMBER}" in meta
    assert "- **发文机关**：遵义市人民政府办公室" in meta
    assert "- **日期**：2020-07-13" in meta
    assert "- **效力**：现行有效" in meta
    references = next(line for line in meta.splitlines() if line.startswith("- **引用文件**："))
    assert "黔府办发〔2019〕20号" in references
    tree = dict(view.tree)
    clause_id = next(cid for label, cid in tree.items() if "三（三） 加大用地支持" in label)
    detail = show_clause(built_bot, seed, clause_id)
    assert detail.startswith("### 三（三） 加大用地支持")
    assert "**牵头单位**：市自然资源局" in detail
    assert "人地挂钩" in detail


@pytest.mark.parametrize(
    ("first", "follow_up", "expected"),
    [
        ("谁负责用地支持？", "那金融支持呢？", "「加大金融支持」由市金融办牵头"),
        ("人才方面有什么支持政策？", "这条谁牵头？", "「加大人才支持」由市委组织部、市人力资源社会保障局牵头"),
    ],
    ids=["then-finance", "this-clause-who-leads"],
)
def test_chat_answers_a_follow_up_from_the_conversation(seed_url, first, follow_up, expected):
    chat = Client(seed_url, verbose=False)  # a session of its own: the conversation lives in the session
    alone, _ = chat.predict(follow_up, [], api_name="/chat")
    assert expected not in str(alone[-1]["content"])  # asked cold, the follow-up does not know what it refers to
    chat = Client(seed_url, verbose=False)
    history, _ = chat.predict(first, [], api_name="/chat")
    history, _ = chat.predict(follow_up, history, api_name="/chat")
    assert [m["role"] for m in history] == ["user", "assistant"] * 2
    assert expected in str(history[-1]["content"])


def test_self_check_from_a_description_marks_conditions_met_and_unknown(built_bot):
    unknown = "不确定"
    described = run_self_check(
        built_bot, "", unknown, unknown, unknown, unknown, [], "我们是小微食品企业，准备落户特色小镇，需要贷款"
    )
    assert "✔ 符合" in described and "？ 需确认" in described  # the legend of the marks
    assert "- ✔ 落户特色小镇和小城镇的企业、人才（已说明落户特色小镇或小城镇）" in described
    assert "- ✔ 符合产业发展方向（行业“食品”属条款列举的方向）" in described
    assert "- ？ 符合国家产业结构调整的指导目录鼓励类产业企业（未说明是否属于鼓励类产业）" in described
    assert "加大金融支持" in described and "**联系单位**：市金融办" in described  # 贷款 → the finance clause
    blank = run_self_check(built_bot, "", unknown, unknown, unknown, unknown, [], "")
    assert "- ？ 落户特色小镇和小城镇的企业、人才（未说明是否落户特色小镇或小城镇）" in blank
