"""The guide 'Writing your own requirement' works as written: its pack validates and its examples pass."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_cli

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "writing-your-own-requirement.md"


def test_the_guides_rule_pack_validates_and_passes_its_examples(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(# our-rules/(\S+)\n.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert {name for _, name in blocks} == {"pack.yaml", "INTERNSHIPS.yaml"}
    pack = tmp_path / "our-rules"
    pack.mkdir()
    for body, name in blocks:
        (pack / name).write_text(body, encoding="utf-8")
    assert run_cli("rules", "validate", str(pack)).returncode == 0
    tested = run_cli("rules", "test", str(pack))
    assert tested.returncode == 0, tested.stdout
    assert "3 passed, 0 failed" in tested.stdout
