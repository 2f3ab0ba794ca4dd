"""A bounded pool of workers for questions: a few run at once, a few more wait, and the rest are turned away at once
(the API answers 503 with Retry-After) instead of queueing behind an ever-longer wait."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from policybot.errors import ServerBusy

T = TypeVar("T")


class WorkerPool:
    """`workers` threads run the calls; at most `workers + waiting` calls are admitted at any time."""

    def __init__(self, workers: int, waiting: int) -> None:
        self.capacity = workers + waiting
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="policybot-api")
        self._slots = threading.BoundedSemaphore(self.capacity)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """The result of fn(*args), computed on a worker; ServerBusy at once when no place is free."""
        if not self._slots.acquire(blocking=False):
            raise ServerBusy(f"服务繁忙：{self.capacity} 个问题正在处理或排队，请稍后再试 (server busy)")
        try:
            future = self._executor.submit(fn, *args)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Stop taking calls; running ones finish."""
        self._executor.shutdown(wait=False, cancel_futures=True)
