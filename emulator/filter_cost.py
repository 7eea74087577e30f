"""What one filter may cost, so that one request never stalls the others. (A filter of 2,000 `or` terms over
5,000 users took 171 s, and every other request waited behind it: the search ran in the event loop.)

- Before anything parses it: at most `Assumptions.filter_max_comparisons` comparisons (`eq`, `co`, `pr`...),
  counted in the text with its quoted values left out; more is 400 `invalidFilter` (RFC 7644 §3.12: "the
  specified attribute and filter comparison combination is not supported"). The count comes first because
  parsing costs too (scim2-models: about 0.4 s for 2,000 terms). Entra sends one comparison.
- While it is evaluated: candidates come from SQLite a page at a time (store `scan`), the event loop is
  handed back every few milliseconds so other requests are served meanwhile, and past
  `Assumptions.filter_time_limit_seconds` the request is answered 400 `tooMany` (RFC 7644 §3.12: "more
  results than the server is willing to calculate or process").
- Before the scan: an indexed `attr eq "value"` narrows the candidates (`indexed_term`, for both storages).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from scim2_models import InvalidValueException, SearchRequest
from scim2_models.path import CompareOperator, Comparison, LogicalExpr, LogicalOperator

from scim_harness.emulator.assumptions import Assumptions, ScimRefusal
from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.inputs import SQL_INT_MAX

SLICE_S = 0.01
"""How long an evaluation runs before it hands the event loop back."""
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"?')
_COMPARISON = re.compile(r"\s(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s|\spr(?![\w.])", re.IGNORECASE)


def comparisons(text: str) -> int:
    """How many comparisons a filter (or a PATCH path's value filter) holds, quoted values left out."""
    return len(_COMPARISON.findall(" " + _QUOTED.sub('""', text) + " "))


def check_filter_text(text: str, assumptions: Assumptions) -> None:
    """Refuse a filter with more comparisons than the service evaluates (400 invalidFilter)."""
    count = comparisons(text)
    if count > assumptions.filter_max_comparisons:
        raise ScimRefusalError(
            ScimRefusal(
                400,
                "invalidFilter",
                f"The filter holds {count} comparisons; at most {assumptions.filter_max_comparisons} "
                "are supported.",
            )
        )


def indexed_term(node: Any, attributes: Iterable[str]) -> tuple[str, str] | None:
    """The first `attr eq "value"` on one of `attributes` (lower case), at the top of the parsed filter or in
    a top-level `and`: (attribute lower-cased, value). The store narrows its scan by it."""
    terms = node.terms if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_ else (node,)
    for term in terms:
        if (
            isinstance(term, Comparison)
            and term.op == CompareOperator.eq
            and isinstance(term.value, str)
            and term.attr_path.sub_attr is None
            and term.attr_path.attr.lower() in attributes
        ):
            return term.attr_path.attr.lower(), term.value
    return None


def start_of(search: SearchRequest[Any]) -> int:
    """The 0-based index of a search's first result. RFC 7644 §3.4.2.4 sets no upper bound on startIndex,
    but the service counts in 64 bits: a larger one is refused (400 invalidValue) rather than misread."""
    start = search.start_index_0 or 0
    if start > SQL_INT_MAX:
        raise InvalidValueException(detail=f"startIndex must be at most {SQL_INT_MAX}.")
    return start


class EvaluationBudget:
    """Time for one filter's evaluation, spent a candidate at a time."""

    def __init__(self, seconds: float) -> None:
        now = time.monotonic()
        self.seconds = seconds
        self.deadline = now + seconds
        self.next_yield = now + SLICE_S

    async def spend(self) -> None:
        """Hand the event loop back when a slice is used up; 400 tooMany past the deadline."""
        now = time.monotonic()
        if now < self.next_yield:
            return
        if now > self.deadline:
            raise ScimRefusalError(
                ScimRefusal(
                    400,
                    "tooMany",
                    f"The filter took more than {self.seconds:g} s to evaluate; narrow it (for example "
                    '`userName eq "..."`).',
                )
            )
        await asyncio.sleep(0)
        self.next_yield = time.monotonic() + SLICE_S


async def evaluate[Candidate, Found](
    pages: Iterable[list[Candidate]],
    keep: Callable[[Candidate], Found | None],
    budget: EvaluationBudget,
    start: int,
    count: int | None,
) -> tuple[int, list[Found]]:
    """(how many candidates `keep` keeps, the kept ones from `start`, at most `count` of them). Only that
    page is held in memory, whatever the number of matches."""
    total = 0
    window: list[Found] = []
    stop = None if count is None else start + count
    for page in pages:
        for candidate in page:
            found = keep(candidate)
            if found is not None:
                if total >= start and (stop is None or total < stop):
                    window.append(found)
                total += 1
            await budget.spend()
        await budget.spend()
    return total, window
