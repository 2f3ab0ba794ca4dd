"""Bulk embedding spread over processes: a bigger machine embeds a large corpus faster.

One model call uses a few cores well and many cores poorly (a batch of short texts leaves threads waiting for each
other), so on a machine with more cores N processes, each with its share of the cores, embed N parts of every batch
side by side. Only passages go to the workers; query vectors stay with the caller's own embedder.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import sys
from dataclasses import dataclass

import numpy as np

from policybot.errors import ModelError
from policybot.index.embed import Embedder, load_embedder

START_TIMEOUT_S = 600.0  # loading a large model from a slow disk
REPLY_TIMEOUT_S = 3600.0  # one part of one batch, on the slowest machine we would still support
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass(frozen=True, slots=True)
class WorkerPlan:
    """How many embedding processes, and how many threads each."""

    workers: int
    threads: int


def plan_workers(workers: int, cores: int | None = None) -> WorkerPlan:
    """Processes and threads for `workers` on this machine: the cores shared out, at least one thread each."""
    if workers < 1:
        raise ModelError(f"--workers 须为正整数 (workers must be ≥ 1, got {workers})")
    cores = cores or os.cpu_count() or 1
    return WorkerPlan(workers, max(1, cores // workers))


def _serve(spec: str, device: str, threads: int, requests: mp.Queue, replies: mp.Queue) -> None:
    """A worker: load the model with its share of the cores, then embed what it is sent until told to stop."""
    for name in THREAD_VARIABLES:  # read once, when the engine loads: before any import that loads it
        os.environ[name] = str(threads)
    try:
        embedder = load_embedder(spec, device)
        _limit_torch_threads(threads)
        replies.put(("ready", embedder.id, embedder.dim))
    except Exception as exc:  # the parent raises it, with the worker's reason
        replies.put(("error", f"{type(exc).__name__}: {exc}", 0))
        return
    while True:
        job = requests.get()
        if job is None:
            return
        try:
            replies.put(("vectors", job[0], embedder.encode_passages(job[1])))
        except Exception as exc:
            replies.put(("error", f"{type(exc).__name__}: {exc}", 0))


def _limit_torch_threads(threads: int) -> None:
    torch = sys.modules.get("torch")  # only a sentence-transformers model brings torch in
    if torch is not None:
        torch.set_num_threads(threads)


class EmbedderPool:
    """The embedder named by `spec` in `workers` processes; encode_passages splits each call between them.

    Use it as a context manager: the processes start on the first passages sent (a build with nothing to embed
    starts none) and stop on exit."""

    def __init__(self, spec: str, workers: int, like: Embedder, device: str = "auto") -> None:
        """`like` is the same model loaded in this process: the pool answers with its id and dimension before any
        worker has started, and each worker must load the same model."""
        self.spec, self.device = spec, device
        self.plan = plan_workers(workers)
        self.id, self.dim = like.id, like.dim
        self._context = mp.get_context("spawn")  # a fork would copy the parent's threads and loaded engine
        self._processes: list = []
        self._requests: list = []
        self._replies = None

    def __enter__(self) -> EmbedderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the workers and wait until each has loaded the model (raises ModelError with a worker's reason)."""
        if self._processes:
            return
        self._replies = self._context.Queue()
        for _ in range(self.plan.workers):
            requests = self._context.Queue()
            process = self._context.Process(
                target=_serve,
                args=(self.spec, self.device, self.plan.threads, requests, self._replies),
                daemon=True,
            )
            process.start()
            self._processes.append(process)
            self._requests.append(requests)
        for _ in self._processes:
            kind, ident, dim = self._reply(START_TIMEOUT_S)
            if kind == "error":
                self.close()
                raise ModelError(f"嵌入进程无法加载模型 {self.spec!r} (an embedding worker failed: {ident})")
            if (ident, dim) != (self.id, self.dim):
                self.close()
                raise ModelError(
                    f"嵌入进程加载的模型 {ident} 与本进程的 {self.id} 不同 (a worker loaded another model)"
                )

    def _reply(self, timeout: float) -> tuple:
        assert self._replies is not None
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            dead = [p.exitcode for p in self._processes if p.exitcode is not None]
            self.close()
            raise ModelError(
                f"嵌入进程 {timeout:.0f} 秒内没有回复 (an embedding worker did not answer; exit codes {dead})"
            ) from None

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Passage vectors: the texts cut into one contiguous part per worker, embedded side by side, in order."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        self.start()
        parts = np.array_split(np.arange(len(texts)), min(len(texts), len(self._processes)))
        for job, (requests, rows) in enumerate(zip(self._requests, parts, strict=False)):
            requests.put((job, [texts[i] for i in rows]))
        vectors: dict[int, np.ndarray] = {}
        while len(vectors) < len(parts):
            kind, job_or_reason, payload = self._reply(REPLY_TIMEOUT_S)
            if kind == "error":
                self.close()
                raise ModelError(f"嵌入进程出错 (an embedding worker failed: {job_or_reason})")
            vectors[job_or_reason] = payload
        return np.concatenate([vectors[j] for j in range(len(parts))]).astype(np.float32, copy=False)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        raise ModelError("EmbedderPool embeds passages only (query vectors come from the caller's embedder)")

    def close(self) -> None:
        """Stop the workers (idempotent)."""
        for requests in self._requests:
            with contextlib.suppress(Exception):  # a queue whose worker is gone
                requests.put(None)
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        self._processes, self._requests = [], []
