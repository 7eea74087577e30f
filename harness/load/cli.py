"""`scim-harness load`: Entra's initial and incremental cycles replayed against a target, on Locust.

This module imports only click and the plan at module level: Locust (and gevent's monkey-patching) comes in
inside the command, before anything that opens a socket, so that no other command ever loads it.
Exit codes: 0 when the verdict passes, 1 when it fails, 2 on a usage error or an unreachable target.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from scim_harness.common.errors import HarnessError
from scim_harness.load.plan import DEFAULT_CONCURRENCY
from scim_harness.vendor_options import (
    TOKEN_ENV,
    dialect_option,
    out_option,
    read_token,
    tenant_options,
    timeout_option,
)


@click.command("load")
@click.option("--target", metavar="URL", help="Tenant URL (SCIM base). Not needed on a worker.")
@click.option("--users", type=click.IntRange(min=0, max=1_000_000), help="Users in the generated tenant.")
@click.option(
    "--rate", type=click.FloatRange(min=0.01), help="Requests/s over all workers (default: unlimited)."
)
@click.option(
    "--duration", default="1h", show_default=True, help="Wall-clock limit of the run (e.g. 90s, 10m, 1h)."
)
@click.option(
    "--cycles",
    type=click.IntRange(min=0, max=1000),
    default=1,
    show_default=True,
    help="Incremental cycles after the initial one.",
)
@click.option(
    "--changes-per-cycle",
    default="10%",
    show_default=True,
    help="Share of the users changed before each incremental cycle (0.1 or 10%).",
)
@dialect_option("Entra's payload dialect (default: as the Tenant URL says, `?aadOptscim062020` or not).")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=10_000),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Parallel connections (Locust users) over all workers.",
)
@tenant_options
@timeout_option
@click.option("--token", envvar=TOKEN_ENV, show_envvar=True, metavar="TOKEN", help=f"Prefer {TOKEN_ENV}.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path), help="File holding the token.")
@click.option("--master", is_flag=True, help="Run as the master of distributed workers (Locust's own mode).")
@click.option("--worker", is_flag=True, help="Run as a worker: take the plan and a slice from the master.")
@click.option("--expect-workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--master-host",
    default="127.0.0.1",
    show_default=True,
    help="Worker: the master's address. Master: the address to listen on (0.0.0.0 for other machines).",
)
@click.option("--master-port", type=click.IntRange(min=1, max=65535), default=5557, show_default=True)
@click.option(
    "--connect-wait",
    type=click.FloatRange(min=1, max=3600),
    default=300.0,
    show_default=True,
    help="Seconds a master waits for its workers, and a worker for its master.",
)
@click.option("--web-ui", is_flag=True, help="Serve Locust's web UI while the run goes.")
@click.option("--web-host", default="127.0.0.1", show_default=True)
@click.option("--web-port", type=click.IntRange(min=1, max=65535), default=8089, show_default=True)
@click.option(
    "--verify/--no-verify",
    default=True,
    show_default=True,
    help="Afterwards, check through SCIM that every source user exists exactly once.",
)
@out_option(Path("reports/load"), "Where load.md, load.json and Locust's CSV and HTML go.")
@click.option("--verbose", is_flag=True, help="Locust's own log lines (workers connecting, spawning...).")
@click.pass_context
def load(ctx: click.Context, **options: object) -> None:
    """Replay Entra's initial cycle, then its incremental cycles, against TARGET as a Locust load test.

    Each user gets Entra's own requests in Entra's order (a filter on userName, then a create, or a read and
    an update), built by the simulator in the chosen dialect. One process by default; --master and --worker
    spread the tenant over several processes or machines, each worker owning a disjoint slice.
    """
    logging.basicConfig(
        level=logging.INFO if options["verbose"] else logging.WARNING,
        format="%(asctime)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    token = read_token(ctx, "token", options["token"], options["token_file"])  # type: ignore[arg-type]
    if options["master"] and options["worker"]:
        raise HarnessError("a process is either --master or --worker, not both")
    from scim_harness.load import engine  # Locust, and gevent's monkey-patching, from here on

    if options["worker"]:
        engine.run_worker(
            str(options["master_host"]),
            int(options["master_port"]),  # type: ignore[call-overload]
            token,
            float(options["connect_wait"]),  # type: ignore[arg-type]
        )
        return
    from scim_harness.load.run import run

    sys.exit(run(engine, token, options))
