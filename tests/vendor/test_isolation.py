"""Locust monkey-patches the interpreter with gevent on import: only the `load` command may ever import it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATCHING = {"locust", "gevent", "geventhttpclient"}
ALLOWED = {ROOT / "harness" / "load" / "engine.py", ROOT / "harness" / "load" / "locust_user.py"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_load_engine_imports_locust_or_gevent() -> None:
    offenders = sorted(
        str(path.relative_to(ROOT))
        for folder in ("common", "simulator", "emulator", "harness", "steps")
        for path in (ROOT / folder).rglob("*.py")
        if path not in ALLOWED and _imported_roots(path) & PATCHING
    )
    assert offenders == []


def test_the_isolation_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from gevent import monkey\n", encoding="utf-8")
    assert _imported_roots(sample) & PATCHING == {"gevent"}


def test_no_other_command_loads_locust() -> None:
    """Every other command, and the load command's own module, leave gevent and Locust out of the process."""
    code = (
        "import sys\n"
        "from scim_harness.cli import SUBCOMMANDS, main\n"
        "import click\n"
        "ctx = click.Context(main)\n"
        "for name in SUBCOMMANDS:\n"
        "    main.get_command(ctx, name)\n"
        "import scim_harness.compare.replay, scim_harness.emulator.server, scim_harness.simulator.engine\n"
        "import scim_harness.load.flow, scim_harness.load.report, scim_harness.load.verify\n"
        "roots = {'locust', 'gevent', 'geventhttpclient'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in roots))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
