"""The package's shape: `ls policybot/` reads as the pipeline, imports flow down it, functions stay short."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "policybot"
STAGES = ("ingest", "index", "retrieve", "answer", "web")
MAX_TOP_MODULES = 8
MAX_FUNCTION_LINES = 100
# what each part may import from policybot (besides itself): each stage only from the stages before it
BASE = {"errors", "document"}
ALLOWED = {
    "errors": set(),
    "document": set(),
    "settings": {"errors"},
    "ingest": BASE,
    "index": BASE | {"ingest"},
    "retrieve": BASE | {"ingest", "index"},
    "answer": BASE | {"settings", "ingest", "index", "retrieve"},
    "bot": BASE | {"settings", "ingest", "index", "retrieve", "answer"},
    "web": BASE | {"settings", "ingest", "index", "retrieve", "answer", "bot"},
}
TOP = {"__init__", "cli", "evaluate"}  # the wiring: may import every stage


def part_of(module: str) -> str:
    """The part of the package a dotted module name belongs to: a stage, or a top-level module's name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def policybot_imports(path: Path) -> set[str]:
    """Every policybot module the file imports (at the top or inside a function)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "policybot")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "policybot":
                found.update(f"policybot.{a.name}" for a in node.names)
            elif node.module.startswith("policybot."):
                found.add(node.module)
    return found


def checked_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_top_of_the_package_is_a_few_modules_and_the_stages() -> None:
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert len(top) <= MAX_TOP_MODULES, sorted(top)
    stages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert set(STAGES) <= stages


@pytest.mark.parametrize("path", checked_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_from_the_stages_below_it(path: Path) -> None:
    here = part_of(module_name(path))
    if here in TOP:
        return
    assert here in ALLOWED, f"{path}: add its part of the package to ALLOWED (and to docs/architecture.md)"
    wrong = {m for m in policybot_imports(path) if part_of(m) != here and part_of(m) not in ALLOWED[here]}
    assert not wrong, f"{path.relative_to(PACKAGE)} ({here}) imports {sorted(wrong)}: allowed {sorted(ALLOWED[here])}"


def test_the_allowed_imports_have_no_cycle() -> None:
    seen: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(part: str, trail: tuple[str, ...]) -> None:
        assert seen.get(part) != 1, f"import cycle: {' → '.join((*trail, part))}"
        if seen.get(part) == 2:
            return
        seen[part] = 1
        for below in ALLOWED[part]:
            visit(below, (*trail, part))
        seen[part] = 2

    for part in ALLOWED:
        visit(part, ())


def test_the_import_check_sees_an_import_that_goes_up(tmp_path: Path) -> None:
    # the rule above is only worth having if it fires: ingest importing the index is a layer upside down
    upside_down = tmp_path / "loaders.py"
    upside_down.write_text(
        "from policybot.index.store import Shard\nimport policybot.answer.tasks\n\n\n"
        "def later():\n    from policybot import bot\n",
        encoding="utf-8",
    )
    found = {part_of(m) for m in policybot_imports(upside_down)}
    assert found - ALLOWED["ingest"] == {"index", "answer", "bot"}


@pytest.mark.parametrize("path", checked_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_longer_than_a_hundred_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{path.relative_to(PACKAGE)}: {long}"
