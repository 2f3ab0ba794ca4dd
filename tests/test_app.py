"""The web app over HTTP (gradio_client): /ask and /search answer with citations; admin actions need the password."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

PASSWORD = "正确的密码-horse-42"
SAMPLE = Path(__file__).parent / "data" / "upload_sample.txt"
DISABLED = "文件管理已禁用"
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def client(built_bot, launch_app) -> Client:
    """A client of the app over the seed corpus, without an admin password."""
    return Client(launch_app(built_bot), verbose=False)


@pytest.fixture(scope="module")
def admin_bot(bot_copy):
    """A bot with an admin password, over its own copy of the seed corpus and index."""
    return bot_copy(admin_password=PASSWORD)


@pytest.fixture
def admin_client(admin_bot, launch_app) -> Client:
    """A fresh app (fresh password rate limit) with an admin password set."""
    return Client(launch_app(admin_bot), verbose=False)


def corpus_names(bot) -> set[str]:
    return {p.name for p in bot.settings.corpus_dir.iterdir()}


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
    unsupported = tmp_path / "notes.xyz"
    unsupported.write_text("不是政策文件", encoding="utf-8")
    with pytest.raises(AppError, match="Invalid file type"):
        admin_client.predict(PASSWORD, handle_file(unsupported), api_name="/admin_preview")


def test_admin_adds_and_deletes_a_document(bot_copy, launch_app):
    bot = bot_copy(admin_password=PASSWORD)
    client = Client(launch_app(bot), verbose=False)
    status, *_ = client.predict(PASSWORD, handle_file(SAMPLE), api_name="/admin_add")
    assert "已加入索引" in status and "青川市小微企业贷款贴息实施办法" in status
    hits = client.predict("流动资金贷款贴息", 3, api_name="/search")
    assert hits[0]["doc_number"] == "青府办发〔2023〕15号"
    assert hits[0]["lead_units"] == ["市财政局"]
    doc_id = hits[0]["doc_id"]
    status, *_ = client.predict(PASSWORD, doc_id, False, api_name="/admin_delete")
    assert "确认删除" in status
    status, *_ = client.predict(PASSWORD, doc_id, True, api_name="/admin_delete")
    assert "已删除" in status
    hits = client.predict("流动资金贷款贴息", 3, api_name="/search")
    assert all(h["doc_id"] != doc_id for h in hits)


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
    root = Path(__file__).resolve().parent.parent
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
