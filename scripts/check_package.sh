#!/usr/bin/env bash
# What a vendor or QA team does: build the wheel, install it (not editable) into a fresh virtualenv with the
# pinned dependencies, and run the main job from a directory that is not the checkout. Fails if the wheel
# misses a file (features, mappings, the suite's pytest.ini) or an import only works from the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

.venv/bin/python -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" . 2>&1 | grep -v '^WARNING' || true
wheel=$(ls "$work"/dist/scim_harness-*.whl)
echo "check-package: built $(basename "$wheel")"
.venv/bin/python - "$wheel" <<'PY'
import subprocess, sys, tomllib, zipfile
# Every tracked file of the folders mapped onto scim_harness must be in the wheel, at its mapped place.
mapping = tomllib.load(open("pyproject.toml", "rb"))["tool"]["setuptools"]["package-dir"]
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
expected = set()
for package, folder in mapping.items():
    tracked = subprocess.run(["git", "ls-files", folder], capture_output=True, text=True, check=True).stdout
    for path in tracked.split():
        inside = path[len(folder) + 1 :]
        expected.add("/".join([*package.split("."), inside]))
missing = sorted(expected - names)
stray = sorted({n.split("/")[0] for n in names if ".dist-info" not in n} - {"scim_harness"})
if missing or stray:
    sys.exit(f"check-package: wheel incomplete: missing={missing} stray top-level={stray}")
features = [n for n in names if n.endswith(".feature")]
print(f"check-package: the wheel holds all {len(expected)} files ({len(features)} features) and no top-level name but scim_harness")
PY

"$(.venv/bin/python -c 'import sys; print(sys._base_executable)')" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet -c requirements.lock "$wheel" 2>&1 | grep -v '^WARNING' || true
mkdir "$work/elsewhere"
cd "$work/elsewhere"
# The HTML report needs Allure from npm; a vendor's machine may have none, so it is not required here.
"$work/venv/bin/scim-harness" run --target emulator --dialect both --reports "$work/elsewhere/reports"
for file in junit.xml summary.md traffic.har; do
  [ -s "reports/$file" ] || { echo "check-package: reports/$file missing" >&2; exit 1; }
done
"$work/venv/bin/scim-harness" simulate --help >/dev/null
echo "check-package: the installed wheel ran the suite from $work/elsewhere"
cd "$root"
