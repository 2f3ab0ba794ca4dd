"""Stage 4, Hits → answers: the grounded Answer with citations and refusals (answerer), a unit's duties
(duties), the task ledger (tasks), the enterprise self-check (selfcheck), optional rephrasing by an LLM (llm).

`from policybot.answer import Answer, Answerer, Conversation, Citation` keeps working."""

from __future__ import annotations

import importlib

__all__ = ["Answer", "Answerer", "Citation", "Conversation"]


def __getattr__(name: str) -> object:
    if name in __all__:
        return getattr(importlib.import_module("policybot.answer.answerer"), name)
    raise AttributeError(f"module 'policybot.answer' has no attribute {name!r}")
