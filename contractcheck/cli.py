"""Command line: thin wrappers over the library. Heavy imports happen inside commands only."""

from __future__ import annotations

import sys
import traceback

import click

from . import __version__
from .errors import EXIT_ERROR, EXIT_OK, ContractcheckError, LoadError

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=_CONTEXT)
@click.version_option(__version__, prog_name="contractcheck")
def main() -> None:
    """Check procurement contracts (PDF, DOCX, text) against human-rights requirements.

    Exit codes: 0 done; 1 gaps found (check); 2 usage error or an input that could not be read.
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
        except LoadError as exc:
            exc.path = name
            _report_error(exc, debug)
            outcomes.append(Outcome(name, error=exc))
        except Exception as exc:  # a reader bug must not stop the other files
            err = LoadError(
                f"unexpected error while reading ({type(exc).__name__}: {exc}); re-run with --debug",
                code="corrupt",
                path=name,
            )
            err.__cause__ = exc
            _report_error(err, debug)
            outcomes.append(Outcome(name, error=err))
    rendered = render_json(outcomes) if fmt == "json" else render_text(outcomes)
    _emit(rendered, output)
    sys.exit(EXIT_ERROR if any(o.error for o in outcomes) else EXIT_OK)


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


if __name__ == "__main__":  # pragma: no cover
    main()
