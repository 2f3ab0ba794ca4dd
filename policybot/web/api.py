"""The JSON HTTP API beside the web page, for OA systems and mini-programs: /api/ask, /api/search, /api/documents,
/api/selfcheck.

Answers and hits have the JSON of `policybot ask --json` and `policybot search --json` (policybot.answer.replies); a
refused request gets a 4xx with the message the CLI prints for the same input; when every worker is busy and every
waiting place is taken, 503 with Retry-After. Nothing here changes the corpus: the admin actions stay on the page,
behind the password.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from policybot.answer.answerer import Conversation
from policybot.answer.replies import answer_json, document_json, error_json, search_json, selfcheck_json
from policybot.answer.selfcheck import NEED_WORDS, SIZES, EnterpriseProfile, merge_profiles, profile_from_text
from policybot.bot import PolicyBot, clean_question
from policybot.errors import IndexCorrupt, IndexMismatch, InputError, ModelError, PolicyBotError, ServerBusy
from policybot.web.pool import WorkerPool

MAX_CONVERSATIONS = 10_000  # kept for follow-ups; the oldest is forgotten first
RETRY_AFTER_SECONDS = 1
SERVER_ERRORS = (IndexCorrupt, IndexMismatch, ModelError)  # the server's state is wrong, not the request


class AskRequest(BaseModel):
    """The body of POST /api/ask."""

    question: str = Field(description="问题，例如：加大用地支持由哪个单位牵头？")
    conversation_id: str | None = Field(default=None, description="上一轮回答给出的 conversation_id，用于追问")


class SelfCheckRequest(BaseModel):
    """The body of POST /api/selfcheck: the enterprise in its own words, and what it states for sure."""

    description: str = Field(default="", description="企业情况，例如：小微食品企业，准备落户特色小镇，需要贷款")
    industry: str = Field(default="", description="所属行业，例如：特色食品")
    size: str = Field(default="", description="企业规模：小微、中小、中型或大型（空：未说明）")
    needs: list[str] = Field(default_factory=list, description="需求：用地、融资、资金、人才、税收")


class UnknownConversation(InputError):
    """A conversation_id the server does not hold (never given, or forgotten)."""


@dataclass(slots=True)
class Conversations:
    """The API's conversations by id, for follow-ups; each used by one question at a time."""

    limit: int = MAX_CONVERSATIONS
    _items: OrderedDict[str, tuple[Conversation, threading.Lock]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, conversation_id: str | None) -> tuple[str, Conversation, threading.Lock]:
        """The conversation with this id, or a new one when the id is None; UnknownConversation otherwise."""
        with self._lock:
            if conversation_id is None:
                conversation_id = uuid.uuid4().hex
                self._items[conversation_id] = (Conversation(), threading.Lock())
                while len(self._items) > self.limit:
                    self._items.popitem(last=False)
            elif conversation_id not in self._items:
                raise UnknownConversation(
                    f"会话不存在或已过期：{conversation_id}，请不带 conversation_id 重新提问 (unknown conversation_id)"
                )
            self._items.move_to_end(conversation_id)
            return conversation_id, *self._items[conversation_id]


def ask_json(bot: PolicyBot, conversations: Conversations, question: str, conversation_id: str | None) -> dict:
    """The answer's JSON (as `policybot ask --json`) with the conversation_id a follow-up sends back."""
    conversation_id, conversation, lock = conversations.get(conversation_id)
    with lock:
        answer = bot.ask(question, conversation)
    return {**answer_json(answer, bot.semantic_coverage(), bot.backend_name), "conversation_id": conversation_id}


def selfcheck_json_of(bot: PolicyBot, body: SelfCheckRequest) -> dict:
    """The self-check of the profile the request states (the description fills what the fields leave unknown)."""
    if not (body.description.strip() or body.industry.strip() or body.size or body.needs):
        raise InputError("请描述企业情况，或给出 industry/size/needs (selfcheck needs a description or fields)")
    if body.size and body.size not in SIZES:
        raise InputError(f"size 只能是 {'、'.join(SIZES)}，收到 {body.size!r} (size must be one of {', '.join(SIZES)})")
    unknown = [n for n in body.needs if n not in NEED_WORDS]
    if unknown:
        names = "、".join(NEED_WORDS)
        raise InputError(f"needs 只能取 {names}，收到 {'、'.join(unknown)} (unknown needs: {', '.join(unknown)})")
    text = clean_question(body.description, bot.settings.max_question_chars * 4) if body.description.strip() else ""
    form = EnterpriseProfile(industry=body.industry.strip(), size=body.size, needs=tuple(body.needs), description=text)
    return selfcheck_json(bot.self_check(merge_profiles(form, profile_from_text(text)) if text else form))


def status_of(exc: PolicyBotError) -> int:
    """The HTTP status of a refusal: 503 busy, 404 unknown conversation, 500 a broken index or model, else 400."""
    if isinstance(exc, ServerBusy):
        return 503
    if isinstance(exc, UnknownConversation):
        return 404
    return 500 if isinstance(exc, SERVER_ERRORS) else 400


def refused(request: Request, exc: Exception) -> JSONResponse:
    """A PolicyBotError as JSON {"error": message} with its status (and Retry-After when busy)."""
    assert isinstance(exc, PolicyBotError)
    status = status_of(exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
    return JSONResponse(error_json(str(exc)), status_code=status, headers=headers)


def malformed(request: Request, exc: Exception) -> JSONResponse:
    """A request FastAPI could not read (no JSON, a field missing or of the wrong type), said in Chinese."""
    assert isinstance(exc, RequestValidationError)
    fields = "、".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc")) or "请求体"
    message = (
        f"请求无效：{fields} 缺失或格式不对。提问请发送 JSON，例如 "
        '{"question": "加大用地支持由哪个单位牵头？"}；检索请用 /api/search?q=检索词&k=5 '
        f"(invalid request: {fields})"
    )
    return JSONResponse(error_json(message), status_code=422)


def api_app(bot: PolicyBot, pool: WorkerPool | None = None) -> FastAPI:
    """The FastAPI app with the JSON endpoints over one PolicyBot; the web page is mounted on it by the server."""
    settings = bot.settings
    pool = pool or WorkerPool(settings.concurrency, settings.max_waiting)
    conversations = Conversations()
    app = FastAPI(
        title="PolicyBot 政策文件问答 API",
        description="回答均引自已收录的政策文件原文并注明出处；JSON 与 policybot ask/search --json 相同。",
        docs_url=None,  # the interactive docs load scripts from a CDN, and the app works offline
        redoc_url=None,
    )
    app.add_exception_handler(PolicyBotError, refused)
    app.add_exception_handler(RequestValidationError, malformed)

    @app.post("/api/ask", summary="提问：答案、牵头/责任单位及依据条款")
    async def ask(body: AskRequest) -> dict:
        return await pool.run(ask_json, bot, conversations, body.question, body.conversation_id)

    @app.get("/api/search", summary="检索条款：最相关的 k 条及其出处、得分和单位")
    async def search(
        q: str = Query(description="检索词，例如：人地挂钩"),  # noqa: B008 - FastAPI idiom
        # k's range is checked by the search itself, so the API refuses it with the CLI's message
        k: int = Query(5, description="返回条数（1–100）"),  # noqa: B008 - FastAPI idiom
    ) -> dict:
        result = await pool.run(bot.search, q, k)
        return search_json(result, bot.semantic_coverage(), bot.backend_name)

    @app.get("/api/documents", summary="已收录的文件：标题、文号、发文机关、日期、效力、条款数")
    async def documents() -> dict:
        docs = await pool.run(bot.documents)
        return {"documents": [document_json(d) for d in docs]}

    @app.post("/api/selfcheck", summary="惠企政策自查：企业可享受的条款、享受主体、条件是否满足及联系单位")
    async def selfcheck(body: SelfCheckRequest) -> dict:
        return await pool.run(selfcheck_json_of, bot, body)

    return app
