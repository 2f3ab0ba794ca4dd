"""Optional LLM rephrasing against a local OpenAI-compatible server: citations and units always kept."""

from __future__ import annotations

import dataclasses
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from policybot.bot import PolicyBot


class _ChatHandler(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if type(self).mode == "error":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"boom")
            return
        content = "用地支持由市自然资源局牵头，主要是盘活存量建设用地。"
        payload = {"choices": [{"message": {"role": "assistant", "content": content}}]}
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def llm_server():
    server = HTTPServer(("127.0.0.1", 0), _ChatHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _ChatHandler.requests = []
    yield server
    server.shutdown()


def _bot_with_llm(built_bot: PolicyBot, url: str) -> PolicyBot:
    bot = PolicyBot(dataclasses.replace(built_bot.settings, llm_base_url=url, llm_timeout=5))
    bot._segmenter, bot._embedder = built_bot.segmenter, built_bot.embedder
    return bot


def test_llm_rephrases_but_keeps_citations_and_units(built_bot, llm_server) -> None:
    _ChatHandler.mode = "ok"
    bot = _bot_with_llm(built_bot, f"http://127.0.0.1:{llm_server.server_port}/v1")
    answer = bot.ask("加大用地支持由哪个单位牵头？")
    assert answer.answer.startswith("用地支持由市自然资源局牵头")
    assert answer.lead_units == ("市自然资源局",)
    assert answer.citations[0].clause_id == "3.r2.3"
    assert "大模型" in answer.note
    prompt = _ChatHandler.requests[0]["messages"][1]["content"]
    assert "加大用地支持" in prompt and "人地挂钩" in prompt  # only the cited clause is given
    assert "加大人才支持" not in prompt
    # the parser's units are appended when the model's text lacks them
    assert "责任单位：各县〔市、区〕人民政府、新蒲新区管委会" in answer.answer


def test_llm_failure_falls_back_to_extractive_answer(built_bot, llm_server) -> None:
    _ChatHandler.mode = "error"
    bot = _bot_with_llm(built_bot, f"http://127.0.0.1:{llm_server.server_port}/v1")
    answer = bot.ask("加大用地支持由哪个单位牵头？")
    assert "市自然资源局牵头" in answer.answer
    assert "大模型改写失败" in answer.note
    assert answer.citations[0].clause_id == "3.r2.3"


def test_llm_unreachable_falls_back(built_bot) -> None:
    bot = _bot_with_llm(built_bot, "http://127.0.0.1:9/v1")
    answer = bot.ask("加大用地支持由哪个单位牵头？")
    assert answer.found and "大模型改写失败" in answer.note
