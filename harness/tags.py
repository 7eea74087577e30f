"""`--tags`: the Gherkin tag expression of `scim-harness run`, checked here and turned into pytest's `-m`.

Checked before anything starts, so that a typo is one line from us rather than pytest's usage error after the
run has started.
"""

from __future__ import annotations

import re

from scim_harness.common.errors import HarnessError

KNOWN_TAGS = ("kintone", "entra", "scim", "groups", "destructive", "needs-admin")
_WORDS = {"and", "or", "not"}


def marker_expression(tags: str) -> str:
    """'@kintone and not @destructive' -> 'kintone and not destructive'; an unknown tag is a clear error."""
    tokens = re.findall(r"[()]|[^\s()]+", tags)
    if not tokens:
        raise HarnessError("--tags is empty")
    words: list[str] = []
    for token in tokens:
        if token in "()" or token.lower() in _WORDS:
            words.append(token.lower() if token.lower() in _WORDS else token)
            continue
        name = token.removeprefix("@")
        if name not in KNOWN_TAGS:
            raise HarnessError(
                f"unknown tag {token!r} in --tags: use {', '.join('@' + t for t in KNOWN_TAGS)}"
            )
        words.append(name)
    _check_grammar(words, tags)
    return " ".join(words).replace("( ", "(").replace(" )", ")")


def _check_grammar(words: list[str], tags: str) -> None:
    """pytest's -m grammar (expr: and/or/not over names and parentheses), checked here so that a dangling
    operator is one line from us rather than pytest's usage error after the run has started."""
    position = 0

    def factor() -> None:
        nonlocal position
        word = words[position] if position < len(words) else None
        if word == "not":
            position += 1
            factor()
        elif word == "(":
            position += 1
            expression()
            if position >= len(words) or words[position] != ")":
                raise HarnessError(f"--tags {tags!r}: a parenthesis is not closed")
            position += 1
        elif word is None or word in _WORDS or word == ")":
            raise HarnessError(
                f"--tags {tags!r}: expected a tag {'here' if word is None else 'before ' + word}"
            )
        else:
            position += 1

    def expression() -> None:
        nonlocal position
        factor()
        while position < len(words) and words[position] in ("and", "or"):
            position += 1
            factor()

    expression()
    if position < len(words):
        raise HarnessError(f"--tags {tags!r}: unexpected {words[position]!r}")
