"""Readable text for the Allure attachments: captured exchanges and provisioning logs."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

from rich.console import Console

from scim_harness.capture.exchange import Exchange
from scim_harness.common.redact import Redactor


def _pretty(body: str) -> str:
    if not body:
        return ""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _headers(prefix: str, headers: dict[str, str]) -> list[str]:
    return [f"{prefix} {name}: {value}" for name, value in headers.items()]


def format_exchange(number: int, exchange: Exchange) -> str:
    started = exchange.started.isoformat(timespec="milliseconds")
    status = f"{exchange.status} {exchange.reason}".strip() if exchange.status is not None else "no answer"
    lines = [
        f"#{number}  {exchange.method} {exchange.url}",
        f"    -> {status}  in {exchange.duration_ms:.1f} ms  at {started}",
    ]
    if exchange.error:
        lines.append(f"    error: {exchange.error}")
    lines += ["", *_headers(">", exchange.request_headers)]
    if body := _pretty(exchange.request_body):
        lines += ["", body]
    lines += ["", *_headers("<", exchange.response_headers)]
    if body := _pretty(exchange.response_body):
        lines += ["", body]
    return "\n".join(lines)


def format_exchanges(exchanges: Iterable[Exchange]) -> str:
    """A scenario's exchanges, one block each: headers (`>` sent, `<` received) and pretty JSON bodies."""
    blocks = [format_exchange(number, exchange) for number, exchange in enumerate(exchanges, start=1)]
    rule = "\n\n" + "-" * 100 + "\n\n"
    return rule.join(blocks)


def exchange_overview(exchanges: Iterable[Exchange]) -> str:
    """One line per exchange: the scenario's traffic at a glance."""
    return "\n".join(
        f"#{n:<3} {e.status or '---'}  {e.duration_ms:8.1f} ms  {e.method:6} {e.url}"
        for n, e in enumerate(exchanges, start=1)
    )


def provisioning_logs_json(logs: object, redactor: Redactor) -> str:
    """The job's logs as pretty JSON, whatever `to_json()` returned (text or data), redacted."""
    to_json = getattr(logs, "to_json", None)
    data = to_json() if callable(to_json) else logs
    if isinstance(data, bytes | bytearray):
        data = data.decode("utf-8", errors="replace")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return redactor.text(data)
    return json.dumps(redactor.json(data), indent=2, ensure_ascii=False, default=str)


def plain_text(value: object, width: int = 200) -> str:
    """Text of a string or of a rich renderable (a Table, say), without colour codes."""
    if isinstance(value, str):
        return value
    if hasattr(value, "__rich_console__") or hasattr(value, "__rich__"):
        buffer = io.StringIO()
        Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False).print(
            value
        )
        return buffer.getvalue()
    return str(value)
