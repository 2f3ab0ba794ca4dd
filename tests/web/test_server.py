"""The server of `python app.py`: page and API on one port, the URL printed only once it listens, a port in use said
in Chinese naming --port / POLICYBOT_PORT with a non-zero exit and no traceback, index progress in a few lines."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import free_port
from fastapi.testclient import TestClient

from policybot.errors import InputError
from policybot.settings import REPO_ROOT
from policybot.web.server import listening_socket, progress_lines, web_app

URL_LINE = "PolicyBot 网页版：http://127.0.0.1:"


def test_a_taken_port_is_refused_naming_the_flag_and_the_variable() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(InputError) as refused:
            listening_socket("127.0.0.1", port)
    message = str(refused.value)
    assert f"端口 {port} 已被占用" in message and "--port" in message and "POLICYBOT_PORT" in message


def test_index_progress_is_a_few_lines_with_counts() -> None:
    lines: list[str] = []
    progress = progress_lines(lines.append)
    progress(0.2, "1 个文件，120 个片段；分词完成")
    for done in range(1, 121):
        progress(0.2 + 0.7 * done / 120, f"向量化 {done}/120")
    progress(1.0, "索引完成：120 个片段，新向量化 120，复用 0")
    assert len(lines) <= 7, lines
    assert lines[0].endswith("1 个文件，120 个片段；分词完成")
    assert lines[-1].endswith("向量化 120/120")


def test_page_and_api_are_one_app(built_bot) -> None:
    with TestClient(web_app(built_bot)) as client:
        page = client.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        reply = client.post("/api/ask", json={"question": "加大用地支持由哪个单位牵头？"})
        assert reply.json()["lead_units"] == ["市自然资源局"]
        assert "/api/ask" in client.get("/openapi.json").json()["paths"]


def start_app_py(bot, port: int) -> subprocess.Popen:
    env = os.environ | {
        "POLICYBOT_CORPUS_DIR": str(bot.settings.corpus_dir),
        "POLICYBOT_INDEX_DIR": str(bot.settings.index_dir),
        "POLICYBOT_PORT": str(port),
    }
    return subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "app.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_url(proc: subprocess.Popen, limit: float = 120) -> list[str]:
    """The lines the app printed up to its URL line."""
    lines: list[str] = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if URL_LINE in line:
            return lines
    raise AssertionError("no URL line: " + "\n".join(lines))


def test_app_py_twice_the_second_exits_naming_the_port_without_a_traceback(bot_copy) -> None:
    bot, port = bot_copy(), free_port()
    first = start_app_py(bot, port)
    try:
        printed = wait_for_url(first)
        # the URL is printed once the server listens: the page answers at once
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert page.status == 200
        assert not any("share=True" in line or "Traceback" in line for line in printed)
        started = time.monotonic()
        second = start_app_py(bot, port)
        out, _ = second.communicate(timeout=30)
        assert time.monotonic() - started < 30
        assert second.returncode != 0
        assert f"端口 {port} 已被占用" in out and "--port" in out and "POLICYBOT_PORT" in out
        assert "Traceback" not in out
        assert first.poll() is None  # the first app still serves
    finally:
        first.terminate()
        first.wait(timeout=30)
