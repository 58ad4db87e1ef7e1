"""Rule packs: YAML folders of requirements, loaded and checked against a schema.

A pack is a folder with `pack.yaml` (name, version, languages, description), one YAML file per
requirement, and optionally `vocab/<lang>.yaml` with shared term lists. Every problem is reported
as `FILE:LINE: message`, so that a procurement officer editing a rule can find it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
import yaml

from .errors import ContractcheckError
from .yamlspec import SpecMapping, compose, line_of, plain

LANGS = ("en", "sv")
STATUSES = ("met", "weak", "missing", "not_applicable")
SEVERITIES = ("high", "medium", "low")
WEAK_CLASSES = tuple(f"W{i}" for i in range(1, 11))
STRENGTHS = ("prohibition", "binding", "hedged", "permissive", "none")
VOCAB_LISTS = (
    "binding", "prohibition", "hedge", "permissive", "statutory", "scope", "local_law",
    "international_floor", "reference_only", "point_in_time", "continuing", "vague", "supplier",
    "authority", "verification", "remedy", "flow_down", "chain", "definition",
    "supplier_verbs", "supplier_verbs_inverted",
)  # fmt: skip
# A vocabulary term may name other lists of its language in braces: "{supplier} {supplier_verbs}"
# stands for every supplier word followed by every such verb.
_LIST_REF = regex.compile(r"\{([a-z_]+)\}")


class RulePackError(ContractcheckError):
    """A rule pack is malformed. The message starts with FILE:LINE."""

    code = "bad_rule_pack"


@dataclass
class Terms:
    """Term lists per language plus language-independent regex patterns."""

    by_lang: dict[str, list[str]] = field(default_factory=dict)
    patterns: list[str] = field(default_factory=list)

    def all_terms(self) -> list[str]:
        return [t for lang in LANGS for t in self.by_lang.get(lang, [])]

    def __bool__(self) -> bool:
        return bool(self.patterns or any(self.by_lang.values()))


@dataclass
class Element:
    id: str
    core: bool = False
    description: str = ""
    strength: list[str] = field(default_factory=list)
    terms: Terms = field(default_factory=Terms)
    min: int = 1
    alternatives: Terms = field(default_factory=Terms)  # `or:` — any one of these alone satisfies
    vocab: str | None = None
    weak_class: str | None = None


@dataclass
class Example:
    status: str
    lang: str
    text: str
    reasons: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Rule:
    id: str
    title: str
    severity: str
    references: list[str]
    topic: Terms
    exclude: Terms
    elements: list[Element]
    weak_if: list[str]
    remediation: dict[str, str]
    examples: list[Example]
    exclude_under: Terms = field(default_factory=Terms)
    contextual: Terms = field(default_factory=Terms)
    context: Terms = field(default_factory=Terms)
    applies_always: bool = True
    applies_any: Terms = field(default_factory=Terms)
    applies_facts: list[str] = field(default_factory=list)  # stated facts (--assume) that decide it
    applies_min: int = 1  # distinct trigger terms needed: one passing "website" is not an ICT contract
    facts_line: int = 0
    fuzzy: int | None = 90  # similarity threshold 0–100 for topic words; None switches it off
    pack: str = ""
    source: str = ""  # FILE the rule came from


@dataclass
class Pack:
    name: str
    version: str
    languages: list[str]
    description: str
    path: str
    facts: dict[str, str] = field(default_factory=dict)  # --assume fact -> what stating it means
    chain_facts: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    vocab: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # lang -> list name -> terms


@dataclass
class RuleSet:
    """The packs in use, merged: later packs override earlier rules with the same id."""

    packs: list[Pack]
    rules: list[Rule]
    vocab: dict[str, dict[str, list[str]]]
    facts: dict[str, str] = field(default_factory=dict)
    chain_facts: list[str] = field(default_factory=list)  # facts that mean a supply chain (W10)
    # vocab list of an element -> the requirement about it: an element reading `vocab: verification`
    # is also met by a VERIFY-AUDIT clause that covers the requirement.
    links: dict[str, str] = field(default_factory=dict)

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


# --------------------------------------------------------------------------------------------
# Finding packs


def builtin_rules_dir() -> Path:
    """The packs shipped with contractcheck: inside the package when installed, `rules/` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "human-rights" / "pack.yaml").is_file():
            return candidate
    raise RulePackError("the built-in rule packs are missing from this installation")


def resolve_pack(name_or_path: str) -> Path:
    """A pack given by folder path, or by the name of a built-in pack."""
    path = Path(name_or_path)
    if path.is_dir():
        return path
    builtin = builtin_rules_dir() / name_or_path
    if builtin.is_dir():
        return builtin
    raise RulePackError(f"{name_or_path}: no such rule pack (not a folder, not a built-in pack name)")


def load_ruleset(packs: list[str] | None = None, *, default: bool = True) -> RuleSet:
    """Load the built-in pack (unless `default` is False) and any further packs, in order."""
    paths: list[Path] = []
    if default:
        paths.append(builtin_rules_dir() / "human-rights")
    paths += [resolve_pack(p) for p in packs or []]
    if not paths:
        raise RulePackError("no rule packs selected (--no-default-rules without --rules)")
    loaded = [load_pack(p) for p in paths]
    # The shared language (modals, hedges, scope words…) and the --assume facts are not rules: a
    # pack used on its own still reads "shall" as binding and may name the built-in facts.
    base = [] if default else [load_pack(builtin_rules_dir() / "human-rights", rules=False)]
    rules: dict[str, Rule] = {}
    vocab: dict[str, dict[str, list[str]]] = {}
    for pack in base + loaded:
        for lang, lists in pack.vocab.items():
            merged = vocab.setdefault(lang, {})
            for name, terms in lists.items():
                merged[name] = list(dict.fromkeys(merged.get(name, []) + terms))
        for rule in pack.rules:
            rules.pop(rule.id, None)
            rules[rule.id] = rule
    facts = {k: v for pack in base + loaded for k, v in pack.facts.items()}
    for rule in rules.values():
        for fact in rule.applies_facts:
            if fact not in facts:
                known = ", ".join(facts) or "none declared in pack.yaml"
                where = f"{rule.source}:{rule.facts_line}"
                raise RulePackError(f"{where}: unknown fact '{fact}' (known: {known})")
    vocab = {lang: _expand_lists(lists) for lang, lists in vocab.items()}
    chain = list(dict.fromkeys(f for pack in base + loaded for f in pack.chain_facts))
    links = {k: v for pack in base + loaded for k, v in pack.links.items()}
    return RuleSet(loaded, list(rules.values()), vocab, facts, chain, links)


def parse_assumptions(values: Iterable[str], known: dict[str, str] | None) -> dict[str, bool]:
    """`--assume ict,no-personal-data` -> {"ict": True, "personal-data": False}, checked against the
    packs' facts (`known`; None to check only for contradictions)."""
    stated: dict[str, bool] = {}
    for raw in values:
        for item in (x.strip().lower() for x in str(raw).split(",")):
            if not item:
                continue
            fact, value = (item[3:], False) if item.startswith("no-") else (item, True)
            if known is not None and fact not in known:
                raise ContractcheckError(
                    f"unknown fact '{item}' for --assume "
                    f"(known: {', '.join(sorted(known))}, each also as no-FACT)",
                    code="usage",
                )
            if stated.get(fact, value) != value:
                raise ContractcheckError(f"--assume states both '{fact}' and 'no-{fact}'", code="usage")
            stated[fact] = value
    return stated


def load_pack(path: str | os.PathLike[str], *, rules: bool = True) -> Pack:
    """Read a pack folder; with `rules=False` only its pack.yaml and vocabulary (the shared language)."""
    folder = Path(path)
    meta_file = folder / "pack.yaml"
    if not meta_file.is_file():
        raise RulePackError(f"{folder}: not a rule pack (no pack.yaml)")
    meta = _Mapping(meta_file, _compose(meta_file), _PACK_SPEC)
    meta.require("name", "version")
    facts = meta.get("facts", {})
    for fact, meaning in facts.items():
        if not _FACT.match(str(fact)) or str(fact).startswith("no-"):
            meta.fail(meta.node_of("facts"), f"fact '{fact}' must be lower-case words joined by '-'")
        if not isinstance(meaning, str):
            meta.fail(meta.node_of("facts"), f"fact '{fact}' needs a one-line description")
    pack = Pack(
        name=meta.get("name"),
        version=str(meta.get("version")),
        languages=meta.get("languages", list(LANGS)),
        description=meta.get("description", ""),
        path=str(folder),
        facts={str(k): v for k, v in facts.items()},
        chain_facts=[str(f) for f in meta.get("chain_facts", [])],
        links={str(k): str(v) for k, v in meta.get("links", {}).items()},
    )
    for vocab in pack.links:
        if vocab not in VOCAB_LISTS:
            meta.fail(
                meta.node_of("links"), f"links: '{vocab}' is not a vocabulary list ({', '.join(VOCAB_LISTS)})"
            )
    for fact in pack.chain_facts:
        if fact not in pack.facts:
            meta.fail(meta.node_of("chain_facts"), f"chain fact '{fact}' is not declared under facts")
    pack.vocab = dict(_vocab_dir(folder / "vocab"))
    if not rules:
        return pack
    seen: dict[str, str] = {}
    for rule_file in sorted(folder.glob("*.yaml")):
        if rule_file.name == "pack.yaml":
            continue
        rule = _load_rule(rule_file, pack.name)
        if rule.id in seen:
            raise RulePackError(f"{rule_file}:1: duplicate rule id {rule.id} (also in {seen[rule.id]})")
        seen[rule.id] = str(rule_file)
        pack.rules.append(rule)
    return pack


# --------------------------------------------------------------------------------------------
# YAML with line numbers


def _compose(path: Path) -> yaml.Node:
    return compose(path, RulePackError)


class _Mapping(SpecMapping):
    error = RulePackError

    def check_weak_classes(self, key: str, codes: list[Any]) -> None:
        for code in codes:
            if code not in WEAK_CLASSES:
                self.fail(self.node_of(key), f"unknown weakness class '{code}' (W1–W10)")


# --------------------------------------------------------------------------------------------
# Rules


_RULE_SPEC = {
    "id": str, "title": str, "severity": str, "references": list, "applies_when": dict, "topic": dict,
    "elements": list, "weak_if": list, "remediation": dict, "examples": list, "description": str,
}  # fmt: skip
_PACK_SPEC = {
    "name": str, "version": str, "languages": list, "description": str, "facts": dict, "chain_facts": list,
    "links": dict,
}  # fmt: skip
# exclude: the topic word in another sense; contextual: words on topic only in a sentence that also
# has a context word ("accessible" counts next to "persons with disabilities", not next to "24/7").
# exclude_under: headings (of the clause or any clause above it) under which the topic words are
# used in another sense: a wage index under "Price", a strike under "Force majeure".
_TOPIC_SPEC = {
    "exclude": dict, "exclude_under": dict, "contextual": dict, "context": dict, "fuzzy": (int, bool),
}  # fmt: skip
_FACT = regex.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_TERM = regex.compile(r"^[^*\s]+\*?(?: [^*\s]+\*?)*$")
_ID = regex.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")


def _load_rule(path: Path, pack: str) -> Rule:
    m = _Mapping(path, _compose(path), _RULE_SPEC)
    m.require("id", "title", "severity", "topic", "remediation")
    rule_id = str(m.get("id"))
    if not _ID.match(rule_id):
        m.fail(m.node_of("id"), f"rule id '{rule_id}' must be upper-case words joined by '-'")
    severity = m.get("severity")
    if severity not in SEVERITIES:
        m.fail(m.node_of("severity"), f"severity must be one of {', '.join(SEVERITIES)}")
    references = m.get("references", [])
    _all_strings(m, "references", references)

    applies_always, applies_any, applies_facts, facts_line, applies_min = True, Terms(), [], 0, 1
    if "applies_when" in m.values:
        aw = _Mapping(
            path,
            m.node_of("applies_when"),
            {"always": bool, "any": dict, "min": int, "facts": list},
            "applies_when",
        )
        applies_facts = [str(f) for f in aw.get("facts", [])]
        applies_min = aw.get("min", 1)
        if applies_min < 1:
            aw.fail(aw.node_of("min"), "min must be 1 or more")
        facts_line = line_of(aw.node_of("facts"))
        if "any" in aw.values:
            applies_always = False
            applies_any = _terms(path, aw.node_of("any"), "applies_when.any")
        else:
            applies_always = bool(aw.get("always", True))

    topic_spec = {**_TOPIC_SPEC, "en": list, "sv": list, "patterns": list}
    tm = _Mapping(path, m.node_of("topic"), topic_spec, "topic")
    topic = _terms(path, m.node_of("topic"), "topic", extra=tuple(_TOPIC_SPEC))
    if not topic:
        m.fail(m.node_of("topic"), "topic needs at least one term or pattern")
    exclude, exclude_under, contextual, context = (
        _terms(path, tm.node_of(key), f"topic.{key}") if key in tm.values else Terms()
        for key in ("exclude", "exclude_under", "contextual", "context")
    )
    if bool(contextual) != bool(context):
        tm.fail(tm.node, "topic.contextual and topic.context go together: words and what settles them")
    fuzzy: int | None = 90
    if "fuzzy" in tm.values:
        raw = tm.get("fuzzy")
        if raw is False:
            fuzzy = None
        elif raw is True:
            fuzzy = 90
        elif not 50 <= raw <= 100:
            tm.fail(tm.node_of("fuzzy"), "fuzzy must be false or a similarity from 50 to 100")
        else:
            fuzzy = raw

    elements = _elements(path, m)
    weak_if = m.get("weak_if", [])
    m.check_weak_classes("weak_if", weak_if)
    remediation = _lang_strings(path, m.node_of("remediation"), "remediation")
    if "en" not in remediation:
        m.fail(m.node_of("remediation"), "remediation needs at least an English text ('en')")
    examples = _examples(path, m)
    return Rule(
        id=rule_id,
        title=str(m.get("title")),
        severity=severity,
        references=[str(r) for r in references],
        topic=topic,
        exclude=exclude,
        exclude_under=exclude_under,
        contextual=contextual,
        context=context,
        elements=elements,
        weak_if=list(weak_if),
        remediation=remediation,
        examples=examples,
        applies_always=applies_always,
        applies_any=applies_any,
        applies_facts=applies_facts,
        applies_min=applies_min,
        facts_line=facts_line,
        fuzzy=fuzzy,
        pack=pack,
        source=str(path),
    )


_ELEMENT_SPEC = {
    "id": str, "core": bool, "description": str, "strength": list, "terms": dict, "min": int, "or": dict,
    "vocab": str, "weak_class": str, "patterns": list,
}  # fmt: skip


def _elements(path: Path, m: _Mapping) -> list[Element]:
    out: list[Element] = []
    if "elements" not in m.values:
        return out
    seen: set[str] = set()
    for node in m.node_of("elements").value:
        e = _Mapping(path, node, _ELEMENT_SPEC, "an element")
        e.require("id")
        eid = str(e.get("id"))
        if eid in seen:
            e.fail(e.node_of("id"), f"duplicate element id '{eid}'")
        seen.add(eid)
        strength = e.get("strength", [])
        for s in strength:
            if s not in STRENGTHS:
                e.fail(e.node_of("strength"), f"unknown strength '{s}' (one of {', '.join(STRENGTHS)})")
        vocab = e.get("vocab")
        if vocab is not None and vocab not in VOCAB_LISTS:
            e.fail(e.node_of("vocab"), f"unknown vocabulary list '{vocab}' (one of {', '.join(VOCAB_LISTS)})")
        weak_class = e.get("weak_class")
        e.check_weak_classes("weak_class", [weak_class] if weak_class is not None else [])
        terms = _terms(path, e.node_of("terms"), "terms") if "terms" in e.values else Terms()
        if "patterns" in e.values:
            terms.patterns += _patterns(path, e.node_of("patterns"))
        alternatives = _terms(path, e.node_of("or"), "or") if "or" in e.values else Terms()
        if not (strength or terms or vocab):
            e.fail(node, f"element '{eid}' needs one of: strength, terms, patterns, vocab")
        minimum = e.get("min", 1)
        if minimum < 1:
            e.fail(e.node_of("min"), "min must be at least 1")
        out.append(
            Element(
                id=eid,
                core=bool(e.get("core", False)),
                description=str(e.get("description", "")),
                strength=list(strength),
                terms=terms,
                min=minimum,
                alternatives=alternatives,
                vocab=vocab,
                weak_class=weak_class,
            )
        )
    return out


def _examples(path: Path, m: _Mapping) -> list[Example]:
    out: list[Example] = []
    if "examples" not in m.values:
        return out
    spec = {"status": str, "lang": str, "text": str, "reasons": list}
    for node in m.node_of("examples").value:
        x = _Mapping(path, node, spec, "an example")
        x.require("status", "lang", "text")
        if x.get("status") not in STATUSES:
            x.fail(x.node_of("status"), f"status must be one of {', '.join(STATUSES)}")
        if x.get("lang") not in LANGS:
            x.fail(x.node_of("lang"), f"lang must be one of {', '.join(LANGS)}")
        reasons = x.get("reasons", [])
        x.check_weak_classes("reasons", reasons)
        out.append(Example(x.get("status"), x.get("lang"), str(x.get("text")), list(reasons), line_of(node)))
    return out


def _terms(path: Path, node: yaml.Node, what: str, extra: tuple[str, ...] = ()) -> Terms:
    spec: dict[str, Any] = {"en": list, "sv": list, "patterns": list}
    spec.update(dict.fromkeys(extra))
    m = _Mapping(path, node, spec, what)
    out = Terms()
    for lang in LANGS:
        if lang in m.values:
            terms = m.get(lang)
            _all_strings(m, lang, terms)
            out.by_lang[lang] = [str(t) for t in terms]
            for t in out.by_lang[lang]:
                if not _TERM.match(" ".join(t.split())):
                    m.fail(m.node_of(lang), f"bad term '{t}': words, each optionally ending in * (a prefix)")
    if "patterns" in m.values:
        out.patterns = _patterns(path, m.node_of("patterns"))
    return out


def _patterns(path: Path, node: yaml.Node) -> list[str]:
    out = []
    for item in node.value:
        pattern = plain(item)
        if not isinstance(pattern, str):
            raise RulePackError(f"{path}:{line_of(item)}: a pattern must be a string")
        try:
            regex.compile(pattern, regex.IGNORECASE)
        except regex.error as exc:
            raise RulePackError(f"{path}:{line_of(item)}: bad regular expression '{pattern}': {exc}") from exc
        out.append(pattern)
    return out


def _lang_strings(path: Path, node: yaml.Node, what: str) -> dict[str, str]:
    m = _Mapping(path, node, {"en": str, "sv": str}, what)
    return {k: " ".join(str(v).split()) for k, (_, v) in m.values.items()}


def _all_strings(m: _Mapping, key: str, values: list[Any]) -> None:
    for v in values:
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            m.fail(m.node_of(key), f"every item of '{key}' must be a string")


def _vocab_dir(folder: Path) -> Iterator[tuple[str, dict[str, list[str]]]]:
    if folder.is_dir():
        for vocab_file in sorted(folder.glob("*.yaml")):
            yield _load_vocab(vocab_file)


def _load_vocab(path: Path) -> tuple[str, dict[str, list[str]]]:
    m = _Mapping(path, _compose(path), {"language": str, "lists": dict})
    m.require("language", "lists")
    lang = m.get("language")
    if lang not in LANGS:
        m.fail(m.node_of("language"), f"language must be one of {', '.join(LANGS)}")
    lists_node = m.node_of("lists")
    lists: dict[str, list[str]] = {}
    for key_node, value_node in lists_node.value:
        name = key_node.value
        if name not in VOCAB_LISTS:
            raise RulePackError(
                f"{path}:{line_of(key_node)}: unknown vocabulary list '{name}' "
                f"(one of {', '.join(VOCAB_LISTS)})"
            )
        value = plain(value_node)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RulePackError(f"{path}:{line_of(value_node)}: '{name}' must be a list of strings")
        for ref in (r for v in value for r in _LIST_REF.findall(v)):
            if ref not in VOCAB_LISTS:
                raise RulePackError(
                    f"{path}:{line_of(value_node)}: '{{{ref}}}' in '{name}' names no vocabulary list "
                    f"(one of {', '.join(VOCAB_LISTS)})"
                )
        lists[name] = value
    return lang, lists


def _expand_lists(lists: dict[str, list[str]]) -> dict[str, list[str]]:
    """Replace each "{list}" in a term by every term of that list (one level: the lists named hold
    plain words), so a supplier noun × verb grid is written as one line."""

    def expand(term: str) -> list[str]:
        m = _LIST_REF.search(term)
        if m is None:
            return [term]
        words = [w for w in lists.get(m.group(1), []) if not _LIST_REF.search(w)]
        return [x for w in words for x in expand(term[: m.start()] + w + term[m.end() :])]

    return {name: list(dict.fromkeys(x for t in terms for x in expand(t))) for name, terms in lists.items()}
