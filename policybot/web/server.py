"""`python app.py` / `policybot serve`: build or update the index, then serve the page and the JSON API in one
process, on one port; the URL is printed once the server listens, and a port in use is said in Chinese."""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable

from policybot.bot import PolicyBot
from policybot.errors import InputError, PolicyBotError
from policybot.index.embed import prefer_passive_openmp
from policybot.settings import Settings
from policybot.web.access import ADMIN_DISABLED

log = logging.getLogger("policybot")
UPLOAD_CAP_FACTOR = 4  # Gradio's own upload cap, as a multiple of settings.max_upload_bytes (see upload_cap)
EMBED_STEPS = 4  # progress lines while the chunks are embedded: at 25 %, 50 %, 75 %, 100 %
START_SECONDS = 60  # how long the server may take to listen once the index is ready


def upload_cap(settings: Settings) -> int:
    """The hard cap to give Gradio (max_file_size): above settings.max_upload_bytes, so an upload over our limit
    still reaches the handlers and is refused with its name and the limit; Gradio cuts off larger ones."""
    return UPLOAD_CAP_FACTOR * settings.max_upload_bytes


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, taken before the index is built so a second app stops at once;
    InputError naming --port and POLICYBOT_PORT when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart does not wait out TIME_WAIT
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(
                f"端口 {port} 已被占用（{host}:{port}），可能已有一个 PolicyBot 在运行。"
                f"请用 --port 指定其他端口（例如 python3 app.py --port {port + 1}），"
                f"或设置环境变量 POLICYBOT_PORT (port {port} is in use)"
            ) from exc
        raise InputError(
            f"无法监听 {host}:{port}：{exc.strerror or exc}。请用 --host/--port 或 POLICYBOT_HOST/POLICYBOT_PORT "
            f"指定可用的地址和端口 (cannot listen on {host}:{port})"
        ) from exc
    sock.listen(128)
    return sock


def progress_lines(write: Callable[[str], None]) -> Callable[[float, str], None]:
    """Index-build progress as a few lines with counts: each stage once, embedding at every quarter."""
    state = {"stage": "", "step": -1}

    def progress(fraction: float, message: str) -> None:
        if message.startswith("索引完成"):
            return  # the summary line follows, with the time taken
        stage = message.split(" ")[0]
        if stage == "向量化":
            done, _, total = message.partition(" ")[2].partition("/")
            step = int(done) * EMBED_STEPS // max(1, int(total or 1)) if done.isdigit() and total.isdigit() else 0
            if stage == state["stage"] and step == state["step"]:
                return
            state["step"] = step
        elif stage == state["stage"]:
            return
        state["stage"] = stage
        write(f"索引 {fraction * 100:3.0f}%：{message}")

    return progress


def prepare_index(bot: PolicyBot) -> threading.Thread | None:
    """Build or update the index when the corpus changed or an earlier build stopped while embedding (progress on
    the console). Returns once the index is searchable by keywords; a long build goes on embedding on the thread
    returned (None when there was nothing to do), publishing what it has embedded as it goes."""
    settings = bot.settings
    log.info("检查索引：语料 %s，索引 %s", settings.corpus_dir, settings.index_dir)
    if bot.index_is_current() and not bot.needs_embedding():
        log.info("索引已是最新，网页启动后加载")
        return None
    failed: list[BaseException] = []

    def build() -> None:
        try:
            report, errors = bot.build(progress_lines(log.info))
        except BaseException as exc:  # handed to the starting thread, or logged once the page is served
            failed.append(exc)
            log.error("索引构建失败：%s", exc)
            return
        for err in errors:
            log.warning("未收录：%s", err)
        log.info("索引完成：%d 个文件、%d 个片段，用时 %.1f 秒", report.documents, report.chunks, report.seconds)

    thread = threading.Thread(target=build, name="policybot-index", daemon=True)
    thread.start()
    while thread.is_alive() and not bot.is_loaded:
        thread.join(0.1)
    if failed and not bot.is_loaded:
        raise failed[0]
    if thread.is_alive():
        log.info("关键词检索已可用；语义索引在后台继续建立（%s）", bot.semantic_note() or "向量化中")
    return thread


def web_app(bot: PolicyBot):
    """The JSON API with the Gradio page mounted at /: one FastAPI app for one port."""
    import gradio as gr

    from policybot.web.api import api_app
    from policybot.web.app import PAGE_CSS, build_app

    demo = build_app(bot)
    demo.queue(default_concurrency_limit=bot.settings.concurrency)
    return gr.mount_gradio_app(
        api_app(bot),
        demo,
        path="/",
        max_file_size=upload_cap(bot.settings),
        ssr_mode=False,
        mcp_server=False,
        css=PAGE_CSS,
    )


def start_server(app, sock: socket.socket):
    """Run uvicorn on the bound socket in a thread; returns (server, thread) once it accepts connections."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="policybot-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise InputError(f"网页服务未能启动（{START_SECONDS} 秒内），请查看上方日志 (server did not start)")
        time.sleep(0.05)
    return server, thread


def url_of(settings: Settings) -> str:
    """The address to open in a browser (a wildcard host is reached on 127.0.0.1)."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{host}:{settings.port}"


def run(settings: Settings) -> None:
    """Take the port, build the index, serve the page and the API; returns when the server stops."""
    sock = listening_socket(settings.host, settings.port)
    bot = PolicyBot(settings)
    building = prepare_index(bot)
    if not settings.admin_password:
        log.warning("%s", ADMIN_DISABLED)
    server, thread = start_server(web_app(bot), sock)
    url = url_of(settings)
    log.info(
        "PolicyBot 网页版：%s/　JSON 接口：%s/api/ask、/api/search、/api/documents（说明：/openapi.json）", url, url
    )
    # the page is served while the index loads (~1 s, mostly jieba's dictionary); a question asked meanwhile
    # waits on PolicyBot's load lock rather than failing
    started = time.perf_counter()
    if not bot.is_loaded:
        bot.load()
    bot.warm_up()
    log.info("索引已加载：%d 个文件，用时 %.1f 秒", len(bot.documents()), time.perf_counter() - started)
    stop = lambda *_: setattr(server, "should_exit", True)  # noqa: E731 - a signal handler
    signal.signal(signal.SIGTERM, stop)
    if building is not None and building.is_alive():
        log.info("（索引构建在后台进行：问答先用关键词检索，语义部分随向量化逐步加入）")
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        stop()
        thread.join(10)


def serve(settings: Settings) -> None:
    """Serve the app on settings.host:settings.port; a refusal (port in use, bad index) is one line on stderr and
    exit status 2, without a traceback."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    prefer_passive_openmp()  # while only this thread runs: the server's threads start later
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        run(settings)
    except PolicyBotError as exc:
        print(f"错误：{exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:  # Ctrl-C while the index is built: the next start resumes from its journal
        print("已中断。", file=sys.stderr, flush=True)
        raise SystemExit(130) from None
