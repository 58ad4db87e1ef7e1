"""`contractcheck eval`: the scoring rules of DESIGN §2.4 and the command on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from docx import Document as DocxDocument

from contractcheck.accuracy.gold import GoldDocument, GoldError, GoldLabel, load_gold
from contractcheck.accuracy.score import Outcome, Scope, scope_of, tally
from contractcheck.rulepack import load_ruleset

# --------------------------------------------------------------------------------------------
# Scoring rules, on hand-made outcomes


def _outcome(gold: str, predicted: str, req: str = "NONDISC", lang: str = "en", **kw) -> Outcome:
    doc = GoldDocument(Path("x.txt"), "x.txt", lang, {}, Path("gold.yaml"), 1)
    label = GoldLabel(req, gold, reasons=kw.pop("gold_reasons", []), evidence=kw.pop("gold_evidence", []))
    return Outcome(doc, label, predicted, **kw)


def test_presence_counts_follow_the_design_rules() -> None:
    c = tally(
        [
            _outcome("met", "weak"),  # tp, graded wrong
            _outcome("weak", "weak"),  # tp, graded right
            _outcome("present", "met"),  # tp, not graded
            _outcome("weak", "missing"),  # fn
            _outcome("met", "not_applicable"),  # fn
            _outcome("missing", "met"),  # fp, false met
            _outcome("missing", "weak"),  # fp, false presence only
            _outcome("missing", "not_applicable"),  # tn
            _outcome("missing", "error"),  # tn
            _outcome("not_applicable", "met"),  # left out of presence
            _outcome("not_applicable", "missing"),  # left out, but flagged
            _outcome("not_applicable", "not_applicable"),
        ]
    )
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 2, 2, 2)
    assert (c.graded, c.grade_ok) == (2, 1)
    assert (c.negatives, c.false_presence, c.false_met) == (4, 2, 1)
    assert (c.not_applicable, c.flagged_not_applicable) == (3, 2)
    assert c.precision == pytest.approx(3 / 5)
    assert c.recall == pytest.approx(3 / 5)
    assert c.f1 == pytest.approx(0.6)
    assert c.false_met_rate == pytest.approx(0.25)


def test_ratios_without_a_denominator_are_undefined_not_zero() -> None:
    c = tally([_outcome("not_applicable", "not_applicable")])
    assert c.precision is None and c.recall is None and c.f1 is None and c.grade_accuracy is None


def test_macro_f1_only_over_requirements_with_three_positives() -> None:
    outcomes = [_outcome("met", "met", "NONDISC") for _ in range(3)]
    outcomes += [_outcome("met", "missing", "CHILD-LABOUR") for _ in range(2)]  # too few to count
    outcomes += [_outcome("weak", "weak", "ACCESS-ICT") for _ in range(2)]
    outcomes += [_outcome("weak", "missing", "ACCESS-ICT"), _outcome("missing", "met", "ACCESS-ICT")]
    scope: Scope = scope_of(outcomes, ["NONDISC", "CHILD-LABOUR", "ACCESS-ICT"])
    assert scope.eligible == ["NONDISC", "ACCESS-ICT"]
    assert scope.macro_f1 == pytest.approx((1.0 + 4 / 6) / 2)


def test_disagreement_kinds_and_evidence_location() -> None:
    quote = "The Supplier shall not discriminate against any worker on any ground."
    assert _outcome("weak", "missing").kind == "missed"
    assert _outcome("missing", "weak").kind == "false_presence"
    assert _outcome("met", "weak").kind == "grade"
    assert _outcome("present", "weak").kind == ""
    assert _outcome("not_applicable", "missing").kind == "flagged_not_applicable"
    hit = _outcome("met", "met", gold_evidence=[quote], evidence_text=["4.2 " + quote.replace(" ", "\n", 3)])
    miss = _outcome("met", "met", gold_evidence=[quote], evidence_text=["Payment is due in 30 days."])
    assert hit.evidence_located and not miss.evidence_located


def test_weakness_classes_named_are_counted_on_labels_graded_weak() -> None:
    c = tally([_outcome("weak", "weak", gold_reasons=["W1", "W4", "NONDISC.E3"], reasons=["W1", "W5"])])
    assert (c.classes_gold, c.classes_named) == (2, 1)


# --------------------------------------------------------------------------------------------
# The command on a corpus of real files made from the pack's own examples


def _write_docx(path: Path, text: str) -> None:
    doc = DocxDocument()
    for para in text.split("\n\n"):
        doc.add_paragraph(" ".join(para.split("\n")))
    doc.save(str(path))


def _corpus(root: Path, requirement: str = "NONDISC", lang: str = "en") -> dict[str, str]:
    """One document per example of `requirement` in `lang`; some as DOCX. Returns file -> status."""
    rule = next(r for r in load_ruleset().rules if r.id == requirement)
    root.mkdir(parents=True, exist_ok=True)
    labels: dict[str, str] = {}
    entries = []
    for i, ex in enumerate(e for e in rule.examples if e.lang == lang):
        name = f"{requirement.lower()}-{i}.{'docx' if i % 2 else 'txt'}"
        if name.endswith(".docx"):
            _write_docx(root / name, ex.text)
        else:
            (root / name).write_text(ex.text, encoding="utf-8")
        labels[name] = ex.status
        entry = f"  - file: {name}\n    language: {lang}\n    labels:\n      {requirement}: {ex.status}\n"
        if ex.status in ("met", "weak"):
            first = " ".join(ex.text.split())[:60].replace('"', "'")
            entry += f'    evidence:\n      {requirement}: "{first}"\n'
        entries.append(entry)
    (root / "gold.yaml").write_text("version: 1\ndocuments:\n" + "".join(entries), encoding="utf-8")
    return labels


def test_eval_agrees_with_the_rule_examples(tmp_path: Path) -> None:
    labels = _corpus(tmp_path / "set")
    proc = run_cli("eval", str(tmp_path / "set"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    s = json.loads(proc.stdout)["sets"][0]
    assert s["documents"] == len(labels)
    c = s["overall"]["requirements"]["NONDISC"]
    positives = sum(v in ("met", "weak") for v in labels.values())
    assert (c["tp"], c["fn"], c["fp"]) == (positives, 0, 0)
    assert c["tn"] == sum(v == "missing" for v in labels.values())
    assert s["disagreements"] == []
    assert c["located"] == c["with_gold_evidence"] == positives


def test_eval_reports_each_disagreement_and_enforces_min_f1(tmp_path: Path) -> None:
    labels = _corpus(tmp_path / "set")
    gold = tmp_path / "set" / "gold.yaml"
    met = next(name for name, status in labels.items() if status == "met")
    text = gold.read_text(encoding="utf-8")
    entry = text.index(f"file: {met}")
    end = text.find("  - file:", entry)
    end = len(text) if end < 0 else end
    block = text[entry:end]
    wrong = block.replace("NONDISC: met", "NONDISC: missing").split("    evidence:")[0]
    gold.write_text(text[:entry] + wrong + text[end:], encoding="utf-8")

    proc = run_cli("eval", str(tmp_path / "set"), "--format", "json")
    s = json.loads(proc.stdout)["sets"][0]
    c = s["overall"]["requirements"]["NONDISC"]
    assert (c["fp"], c["false_presence"], c["false_met"], c["negatives"]) == (1, 1, 1, c["tn"] + 1)
    [d] = s["disagreements"]
    assert (d["document"], d["kind"], d["gold"], d["predicted"]) == (met, "false_presence", "missing", "met")
    assert d["predicted_evidence"], "a false alarm must show what the tool took as evidence"

    text_out = run_cli("eval", str(tmp_path / "set"), "--min-f1", "0.99")
    assert text_out.returncode == 1
    assert f"{met}  NONDISC  false_presence: gold missing → predicted met" in text_out.stdout
    assert "presence macro-F1" in text_out.stderr


def test_two_sets_are_scored_apart_with_the_gap(tmp_path: Path) -> None:
    _corpus(tmp_path / "dev", "NONDISC", "en")
    _corpus(tmp_path / "test", "NONDISC", "sv")
    proc = run_cli("eval", str(tmp_path / "dev"), str(tmp_path / "test"), "--no-disagreements")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("== ") == 2
    assert f"macro-F1 {tmp_path / 'dev'} → {tmp_path / 'test'}" in proc.stdout


def test_unreadable_document_is_scored_as_predicting_nothing(tmp_path: Path) -> None:
    root = tmp_path / "set"
    root.mkdir()
    (root / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not a pdf")
    (root / "gold.yaml").write_text(
        "version: 1\ndocuments:\n  - file: broken.pdf\n    language: en\n    labels:\n"
        "      NONDISC: weak\n    reasons:\n      NONDISC: [W1]\n    evidence:\n      NONDISC: x\n",
        encoding="utf-8",
    )
    proc = run_cli("eval", str(root), "--format", "json")
    s = json.loads(proc.stdout)["sets"][0]
    assert s["unreadable"][0]["document"] == "broken.pdf"
    assert s["overall"]["requirements"]["NONDISC"]["fn"] == 1
    assert s["disagreements"][0]["predicted"] == "error"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "version: 1\ndocuments:\n  - file: a.txt\n    labels:\n      NONDISC: great\n",
            "5: label for NONDISC",
        ),
        (
            "version: 1\ndocuments:\n  - file: nothere.txt\n    labels: {NONDISC: met}\n",
            "3: document 'nothere.txt'",
        ),
        (
            "version: 1\ndocuments:\n  - file: a.txt\n    labels: {NONDISC: met}\n    reasons: {NONDISC: [W1]}\n",
            "5: reasons given for NONDISC",
        ),
        (
            "version: 1\ndocuments:\n  - file: a.txt\n    labels: {NONDISC: weak}\n    reasons: {NONDISC: [W11]}\n",
            "5: reason 'W11'",
        ),
        ("version: 2\ndocuments: []\n", "1: unsupported gold version 2"),
        ("version: 1\ndocuments:\n  - file: a.txt\n    lables: {}\n", "4: unknown key 'lables'"),
        ("version: 1\ndocuments: [\n", "invalid YAML"),
    ],
)
def test_bad_gold_files_are_reported_with_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "a.txt").write_text("The Supplier shall deliver the goods.", encoding="utf-8")
    gold = tmp_path / "gold.yaml"
    gold.write_text(body, encoding="utf-8")
    with pytest.raises(GoldError) as err:
        load_gold(gold)
    assert f"{gold}:" in str(err.value) and message in str(err.value)
    proc = run_cli("eval", str(tmp_path))
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_folder_without_gold_is_an_error(tmp_path: Path) -> None:
    proc = run_cli("eval", str(tmp_path))
    assert proc.returncode == 2
    assert "no gold.yaml under this folder" in proc.stderr
