"""The whole reporting path on a tiny pytest-bdd suite run in a subprocess: Allure results, HTML, summary."""

from __future__ import annotations

import base64
import binascii
import json
import re

from scim_harness.common.redact import REDACTED
from tests.reports.conftest import SampleRun

CREATED = "A new user is created in Kintone"
FAILING = "Creating the same user twice succeeds"
NOT_APPLICABLE = "Kintone-only rule on a vendor server"
CARELESS = "A careless step takes the secret token as an argument"
SKIPPED_UP_FRONT = "A Kintone rule skipped before it starts"


def _results(run: SampleRun) -> dict[str, dict]:
    results = [json.loads(p.read_text()) for p in run.results.glob("*-result.json")]
    return {result["name"]: result for result in results}


def _attachment(run: SampleRun, result: dict, name: str) -> str:
    [attachment] = [a for a in result.get("attachments", []) if a["name"] == name]
    return (run.results / attachment["source"]).read_text()


def _labels(result: dict, name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


def test_sample_suite_ran_and_pytest_wrote_junit_xml(sample_run: SampleRun) -> None:
    assert sample_run.exit_code == 1, sample_run.output
    assert "1 failed, 2 passed, 2 skipped" in sample_run.output
    junit = sample_run.junit.read_text()
    assert junit.count("<testcase") == 5
    assert 'name="scenario" value="A new user is created in Kintone"' in junit


def test_summary_counts_outcomes_and_gives_reasons(sample_run: SampleRun) -> None:
    summary = sample_run.summary
    assert sample_run.summary_md.read_text() == summary
    assert "FAILED" in summary.splitlines()[0]
    assert "**2 passed, 1 failed, 0 skipped, 2 not applicable**" in summary
    assert f"- Adding a user: {FAILING}: AssertionError: expected 201, the target answered 409" in summary
    assert f"- Protocol behaviour: {NOT_APPLICABLE}: not applicable: the target is a vendor's" in summary
    assert "Target: `sample`, dialect: `aadOptscim062020`" in summary


def test_allure_labels_from_feature_and_tags(sample_run: SampleRun) -> None:
    created = _results(sample_run)[CREATED]
    assert _labels(created, "feature") == ["Adding a user"]
    assert _labels(created, "story") == [CREATED]
    assert _labels(created, "epic") == ["Kintone rules"]
    assert _labels(created, "layer") == ["kintone"]
    assert _labels(created, "parentSuite") == ["Kintone rules"]
    assert _labels(created, "suite") == ["Adding a user"]
    assert "kintone" in _labels(created, "tag")
    assert not [tag for tag in _labels(created, "tag") if tag.startswith("help")]
    protocol = _results(sample_run)[NOT_APPLICABLE]
    assert _labels(protocol, "layer") == ["scim"]


def test_a_scenario_skipped_before_it_starts_is_in_allure_with_its_reason(sample_run: SampleRun) -> None:
    result = _results(sample_run)[SKIPPED_UP_FRONT]
    assert result["status"] == "skipped"
    assert result["statusDetails"] == {"message": "not applicable: a Kintone-only rule, skipped up front"}
    assert [(s["name"], s["status"]) for s in result["steps"]] == [
        ("Given the target is not Kintone", "skipped")
    ]
    assert _labels(result, "suite") == ["Protocol behaviour"]
    assert _labels(result, "layer") == ["scim"]


def test_help_links_from_tags(sample_run: SampleRun) -> None:
    results = _results(sample_run)
    assert results[CREATED]["links"] == [
        {
            "type": "link",
            "name": "Help: adding-users",
            "url": "https://get.kintone.help/general/en/admin/scim.html#adding-users",
        }
    ]
    [link] = results[CARELESS]["links"]
    assert link["url"] == (
        "https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups"
    )


def test_scenario_exchanges_are_attached_readably_and_redacted(sample_run: SampleRun) -> None:
    results = _results(sample_run)
    created = _attachment(sample_run, results[CREATED], "HTTP exchanges (3)")
    assert "POST http://127.0.0.1:" in created and "/_emulator/tokens" in created
    assert "-> 201 Created" in created
    assert f"> Authorization: {REDACTED}" in created
    assert f"> X-Cybozu-Authorization: {REDACTED}" in created
    assert f'"token": "{REDACTED}"' in created
    assert '"userName": "alice@contoso.com"' in created, "bodies are pretty-printed JSON"
    failing = _attachment(sample_run, results[FAILING], "HTTP exchanges (3)")
    assert "-> 409" in failing, "each scenario gets only its own exchanges"
    assert "alice@contoso.com" not in failing
    assert not [a for a in results[NOT_APPLICABLE].get("attachments", []) if a["name"].startswith("HTTP")]


def test_provisioning_logs_are_attached(sample_run: SampleRun) -> None:
    created = _results(sample_run)[CREATED]
    logs = json.loads(_attachment(sample_run, created, "Provisioning logs"))
    assert logs == [{"action": "Create", "user": "alice@contoso.com", "status": 201}]
    table = _attachment(sample_run, created, "Provisioning logs (table)")
    assert "alice@contoso.com" in table and "Create" in table
    assert "rich.table" not in table and "\x1b[" not in table, "rendered as plain text"


def test_a_fixture_is_never_a_step_parameter(sample_run: SampleRun) -> None:
    # The careless step takes the token fixture as an argument: not a word of the step, so not a parameter.
    [step] = _results(sample_run)[CARELESS]["steps"]
    assert step.get("parameters", []) == []


def test_step_parameters_are_the_steps_own_words_unquoted(sample_run: SampleRun) -> None:
    # `provision(capture_proxy, provisioning_job, context, user)`: only `user` comes from the step's words.
    steps = {step["name"]: step for step in _results(sample_run)[CREATED]["steps"]}
    provision = steps['When Entra provisions the user "alice@contoso.com"']
    assert provision["parameters"] == [{"name": "user", "value": "alice@contoso.com"}]


def test_environment_properties(sample_run: SampleRun) -> None:
    text = (sample_run.results / "environment.properties").read_text()
    entries = dict(line.split("=", 1) for line in text.splitlines())
    assert entries["target"] == "sample"
    assert entries["dialect"] == "aadOptscim062020"
    assert {"scim-harness", "python", "mitmproxy", "pytest-bdd", "allure-pytest-bdd"} <= entries.keys()
    assert entries["mitmproxy"] == "12.3.1"


def test_har_file_holds_the_run(sample_run: SampleRun) -> None:
    document = json.loads(sample_run.har.read_text())
    assert document["log"]["version"] == "1.2"
    methods = [entry["request"]["method"] for entry in document["log"]["entries"]]
    assert methods.count("POST") == 5 and methods.count("GET") == 1


def _embedded_texts(text: str) -> list[str]:
    """The text itself plus every base64 blob inside it decoded (the single-file report embeds data so)."""
    decoded = [text]
    for blob in re.findall(r"[A-Za-z0-9+/]{24,}={0,2}", text):
        try:
            decoded.append(base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", errors="ignore"))
        except (binascii.Error, ValueError):
            continue
    return decoded


def test_no_artifact_contains_a_secret(sample_run: SampleRun) -> None:
    artifacts = [p for p in sample_run.reports.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in artifacts}
    assert {".har", ".xml", ".md", ".html", ".json", ".properties", ".txt"} <= kinds, kinds
    assert sample_run.html is not None
    secrets = {
        "API token": sample_run.token,
        "admin password": sample_run.admin_password,
        "admin credential header": sample_run.admin_credential,
        "registered secret": sample_run.extra_secret,
    }
    leaks = [
        f"{what} in {path.relative_to(sample_run.reports)}"
        for path in artifacts
        for text in _embedded_texts(path.read_text(encoding="utf-8", errors="ignore"))
        for what, secret in secrets.items()
        if secret in text
    ]
    assert leaks == []


def test_terminal_output_of_the_run_holds_no_secret(sample_run: SampleRun) -> None:
    # The failing scenario's traceback shows its step arguments, among them a dict holding the token.
    assert "context = {'token': '[REDACTED]'" in sample_run.output
    for secret in (
        sample_run.token,
        sample_run.admin_password,
        sample_run.admin_credential,
        sample_run.extra_secret,
    ):
        assert secret not in sample_run.output
    # The check can fail: the token did travel through the proxy, redacted.
    har = sample_run.har.read_text()
    assert REDACTED in har
