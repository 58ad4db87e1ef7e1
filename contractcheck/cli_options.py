"""Options shared by `check`, `eval`, `audit` and `report`, declared once so that they read alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _stack(*decorators: Decorator) -> Decorator:
    def apply(f: Callable[..., Any]) -> Callable[..., Any]:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=str), help="Write here (atomically)."
)

selection_options = _stack(
    click.option(
        "--rules", "packs", multiple=True, metavar="NAME|PATH", help="Add a rule pack (repeatable)."
    ),
    click.option("--no-default-rules", is_flag=True, help="Leave the built-in human-rights pack out."),
    click.option("--only", multiple=True, metavar="IDS", help="Only these requirements (comma-separated)."),
    click.option("--skip", multiple=True, metavar="IDS", help="Not these requirements."),
)

document_options = _stack(
    click.option(
        "--lang", type=click.Choice(["auto", "en", "sv"]), default=None, help="Document language [auto]."
    ),
    click.option(
        "--assume",
        multiple=True,
        metavar="FACTS",
        help="State what the text cannot show, e.g. ict,no-personal-data (see `contractcheck rules facts`).",
    ),
)

gate_options = _stack(
    click.option(
        "--fail-on",
        type=click.Choice(["weak", "missing", "never"]),
        default=None,
        help="Exit 1 when a gap at or above this is found [weak].",
    ),
    click.option(
        "--min-severity",
        type=click.Choice(["high", "medium", "low"]),
        default=None,
        help="Count only gaps of at least this severity for --fail-on [low].",
    ),
)

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=str),
    help="Configuration file (default: contractcheck.toml or pyproject.toml, searched upward).",
)
