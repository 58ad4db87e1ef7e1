"""The same audit through a real Dask cluster (scheduler and worker processes on loopback)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, fixture_module, run_cli

from contractcheck.audit.run import AuditRequest, run_audit
from contractcheck.audit.settings import CheckSettings
from contractcheck.audit.store import Store

distributed = pytest.importorskip("distributed")
audit_archive = fixture_module("audit_archive")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dask")
    arch = root / "arch"
    audit_archive.build_text_archive(arch, 4, copies=1)
    pdf, dx = audit_archive.pdf_fixtures(), audit_archive.docx_fixtures()
    pdf.build_swedish(arch / "avtal.pdf")
    dx.build_numbered_contract(arch)
    (arch / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    shutil.copyfile(arch / "contract-000.txt", arch / "copy.txt")
    pack = audit_archive.pin_rules(root)
    pack.rename(root / "pinned")
    return arch


def audit(archive: Path, *extra: str) -> tuple[int, str]:
    args = ["audit", "--fail-on", "never", "--no-default-rules", "--rules", "pinned", *extra, "arch"]
    res = run_cli(*args, cwd=archive.parent)
    assert "Traceback" not in res.stderr
    return res.returncode, res.stdout + res.stderr


def report(archive: Path, db: str) -> str:
    return run_cli("report", "--db", db, "--format", "jsonl", cwd=archive.parent).stdout


def test_dask_audit_gives_the_local_results_and_is_incremental(archive: Path, scheduler: str) -> None:
    code, out = audit(archive, "--db", "local.sqlite", "--jobs", "1")
    assert code == 2 and "audit: 7 checked now" in out  # 8 documents, one a copy; corrupt.pdf cannot be read
    code, out = audit(archive, "--db", "dask.sqlite", "--scheduler", scheduler)
    assert code == 2 and "audit: 7 checked now" in out, out
    assert "corrupt.pdf: corrupt or truncated PDF" in out
    assert report(archive, "dask.sqlite") == report(archive, "local.sqlite")

    code, out = audit(archive, "--db", "dask.sqlite", "--scheduler", scheduler)
    assert code == 2 and "audit: 0 checked now, 8 unchanged" in out
    (archive / "contract-001.txt").write_text(audit_archive.text_contract(99, copies=1), encoding="utf-8")
    code, out = audit(archive, "--db", "dask.sqlite", "--scheduler", scheduler, "--ship", "paths")
    assert "audit: 1 checked now, 7 unchanged" in out
    code, out = audit(archive, "--db", "local.sqlite", "--jobs", "1")
    assert "audit: 1 checked now, 7 unchanged" in out
    assert report(archive, "dask.sqlite") == report(archive, "local.sqlite")


def test_dask_task_that_hangs_or_crashes_is_recorded(
    tmp_path: Path, scheduler: str, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))  # the checker processes on the worker import audit_faults
    arch = tmp_path / "faults"
    arch.mkdir()
    for i, name in enumerate(["good", "hang", "crash"]):
        (arch / f"{name}.txt").write_text(audit_archive.text_contract(i, copies=1), encoding="utf-8")
    store = Store.open(tmp_path / "s.sqlite")
    settings = CheckSettings(packs=[str(archive.parent / "pinned")], default_rules=False)
    request = AuditRequest(
        [str(arch)], settings, timeout=3, scheduler=scheduler, task="audit_faults:check_document"
    )
    outcome = run_audit(request, store)
    docs = {Path(d["path"]).stem: d for d in store.load_documents()}
    store.close()
    assert outcome.checked == 3
    assert docs["hang"]["error"]["code"] == "timeout"
    assert docs["crash"]["error"]["code"] == "worker_crashed"
    assert "SIGSEGV" in docs["crash"]["error"]["message"]
    assert docs["good"]["error"] is None and docs["good"]["findings"]


def test_unreachable_scheduler_is_one_clear_line(archive: Path) -> None:
    code, out = audit(archive, "--db", "x.sqlite", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in out
