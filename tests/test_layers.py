"""The architecture, enforced: layers between the parts, and no import cycle between any two modules.

    common leaf (scim_harness.common): errors, the one redactor, SCIM wire helpers; imports no other part
    simulator (scim_harness.simulator) and emulator (scim_harness.emulator): each imports only itself and the
        leaf; they meet only over HTTP, exactly as Entra and Kintone do
    conformance layer (everything else): drivers, capture, reporting, the suite's steps, the CLI

Every import counts, at module level or inside a function (a function-level import is how a cycle hides);
only `if TYPE_CHECKING:` blocks are left out, as they never run. docs/architecture.md draws the same picture.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Import name -> folder, as pyproject.toml's [tool.setuptools.package-dir] maps them.
PACKAGES = {
    "scim_harness.common": ROOT / "common",
    "scim_harness.simulator": ROOT / "simulator",
    "scim_harness.emulator": ROOT / "emulator",
    "scim_harness.steps": ROOT / "steps",
    "scim_harness": ROOT / "harness",
}
LEAF = "scim_harness.common"
# What each part may import from the project besides itself.
ALLOWED = {
    "scim_harness.common": set(),
    "scim_harness.simulator": {LEAF},
    "scim_harness.emulator": {LEAF},
}
# Third-party packages a part must not need: the simulator and the emulator run without the conformance
# layer's heavy tools, and the leaf needs nothing at all.
FORBIDDEN_THIRD_PARTY = {
    "scim_harness.common": {"httpx", "mitmproxy", "pytest", "pytest_bdd", "allure", "click", "rich"},
    "scim_harness.simulator": {"mitmproxy", "pytest", "pytest_bdd", "allure", "scim2_server", "starlette"},
    "scim_harness.emulator": {"mitmproxy", "pytest", "pytest_bdd", "allure"},
}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            relative = path.relative_to(folder).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            name = ".".join([package, *parts])
            # The root package's folder holds only the conformance layer; the others are mapped separately.
            found.setdefault(name, path)
    return found


MODULES = _modules()


def _part(module: str) -> str:
    for package in ("scim_harness.common", "scim_harness.simulator", "scim_harness.emulator"):
        if module == package or module.startswith(package + "."):
            return package
    return "conformance"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, module: str) -> set[str]:
    """Every module name this file imports, resolved to a project module where it is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                names.add(candidate if candidate in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


GRAPH = {module: _imports(path, module) for module, path in MODULES.items()}


def test_the_mapping_finds_every_part() -> None:
    parts = {_part(m) for m in MODULES}
    assert parts == {"scim_harness.common", "scim_harness.simulator", "scim_harness.emulator", "conformance"}
    assert "scim_harness.simulator.engine" in MODULES and "scim_harness.cli" in MODULES


def _imports_of(part: str, forbidden: Callable[[str], bool]) -> list[str]:
    """`module imports target` for each import of the part's modules that `forbidden` says breaks a rule."""
    return sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _part(module) == part
        for target in targets
        if forbidden(target)
    )


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_a_part_imports_only_itself_and_the_leaf(part: str) -> None:
    allowed = {part, *ALLOWED[part]}
    broken = _imports_of(
        part, lambda target: target.startswith("scim_harness") and _part(target) not in allowed
    )
    assert not broken, "layer rule broken:\n" + "\n".join(broken)


@pytest.mark.parametrize("part", sorted(FORBIDDEN_THIRD_PARTY))
def test_a_part_needs_none_of_the_conformance_tools(part: str) -> None:
    broken = _imports_of(part, lambda target: target.split(".")[0] in FORBIDDEN_THIRD_PARTY[part])
    assert not broken, "\n".join(broken)


def test_no_module_imports_an_old_top_level_name() -> None:
    """Everything goes through `scim_harness`; a stray `import simulator` works only in a checkout."""
    stale = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if target.split(".")[0] in {"harness", "simulator", "emulator", "steps", "common"}
    )
    assert not stale, "\n".join(stale)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def strongconnect(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                strongconnect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    return found


def test_no_import_cycles_between_modules() -> None:
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_check_can_fail() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
