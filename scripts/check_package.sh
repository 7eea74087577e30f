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
.venv/bin/python - "$wheel" "$(find features -name '*.feature' | wc -l)" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = [
    "scim_harness/cli.py",
    "scim_harness/steps/pytest.ini",
    "scim_harness/steps/test_conformance.py",
    "scim_harness/simulator/data/kintone-mappings.json",
    "scim_harness/simulator/data/entra-default-scim-mappings.json",
    "scim_harness/emulator/server.py",
    "scim_harness/common/redact.py",
]
missing = [n for n in needed if n not in names]
features = [n for n in names if n.startswith("scim_harness/features/") and n.endswith(".feature")]
stray = sorted({n.split("/")[0] for n in names} - {"scim_harness"} - {n.split("/")[0] for n in names if ".dist-info" in n})
if missing or len(features) != int(sys.argv[2]) or stray:
    sys.exit(f"check-package: wheel incomplete: missing={missing} features={len(features)} of {sys.argv[2]} stray top-level={stray}")
print(f"check-package: wheel holds {len(features)} feature files and no top-level name but scim_harness")
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
