"""The names of the JUnit properties the suite's pytest process writes and summary.md reads.

A leaf module (no pytest, no Allure, no mitmproxy), so that `scim-harness run` reads the JUnit XML without
importing what only the suite's own process needs.
"""

TIMED_OUT = "timed_out"
"""The JUnit property (one per call) naming a call of the scenario that got no answer in time."""
USED_UP = "time_budget_used_up"
"""The JUnit testsuite property set when the run's time budget ran out."""
VERDICT = "verdict"
"""The JUnit property holding what Entra ID will do about a failure (reporting.verdicts)."""
