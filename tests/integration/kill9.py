"""kill -9 of the emulator mid-cycle (issue 10), for the CI test and the bench: the simulator provisions a
tenant to `emulator serve` on a SQLite file, the emulator is killed with SIGKILL once part of the users are
in, restarted on the same file, and the job goes on.

What must hold: every create the simulator saw answered 201 is in the database after the restart (an
acknowledged write survives), and the next cycles converge: every user of the tenant present exactly once.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scim_harness.simulator.answers import Response
from scim_harness.simulator.client import SentRequest
from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.engine import EngineSettings, ProvisioningJob
from scim_harness.simulator.generate import generate_tenant
from scim_harness.simulator.mappings import MappingSet
from tests.integration.emulator_process import TOKEN, EmulatorProcess, integrity, stored_logins

MAX_CATCH_UP_STEPS = 200
"""Cycle intervals (40 minutes each on the job's clock) to wait at most for the job to catch up: enough to
pass a quarantine's first back-off (D-QUAR: 6 h, then 12 h, 24 h...)."""


@dataclass
class Kill9Report:
    users: int
    stored_at_kill: int = 0
    acknowledged: set[str] = field(default_factory=set)
    lost: list[str] = field(default_factory=list)
    """Acknowledged creates missing after the restart (must be empty)."""
    first_cycle_seconds: float = 0.0
    catch_up_cycles: int = 0
    catch_up_seconds: float = 0.0
    missing: list[str] = field(default_factory=list)
    """Tenant users absent after catching up (must be empty)."""
    duplicates: list[str] = field(default_factory=list)
    """Login names stored more than once (must be empty)."""
    integrity: str = ""


def run_kill9(
    workdir: Path,
    users: int,
    kill_at: float = 0.4,
    *,
    seed: int = 1,
    before_restart: Callable[[Path], None] | None = None,
) -> Kill9Report:
    """Provision `users` users; kill -9 the emulator once `kill_at` of them are stored; restart; catch up.
    `before_restart(db_path)` may tamper with the file while no emulator holds it (to show a check fail)."""
    db_path = workdir / "kill9.sqlite"
    report = Kill9Report(users=users)
    clock = VirtualClock()
    tenant = generate_tenant(users, clock, seed=seed)
    wanted = {str(user.user_principal_name).lower() for user in tenant.users.values()}
    emulator = EmulatorProcess(db_path).start()
    lock = threading.Lock()
    recording = threading.Event()
    recording.set()

    def acknowledged(request: SentRequest, response: Response) -> None:
        """Creates answered 201 before the restart (the ones the simulator believes are done)."""
        if (
            recording.is_set()
            and request.method == "POST"
            and response.status == 201
            and isinstance(response.body, dict)
        ):
            with lock:
                report.acknowledged.add(str(response.body.get("userName", "")).lower())

    settings = EngineSettings(max_connections=8, max_log_entries=1_000, timeout_seconds=10.0)
    job = ProvisioningJob(tenant, emulator.scim_url, TOKEN, MappingSet.default(), clock, settings)
    job.on_exchange(acknowledged)
    try:
        job.start()
        began = time.perf_counter()
        cycle = threading.Thread(target=job.run_cycle, name="first-cycle")
        cycle.start()
        while cycle.is_alive() and len(stored_logins(db_path)) < users * kill_at:
            time.sleep(0.02)
        emulator.kill()
        report.stored_at_kill = len(stored_logins(db_path))
        cycle.join(timeout=600)
        recording.clear()
        report.first_cycle_seconds = time.perf_counter() - began

        if before_restart is not None:
            before_restart(db_path)
        emulator = EmulatorProcess(db_path, emulator.port).start()  # same file, same URL
        report.lost = sorted(report.acknowledged - {login.lower() for login in stored_logins(db_path)})

        began = time.perf_counter()
        for _ in range(MAX_CATCH_UP_STEPS):
            if wanted <= {login.lower() for login in stored_logins(db_path)}:
                break
            report.catch_up_cycles += len(job.advance(settings.cycle_interval))
        report.catch_up_seconds = time.perf_counter() - began
        stored = Counter(login.lower() for login in stored_logins(db_path))
        report.missing = sorted(wanted - set(stored))
        report.duplicates = sorted(login for login, count in stored.items() if count > 1)
    finally:
        job.close()
        emulator.stop()
    report.integrity = integrity(db_path)
    return report
