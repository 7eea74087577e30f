"""The job's configuration, set the way an administrator sets it in Entra: `configure()` and the setters.

A mixin of `ProvisioningJob` (simulator.engine), kept apart so the engine stays about cycles. It works on the
job's context, client, tenant, pool and watermark, under the job's lock, so a change waits for a running
cycle and applies from the next request on. Entra's rules (D-HOW): a change of the attribute mappings
(group provisioning included) or of the scope runs a new initial cycle next, keeping the links; a new Tenant
URL or Secret Token keeps the links and the watermark.
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from scim_harness.common.scim_wire import FLAG, Dialect
from scim_harness.simulator.client import check_token
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.scoping import ScopingFilter
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.source import SCOPES, Scope
from scim_harness.simulator.tenant_url import parse_tenant_url

if TYPE_CHECKING:
    from scim_harness.simulator.client import ScimClient
    from scim_harness.simulator.context import JobContext
    from scim_harness.simulator.cycle import CycleRunner
    from scim_harness.simulator.logs import ProvisioningLogs
    from scim_harness.simulator.tenant import Tenant

_UNCHANGED = object()


class JobConfiguration:
    """`configure()` and the configuration properties of a provisioning job."""

    tenant: Tenant
    client: ScimClient
    logs: ProvisioningLogs
    _ctx: JobContext
    _lock: threading.RLock
    _pool: ThreadPoolExecutor
    _cycles: CycleRunner
    _watermark: int | None

    def configure(
        self,
        *,
        mappings: MappingSet | None = None,
        provision_groups: bool | None = None,
        tenant_url: str | None = None,
        secret_token: str | None = None,
        scope: Scope | None = None,
        scoping_filter: ScopingFilter | object | None = _UNCHANGED,
        settings: EngineSettings | None = None,
    ) -> None:
        """Change the job's configuration; it applies from the next request on (waits for a running cycle).

        - `mappings`, `provision_groups` (the "Provision Microsoft Entra ID Groups" mapping), `scope`
          ("assigned" or "all") and `scoping_filter` (None removes it): a change runs a new initial cycle
          next, keeping the links (D-HOW "changes to attribute mappings or scoping").
        - `tenant_url` (with or without `aadOptscim062020`, which selects the dialect) and `secret_token`:
          the next request goes there with that token; links, watermark and escrows are kept.
        - `settings`: any `EngineSettings`, read from the next request on.
        Invalid values raise ValueError (MappingError, TenantError) and change nothing.
        """
        with self._lock:
            new_mappings = mappings if mappings is not None else self._ctx.mappings
            if provision_groups is not None and provision_groups != new_mappings.provision_groups:
                new_mappings = dataclasses.replace(new_mappings, provision_groups=provision_groups)
            # Everything is checked before anything changes.
            url = parse_tenant_url(tenant_url) if tenant_url is not None else None
            if secret_token is not None:
                check_token(secret_token)
            if scope is not None and scope not in SCOPES:
                raise ValueError(f"scope must be 'assigned' or 'all', not {scope!r}")
            if scoping_filter is not _UNCHANGED and not isinstance(scoping_filter, ScopingFilter | None):
                raise ValueError("scoping_filter must be a ScopingFilter or None")
            resize = settings is not None and settings.max_connections != self.client.settings.max_connections
            rescope = new_mappings != self._ctx.mappings
            self._ctx.mappings = new_mappings
            if scope is not None and scope != self.tenant.scope:
                self.tenant.set_scope(scope)
                rescope = True
            if scoping_filter is not _UNCHANGED and scoping_filter != self.tenant.scoping_filter:
                self.tenant.set_scoping_filter(scoping_filter)  # type: ignore[arg-type]
                rescope = True
            if rescope:
                self._watermark = None  # a new initial cycle; links are kept
            if secret_token is not None:
                self.logs.redactor.add(secret_token)  # the old token stays masked too
            self.client.configure(tenant_url=url, secret_token=secret_token, settings=settings)
            if settings is not None:
                self.logs.max_entries = settings.max_log_entries
                if resize:
                    old, self._pool = self._pool, ThreadPoolExecutor(max_workers=settings.max_connections)
                    self._cycles.use_pool(self._pool)
                    old.shutdown(wait=True)

    @property
    def mappings(self) -> MappingSet:
        return self._ctx.mappings

    @mappings.setter
    def mappings(self, mappings: MappingSet) -> None:
        self.configure(mappings=mappings)

    @property
    def settings(self) -> EngineSettings:
        return self.client.settings

    @settings.setter
    def settings(self, settings: EngineSettings) -> None:
        self.configure(settings=settings)

    @property
    def tenant_url(self) -> str:
        """The Tenant URL as configured (the flag included when the compliant dialect is on)."""
        url = self.client.tenant_url
        query = [f"{name}={value}" if value else name for name, value in url.query]
        if url.dialect is Dialect.COMPLIANT:
            query.append(FLAG)
        return url.base + ("?" + "&".join(query) if query else "")

    @tenant_url.setter
    def tenant_url(self, tenant_url: str) -> None:
        self.configure(tenant_url=tenant_url)

    @property
    def dialect(self) -> Dialect:
        """The dialect the Tenant URL selects; setting it adds or removes the flag in the Tenant URL."""
        return self.client.tenant_url.dialect

    @dialect.setter
    def dialect(self, dialect: Dialect | str) -> None:
        url = self.client.tenant_url
        query = "&".join(f"{name}={value}" if value else name for name, value in url.query)
        if Dialect(dialect) is Dialect.COMPLIANT:
            query = f"{query}&{FLAG}" if query else FLAG
        self.configure(tenant_url=url.base + (f"?{query}" if query else ""))
