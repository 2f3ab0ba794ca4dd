"""Stage 2, Documents → a searchable index on disk: chunks, jieba segmentation (segment), embedders (embed),
BM25 (bm25) and FAISS (dense) patched by updates (rowpatch), the versioned folder of shards (store, manifest),
what an update reuses (reuse), the embedding journal (journal); build/open in build.

`from policybot.index import open_index, build_index, PolicyIndex, …` keeps working (today's names live in
policybot.index.build)."""

from __future__ import annotations

import importlib

__all__ = [
    "BuildReport",
    "Manifest",
    "Phases",
    "PolicyIndex",
    "Progress",
    "build_index",
    "build_index_locked",
    "index_exists",
    "index_lock",
    "lock_is_held",
    "open_index",
    "published_manifest",
]


def __getattr__(name: str) -> object:
    # lazy: importing one light module of the index (segment, store) need not load FAISS and bm25s
    if name in __all__:
        return getattr(importlib.import_module("policybot.index.build"), name)
    raise AttributeError(f"module 'policybot.index' has no attribute {name!r}")
