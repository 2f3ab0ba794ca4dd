"""PolicyBot: Chinese policy documents parsed into clauses, indexed, and answered with citations.

    from policybot import PolicyBot, Settings
    bot = PolicyBot(Settings.from_env())
    bot.ensure_index()
    print(bot.ask("加大用地支持由哪个单位牵头？").text)

The stages, in the order data flows (docs/architecture.md): ingest/ (files → Document), index/ (Documents →
BM25 + FAISS on disk), retrieve/ (question → ranked Hits), answer/ (Hits → Answer); bot.py wires them for
cli.py and the web app.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from policybot import errors
from policybot.document import Clause, Document, Reference
from policybot.errors import (
    AccessDenied,
    BackendUnavailable,
    DocumentError,
    IndexCorrupt,
    IndexMismatch,
    InputError,
    ModelError,
    PolicyBotError,
)
from policybot.settings import Settings

if TYPE_CHECKING:
    from policybot.answer.answerer import Answer, Conversation
    from policybot.bot import PolicyBot
    from policybot.retrieve.hybrid import Hit, SearchFilter, SearchResult

__all__ = [
    "AccessDenied",
    "Answer",
    "BackendUnavailable",
    "Clause",
    "Conversation",
    "Document",
    "DocumentError",
    "Hit",
    "IndexCorrupt",
    "IndexMismatch",
    "InputError",
    "ModelError",
    "PolicyBot",
    "PolicyBotError",
    "Reference",
    "SearchFilter",
    "SearchResult",
    "Settings",
    "errors",
]

# imported on first use: `policybot --help` and the web app's start should not load jieba, FAISS and the model
_LAZY = {
    "PolicyBot": "policybot.bot",
    "Answer": "policybot.answer.answerer",
    "Conversation": "policybot.answer.answerer",
    "Hit": "policybot.retrieve.hybrid",
    "SearchFilter": "policybot.retrieve.hybrid",
    "SearchResult": "policybot.retrieve.hybrid",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'policybot' has no attribute {name!r}")
