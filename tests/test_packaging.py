"""The wheel's package list in pyproject.toml names every package and data folder of the tree.

setuptools cannot discover packages mapped onto several top-level folders, so the list is written by hand;
this test fails as soon as a new folder is missed (scripts/check_package.sh then proves the built wheel runs).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _folders_on_disk() -> set[str]:
    names: set[str] = set()
    for package, folder in CONFIG["package-dir"].items():
        base = ROOT / folder
        for directory in [base, *(p for p in base.rglob("*") if p.is_dir())]:
            shipped = [f for f in directory.rglob("*") if f.is_file() and "__pycache__" not in f.parts]
            if directory.name == "__pycache__" or not shipped:
                continue
            relative = directory.relative_to(base).parts
            names.add(".".join([package, *relative]))
    return names


def test_every_package_and_data_folder_is_listed() -> None:
    listed = set(CONFIG["packages"])
    on_disk = _folders_on_disk()
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - on_disk == set(), "these listed packages have no folder"


def test_every_data_file_is_covered_by_package_data() -> None:
    data = CONFIG["package-data"]
    missing = []
    for package, folder in CONFIG["package-dir"].items():
        base = ROOT / folder
        for path in base.rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            owner = ".".join([package, *path.parent.relative_to(base).parts])
            if not any(path.match(pattern) for pattern in data.get(owner, [])):
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"not shipped in the wheel (add to package-data): {missing}"
