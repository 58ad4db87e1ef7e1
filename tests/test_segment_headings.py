"""Non-operative headings: "Information" alone is informative, "Information till brukare" is a duty."""

from __future__ import annotations

import pytest

from contractcheck.ingest import load
from contractcheck.segment import _NON_OPERATIVE_HEADING


@pytest.mark.parametrize(
    "heading",
    [
        "Information",
        "INFORMATION",
        "Information:",
        "Informative",
        "Information only",
        "For information",
        "For information only",
        "For information purposes only",
        "För information",
        "För kännedom",
        "Bakgrund",
    ],
)
def test_informative_headings_are_non_operative(heading: str) -> None:
    assert _NON_OPERATIVE_HEADING.match(heading)


@pytest.mark.parametrize(
    "heading",
    [
        "Information till brukare",
        "Information to service users",
        "Information och kommunikation",
        "INFORMATION, DATA AND EQUIPMENT",
        "Information security",
        "Informationssäkerhet",
    ],
)
def test_headings_that_merely_start_with_information_are_operative(heading: str) -> None:
    assert not _NON_OPERATIVE_HEADING.match(heading)


def test_information_to_users_section_is_operative_and_bare_information_is_not() -> None:
    clauses = load(
        (
            "1. Information\n"
            "1.1 Kommunen informerar om valfrihetssystemet på sin webbplats.\n"
            "2. Information till brukare\n"
            "2.1 Utföraren ska ge brukaren skriftlig information på finska när brukaren begär det.\n"
        ).encode(),
        name="t.txt",
    ).clauses
    by = {c.ref: c for c in clauses if c.ref}
    assert by["1"].operative is False and by["1.1"].operative is False
    assert by["2"].operative is True and by["2.1"].operative is True
