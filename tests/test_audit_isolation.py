"""Worker isolation: a document that hangs, crashes its worker, exhausts its memory or raises is
recorded with its reason; the worker is killed and replaced and the other documents are checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, fixture_module

from contractcheck.audit.child import WorkerSetupError
from contractcheck.audit.run import AuditRequest, run_audit
from contractcheck.audit.settings import CheckSettings
from contractcheck.audit.store import Store
from contractcheck.rulepack import load_ruleset

audit_archive = fixture_module("audit_archive")
FAULTS = "audit_faults:check_document"


@pytest.fixture()
def faulty_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(FIXTURES))  # the workers import audit_faults from here
    arch = tmp_path / "arch"
    arch.mkdir()
    for i, name in enumerate(["good-1", "hang", "crash", "good-2", "oom", "raise", "good-3"]):
        (arch / f"{name}.txt").write_text(audit_archive.text_contract(i, copies=1), encoding="utf-8")
    return arch


@pytest.fixture(scope="module")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> CheckSettings:
    pack = audit_archive.pin_rules(tmp_path_factory.mktemp("rules"))
    return CheckSettings(packs=[str(pack)], default_rules=False)


def by_name(store: Store) -> dict[str, dict]:
    return {Path(d["path"]).stem: d for d in store.load_documents()}


def test_hang_crash_oom_and_exceptions_are_recorded_and_the_audit_goes_on(
    faulty_archive: Path, pinned: CheckSettings
) -> None:
    store = Store.open(faulty_archive.parent / "s.sqlite")
    args = {"jobs": 2, "timeout": 2, "task": FAULTS, "settings": pinned}
    request = AuditRequest([str(faulty_archive)], max_memory_mb=450, **args)  # type: ignore[arg-type]
    problems: list[tuple[str, str, str]] = []
    outcome = run_audit(request, store, on_problem=lambda *p: problems.append(p))
    docs = by_name(store)
    assert outcome.checked == 7 and not outcome.interrupted
    assert outcome.stats is not None and outcome.stats.workers_replaced >= 3
    assert docs["hang"]["error"]["code"] == "timeout"
    assert "no result within 2 s" in docs["hang"]["error"]["message"]
    assert docs["crash"]["error"]["code"] == "worker_crashed"
    assert "SIGSEGV" in docs["crash"]["error"]["message"]
    assert docs["oom"]["error"]["code"] == "worker_crashed"
    assert "--max-memory 450 MB" in docs["oom"]["error"]["message"]
    assert docs["raise"]["error"]["code"] == "worker_crashed"
    assert "RuntimeError: boom" in docs["raise"]["error"]["message"]
    rules = len(load_ruleset(pinned.packs, default=False).rules)
    for good in ("good-1", "good-2", "good-3"):
        assert docs[good]["error"] is None and len(docs[good]["findings"]) == rules
    assert sorted(Path(p).stem for p, _, _ in problems) == ["crash", "hang", "oom", "raise"]

    again = run_audit(AuditRequest([str(faulty_archive)], **args), store)  # type: ignore[arg-type]
    assert again.checked == 0 and again.stats is None  # stored errors are results too: no worker started
    for name in ("crash", "oom", "raise"):
        (faulty_archive / f"{name}.txt").unlink()
    retried = run_audit(AuditRequest([str(faulty_archive)], retry_errors=True, **args), store)  # type: ignore[arg-type]
    assert retried.checked == 1  # timeout and worker_crashed are tried again on request
    assert by_name(store)["hang"]["error"]["code"] == "timeout"
    rows = store.conn.execute("SELECT count(*), count(DISTINCT sha256) FROM results").fetchone()
    store.close()
    assert rows[0] == rows[1] == 7  # the retried result replaced the old one, never duplicated it


def test_a_worker_that_cannot_start_stops_the_audit_with_a_clear_reason(faulty_archive: Path) -> None:
    store = Store.open(faulty_archive.parent / "s.sqlite")
    request = AuditRequest([str(faulty_archive)], jobs=1, task="audit_faults:no_such_function")
    with pytest.raises(WorkerSetupError, match="no_such_function"):
        run_audit(request, store)
    assert store.latest_run()["status"] == "failed"
    assert store.load_documents() == []
    store.close()
