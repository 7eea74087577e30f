"""Runs the tiny sample suite once per session, as `scim-harness run` would, and builds every artifact."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_harness.reporting import build_html, write_summary

SAMPLE = Path(__file__).parent / "sample_suite"
REPO_ROOT = Path(__file__).resolve().parents[2]

PYTEST_INI = """\
[pytest]
bdd_features_base_dir = .
addopts = --strict-markers
markers =
    destructive: changes shared state
    kintone_only: a Kintone rule
"""


@dataclass(frozen=True)
class SampleRun:
    root: Path
    reports: Path
    results: Path
    junit: Path
    har: Path
    summary_md: Path
    summary: str
    html: Path | None
    token: str
    admin_password: str
    admin_credential: str
    extra_secret: str
    exit_code: int
    output: str


def run_sample_suite(root: Path) -> SampleRun:
    import base64

    for name in ("adding_a_user.feature", "protocol.feature", "sample_steps.py"):
        shutil.copy(SAMPLE / name, root / name)
    shutil.copy(SAMPLE / "sample_conftest.py", root / "conftest.py")
    (root / "pytest.ini").write_text(PYTEST_INI)
    reports = root / "reports"
    token = f"tok-{secrets.token_hex(12)}"
    password = f"pw-{secrets.token_hex(6)}"
    extra = f"extra-{secrets.token_hex(8)}"
    # The outer pytest's variables (xdist worker id, current test, addopts) must not leak into the inner run.
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")},
        "SAMPLE_TOKEN": token,
        "SAMPLE_ADMIN_PASSWORD": password,
        "SAMPLE_EXTRA_SECRET": extra,
        "SAMPLE_REPORTS": str(reports),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    results, junit = reports / "allure-results", reports / "junit.xml"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "sample_steps.py",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--alluredir={results}",
            f"--junitxml={junit}",
            "-q",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    summary_md = reports / "summary.md"
    summary = write_summary(junit, summary_md, target="sample", dialect="aadOptscim062020")
    html = build_html(results, reports / "allure-report")
    return SampleRun(
        root=root,
        reports=reports,
        results=results,
        junit=junit,
        har=reports / "traffic.har",
        summary_md=summary_md,
        summary=summary,
        html=html,
        token=token,
        admin_password=password,
        admin_credential=base64.b64encode(f"Administrator:{password}".encode()).decode(),
        extra_secret=extra,
        exit_code=done.returncode,
        output=done.stdout + done.stderr,
    )


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    return run_sample_suite(tmp_path_factory.mktemp("sample-suite"))
