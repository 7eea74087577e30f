"""The benchmarks' Markdown: a table of figures, written into its own section of a page the docs link to.

A page (docs/performance.md) holds prose written by hand and sections written by benchmarks, each between
`<!-- bench:NAME -->` and `<!-- /bench:NAME -->`. A benchmark replaces its own section only, so the prose and
the other benchmarks' sections stay as they are; a missing section is added at the end of the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A Markdown table; `align` holds one of l/r per column (left by default)."""
    marks = [":---" if (align[i : i + 1] or "l") == "l" else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(path: Path, name: str, text: str) -> None:
    """Replace the `name` section of the page at `path` with `text` (the page is created if missing)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    page = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(page):
        page = pattern.sub(lambda _match: block, page, count=1)
    else:
        page = page.rstrip() + ("\n\n" if page.strip() else "") + block + "\n"
    path.write_text(page, encoding="utf-8")
