"""`scim-harness load`: Entra's cycles replayed against a target as a load test, with Locust as the engine.

| module | one job |
|---|---|
| `plan` | the plan a master sends its workers; slices; which users change in which cycle |
| `flow` | Entra's requests for one user in one cycle, from the simulator's mappings and payload functions |
| `work` | one process's queue of (cycle, user), cycle after cycle; pacing and Retry-After suspension |
| `verify` | afterwards: every source user exactly once in the target, through SCIM |
| `report` | figures, the verdict against Microsoft's asks, Markdown and JSON |
| `locust_user` | Entra's connections as a Locust user: Entra's calls, 429s (imports Locust) |
| `engine` | Locust: local, master and worker runs, progress, Locust's CSV and HTML (imports Locust) |
| `run` | one run from the command's options (imported after the engine) |
| `cli` | the `load` command (imports Locust only when it runs) |

Only `engine` and `locust_user` (and `run`, imported after them) may import Locust or gevent: Locust
monkey-patches the standard library on import, and nothing else in scim-harness may pay for that or see it.
"""
