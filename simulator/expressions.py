"""Entra's attribute-mapping expression language: parse once, evaluate for every user.

Grammar (Microsoft Learn, "Reference for writing expressions for attribute mappings"):
    expression := operand [ ("=" | "<>" | ">" | ">=" | "<" | "<=") operand ]
    operand    := "[" attribute "]" | "string" | number | &Hhex | True | False
                | Function "(" [arg {"," arg}] ")"
    arg        := expression | nothing            (an empty argument, as in Switch([x], , "a", "b"))
String literals escape `"` and `\\` with a backslash. Function names are case-sensitive, as in Entra.

Values are Python objects: str, bool, int, list (multi-valued), datetime, or None for null (a missing
attribute). Booleans read as the strings "True"/"False" wherever a string is needed, as Entra's do.
Each node compiles to a closure, so evaluating 100,000 users costs no re-parsing and no tree walking.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scim_harness.simulator.expr_functions import (
    BY_FOLDED_NAME,
    FUNCTIONS,
    UNSUPPORTED,
    FunctionSpec,
    compare,
)
from scim_harness.simulator.expr_values import EvalContext, Evaluator, ExpressionError

__all__ = ["Expression", "ExpressionError", "parse"]


def _lookup(name: str) -> Evaluator:
    folded = name.casefold()

    def attribute(source: Mapping[str, Any], ctx: EvalContext) -> Any:
        try:
            return source[name]
        except KeyError:
            # Entra matches attribute names case-insensitively ([UserPrincipalName] works).
            for key, value in source.items():
                if key.casefold() == folded:
                    return value
            return None

    return attribute


def _constant(value: Any) -> Evaluator:
    return lambda source, ctx: value


MAX_LENGTH = 10_000
"""The longest expression we parse; Entra's editor holds far less."""
MAX_DEPTH = 64
"""Function calls nested deeper than this are refused (a recursive parser must not overflow the stack)."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self.attributes: list[str] = []

    def error(self, message: str, position: int | None = None) -> ExpressionError:
        return ExpressionError(message, self.pos if position is None else position, self.text)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def parse(self) -> Evaluator:
        if not self.text.strip():
            raise self.error("the expression is empty", 0)
        evaluator = self.expression()
        if self.peek():
            raise self.error(f"unexpected {self.text[self.pos]!r} after the end of the expression")
        return evaluator

    def expression(self) -> Evaluator:
        left = self.operand()
        self.skip_space()
        for op in (">=", "<=", "<>", "=", ">", "<"):
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                right = self.operand()
                return lambda s, c, op=op: compare(op, left(s, c), right(s, c))
        return left

    def operand(self) -> Evaluator:
        char = self.peek()
        start = self.pos
        if not char:
            raise self.error("the expression ends where a value was expected")
        if char == "[":
            end = self.text.find("]", start + 1)
            if end < 0:
                raise self.error("unclosed '[': an attribute name needs a closing ']'", start)
            name = self.text[start + 1 : end].strip()
            if not name:
                raise self.error("empty attribute name '[]'", start)
            self.pos = end + 1
            if name not in self.attributes:
                self.attributes.append(name)
            return _lookup(name)
        if char == '"':
            return _constant(self.string_literal())
        if self.text.startswith("&H", start) or self.text.startswith("&h", start):
            match = re.compile(r"&[Hh]([0-9A-Fa-f]+)").match(self.text, start)
            if not match:
                raise self.error("'&H' must be followed by hexadecimal digits")
            self.pos = match.end()
            return _constant(int(match.group(1), 16))
        number = re.compile(r"-?\d+(\.\d+)?").match(self.text, start)
        if number:
            self.pos = number.end()
            return _constant(float(number.group(0)) if number.group(1) else int(number.group(0)))
        name_match = re.compile(r"[A-Za-z_]\w*").match(self.text, start)
        if not name_match:
            raise self.error(
                f'unexpected {char!r}: expected [attribute], "string", a number or Function(...)'
            )
        name = name_match.group(0)
        self.pos = name_match.end()
        if self.peek() != "(":
            if name in ("True", "False"):
                return _constant(name == "True")
            if name in ("vbTextCompare", "vbBinaryCompare"):
                return _constant(name)
            raise self.error(
                f"unknown name {name!r}: attributes go in square brackets ([{name}]), strings in quotes",
                start,
            )
        return self.call(name, start)

    def string_literal(self) -> str:
        start = self.pos
        self.pos += 1
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] in '"\\':
                out.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(out)
            else:
                out.append(char)
                self.pos += 1
        raise self.error("unclosed string literal: a closing '\"' is missing", start)

    def call(self, name: str, start: int) -> Evaluator:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"functions are nested more than {MAX_DEPTH} deep", start)
        try:
            return self._call(name, start)
        finally:
            self.depth -= 1

    def _call(self, name: str, start: int) -> Evaluator:
        function = FUNCTIONS.get(name)
        if function is None:
            if name in UNSUPPORTED:
                raise self.error(f"function {name!r} is not supported by the simulator", start)
            hint = BY_FOLDED_NAME.get(name.casefold())
            suggestion = f" (function names are case-sensitive: did you mean {hint}?)" if hint else ""
            raise self.error(f"unknown function {name!r}{suggestion}", start)
        self.pos += 1  # "("
        args: list[Evaluator] = []
        if self.peek() == ")":
            self.pos += 1
        else:
            while True:
                if self.peek() in (",", ")"):
                    args.append(_constant(None))  # an empty argument is null
                else:
                    args.append(self.expression())
                separator = self.peek()
                if separator == ",":
                    self.pos += 1
                    continue
                if separator == ")":
                    self.pos += 1
                    break
                if not separator:
                    raise self.error(f"unclosed '(' of {name}: a closing ')' is missing", start + len(name))
                raise self.error(f"expected ',' or ')' in the arguments of {name}, found {separator!r}")
        count = len(args)
        if count < function.min_args or (function.max_args is not None and count > function.max_args):
            expected = (
                str(function.min_args)
                if function.max_args == function.min_args
                else f"at least {function.min_args}"
                if function.max_args is None
                else f"{function.min_args} to {function.max_args}"
            )
            raise self.error(f"{name} takes {expected} argument(s), got {count}", start)
        if function.check is not None and (problem := function.check(count)):
            raise self.error(problem, start)
        return self.bind(function, args, start)

    @staticmethod
    def bind(function: FunctionSpec, args: list[Evaluator], position: int) -> Evaluator:
        impl = function.impl
        if function.lazy:
            return lambda source, ctx: impl(args, source, ctx, position)
        if len(args) == 1:
            only = args[0]
            return lambda source, ctx: impl([only(source, ctx)], ctx, position)
        return lambda source, ctx: impl([arg(source, ctx) for arg in args], ctx, position)


@dataclass(frozen=True)
class Expression:
    """A parsed expression; evaluate it against a source object's attributes."""

    text: str
    attributes: tuple[str, ...]
    _evaluator: Evaluator = field(repr=False, compare=False)

    def evaluate(self, source: Mapping[str, Any], *, now: datetime | None = None) -> Any:
        return self._evaluator(source, EvalContext(now))

    def evaluate_in(self, source: Mapping[str, Any], context: EvalContext) -> Any:
        """`evaluate` with a context shared by the expressions of one object (one Now() for all)."""
        return self._evaluator(source, context)

    @property
    def direct_attribute(self) -> str | None:
        """The attribute name when the whole expression is just [attribute]."""
        stripped = self.text.strip()
        if stripped.startswith("[") and stripped.endswith("]") and stripped.count("[") == 1:
            return stripped[1:-1].strip()
        return None


def parse(text: str) -> Expression:
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, not {type(text).__name__}", 0)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH:,} characters", 0)
    parser = _Parser(text)
    evaluator = parser.parse()
    return Expression(text=text, attributes=tuple(parser.attributes), _evaluator=evaluator)
