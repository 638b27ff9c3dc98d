"""The subset of HCL expressions that `Config.evaluate` (tests/infra/hcl.py) reads."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from tests.infra.hcl import Config

_TOKEN = re.compile(
    r"""\s*(?:(?P<number>\d+(?:\.\d+)?)(?![\w.])|(?P<string>"[^"$]*"|'[^']*')"""
    r"""|(?P<op>\|\||&&|==|!=|<=|>=|[<>!?:()\[\],])|(?P<name>[A-Za-z_][\w.\[\]*-]*))"""
)
_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}

_FUNCTIONS = {"length": lambda value: len(value or ()), "floor": math.floor}


class Expression:
    """Recursive descent over the subset of HCL expressions that Config.evaluate reads."""

    def __init__(self, config: Config, text: str) -> None:
        self.config = config
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position, text = 0, text.rstrip()
        while position < len(text):
            match = _TOKEN.match(text, position)
            if not match or match.end() == position:
                self._fail()
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.position = 0

    def _fail(self) -> NoReturn:
        raise AssertionError(
            f"tests/infra/hcl.py cannot evaluate `{self.text}`; extend Config._expression"
        )

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens) or (expected and self._peek() != expected):
            self._fail()
        self.position += 1
        return self.tokens[self.position - 1]

    def evaluate(self) -> Any:
        result = self._conditional()
        if self.position != len(self.tokens):
            self._fail()
        return result

    def _conditional(self) -> Any:
        condition = self._or()
        if self._peek() != "?":
            return condition
        self._take("?")
        yes = self._conditional()
        self._take(":")
        no = self._conditional()
        return yes if condition else no

    def _or(self) -> Any:
        result = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            result = result or right
        return result

    def _and(self) -> Any:
        result = self._comparison()
        while self._peek() == "&&":
            self._take()
            right = self._comparison()
            result = result and right
        return result

    def _comparison(self) -> Any:
        left = self._unary()
        operator = self._peek()
        if operator in _COMPARE:
            self._take()
            return _COMPARE[operator](left, self._unary())
        return left

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not self._unary()
        return self._primary()

    def _primary(self) -> Any:
        kind, token = self._take()
        if token == "(":
            result = self._conditional()
            self._take(")")
            return result
        if token == "[":
            items = []
            while self._peek() != "]":
                items.append(self._conditional())
                if self._peek() == ",":
                    self._take()
            self._take("]")
            return items
        if kind == "number":
            return float(token) if "." in token else int(token)
        if kind == "string":
            return token[1:-1]
        if kind != "name":
            self._fail()
        if token in ("null", "None"):
            return None
        if token in ("true", "false"):
            return token == "true"
        if token in _FUNCTIONS and self._peek() == "(":
            self._take("(")
            value = self._conditional()
            self._take(")")
            return _FUNCTIONS[token](value)
        if match := re.fullmatch(r"local\.(\w+)", token):
            return self.config.evaluate(self.config.locals[match.group(1)])
        if match := re.fullmatch(r"var\.(\w+)", token):
            return self.config.value(match.group(1))
        if re.fullmatch(r"(data\.)?aws_\w+\.\w+(\[\d+\])?\.[\w.]+", token):
            return "${" + token + "}"
        self._fail()
