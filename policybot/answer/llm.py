"""Optional rephrasing by an OpenAI-compatible chat endpoint, given only the cited clauses; citations are kept."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import replace

from policybot.answer.answerer import Answer, units_sentence
from policybot.settings import Settings

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "你是政府政策文件问答助手。只能依据用户给出的条款原文回答，不得补充条款以外的信息；"
    "先给出关键事实，简明扼要；不要编造单位名称、数字或日期。"
)
FALLBACK_NOTE = "大模型改写失败，以下为条款原文摘录答案"


def _prompt(answer: Answer) -> str:
    clauses = "\n\n".join(
        f"【{c.label}】\n{c.text}"
        + (f"\n（{units_sentence(c.lead_units, c.responsible_units)}）" if c.lead_units else "")
        for c in answer.citations
    )
    return (
        f"问题：{answer.question}\n\n条款原文：\n{clauses}\n\n已有的摘录答案：{answer.answer}\n\n请据此用中文回答问题。"
    )


def chat(settings: Settings, messages: list[dict[str, str]]) -> str:
    """One chat completion from the configured endpoint; raises on HTTP, network or format errors."""
    url = settings.llm_base_url.rstrip("/") + "/chat/completions"
    body = json.dumps({"model": settings.llm_model, "messages": messages, "temperature": 0.1}).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if settings.llm_api_key:
        headers["Authorization"] = f"Bearer {settings.llm_api_key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=settings.llm_timeout) as response:
        data = json.loads(response.read().decode("utf-8"))
    content = data["choices"][0]["message"]["content"]
    if not isinstance(content, str) or not content.strip():
        raise ValueError("empty completion")
    return content.strip()


def rephrase(answer: Answer, settings: Settings) -> Answer:
    """The answer rephrased by the LLM from its cited clauses only; on any error the extractive answer, saying so."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": _prompt(answer)}]
    try:
        text = chat(settings, messages)
    except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("LLM at %s failed, using the extractive answer: %s", settings.llm_base_url, exc)
        return replace(answer, note=f"{FALLBACK_NOTE}（{type(exc).__name__}）")
    units = units_sentence(answer.lead_units, answer.responsible_units)
    if units and units not in text:
        # the unit lists come from the parser, never from the model
        text += f"\n{units}"
    return replace(answer, answer=text, note="由大模型依据所引条款改写")
