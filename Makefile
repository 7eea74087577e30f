# Two entry points on a fresh machine (each sets itself up first):
#   make suite   the main job: the conformance suite against the embedded emulator, in both of Entra's dialects
#   make test    the project's own tests (what CI runs first)
# Longer checks, also run by CI (.ci/run) after `make test`:
#   make check   the built wheel installed in a fresh virtualenv and run from another directory; tox on the wheel;
#                the self-test (every defect of the catalogue against the vendor suite, both dialects: 100% or fail)
#                the longer hardening run (about 10,000 hostile requests, kill -9 with 5,000 users)
.PHONY: suite test lint bench setup check check-package tox selftest check-hardening

setup:
	bash scripts/bootstrap.sh

suite: setup
	.venv/bin/scim-harness run --target emulator --dialect both

test:
	bash scripts/bootstrap.sh --browser
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/python -m pytest -n 2

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

check: check-package tox selftest check-hardening

check-package: setup
	bash scripts/check_package.sh

tox: setup
	.venv/bin/tox -e lint,tests

selftest: setup
	.venv/bin/scim-harness selftest --dialect both --workers 2

check-hardening: setup
	.venv/bin/python bench/bench_hardening.py --only fuzz kill9 --fuzz-examples 2300 --seeds 7 --kill-users 5000

bench: setup
	.venv/bin/python bench/run_all.py
