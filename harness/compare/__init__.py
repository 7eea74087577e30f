"""`scim-harness compare`: one Entra sequence replayed against two SCIM targets, and the differences.

| module | one job |
|---|---|
| `lifecycle` | the built-in lifecycle timeline played on a generated tenant |
| `recorder` | an httpx transport that records every exchange of a job (and the resource after each write) |
| `normalise` | what must differ between two targets (ids, timestamps, locations, ETags) made comparable |
| `replay` | builds the tenant twice and drives two simulator jobs on two virtual clocks |
| `diff` | aligns the two sequences and lists the differences |
| `render` | the Markdown, HTML and JSON reports |
| `cli` | the `compare` command |
"""
