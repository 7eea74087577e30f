"""The one console script, `scim-harness`: each part contributes its own subcommands."""

from __future__ import annotations

import sys

import click

from harness.errors import HarnessError


class _Group(click.Group):
    """Turns expected failures into one readable line and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except HarnessError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scim-harness")
def main() -> None:
    """Test Entra ID -> Kintone SCIM provisioning: emulator, simulator, conformance suite and reports."""


def _register() -> None:
    from emulator.cli import emulator
    from harness.report_cli import report
    from harness.run_cli import run
    from simulator.cli import simulate

    main.add_command(emulator)
    main.add_command(simulate)
    main.add_command(run)
    main.add_command(report)


_register()
