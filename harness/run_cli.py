"""`scim-harness run`: the conformance suite (pytest on steps/) in a subprocess with the configuration in its
environment, then the reports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import httpx

from scim_harness import steps
from scim_harness.capture import merge_har
from scim_harness.common.errors import HarnessError
from scim_harness.config import DIALECTS, TARGETS, SuiteConfig
from scim_harness.reporting import build_html, write_summary

# The installed package's own steps/ (features/ sits beside it, in the repository and in the wheel alike).
STEPS_DIR = Path(steps.__file__).resolve().parent
KNOWN_TAGS = ("kintone", "entra", "scim", "destructive", "needs-admin")
_WORDS = {"and", "or", "not"}


@dataclass(frozen=True)
class ReportPaths:
    root: Path

    @property
    def allure_results(self) -> Path:
        return self.root / "allure-results"

    @property
    def junit(self) -> Path:
        return self.root / "junit.xml"

    @property
    def har(self) -> Path:
        return self.root / "traffic.har"

    @property
    def summary(self) -> Path:
        return self.root / "summary.md"


def marker_expression(tags: str) -> str:
    """'@kintone and not @destructive' -> 'kintone and not destructive'; an unknown tag is a clear error."""
    tokens = re.findall(r"[()]|[^\s()]+", tags)
    if not tokens:
        raise HarnessError("--tags is empty")
    words: list[str] = []
    for token in tokens:
        if token in "()" or token.lower() in _WORDS:
            words.append(token.lower() if token.lower() in _WORDS else token)
            continue
        name = token.removeprefix("@")
        if name not in KNOWN_TAGS:
            raise HarnessError(
                f"unknown tag {token!r} in --tags: use {', '.join('@' + t for t in KNOWN_TAGS)}"
            )
        words.append(name)
    _check_grammar(words, tags)
    return " ".join(words).replace("( ", "(").replace(" )", ")")


def _check_grammar(words: list[str], tags: str) -> None:
    """pytest's -m grammar (expr: and/or/not over names and parentheses), checked here so that a dangling
    operator is one line from us rather than pytest's usage error after the run has started."""
    position = 0

    def factor() -> None:
        nonlocal position
        word = words[position] if position < len(words) else None
        if word == "not":
            position += 1
            factor()
        elif word == "(":
            position += 1
            expression()
            if position >= len(words) or words[position] != ")":
                raise HarnessError(f"--tags {tags!r}: a parenthesis is not closed")
            position += 1
        elif word is None or word in _WORDS or word == ")":
            raise HarnessError(
                f"--tags {tags!r}: expected a tag {'here' if word is None else 'before ' + word}"
            )
        else:
            position += 1

    def expression() -> None:
        nonlocal position
        factor()
        while position < len(words) and words[position] in ("and", "or"):
            position += 1
            factor()

    expression()
    if position < len(words):
        raise HarnessError(f"--tags {tags!r}: unexpected {words[position]!r}")


def pytest_command(config: SuiteConfig, paths: ReportPaths) -> list[str]:
    # -P: the caller's working directory is not put on sys.path, so nothing there can shadow a module.
    command = [
        sys.executable,
        "-P",
        "-m",
        "pytest",
        str(STEPS_DIR),
        "-c",
        str(STEPS_DIR / "pytest.ini"),
        "--rootdir",
        str(STEPS_DIR.parent),
        "-p",
        "no:cacheprovider",
        "-q",
        "--alluredir",
        str(paths.allure_results),
        "--clean-alluredir",
        "--junitxml",
        str(paths.junit),
        "-W",
        "ignore::DeprecationWarning",
    ]
    if config.tags:
        command += ["-m", marker_expression(config.tags)]
    if config.workers > 1:
        command += ["-n", str(config.workers)]
    return command


def check_reachable(config: SuiteConfig) -> None:
    """A target given by URL must answer HTTP at all (any status) before a whole run is spent on it."""
    url = config.scim_url or config.url
    if not url:
        return
    try:
        httpx.get(url.rstrip("/") + "/ServiceProviderConfig", timeout=min(config.timeout, 10.0))
    except httpx.HTTPError as exc:
        raise HarnessError(f"cannot reach the target at {url}: {type(exc).__name__}") from None


def run_pytest(config: SuiteConfig, paths: ReportPaths) -> subprocess.CompletedProcess[str]:
    paths.root.mkdir(parents=True, exist_ok=True)
    # The configuration travels whole in the environment; a calling pytest's own variables must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCIM_HARNESS_", "PYTEST_"))}
    env.update(config.with_changes(reports=paths.root).to_env())
    env["SCIM_HARNESS_HAR"] = str(paths.har)
    try:
        return subprocess.run(pytest_command(config, paths), env=env, text=True, check=False)
    except OSError as exc:
        raise HarnessError(f"cannot start pytest: {exc.strerror}") from None


@click.command("run")
@click.option("--target", type=click.Choice(TARGETS), help="What to test (default: the embedded emulator).")
@click.option(
    "--url", help="emulator: a running emulator; kintone: https://SUB.cybozu.com; scim: SCIM base URL."
)
@click.option("--scim-url", help="kintone: the SCIM endpoint shown with the API token.")
@click.option("--tags", help="Tag expression, e.g. '@kintone and not @destructive'.")
@click.option("--dialect", type=click.Choice(DIALECTS), help="Entra's payload dialect (default: legacy).")
@click.option("--capture/--no-capture", default=None, help="Record traffic through mitmproxy (default: on).")
@click.option("--reports", type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--workers", type=click.IntRange(min=1), help="Parallel pytest-xdist workers (default: 1).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML configuration file (default: ./scim-harness.toml if present).",
)
def run(
    target: str | None,
    url: str | None,
    scim_url: str | None,
    tags: str | None,
    dialect: str | None,
    capture: bool | None,
    reports: Path | None,
    workers: int | None,
    config_file: Path | None,
) -> None:
    """Run the conformance suite against a target, write reports/ and exit non-zero if a scenario fails."""
    config = SuiteConfig.load(
        {
            "target": target,
            "url": url,
            "scim_url": scim_url,
            "tags": tags,
            "dialect": dialect,
            "capture": capture,
            "reports": reports,
            "workers": workers,
        },
        config_file=config_file,
    )
    config.validate_target()
    if config.tags:
        marker_expression(config.tags)  # a bad expression fails here, in one line, before pytest starts
    check_reachable(config)
    paths = ReportPaths(config.reports.resolve())
    click.echo(
        f"scim-harness: running the conformance suite against {config.target} "
        f"(dialect {config.dialect}), reports in {paths.root}"
    )
    completed = run_pytest(config, paths)
    if completed.returncode == 5:
        raise HarnessError("no scenario matched the selection (check --tags)")
    if completed.returncode not in (0, 1):
        raise HarnessError(f"the suite could not run (pytest exit code {completed.returncode})")
    merge_har_parts(paths.har)
    _write_reports(config, paths)
    sys.exit(0 if completed.returncode == 0 else 1)


def merge_har_parts(har: Path) -> None:
    """With xdist each worker writes its own HAR (traffic-gw0.har...); QA gets one file, in time order."""
    parts = sorted(har.parent.glob(f"{har.stem}-gw*{har.suffix}"))
    if parts:
        merge_har(parts, har, remove_parts=True)


def _write_reports(config: SuiteConfig, paths: ReportPaths) -> None:
    """HTML report and summary from the reporting part; the summary's short form goes to the terminal."""
    summary = write_summary(paths.junit, paths.summary, target=config.target, dialect=config.dialect)
    try:
        build_html(
            paths.allure_results,
            paths.root / "allure-report",
            warn=lambda message: click.secho(f"warning: {message}", fg="yellow", err=True),
        )
    except HarnessError as exc:
        click.secho(f"warning: no HTML report: {exc}", fg="yellow", err=True)
    click.echo(summary)
