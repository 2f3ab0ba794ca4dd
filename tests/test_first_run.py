"""The first run of `python3 app.py`: a venv, pip's output kept in a log, shown only when pip fails.

Everything here runs offline: pip is told to use no index (PIP_NO_INDEX) and, where it must succeed, a folder of
wheels written by the test.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import app

TAIL = app.TAIL_LINES


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment made as the first run makes it; its Python."""
    venv = tmp_path_factory.mktemp("first-run") / ".venv"
    out = io.StringIO()
    assert app.create_venv(venv, out) == 0, out.getvalue()
    return app.venv_python(venv)


@pytest.fixture
def offline_pip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """pip sees no index, only the (empty) wheel folder returned; nothing on this machine's pip config is used."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    return wheels


def write_wheel(folder: Path, name: str) -> None:
    """A pure-Python wheel of one empty module, written by hand (no build tools needed)."""
    module = name.replace("-", "_")
    info = f"{module}-0.1.dist-info"
    files = {
        f"{module}/__init__.py": "",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(folder / f"{module}-0.1-py3-none-any.whl", "w") as whl:
        for path, text in files.items():
            whl.writestr(path, text)


def test_a_constraint_that_cannot_be_satisfied_shows_the_end_of_pips_log_and_where_it_is(
    fresh_venv, offline_pip, tmp_path
):
    lock = tmp_path / "requirements.lock"
    lock.write_text("firstrun-demo==9.9.9\n", encoding="utf-8")
    write_wheel(offline_pip, "firstrun-demo")  # only 0.1 exists
    log = tmp_path / ".venv" / "pip-install.log"
    out = io.StringIO()
    status = app.install_packages(fresh_venv, ["firstrun-demo"], lock, log, 1, out)
    assert status != 0
    shown = out.getvalue()
    logged = log.read_text(encoding="utf-8").splitlines()
    assert "firstrun-demo==9.9.9" in log.read_text(encoding="utf-8")  # why pip failed is in the log …
    assert f"pip 退出码 {status}" in shown and f"完整记录：{log}" in shown
    tail = [line.removeprefix("  | ") for line in shown.splitlines() if line.startswith("  | ")]
    assert tail == logged[-TAIL:]  # … and its last lines are what the user sees
    assert any("firstrun-demo" in line for line in tail)


def test_a_long_log_shows_only_its_last_lines(tmp_path):
    log = tmp_path / "pip-install.log"
    log.write_text("".join(f"line {n}\n" for n in range(1, 101)), encoding="utf-8")
    report = app.failure_report(log, 1)
    assert f"最后 {TAIL} 行" in report
    assert f"  | line {100 - TAIL + 1}\n" in report and "  | line 100\n" in report
    assert f"  | line {100 - TAIL}\n" not in report


def test_a_successful_install_shows_counts_not_pips_output(fresh_venv, offline_pip, tmp_path):
    names = [f"firstrun-demo-{n}" for n in range(12)]
    for name in names:
        write_wheel(offline_pip, name)
    lock = tmp_path / "requirements.lock"
    lock.write_text("".join(f"{name}==0.1\n" for name in names), encoding="utf-8")
    log = tmp_path / ".venv" / "pip-install.log"
    out = io.StringIO()
    assert app.install_packages(fresh_venv, names, lock, log, len(names), out) == 0
    shown = out.getvalue()
    assert "已处理 10/约 12 个包" in shown and "依赖已安装：12 个包" in shown
    assert "Collecting" not in shown and "Successfully installed" not in shown
    assert "Successfully installed" in log.read_text(encoding="utf-8")
    imported = subprocess.run([str(fresh_venv), "-c", "import firstrun_demo_11"], capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr


def test_a_venv_that_cannot_be_created_says_why(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    out = io.StringIO()
    assert app.create_venv(blocker / ".venv", out) != 0
    shown = out.getvalue()
    assert f"无法创建虚拟环境 {blocker / '.venv'}" in shown and "python3-venv" in shown


def test_the_package_count_follows_the_lock_from_the_projects_own_dependencies(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "demo"\ndependencies = ["Gradio>=6,<7", "numpy"]\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\n',
        encoding="utf-8",
    )
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "gradio==6.1  # via demo (pyproject.toml)\n"
        "numpy==2.0   # via demo (pyproject.toml), pandas\n"
        "pandas==2.2  # via gradio\n"
        "typing_extensions==4.0  # via pandas, pytest\n"
        "pytest==8.0  # via demo (pyproject.toml)\n"
        "pluggy==1.5  # via pytest\n",
        encoding="utf-8",
    )
    # gradio, numpy, pandas, typing-extensions and the project itself; pytest and pluggy are for the tests only
    assert app.runtime_package_count(pyproject, lock) == 5


def test_the_shipped_lock_installs_fewer_packages_than_it_pins():
    count = app.runtime_package_count(app.ROOT / "pyproject.toml", app.LOCK)
    pinned = sum(1 for line in app.LOCK.read_text(encoding="utf-8").splitlines() if "==" in line)
    assert 20 < count < pinned  # gradio's tree is large; torch, pytest and playwright are not installed


def test_the_index_step_shows_progress_and_counts_then_nothing_to_do(tmp_path, capsys):
    from policybot.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "upload_sample.txt", corpus)
    settings = Settings.from_env(env={}, corpus_dir=corpus, index_dir=tmp_path / "index")
    app.build_index(settings, "[3/3]")
    err = capsys.readouterr().err
    assert f"[3/3] 建立索引：{corpus}" in err
    assert "[100%]" in err and "索引完成：1 个文件" in err
    app.build_index(settings, "[3/3]")
    assert capsys.readouterr().err.strip() == f"[3/3] 索引已是最新：{settings.index_dir}"
    app.build_index(settings, "")  # a later start whose index is current says nothing
    assert capsys.readouterr().err == ""
