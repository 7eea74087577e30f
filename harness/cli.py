"""The one console script, `scim-harness`: each part contributes its own subcommands."""

from __future__ import annotations

import importlib
import os
import sys

import click

from scim_harness.common.errors import HarnessError

DEBUG_ENV = "SCIM_HARNESS_DEBUG"

# Subcommands are imported only when used: `emulator serve` should not pay for importing mitmproxy or pytest.
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "emulator": ("scim_harness.emulator.cli", "emulator", "Run and administer the Kintone SCIM emulator."),
    "simulate": (
        "scim_harness.simulator.cli",
        "simulate",
        "Run the Entra provisioning simulator against a target.",
    ),
    "run": ("scim_harness.run_cli", "run", "Run the conformance suite and write reports/."),
    "report": ("scim_harness.report_cli", "report", "Rebuild the HTML report from existing results."),
    "compare": (
        "scim_harness.compare.cli",
        "compare",
        "Replay one Entra sequence against two targets and report the differences.",
    ),
    "load": ("scim_harness.load.cli", "load", "Replay Entra's cycles against a target as a load test."),
    "selftest": (
        "scim_harness.selftest.cli",
        "selftest",
        "Score the vendor suite against the emulator's defect catalogue.",
    ),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SUBCOMMANDS:
            return None
        module_name, attribute, _ = SUBCOMMANDS[name]
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        # Expected failures become one readable line and exit code 2, never a traceback. A path or permission
        # problem the commands did not word themselves (OSError) too; SCIM_HARNESS_DEBUG=1 shows the trace.
        try:
            return super().invoke(ctx)
        except HarnessError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)
        except OSError as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            where = f": {exc.filename}" if exc.filename else ""
            click.secho(f"error: {exc.strerror or exc}{where}", fg="red", err=True)
            sys.exit(2)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scim-harness")
def main() -> None:
    """Test Entra ID -> Kintone SCIM provisioning: emulator, simulator, conformance suite and reports."""
