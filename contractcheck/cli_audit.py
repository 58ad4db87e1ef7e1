"""`contractcheck audit` and `contractcheck report`: batch audit of an archive into a results store.

Kept apart from cli.py so that the audit machinery loads only when these commands run; nothing
here imports spaCy, the document parsers or Dask at import time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from .audit import DEFAULT_DB, DEFAULT_TIMEOUT
from .cli_options import (
    config_option,
    document_options,
    gate_options,
    output_option,
    selection_options,
)
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, ContractcheckError, LoadError

_FORMATS = click.Choice(["text", "csv", "jsonl", "json"])


def _db_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--db",
        default=DEFAULT_DB,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=str),
        help=help_text,
    )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@_db_option("Results store (SQLite); created if missing.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [cores].")
@click.option("--format", "fmt", type=_FORMATS, default="text", show_default=True)
@output_option
@selection_options
@document_options
@gate_options
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up on a document after this long (0: no limit).",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=0),
    default=0,
    metavar="MB",
    help="Stop a worker whose memory passes this while checking a document (0: no limit; local only).",
)
@click.option("--scheduler", metavar="ADDRESS", help="Run on a Dask cluster (tcp://HOST:PORT).")
@click.option(
    "--ship",
    type=click.Choice(["bytes", "paths"]),
    default="bytes",
    show_default=True,
    help="With --scheduler: send the documents' bytes, or only paths the workers can read.",
)
@click.option(
    "--retry-errors", is_flag=True, help="Check again documents stored as timeout or worker_crashed."
)
@config_option
@click.option("--debug", is_flag=True, help="Show tracebacks, and the workers' own error output.")
def audit(
    paths: tuple[str, ...],
    db: str,
    jobs: int | None,
    fmt: str,
    output: str | None,
    packs: tuple[str, ...],
    no_default_rules: bool,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    lang: str | None,
    assume: tuple[str, ...],
    fail_on: str | None,
    min_severity: str | None,
    timeout: float,
    max_memory: int,
    scheduler: str | None,
    ship: str,
    retry_errors: bool,
    config_path: str | None,
    debug: bool,
) -> None:
    """Audit an archive: every contract under PATHS, checked in parallel and kept in a results store.

    Folders are walked recursively; files are taken by content (PDF, DOCX, text) and the rest are
    listed as skipped. A document already in the store with the same content, settings and tool
    version is not checked again, and a stopped audit continues where it stopped. Regenerate any
    output later with `contractcheck report`.

    Exit codes: 0 no gap at --fail-on; 1 gaps; 2 usage error, bad rule pack, or a document that
    could not be read (the others are still checked, stored and reported); 130 interrupted.
    """
    from .audit.child import WorkerSetupError
    from .audit.outputs import jsonl_line, render_csv, render_json, render_text, summarize, to_report
    from .audit.run import AuditRequest, run_audit
    from .audit.settings import CheckSettings
    from .audit.store import Store
    from .cli import _emit, _exit_code, _report_error, _split_ids
    from .config import Config

    if scheduler and not _has_dask():
        message = "--scheduler needs Dask: pip install 'contractcheck[dask]'"
        click.echo(f"contractcheck: error: {message} (usage)", err=True)
        sys.exit(EXIT_ERROR)
    try:
        config = Config.load(config_path) if config_path else Config.discover()
        store = Store.open(db)
    except ContractcheckError as exc:
        _report_error(exc, debug)
        sys.exit(EXIT_ERROR)
    settings = CheckSettings(
        packs=list(packs),
        default_rules=not no_default_rules,
        lang=lang or "auto",
        only=_split_ids(only),
        skip=_split_ids(skip),
        assume=list(assume),
        config=config,
    )
    request = AuditRequest(
        list(paths),
        settings,
        jobs=jobs or 0,
        timeout=timeout or None,
        max_memory_mb=max_memory,
        scheduler=scheduler,
        ship=ship,
        retry_errors=retry_errors,
        exclude=[output] if output else [],
        debug=debug,
    )
    stream = fmt == "jsonl" and output is None
    reader_gone = False

    def on_document(doc: dict[str, Any]) -> None:
        nonlocal reader_gone
        if reader_gone:
            return
        try:
            sys.stdout.write(jsonl_line(doc))
            sys.stdout.flush()
        except BrokenPipeError:  # `| head`: stop writing, but finish and store the audit
            reader_gone = True
            _silence_stdout()

    def on_problem(path: str, code: str, message: str) -> None:
        _report_error(LoadError(message, code=code, path=path), False)

    try:
        try:
            outcome = run_audit(
                request,
                store,
                on_document=on_document if stream else None,
                on_problem=on_problem,
                progress=sys.stderr if sys.stderr.isatty() else None,
            )
        except ContractcheckError as exc:
            _report_error(exc, debug)
            sys.exit(EXIT_ERROR)
        except WorkerSetupError as exc:
            click.echo(f"contractcheck: error: {exc} (worker_setup)", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:  # before any document was checked: nothing to keep
            click.echo("contractcheck: audit interrupted before checking began", err=True)
            sys.exit(EXIT_INTERRUPTED)
        if outcome.interrupted:
            left = len(outcome.plan.todo) - outcome.checked
            click.echo(
                f"contractcheck: audit interrupted: {outcome.checked} documents checked and stored, "
                f"{left} left; run the same command again to continue",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)
        docs = store.load_documents(outcome.keys)
        skipped = [{"path": s.path, "reason": s.reason} for s in outcome.skipped]
        skipped.sort(key=lambda s: s["path"])
        summary = summarize(docs, skipped)
        rulepacks = outcome.resolved.rulepacks
        line = (
            f"audit: {outcome.checked} checked now, {outcome.plan.reused} unchanged, "
            f"{summary['unreadable']} could not be read, {summary['skipped']} skipped; store {db}"
        )
        if fmt == "text":
            _emit(render_text(summary, header=line), output)
        elif fmt == "csv":
            _emit(render_csv(docs), output)
        elif fmt == "json":
            _emit(render_json(docs, rulepacks, summary), output)
        elif not stream:
            _emit("".join(jsonl_line(d) for d in docs), output)
        if fmt != "text" or output:
            click.echo(f"contractcheck {line}", err=True)
        code = _exit_code(to_report(docs, rulepacks), *_thresholds(config, fail_on, min_severity))
        sys.exit(EXIT_ERROR if outcome.problems else code)
    finally:
        store.close()


@click.command()
@_db_option("Results store written by `contractcheck audit`.")
@click.option("--format", "fmt", type=_FORMATS, default="text", show_default=True)
@output_option
@gate_options
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Configuration file (for fail_on / min_severity).",
)
def report(
    db: str,
    fmt: str,
    output: str | None,
    fail_on: str | None,
    min_severity: str | None,
    config_path: str | None,
) -> None:
    """Render an audit's results again from its store, without checking anything.

    Exit codes as for `audit`: 0 no stored gap at --fail-on; 1 gaps; 2 a stored document could not
    be read, or the store cannot be opened.
    """
    from .audit.outputs import render_csv, render_json, render_jsonl, render_text, summarize, to_report
    from .audit.store import Store
    from .cli import _emit, _exit_code, _report_error
    from .config import Config

    try:
        config = Config.load(config_path) if config_path else Config.discover()
        store = Store.open(db, create=False)
    except ContractcheckError as exc:
        _report_error(exc, False)
        sys.exit(EXIT_ERROR)
    try:
        docs = store.load_documents()
        skipped = store.skipped()
        run = store.latest_run()
    finally:
        store.close()
    rulepacks = run["rulepacks"] if run else []
    summary = summarize(docs, skipped)
    if fmt == "text":
        header = f"report of {db}" + (f" (last audit {run['started_at']}, {run['status']})" if run else "")
        rendered = render_text(summary, header=header)
    elif fmt == "csv":
        rendered = render_csv(docs)
    elif fmt == "json":
        rendered = render_json(docs, rulepacks, summary)
    else:
        rendered = render_jsonl(docs)
    _emit(rendered, output)
    sys.exit(_exit_code(to_report(docs, rulepacks), *_thresholds(config, fail_on, min_severity)))


def _thresholds(config: Any, fail_on: str | None, min_severity: str | None) -> tuple[str, str]:
    return fail_on or config.fail_on or "weak", min_severity or config.min_severity or "low"


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _has_dask() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None
