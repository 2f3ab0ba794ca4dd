"""The admin password: checked on every admin action, with failures rate-limited per client."""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from policybot.errors import AccessDenied

ADMIN_DISABLED = "未配置管理员密码（POLICYBOT_ADMIN_PASSWORD），文件管理已禁用"


class AdminGuard:
    """Checks the admin password on every admin action; too many failures from one client lock it out."""

    def __init__(
        self,
        password: str,
        max_failures: int = 5,
        window: float = 300.0,
        lockout: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.password = password
        self.max_failures, self.window, self.lockout, self.clock = max_failures, window, lockout, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """True when an admin password is configured."""
        return bool(self.password)

    def check(self, client: str, supplied: str | None) -> None:
        """Return when the password is right; AccessDenied says why not (disabled, wrong, locked)."""
        if not self.enabled:
            raise AccessDenied(ADMIN_DISABLED)
        with self._lock:
            now = self.clock()
            failures = self._failures.setdefault(client, deque())
            while failures and now - failures[0] > self.window:
                failures.popleft()
            if len(failures) >= self.max_failures and now - failures[-1] < self.lockout:
                wait = math.ceil(self.lockout - (now - failures[-1]))
                raise AccessDenied(f"密码错误次数过多，请 {wait} 秒后再试")
            if hmac.compare_digest((supplied or "").encode(), self.password.encode()):
                self._failures.pop(client, None)
                return
            failures.append(now)
            left = self.max_failures - len(failures)
            raise AccessDenied(
                "管理员密码错误"
                + (f"，再错 {left} 次将锁定 {self.lockout:.0f} 秒" if left > 0 else "，已锁定，请稍后再试")
            )
