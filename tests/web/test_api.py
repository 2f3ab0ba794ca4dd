"""The JSON HTTP API (/api/ask, /api/search, /api/documents, /openapi.json): the CLI's JSON for the same question,
the CLI's messages for bad input as 4xx, 503 with Retry-After when every worker and waiting place is taken."""

from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient

from policybot.cli import main as cli_main
from policybot.web.api import api_app
from policybot.web.pool import WorkerPool

QUESTION = "加大用地支持由哪个单位牵头？"
PATHS = ("/api/ask", "/api/search", "/api/documents", "/api/selfcheck")


@pytest.fixture(scope="module")
def api(built_bot) -> TestClient:
    with TestClient(api_app(built_bot)) as client:
        yield client


def cli_json(bot, capsys, *args: str) -> dict:
    """What `policybot … --json` prints over the bot's corpus and index."""
    settings = bot.settings
    capsys.readouterr()
    status = cli_main([*args, "--json", "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)])
    assert status == 0
    return json.loads(capsys.readouterr().out)


def test_ask_names_the_lead_unit_with_its_citation(api) -> None:
    reply = api.post("/api/ask", json={"question": QUESTION})
    assert reply.status_code == 200
    data = reply.json()
    assert data["found"] and data["lead_units"] == ["市自然资源局"]
    top = data["citations"][0]
    assert (top["clause_path"], top["heading"], top["doc_number"]) == (
        "三（三）",
        "加大用地支持",
        "遵府办函〔2020〕141号",
    )
    assert "市自然资源局" in data["answer"]


def test_ask_and_search_give_the_json_of_the_cli(api, built_bot, capsys) -> None:
    answer = api.post("/api/ask", json={"question": QUESTION}).json()
    assert answer.pop("conversation_id")
    assert answer == cli_json(built_bot, capsys, "ask", QUESTION)
    hits = api.get("/api/search", params={"q": "人地挂钩", "k": 3}).json()
    expected = cli_json(built_bot, capsys, "search", "人地挂钩", "-k", "3")
    assert hits.pop("took_ms") >= 0 and expected.pop("took_ms") >= 0
    assert hits == expected
    assert [h["clause_path"] for h in hits["hits"]][:1] == ["三（三）"] and len(hits["hits"]) == 3


def test_a_follow_up_sends_the_conversation_id_back(api) -> None:
    first = api.post("/api/ask", json={"question": "谁负责用地支持？"}).json()
    follow = api.post("/api/ask", json={"question": "那金融支持呢？", "conversation_id": first["conversation_id"]})
    assert follow.json()["lead_units"] == ["市金融办"]
    assert follow.json()["conversation_id"] == first["conversation_id"]
    cold = api.post("/api/ask", json={"question": "那金融支持呢？"}).json()
    assert cold["conversation_id"] != first["conversation_id"]


def test_bad_input_is_refused_with_the_cli_message(api, built_bot) -> None:
    cases = [
        (api.post("/api/ask", json={"question": "  "}), 400, "问题为空"),
        (api.post("/api/ask", json={"question": "特色小镇" * 200}), 400, "问题过长：800 字，上限 500 字"),
        (api.get("/api/search", params={"q": "人地挂钩", "k": 0}), 400, "k=0 超出范围 1–100"),
        (api.get("/api/search", params={"q": ""}), 400, "问题为空"),
        (api.post("/api/ask", json={"conversation_id": "x"}), 422, "question 缺失或格式不对"),
        (api.post("/api/ask", content=b"not json", headers={"Content-Type": "application/json"}), 422, "请求无效"),
        (api.get("/api/search"), 422, "q 缺失或格式不对"),
        (api.post("/api/ask", json={"question": QUESTION, "conversation_id": "nope"}), 404, "会话不存在或已过期"),
    ]
    for reply, status, message in cases:
        assert reply.status_code == status, reply.text
        assert message in reply.json()["error"]


def test_documents_are_listed_with_their_metadata(api, built_bot) -> None:
    docs = api.get("/api/documents").json()["documents"]
    seed = built_bot.documents()[0]
    assert docs == [
        {
            "doc_id": seed.doc_id,
            "title": seed.title,
            "doc_number": "遵府办函〔2020〕141号",
            "issuer": "遵义市人民政府办公室",
            "date": "2020-07-13",
            "validity": "现行有效",
            "source": seed.source,
            "source_url": seed.source_url,
            "clauses": len(seed.clauses),
        }
    ]


def test_openapi_lists_the_endpoints(api) -> None:
    spec = api.get("/openapi.json").json()
    assert set(PATHS) <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/ask"] and "get" in spec["paths"]["/api/search"]
    assert "question" in json.dumps(spec["components"]["schemas"]["AskRequest"])
    assert not any("admin" in path for path in spec["paths"])  # admin actions stay on the page, behind the password


def test_a_full_pool_answers_503_with_retry_after(bot_copy) -> None:
    bot = bot_copy()
    release, entered = threading.Event(), threading.Event()
    ask = bot.ask

    def slow_ask(*args, **kwargs):
        entered.set()
        release.wait(30)
        return ask(*args, **kwargs)

    bot.ask = slow_ask  # one question occupies the only worker
    with TestClient(api_app(bot, WorkerPool(workers=1, waiting=0))) as client:
        first: dict = {}
        worker = threading.Thread(target=lambda: first.update(r=client.post("/api/ask", json={"question": QUESTION})))
        worker.start()
        assert entered.wait(30)
        busy = client.post("/api/ask", json={"question": "加大金融支持由哪个单位牵头？"})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert "服务繁忙" in busy.json()["error"]
        assert client.get("/api/search", params={"q": "人地挂钩"}).status_code == 503
        release.set()
        worker.join(30)
        assert first["r"].status_code == 200
        assert client.get("/api/search", params={"q": "人地挂钩"}).status_code == 200  # the place is free again


def test_selfcheck_gives_the_cli_json_and_never_a_county_reward(api, built_bot, capsys) -> None:
    body = {"description": "小微食品企业，准备落户特色小镇，需要贷款和用地", "needs": ["资金"]}
    reply = api.post("/api/selfcheck", json=body)
    assert reply.status_code == 200
    benefits = reply.json()["benefits"]
    assert benefits and "3.r2.1" not in {b["clause_id"] for b in benefits}  # 以奖代补 for counties
    assert all({"企业", "人才"} & set(b["beneficiaries"]) for b in benefits)
    assert {"text", "status", "reason"} == set(benefits[0]["conditions"][0])
    cli = cli_json(built_bot, capsys, "selfcheck", body["description"], "--need", "资金")
    assert cli == reply.json()


@pytest.mark.parametrize(
    ("body", "named"), [({"size": "巨型"}, "size"), ({"needs": ["房租"]}, "needs"), ({}, "description")]
)
def test_a_bad_selfcheck_request_names_the_field(api, body: dict, named: str) -> None:
    reply = api.post("/api/selfcheck", json=body)
    assert reply.status_code == 400 and named in reply.json()["error"]
