"""Everything that changes a check's result, and the hash of it that keys the store.

The hash covers the rule packs' bytes (every file of every pack folder in use, in order), the
effective language, --only/--skip, the configuration's severity overrides, and `assumptions` (the
--assume facts, the configuration's and the command line's merged; empty without any, so stores
written before --assume keep their hashes). The tool version is kept beside it, not inside it.

Computing the hash reads files but parses no YAML and imports no spaCy: the list of rule ids used
to validate --only/--skip is cached in the store under the packs' content digest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import ContractcheckError

SETTINGS_FORMAT = 1


@dataclass
class CheckSettings:
    """The arguments a worker gives `Checker(...)`, exactly as `contractcheck check` would."""

    packs: list[str] = field(default_factory=list)  # --rules, folders made absolute
    default_rules: bool = True
    lang: str = "auto"
    only: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    assume: list[str] = field(default_factory=list)  # --assume, as typed; the configuration's are in config
    config: Config = field(default_factory=Config)

    def portable(self) -> CheckSettings:
        """Pack folders as absolute paths, so that a worker with another working directory finds them."""
        config = replace(self.config, rules=[_absolute(p) for p in self.config.rules])
        return replace(self, packs=[_absolute(p) for p in self.packs], config=config)

    def effective_lang(self) -> str:
        return self.lang if self.lang != "auto" else (self.config.lang or "auto")

    def pack_dirs(self) -> list[Path]:
        """The pack folders in load order: the built-in one first, then configuration, then --rules."""
        from ..rulepack import builtin_rules_dir, resolve_pack

        dirs = []
        if self.default_rules and self.config.default_rules:
            dirs.append(builtin_rules_dir() / "human-rights")
        dirs += [resolve_pack(p) for p in [*self.config.rules, *self.packs]]
        if not dirs:
            message = "no rule packs selected (--no-default-rules without --rules)"
            raise ContractcheckError(message, code="usage")
        return dirs

    def describe(self) -> dict[str, Any]:
        """The canonical content of the settings hash."""
        return {
            "format": SETTINGS_FORMAT,
            "packs": [pack_digest(d) for d in self.pack_dirs()],
            "lang": self.effective_lang(),
            "only": sorted({*self.only, *self.config.only}),
            "skip": sorted({*self.skip, *self.config.skip}),
            "severity": dict(sorted(self.config.severity.items())),
            "assumptions": dict(sorted(self.facts().items())),
        }

    def build_checker(self) -> Any:
        """The Checker a worker uses (imports spaCy: call it in a worker only)."""
        from ..api import Checker
        from ..ingest.base import Limits

        return Checker(
            self.packs,
            lang=self.lang,
            config=self.config,
            default_rules=self.default_rules,
            only=self.only,
            skip=self.skip,
            assume=self.assume,
            limits=Limits(pdf_readers=1),  # the audit's own workers already use every core
        )

    def facts(self) -> dict[str, bool]:
        """Stated facts, the command line's over the configuration's, not yet checked against the packs."""
        if not self.assume and not self.config.assume:
            return {}
        from ..rulepack import parse_assumptions

        return {**parse_assumptions(self.config.assume, None), **parse_assumptions(self.assume, None)}

    def check_facts(self) -> None:
        """Reject unknown or contradictory facts up front (reads pack.yaml files only, not the rules)."""
        from ..rulepack import load_pack, parse_assumptions

        known: dict[str, str] = {}
        for folder in self.pack_dirs():
            known.update(load_pack(folder, rules=False).facts)
        if not self.default_rules or not self.config.default_rules:
            from ..rulepack import builtin_rules_dir

            known.update(load_pack(builtin_rules_dir() / "human-rights", rules=False).facts)
        parse_assumptions(self.config.assume, known)
        parse_assumptions(self.assume, known)


def settings_hash(described: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(described, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def pack_digest(folder: Path) -> str:
    """sha256 over every file of a pack folder: relative path and bytes, in sorted order."""
    h = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for p in files:
        rel = p.relative_to(folder).as_posix().encode()
        data = p.read_bytes()
        h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


@dataclass
class Resolved:
    """Settings made concrete for one audit: the hash, what it covers, and the packs' metadata."""

    settings: CheckSettings
    described: dict[str, Any]
    hash: str
    rulepacks: list[dict[str, str]]
    rule_ids: list[str]


def resolve(settings: CheckSettings, store: Any | None = None) -> Resolved:
    """Hash the settings and validate --only/--skip; parse the packs only when the store lacks them."""
    settings = settings.portable()
    described = settings.describe()
    if described["assumptions"]:
        settings.check_facts()
    digest = hashlib.sha256("".join(described["packs"]).encode()).hexdigest()
    cached = store.ruleset(digest) if store is not None else None
    if cached is None:
        from ..rulepack import load_ruleset

        ruleset = load_ruleset(
            [*settings.config.rules, *settings.packs],
            default=settings.default_rules and settings.config.default_rules,
        )
        rulepacks = [{"name": p.name, "version": p.version} for p in ruleset.packs]
        rule_ids = [r.id for r in ruleset.rules]
        if store is not None:
            store.save_ruleset(digest, rulepacks, rule_ids)
    else:
        rulepacks, rule_ids = cached
    unknown = (set(described["only"]) | set(described["skip"])) - set(rule_ids)
    if unknown:
        raise ContractcheckError(
            f"unknown requirement id(s): {', '.join(sorted(unknown))} (see `contractcheck rules list`)",
            code="usage",
        )
    return Resolved(settings, described, settings_hash(described), rulepacks, rule_ids)


def _absolute(p: str) -> str:
    path = Path(p)
    return str(path.resolve()) if path.is_dir() else p
