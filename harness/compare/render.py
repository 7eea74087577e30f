"""The comparison as Markdown (for CI logs and pull requests), self-contained HTML and JSON (for machines).

Hand-written on purpose: the reports are two tables and a list, and a templating engine would be one more
dependency for that. The HTML has inline CSS, no script and no link to anything, so it opens offline.
Every value shown was recorded through the one Redactor (compare.recorder).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scim_harness.compare.diff import Comparison, Row, Step, delta, shown
from scim_harness.compare.recorder import Exchange
from scim_harness.compare.replay import Scenario

CELL_CHARS = 160
DETAIL_ROWS = 5_000
"""Equal rows beyond this many get no expandable details in HTML (differing rows always do)."""


def write_reports(comparison: Comparison, scenario: Scenario, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out / "compare.md", "html": out / "compare.html", "json": out / "compare.json"}
    paths["markdown"].write_text(markdown(comparison, scenario), encoding="utf-8")
    paths["html"].write_text(html_report(comparison, scenario), encoding="utf-8")
    paths["json"].write_text(
        json.dumps(as_json(comparison, scenario), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return paths


def verdict(comparison: Comparison) -> str:
    if comparison.equivalent:
        return "equivalent: every exchange, log outcome and end state matches"
    groups = comparison.differences()
    return f"different: {len(groups)} differences over {len(comparison.differing)} rows"


def _overview(comparison: Comparison, scenario: Scenario) -> list[tuple[str, str, str]]:
    a, b = comparison.a, comparison.b
    return [
        ("target", f"{a.target.name} ({_url(a.target.url)})", f"{b.target.name} ({_url(b.target.url)})"),
        ("Test Connection", _connection(a.connection), _connection(b.connection)),
        ("exchanges", str(len(a.exchanges)), str(len(b.exchanges))),
        ("provisioning log entries", str(len(a.log)), str(len(b.log))),
        ("job status at the end", _job(a.job_state), _job(b.job_state)),
    ]


def _scenario_line(scenario: Scenario) -> str:
    seconds = int(scenario.duration.total_seconds())
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    return (
        f"{scenario.description}; dialect {scenario.dialect.value}; {hours}h{minutes:02d}m of virtual "
        f"time; one connection; timeout {scenario.timeout:g} s"
    )


# ---- Markdown ----------------------------------------------------------------------------------------------


def markdown(comparison: Comparison, scenario: Scenario) -> str:
    lines = [
        f"# scim-harness compare: {comparison.a.target.name} (A) vs {comparison.b.target.name} (B)",
        "",
        f"**{verdict(comparison)}**",
        "",
        f"Scenario: {_scenario_line(scenario)}.",
        "",
        "| | A | B |",
        "|---|---|---|",
    ]
    lines += [f"| {what} | {_md(x)} | {_md(y)} |" for what, x, y in _overview(comparison, scenario)]
    lines += ["", "## Differences", ""]
    groups = comparison.differences()
    if not groups:
        lines.append("None.")
    else:
        lines += [
            "| section | object | request | what differs | rows | first at | A | B |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for difference, rows in groups.items():
            a, b = _values(rows[0], difference.field)
            lines.append(
                f"| {difference.section} | {difference.object} | `{_md(difference.what)}` "
                f"| {difference.field} | {len(rows)} | {rows[0].at} | {_md(a)} | {_md(b)} |"
            )
    lines += _section(
        "Exchanges, side by side",
        ["#", "at", "object", "request", "A", "B", "result"],
        (
            [str(n), row.at, row.object, f"`{_md(row.what)}`", _status(row.a), _status(row.b), _result(row)]
            for n, row in enumerate(comparison.exchanges, start=1)
        ),
    )
    lines += _section(
        "Provisioning log, side by side",
        ["at", "object", "action", "A", "B", "result"],
        (
            [
                row.at,
                row.object,
                row.what.removeprefix("log "),
                _outcome(row.a),
                _outcome(row.b),
                _result(row),
            ]
            for row in comparison.log
        ),
    )
    lines += _section(
        "End state of each user the sequence touched",
        ["object", "result", "A", "B"],
        ([row.object, _result(row), _md(shown(row.a)), _md(shown(row.b))] for row in comparison.final_state),
    )
    lines += ["", _normalised_note(), ""]
    return "\n".join(lines)


def _section(title: str, header: list[str], rows: Iterable[list[str]]) -> list[str]:
    """A Markdown section holding one table."""
    return [
        "",
        f"## {title}",
        "",
        f"| {' | '.join(header)} |",
        "|" + "---|" * len(header),
        *(f"| {' | '.join(cells)} |" for cells in rows),
    ]


def _normalised_note() -> str:
    return (
        "Normalised before comparing: target ids (as `{uN}`, the user's position in the tenant), "
        "`meta.created`, `meta.lastModified`, `meta.location`, `meta.version`, ETag and Location headers, "
        "timestamps, and the random GUID of Entra's probes. Error texts (`detail`) are shown, not compared."
    )


def _md(value: Any) -> str:
    text = value if isinstance(value, str) else shown(value)
    text = text.replace("\n", " ").replace("|", "\\|").replace("`", "'")
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


# ---- HTML --------------------------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0}
tr.different td,tr.only td{background:#fff0f0}
tr.same td{color:#555}
code,pre{font:12px/1.3 ui-monospace,monospace}
pre{white-space:pre-wrap;word-break:break-all;margin:0;max-height:30em;overflow:auto}
.ok{color:#1a7f37;font-weight:bold}.ko{color:#c62828;font-weight:bold}
.side{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.side>div{border:1px solid #ddd;padding:4px}
mark{background:#ffd54f}
"""


def html_report(comparison: Comparison, scenario: Scenario) -> str:
    a, b = comparison.a.target.name, comparison.b.target.name
    e = html.escape
    ok = comparison.equivalent
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>compare {e(a)} vs {e(b)}</title><style>{_CSS}</style></head><body>",
        f"<h1>scim-harness compare: {e(a)} (A) vs {e(b)} (B)</h1>",
        f"<p class={'ok' if ok else 'ko'}>{e(verdict(comparison))}</p>",
        f"<p>Scenario: {e(_scenario_line(scenario))}.</p>",
        "<table><tr><th></th><th>A</th><th>B</th></tr>",
    ]
    parts += [
        f"<tr><th>{e(w)}</th><td>{e(x)}</td><td>{e(y)}</td></tr>"
        for w, x, y in _overview(comparison, scenario)
    ]
    parts.append("</table><h2>Differences</h2>")
    groups = comparison.differences()
    if not groups:
        parts.append("<p>None.</p>")
    else:
        parts.append(
            "<table><tr><th>section</th><th>object</th><th>request</th><th>what differs</th><th>rows</th>"
            "<th>first at</th><th>A</th><th>B</th></tr>"
        )
        for difference, rows in groups.items():
            x, y = _values(rows[0], difference.field)
            parts.append(
                f"<tr class=different><td>{e(difference.section)}</td><td>{e(difference.object)}</td>"
                f"<td><code>{e(difference.what)}</code></td><td>{e(difference.field)}</td><td>{len(rows)}</td>"
                f"<td>{e(rows[0].at)}</td><td><pre>{e(_pretty(x))}</pre></td><td><pre>{e(_pretty(y))}</pre></td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Exchanges, side by side</h2><table>")
    parts.append("<tr><th>#</th><th>at</th><th>object</th><th>request, A and B</th><th>result</th></tr>")
    for number, row in enumerate(comparison.exchanges, start=1):
        css = "same" if row.kind == "same" else ("different" if row.kind == "different" else "only")
        detail = row.kind != "same" or number <= DETAIL_ROWS
        summary = f"<code>{e(row.what)}</code> &nbsp; A: {e(_status(row.a))} &nbsp; B: {e(_status(row.b))}"
        cell = f"<details><summary>{summary}</summary>{_sides(row)}</details>" if detail else summary
        parts.append(
            f"<tr class={css}><td>{number}</td><td>{e(row.at)}</td><td>{e(row.object)}</td><td>{cell}</td>"
            f"<td>{e(_result(row))}</td></tr>"
        )
    parts.append("</table><h2>Provisioning log, side by side</h2><table>")
    parts.append("<tr><th>at</th><th>object</th><th>action</th><th>A</th><th>B</th><th>result</th></tr>")
    for row in comparison.log:
        css = "same" if row.kind == "same" else "different"
        cells = [row.at, row.object, row.what.removeprefix("log ")]
        cells += [_outcome(row.a, reason=True), _outcome(row.b, reason=True), _result(row)]
        parts.append(f"<tr class={css}>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table><h2>End state of each user the sequence touched</h2><table>")
    parts.append("<tr><th>object</th><th>result</th><th>A</th><th>B</th></tr>")
    for row in comparison.final_state:
        css = "same" if row.kind == "same" else "different"
        parts.append(
            f"<tr class={css}><td>{e(row.object)}</td><td>{e(_result(row))}</td>"
            f"<td><pre>{e(_pretty(row.a))}</pre></td><td><pre>{e(_pretty(row.b))}</pre></td></tr>"
        )
    parts.append(f"</table><p>{e(_normalised_note())}</p></body></html>")
    return "\n".join(parts)


def _sides(row: Row) -> str:
    differing = {d.field for d in row.diffs}
    return f"<div class=side><div>{_side(row.a, differing)}</div><div>{_side(row.b, differing)}</div></div>"


def _side(step: Step | None, differing: set[str]) -> str:
    if step is None:
        return "<em>not sent to this target</em>"
    e = html.escape
    exchange: Exchange = step.exchange

    def field(name: str, value: Any) -> str:
        label = f"<mark>{e(name)}</mark>" if name in differing else e(name)
        return f"<div><b>{label}</b><pre>{e(_pretty(value))}</pre></div>"

    out = [f"<div><code>{e(exchange.method)} {e(exchange.path)}</code></div>"]
    if exchange.request_body is not None:
        out.append(field("request", exchange.request_body))
    out.append(field("status", exchange.error or exchange.status))
    if step.error_type is not None or "error type" in differing:
        out.append(field("error type", step.error_type))
    if exchange.headers:
        out.append(field("headers", exchange.headers))
    if exchange.response_body is not None:
        out.append(field("answer", exchange.response_body))
    if step.state is not None and exchange.method != "GET":
        out.append(field("state", step.state))
    return "".join(out)


# ---- JSON --------------------------------------------------------------------------------------------------


def as_json(comparison: Comparison, scenario: Scenario) -> dict[str, Any]:
    def side(result: Any) -> dict[str, Any]:
        return {
            "name": result.target.name,
            "url": _url(result.target.url),
            "test_connection": result.connection,
            "exchanges": len(result.exchanges),
            "log_entries": len(result.log),
            "job": result.job_state,
        }

    differences = []
    for difference, rows in comparison.differences().items():
        a, b = _values(rows[0], difference.field)
        differences.append(
            {
                "section": difference.section,
                "object": difference.object,
                "what": difference.what,
                "field": difference.field,
                "rows": len(rows),
                "first_at": rows[0].at,
                "a": _jsonable(a),
                "b": _jsonable(b),
            }
        )
    return {
        "equivalent": comparison.equivalent,
        "scenario": _scenario_line(scenario),
        "a": side(comparison.a),
        "b": side(comparison.b),
        "differences": differences,
    }


# ---- shared ------------------------------------------------------------------------------------------------


def _values(row: Row, field_name: str) -> tuple[Any, Any]:
    for diff in row.diffs:
        if diff.field == field_name:
            return delta(diff.a, diff.b)
    if row.a is None:
        return "not sent", _status(row.b) if row.section == "exchange" else _outcome(row.b)
    return _status(row.a) if row.section == "exchange" else _outcome(row.a), "not sent"


def _status(step: Any) -> str:
    if step is None:
        return "—"
    exchange: Exchange = step.exchange
    if exchange.error:
        return exchange.error.split(":", 1)[0]
    return str(exchange.status) + (f" {step.error_type}" if step.error_type else "")


def _outcome(outcome: Any, *, reason: bool = False) -> str:
    if outcome is None:
        return "—"
    text = f"{outcome.status}" + (f" ({outcome.error_code})" if outcome.error_code else "")
    return text + (f": {outcome.reason}" if reason and outcome.reason else "")


def _result(row: Row) -> str:
    if row.kind == "same":
        return "same"
    if row.kind != "different":
        return row.kind
    return "differs: " + ", ".join(d.field for d in row.diffs)


def _connection(connection: dict[str, Any]) -> str:
    if connection.get("success"):
        return f"success ({connection.get('status')})"
    return f"failed: {connection.get('error_code')} ({connection.get('status')})"


def _job(job: dict[str, Any]) -> str:
    text = str(job.get("state"))
    if job.get("quarantine_reason"):
        text += f" ({job['quarantine_reason']})"
    return text + f", {job.get('escrows', 0)} escrows"


def _url(url: str) -> str:
    return url.split("?", 1)[0]


def _pretty(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return shown(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return shown(value)
