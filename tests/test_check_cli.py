"""`contractcheck check` as a user runs it: exit codes, the JSON contract, config, bundles."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from conftest import run_cli as _cli

import contractcheck

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SV = ROOT / "corpora" / "samples" / "ramavtal-stadtjanster.txt"
SCHEMA = json.loads((resources.files("contractcheck") / "schemas" / "report.schema.json").read_text())

MET = (
    "7.2 The Supplier shall not discriminate against any worker on grounds of sex, transgender identity or "
    "expression, ethnicity, religion or other belief, disability, sexual orientation or age, directly or "
    "indirectly.\n"
)
WEAK = (
    "7.2 The Supplier should avoid discrimination on grounds of sex, ethnicity, religion, disability, age.\n"
)


def _json(res: subprocess.CompletedProcess[str]) -> dict:
    data = json.loads(res.stdout)
    jsonschema.validate(data, SCHEMA)
    return data


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    out = {"met": tmp_path / "met.txt", "weak": tmp_path / "weak.txt", "empty": tmp_path / "empty.pdf"}
    out["met"].write_text(MET)
    out["weak"].write_text(WEAK)
    out["empty"].write_bytes(b"")
    return out


def test_json_report_follows_the_contract(files: dict[str, Path]) -> None:
    res = _cli("check", "--only", "NONDISC", "--format", "json", str(files["met"]), str(files["weak"]))
    assert res.returncode == 1  # a weak finding at the default --fail-on weak
    data = _json(res)
    assert data["tool"]["name"] == "contractcheck" and data["rulepacks"][0]["name"] == "human-rights"
    met, weak = data["documents"]
    assert [f["status"] for f in met["findings"]] == ["met"]
    assert weak["findings"][0]["status"] == "weak"
    assert weak["findings"][0]["reasons"][0]["code"] in {"W1", "W2"}
    ev = met["findings"][0]["evidence"][0]
    assert ev["clause"] == "7.2" and ev["page"] is None
    assert contractcheck.load(files["met"]).text[ev["start"] : ev["end"]].strip() == ev["text"]


@pytest.mark.parametrize(
    "fail_on,which,code",
    [("weak", "weak", 1), ("missing", "weak", 0), ("never", "weak", 0), ("weak", "met", 0)],
)
def test_fail_on(files: dict[str, Path], fail_on: str, which: str, code: int) -> None:
    res = _cli("check", "--only", "NONDISC", "--fail-on", fail_on, str(files[which]))
    assert res.returncode == code, res.stdout + res.stderr


def test_min_severity_filters_what_fails(files: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "contractcheck.toml").write_text('[severity]\nNONDISC = "low"\n')
    res = _cli("check", "--only", "NONDISC", "--min-severity", "medium", str(files["weak"]), cwd=tmp_path)
    assert res.returncode == 0
    res = _cli("check", "--only", "NONDISC", str(files["weak"]), cwd=tmp_path)
    assert res.returncode == 1


def test_unreadable_input_wins_and_the_rest_is_reported(files: dict[str, Path]) -> None:
    res = _cli("check", "--only", "NONDISC", "--format", "json", str(files["empty"]), str(files["met"]))
    assert res.returncode == 2
    data = _json(res)
    assert data["documents"][0]["error"]["code"] == "empty" and data["documents"][0]["findings"] == []
    assert data["documents"][1]["findings"][0]["status"] == "met"
    assert res.stderr.strip() == f"contractcheck: error: {files['empty']}: empty file (empty)"


def test_every_selected_requirement_appears_once(files: dict[str, Path]) -> None:
    data = _json(_cli("check", "--format", "json", str(files["met"])))
    ids = [f["requirement"] for f in data["documents"][0]["findings"]]
    assert len(ids) == len(set(ids)) and "NONDISC" in ids
    data = _json(_cli("check", "--format", "json", "--skip", "nondisc", str(files["met"])))
    assert "NONDISC" not in [f["requirement"] for f in data["documents"][0]["findings"]]


def test_unknown_requirement_is_a_usage_error(files: dict[str, Path]) -> None:
    res = _cli("check", "--only", "NOPE", str(files["met"]))
    assert res.returncode == 2 and "unknown requirement id(s): NOPE" in res.stderr


def test_text_output_puts_gaps_first_and_explains(files: dict[str, Path]) -> None:
    res = _cli("check", "--explain", str(SAMPLE_SV), "--fail-on", "never")
    assert res.returncode == 0
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("  ") and ln.strip()[:1] in "✓~✗–"]
    order = {"✗": 0, "~": 1, "✓": 2, "–": 3}
    marks = [order[ln.strip()[0]] for ln in lines]
    assert marks == sorted(marks)
    assert "\x1b[" not in res.stdout  # no colour on a pipe


def test_config_file_is_found_upward_and_applies(files: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.contractcheck]\nonly = ["NONDISC"]\nfail_on = "never"\n')
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    res = _cli("check", "--format", "json", str(files["weak"]), cwd=sub)
    assert res.returncode == 0
    assert [f["requirement"] for f in _json(res)["documents"][0]["findings"]] == ["NONDISC"]
    (tmp_path / "contractcheck.toml").write_text("colour = 'red'\n")
    res = _cli("check", str(files["weak"]), cwd=sub)
    assert res.returncode == 2 and "unknown key 'colour'" in res.stderr


def test_bundle_checks_parts_as_one_contract(tmp_path: Path) -> None:
    main = tmp_path / "avtal.txt"
    annex = tmp_path / "bilaga1.txt"
    main.write_text("1. Avtal\n1.1 Leverantören ska följa Bilaga 1.\n")
    annex.write_text(
        "Bilaga 1 Särskilda kontraktsvillkor\n1. Leverantören får inte diskriminera på grund av kön, "
        "könsöverskridande identitet eller uttryck, etnisk tillhörighet, religion eller annan trosuppfattning, "
        "funktionsnedsättning, sexuell läggning eller ålder, direkt eller indirekt.\n"
    )
    data = _json(_cli("check", "--bundle", "--only", "NONDISC", "--format", "json", str(main), str(annex)))
    assert len(data["documents"]) == 1
    doc = data["documents"][0]
    assert [p["path"] for p in doc["parts"]] == [str(main), str(annex)]
    f = doc["findings"][0]
    assert f["status"] == "met"
    assert f["evidence"][0]["file"] == str(annex) and f["evidence"][0]["clause"] == "Bilaga 1 punkt 1"


def test_library_api_matches_the_cli(files: dict[str, Path]) -> None:
    report = contractcheck.check(files["weak"])
    jsonschema.validate(report.to_dict(), SCHEMA)
    cli = _json(_cli("check", "--format", "json", "--fail-on", "never", str(files["weak"])))
    assert report.to_dict()["documents"] == cli["documents"]
    checker = contractcheck.Checker(only=["NONDISC"])
    assert checker.check(files["met"]).documents[0].findings[0].status == "met"
    assert checker.check(b"").documents[0].error.code == "empty"


def test_ctrl_c_ends_a_check_with_exit_130_not_the_gaps_code(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from contractcheck.api import Checker
    from contractcheck.cli import main

    def interrupted(self, source, *, name=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(Checker, "check_one", interrupted)
    contract = tmp_path / "c.txt"
    contract.write_text("1. The Supplier shall not discriminate.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(contract)])
    assert result.exit_code == 130
    assert "contractcheck: interrupted" in result.output and "Aborted" not in result.output
