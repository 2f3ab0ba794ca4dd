"""access: the admin password is required, compared in constant time, and failures lock one client out a while;
the app's delete action is refused without it and then deletes nothing."""

from __future__ import annotations

import pytest

from policybot.errors import AccessDenied
from policybot.web.access import AdminGuard


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


# --- the app's delete action, over HTTP: refused without the right password, and then nothing is deleted ----------

SEED_ID = "zunyi-fubanhan-2020-141"


def delete_status(client, password: str) -> str:
    """Ask the app to delete the seed document (confirmed), as the admin tab does; the status line it shows."""
    status, *_ = client.predict(password, SEED_ID, True, api_name="/admin_delete")
    return status


def corpus_state(bot) -> tuple[list[str], list[str]]:
    return sorted(p.name for p in bot.settings.corpus_dir.iterdir()), sorted(d.doc_id for d in bot.documents())


def test_delete_is_disabled_without_a_configured_password(bot_copy, launch_app):
    make_client = pytest.importorskip("gradio_client").Client
    bot = bot_copy()
    app = make_client(launch_app(bot), verbose=False)
    before = corpus_state(bot)
    for password in ("", "anything"):
        assert "文件管理已禁用" in delete_status(app, password)
    assert corpus_state(bot) == before and SEED_ID in before[1]


def test_delete_needs_the_right_password_and_a_locked_out_client_deletes_nothing(bot_copy, launch_app):
    make_client = pytest.importorskip("gradio_client").Client
    bot = bot_copy(admin_password="正确的密码")
    app = make_client(launch_app(bot), verbose=False)
    before = corpus_state(bot)
    for n in range(5):
        assert "密码错误" in delete_status(app, "" if n == 0 else f"guess-{n}")
    assert "次数过多" in delete_status(app, "正确的密码")  # locked out: even the right password waits
    assert corpus_state(bot) == before
    fresh = make_client(launch_app(bot), verbose=False)  # a new app forgets the lock: the same request now deletes
    assert "已删除" in delete_status(fresh, "正确的密码")
    assert SEED_ID not in corpus_state(bot)[1]
