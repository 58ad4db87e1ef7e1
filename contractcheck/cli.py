"""Command line: thin wrappers over the library. Heavy imports happen inside commands only."""

from __future__ import annotations

import sys
import traceback

import click

from . import __version__
from .cli_options import (
    config_option,
    document_options,
    gate_options,
    output_option,
    selection_options,
)
from .errors import EXIT_ERROR, EXIT_GAPS, EXIT_INTERRUPTED, EXIT_OK, ContractcheckError, LoadError

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Commands(click.Group):
    """Ctrl-C ends any command with one line and exit 130, not click's "Aborted!" and exit 1,
    which a script would read as "gaps found"."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo("contractcheck: interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


@click.group(cls=_Commands, context_settings=_CONTEXT)
@click.version_option(__version__, prog_name="contractcheck")
def main() -> None:
    """Check procurement contracts (PDF, DOCX, text) against human-rights requirements.

    Exit codes: 0 done; 1 gaps found (check); 2 usage error or an input that could not be read;
    130 interrupted.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=str), help="Write here (atomically)."
)
@click.option("--lang", type=click.Choice(["auto", "en", "sv"]), default="auto", show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def extract(files: tuple[str, ...], fmt: str, output: str | None, lang: str, debug: bool) -> None:
    """Show what was read from FILES: clauses with numbers, headings and pages, and warnings."""
    from .ingest import load
    from .report.extraction import Outcome, render_json, render_text

    outcomes: list[Outcome] = []
    for name in files:
        try:
            outcomes.append(Outcome(name, document=load(name, lang=lang)))
        except LoadError as exc:  # load() turns a reader's own failure into one too
            exc.path = name
            _report_error(exc, debug)
            outcomes.append(Outcome(name, error=exc))
    rendered = render_json(outcomes) if fmt == "json" else render_text(outcomes)
    _emit(rendered, output)
    sys.exit(EXIT_ERROR if any(o.error for o in outcomes) else EXIT_OK)


def _split_ids(values: tuple[str, ...]) -> list[str]:
    return [i.strip().upper() for v in values for i in v.split(",") if i.strip()]


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@selection_options
@document_options
@click.option("--bundle", is_flag=True, help="Check the files as one contract (main text, terms, annexes).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@gate_options
@click.option("--explain", is_flag=True, help="Show evidence, missing elements and suggested clause text.")
@config_option
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def check(
    files: tuple[str, ...],
    packs: tuple[str, ...],
    no_default_rules: bool,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    lang: str | None,
    assume: tuple[str, ...],
    bundle: bool,
    fmt: str,
    output: str | None,
    fail_on: str | None,
    min_severity: str | None,
    explain: bool,
    config_path: str | None,
    debug: bool,
) -> None:
    """Check contracts against human-rights requirements: met, weak or missing, with evidence.

    Exit codes: 0 no gap at --fail-on; 1 gaps; 2 usage error, bad rule pack or unreadable input.
    """
    from .api import Checker
    from .config import Config
    from .findings import Report

    try:
        config = Config.load(config_path) if config_path else Config.discover()
        checker = Checker(
            packs,
            lang=lang or "auto",
            config=config,
            default_rules=not no_default_rules,
            only=_split_ids(only),
            skip=_split_ids(skip),
            assume=assume,
        )
    except ContractcheckError as exc:
        _report_error(exc, debug)
        sys.exit(EXIT_ERROR)
    if bundle:
        from .bundle import check_bundle

        documents = [check_bundle(checker, list(files))]
    else:
        documents = [checker.check_one(name) for name in files]
    for d in documents:
        if d.error is not None:
            err = LoadError(d.error.message, code=d.error.code, path=d.path)
            _report_error(err, False)
    report = Report(documents, checker.rulepacks, assumptions=dict(checker.facts))
    if fmt == "json":
        rendered = report.to_json() + "\n"
    else:
        from .report.check_text import render_text

        rendered = render_text(report, explain=explain, colour=_colour(output))
    _emit(rendered, output)
    threshold = fail_on or config.fail_on or "weak"
    floor = min_severity or config.min_severity or "low"
    sys.exit(_exit_code(report, threshold, floor))


@main.command("eval")
@click.argument("sets", nargs=-1, required=True, metavar="CORPUS_OR_GOLD...", type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@click.option("--min-f1", type=click.FloatRange(0, 1), help="Exit 1 if a set's presence macro-F1 is lower.")
@selection_options
@click.option("--no-disagreements", is_flag=True, help="Leave the list of disagreements out of the text.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def eval_(
    sets: tuple[str, ...],
    fmt: str,
    output: str | None,
    min_f1: float | None,
    packs: tuple[str, ...],
    no_default_rules: bool,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    no_disagreements: bool,
    debug: bool,
) -> None:
    """Score the checker on labelled documents (every gold.yaml under each folder given).

    Each argument is scored as its own set (e.g. corpora/dev corpora/test, with the gap between them):
    presence precision/recall/F1, grade accuracy, false presence and false met on true negatives,
    per requirement and language, with every disagreement.

    Exit codes: 0 done; 1 a set's presence macro-F1, overall or in one language, is below --min-f1;
    2 bad gold file or usage.
    """
    import json

    from .accuracy import score_set
    from .api import Checker

    try:
        checker = Checker(
            packs, default_rules=not no_default_rules, only=_split_ids(only), skip=_split_ids(skip)
        )
        scores = [score_set(path, checker) for path in sets]
    except ContractcheckError as exc:
        _report_error(exc, debug)
        sys.exit(EXIT_ERROR)
    if fmt == "json":
        payload = {"tool": {"name": "contractcheck", "version": __version__}, "rulepacks": checker.rulepacks}
        payload["sets"] = [s.to_dict() for s in scores]
        rendered = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    else:
        from .report.eval_text import render

        rendered = render(scores, disagreements=not no_disagreements)
    _emit(rendered, output)
    if min_f1 is not None:
        low = [
            (f"{s.name} ({lang})" if lang else s.name, scope.macro_f1)
            for s in scores
            for lang, scope in [("", s.overall), *s.languages.items()]
            if (scope.macro_f1 or 0.0) < min_f1
        ]
        for where, f1 in low:
            got = "undefined (no requirement has 3 gold positives)" if f1 is None else f"{f1:.3f}"
            click.echo(f"contractcheck: {where}: presence macro-F1 {got} < {min_f1}", err=True)
        if low:
            sys.exit(EXIT_GAPS)
    sys.exit(EXIT_OK)


def _colour(output: str | None) -> bool:
    import os

    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


def _exit_code(report, fail_on: str, min_severity: str) -> int:
    if any(d.error is not None for d in report.documents):
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    failing = {"weak": ("weak", "missing"), "missing": ("missing",)}[fail_on]
    for d in report.documents:
        for f in d.findings:
            if f.status in failing and _SEVERITY_RANK[f.severity] >= _SEVERITY_RANK[min_severity]:
                return EXIT_GAPS
    return EXIT_OK


@main.group()
def rules() -> None:
    """List, show, validate and test rule packs."""


@rules.command("list")
@click.option("--rules", "packs", multiple=True, metavar="NAME|PATH", help="Add a rule pack.")
@click.option("--no-default-rules", is_flag=True)
def rules_list(packs: tuple[str, ...], no_default_rules: bool) -> None:
    """One line per requirement: id, severity, languages, title."""
    ruleset = _ruleset(packs, no_default_rules)
    for rule in ruleset.rules:
        langs = ",".join(lang for lang in ("en", "sv") if rule.topic.by_lang.get(lang))
        click.echo(f"{rule.id:<22} {rule.severity:<7} {langs:<6} {rule.pack:<14} {rule.title}")


@rules.command("facts")
@click.option("--rules", "packs", multiple=True, metavar="NAME|PATH", help="Add a rule pack.")
@click.option("--no-default-rules", is_flag=True)
def rules_facts(packs: tuple[str, ...], no_default_rules: bool) -> None:
    """List the facts --assume takes, and the requirements each one decides."""
    ruleset = _ruleset(packs, no_default_rules)
    for fact, meaning in ruleset.facts.items():
        decides = [r.id for r in ruleset.rules if fact in r.applies_facts]
        click.echo(f"{fact:<20} {meaning}")
        click.echo(f"{'':<20} decides: {', '.join(decides) or '–'}; negate with no-{fact}")


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "packs", multiple=True, metavar="NAME|PATH", help="Add a rule pack.")
def rules_show(rule_id: str, packs: tuple[str, ...]) -> None:
    """Everything a requirement checks, and the clause text it suggests."""
    ruleset = _ruleset(packs, False)
    rule = ruleset.get(rule_id.upper())
    if rule is None:
        click.echo(
            f"contractcheck: error: no requirement '{rule_id}' (see `contractcheck rules list`)", err=True
        )
        sys.exit(EXIT_ERROR)
    click.echo(f"{rule.id} — {rule.title}  [{rule.severity}]  ({rule.source})")
    click.echo(
        "applies: "
        + (
            "always"
            if rule.applies_always
            else "when the contract mentions: " + ", ".join(rule.applies_any.all_terms()[:12])
        )
    )
    for lang in ("en", "sv"):
        if rule.topic.by_lang.get(lang):
            click.echo(f"topic ({lang}): {', '.join(rule.topic.by_lang[lang])}")
    click.echo("elements:")
    for e in rule.elements:
        click.echo(f"  {'*' if e.core else ' '} {e.id}: {e.description or e.vocab or ''}")
    click.echo(f"weak if: {', '.join(rule.weak_if)}")
    click.echo("references:")
    for ref in rule.references:
        click.echo(f"  - {ref}")
    for lang, text in rule.remediation.items():
        click.echo(f"suggested clause ({lang}): {text}")


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
def rules_validate(paths: tuple[str, ...]) -> None:
    """Check rule packs against the schema; print FILE:LINE: message for each problem."""
    from .rulepack import load_pack, resolve_pack

    failed = False
    for p in paths:
        try:
            pack = load_pack(resolve_pack(p))
            click.echo(f"{p}: ok ({len(pack.rules)} rules)")
        except ContractcheckError as exc:
            click.echo(exc.one_line(), err=True)
            failed = True
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("-v", "--verbose", is_flag=True, help="Show every example, not only failures.")
def rules_test(paths: tuple[str, ...], verbose: bool) -> None:
    """Run every rule's met / weak / missing examples; exit 1 if any is graded otherwise."""
    from .ruletest import run_examples

    try:
        results = run_examples(list(paths))
    except ContractcheckError as exc:
        _report_error(exc, False)
        sys.exit(EXIT_ERROR)
    failures = [r for r in results if not r.passed]
    for r in results:
        if verbose or not r.passed:
            click.echo(r.describe())
    click.echo(f"rules test: {len(results) - len(failures)} passed, {len(failures)} failed")
    sys.exit(EXIT_GAPS if failures else EXIT_OK)


def _ruleset(packs: tuple[str, ...], no_default: bool):
    from .rulepack import load_ruleset

    try:
        return load_ruleset(list(packs), default=not no_default)
    except ContractcheckError as exc:
        _report_error(exc, False)
        sys.exit(EXIT_ERROR)


def _report_error(exc: ContractcheckError, debug: bool) -> None:
    if debug:
        cause = exc.__cause__ or exc
        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stderr)
    click.echo(f"contractcheck: error: {exc.one_line()} ({exc.code})", err=True)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from .fileio import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        click.echo(f"contractcheck: error: {output}: cannot write output ({exc.strerror or exc})", err=True)
        sys.exit(EXIT_ERROR)


from .cli_audit import audit, report  # noqa: E402

main.add_command(audit)
main.add_command(report)

if __name__ == "__main__":  # pragma: no cover
    main()
