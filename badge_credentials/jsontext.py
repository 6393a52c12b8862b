"""JSON from outside, parsed only when it nests within a sane depth.

A text of a few kilobytes of ``[[[[…`` would otherwise exhaust the parser's recursion (or that
of whatever walks the result) and fail with an error nobody expects.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str | bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest, found without parsing it."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that raises ``ValueError`` for JSON nested deeper than ``max_depth``."""
    if json_depth(text) > max_depth:
        raise ValueError(f"the JSON nests deeper than {max_depth} levels")
    return json.loads(text)
