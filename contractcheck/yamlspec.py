"""YAML read as nodes, so that every problem in a user-edited file is reported as `FILE:LINE: message`.

Rule packs and gold-label files are both edited by hand; both are checked through this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import yaml

from .errors import ContractcheckError


def compose(path: Path, error: type[ContractcheckError]) -> yaml.Node:
    """Parse `path` into a node tree; unreadable or invalid YAML raises `error` with FILE:LINE."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}:1: cannot read ({exc})") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{path}:{line}: invalid YAML: {problem}") from exc
    if node is None:
        raise error(f"{path}:1: empty file")
    return node


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def plain(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_object(node, deep=True)


_TYPE_NAMES = {
    str: "a string",
    list: "a list",
    dict: "a mapping",
    int: "a whole number",
    bool: "true or false",
}


class SpecMapping:
    """A YAML mapping node checked against allowed keys and their types."""

    error: ClassVar[type[ContractcheckError]] = ContractcheckError

    def __init__(self, path: Path, node: yaml.Node, spec: dict[str, Any], what: str = "this file"):
        self.path = path
        self.node = node
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping")
        self.values: dict[str, tuple[yaml.Node, Any]] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in spec:
                allowed = ", ".join(spec)
                self.fail(key_node, f"unknown key '{key}' (allowed: {allowed})")
            if key in self.values:
                self.fail(key_node, f"duplicate key '{key}'")
            expected = spec[key]
            value = plain(value_node)
            if expected is not None and not _is_type(value, expected):
                self.fail(value_node, f"'{key}' must be {_type_name(expected)}")
            self.values[key] = (value_node, value)

    def fail(self, node: yaml.Node, message: str) -> None:
        raise self.error(f"{self.path}:{line_of(node)}: {message}")

    def require(self, *keys: str) -> None:
        for key in keys:
            if key not in self.values:
                self.fail(self.node, f"missing required key '{key}'")

    def get(self, key: str, default: Any = None) -> Any:
        return self.values[key][1] if key in self.values else default

    def node_of(self, key: str) -> yaml.Node:
        return self.values[key][0] if key in self.values else self.node


def _is_type(value: Any, expected: Any) -> bool:
    if isinstance(expected, tuple):
        return any(_is_type(value, e) for e in expected)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is str:
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    return isinstance(value, expected)


def _type_name(expected: Any) -> str:
    if isinstance(expected, tuple):
        return " or ".join(_type_name(e) for e in expected)
    return _TYPE_NAMES.get(expected, str(expected))
