"""Configuration: `contractcheck.toml` or `[tool.contractcheck]` in `pyproject.toml`.

Only the CLI looks for a file (from the working directory upward); the library reads one only
when asked, through `Config.discover()` or `Config.load(path)`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ContractcheckError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_KEYS = {
    "rules": list,
    "default_rules": bool,
    "only": list,
    "skip": list,
    "severity": dict,
    "lang": str,
    "fail_on": str,
    "min_severity": str,
    "assume": list,
}


class ConfigError(ContractcheckError):
    code = "bad_config"


@dataclass
class Config:
    rules: list[str] = field(default_factory=list)  # extra packs, relative to the config file
    default_rules: bool = True
    only: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # requirement id -> high|medium|low
    lang: str | None = None
    fail_on: str | None = None
    min_severity: str | None = None
    assume: list[str] = field(default_factory=list)  # facts, as for --assume
    path: str | None = None

    @classmethod
    def discover(cls, start: str | Path = ".") -> Config:
        """The nearest contractcheck.toml, or pyproject.toml with [tool.contractcheck], upward."""
        here = Path(start).resolve()
        for folder in (here, *here.parents):
            own = folder / "contractcheck.toml"
            if own.is_file():
                return cls.load(own)
            pyproject = folder / "pyproject.toml"
            if (
                pyproject.is_file()
                and "tool" in (data := _read(pyproject))
                and "contractcheck" in data["tool"]
            ):
                return cls._from(data["tool"]["contractcheck"], pyproject)
        return cls()

    @classmethod
    def load(cls, path: str | Path) -> Config:
        path = Path(path)
        data = _read(path)
        if path.name == "pyproject.toml":
            data = data.get("tool", {}).get("contractcheck", {})
        return cls._from(data, path)

    @classmethod
    def _from(cls, data: dict[str, Any], path: Path) -> Config:
        for key, value in data.items():
            if key not in _KEYS:
                raise ConfigError(f"{path}: unknown key '{key}' (allowed: {', '.join(_KEYS)})")
            if not isinstance(value, _KEYS[key]):
                raise ConfigError(f"{path}: '{key}' must be a {_KEYS[key].__name__}")
        for rid, sev in data.get("severity", {}).items():
            if sev not in ("high", "medium", "low"):
                raise ConfigError(f"{path}: severity of {rid} must be high, medium or low")
        if data.get("lang") not in (None, "auto", "en", "sv"):
            raise ConfigError(f"{path}: lang must be auto, en or sv")
        if data.get("fail_on") not in (None, "weak", "missing", "never"):
            raise ConfigError(f"{path}: fail_on must be weak, missing or never")
        if data.get("min_severity") not in (None, "high", "medium", "low"):
            raise ConfigError(f"{path}: min_severity must be high, medium or low")
        base = path.parent
        rules = [str(base / r) if (base / r).is_dir() else r for r in data.get("rules", [])]
        return cls(
            rules=rules,
            default_rules=data.get("default_rules", True),
            only=_ids(data.get("only", [])),
            skip=_ids(data.get("skip", [])),
            severity=dict(data.get("severity", {})),
            lang=data.get("lang"),
            fail_on=data.get("fail_on"),
            min_severity=data.get("min_severity"),
            assume=[str(a) for a in data.get("assume", [])],
            path=str(path),
        )


def _ids(items: list[Any]) -> list[str]:
    """Requirement ids as the CLI takes them: comma-separated, any case."""
    return [i.strip().upper() for item in items for i in str(item).split(",") if i.strip()]


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc})") from exc
