"""Stage 3, question → ranked Hits: the question's intent (intent), the query with related words (query),
exact lookups by 文号, clause number, heading or unit (catalog), hybrid BM25 + dense search (hybrid), exact
references first and the sentence rerank (finder), the sentences that answer (excerpt).

`from policybot.retrieve import Retriever, SearchFilter, Hit, SearchResult` keeps working."""

from __future__ import annotations

import importlib

__all__ = ["Hit", "Retriever", "SearchFilter", "SearchResult"]


def __getattr__(name: str) -> object:
    if name in __all__:
        return getattr(importlib.import_module("policybot.retrieve.hybrid"), name)
    raise AttributeError(f"module 'policybot.retrieve' has no attribute {name!r}")
