"""access: the admin password is required, compared in constant time, and failures lock one client out a while."""

from __future__ import annotations

import pytest

from policybot.access import AdminGuard
from policybot.errors import AccessDenied


def test_without_a_password_admin_is_disabled():
    guard = AdminGuard("")
    assert not guard.enabled
    with pytest.raises(AccessDenied, match="已禁用"):
        guard.check("1.2.3.4", "")


def test_the_right_password_passes_and_a_wrong_one_says_how_many_tries_are_left():
    guard = AdminGuard("正确的密码")
    guard.check("1.2.3.4", "正确的密码")
    with pytest.raises(AccessDenied, match="再错 4 次将锁定 60 秒"):
        guard.check("1.2.3.4", "错误")


def fail(guard: AdminGuard, clock: list[float], times: int, step: float = 0.0) -> None:
    """Wrong passwords from one client, `step` seconds apart."""
    for _ in range(times):
        with pytest.raises(AccessDenied):
            guard.check("1.2.3.4", "no")
        clock[0] += step


def test_lock_lifts_after_a_minute():
    now = [1000.0]
    guard = AdminGuard("pw", clock=lambda: now[0])
    fail(guard, now, 5)
    with pytest.raises(AccessDenied, match="次数过多"):
        guard.check("1.2.3.4", "pw")
    guard.check("5.6.7.8", "pw")  # another client is not locked out
    now[0] += 61
    guard.check("1.2.3.4", "pw")


def test_old_failures_fall_out_of_the_window():
    now = [0.0]
    guard = AdminGuard("pw", clock=lambda: now[0])
    fail(guard, now, 4, step=100)  # four failures spread over more than the five-minute window
    with pytest.raises(AccessDenied, match="再错"):
        guard.check("1.2.3.4", "no")  # not locked: the first failures no longer count
