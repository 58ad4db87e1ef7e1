"""Batch audit benchmark: parallel speed-up, worker memory, the no-change path, bad files and resume.

Run: python benchmarks/bench_audit.py [--docs 200] [--pages 20] [--runs 3] [--no-dask]

All figures are measured in this one run, side by side (the machine may be shared):
- `contractcheck audit --jobs 2` against `--jobs 1` on DOCS generated contracts (half PDF, half
  DOCX, about PAGES pages each), median of RUNS runs each, runs interleaved; target >= 1.6x;
- peak RSS of every worker process (VmHWM, as the workers report it); target <= 300 MB;
- a re-run on the unchanged archive, start-up included; target <= 1 s + 5 ms per file;
- an archive with 5% bad files (corrupt, encrypted, empty, zip bomb, scanned), audited, killed
  with SIGKILL part-way, and resumed: every good file must carry the findings `check` gives it,
  every bad file its reason, and nothing may be lost or duplicated;
- the same audit on a local Dask cluster (2 workers x 1 thread), and the SQLite writer's own
  ceiling (results stored per second), to show what scales and what does not.
Generated files are cached under .bench/audit/.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench" / "audit"
sys.path.insert(0, str(ROOT))
RULES: list[str] = []  # --no-default-rules --rules COPY: a frozen copy of the built-in pack, set in main()


def _fixture(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "fixtures" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pdf_fixtures = _fixture("pdf_fixtures")
docx_fixtures = _fixture("docx_fixtures")

PAGES_PER_COPY = 1.21  # pages one copy of contract_items() takes in the PDF layout (bench_ingest)


def items(index: int, pages: int) -> list:
    copies = max(1, round(pages / PAGES_PER_COPY))
    text = f"Contract reference {index:04d}: framework agreement for services, lot {index % 7}."
    unique = ("para", text, 0.0)
    return [("heading", f"Framework agreement {index:04d}"), unique, *pdf_fixtures.contract_items(copies, 3)]


def write_docx(path: Path, content: list) -> None:
    import docx

    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = pdf_fixtures.HEADER
    for item in content:
        if item[0] == "heading":
            doc.add_heading(item[1], level=1)
        elif item[0] == "para":
            doc.add_paragraph(item[1])
        elif item[0] == "lines":
            text = ""
            for line in item[1]:
                joined = text.endswith("-") and line[:1].islower()
                text = text[:-1] + line if joined else f"{text} {line}".strip()
            doc.add_paragraph(text)
        elif item[0] == "table":
            rows = item[1]
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    doc.save(str(path))


def build_archive(count: int, pages: int) -> Path:
    folder = CACHE / f"archive-{count}x{pages}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    for i in range(count):
        content = items(i, pages)
        if i % 2 == 0:
            pdf_fixtures.render(folder / f"contract-{i:04d}.pdf", pdf_fixtures.layout(content))
        else:
            write_docx(folder / f"contract-{i:04d}.docx", content)
    (folder / ".complete").write_text("")
    print(f"generated {count} contracts in {time.perf_counter() - t0:.0f} s")
    return folder


def build_bad_archive(good: Path, count: int) -> tuple[Path, dict[str, str]]:
    """95% of the good files plus 5% bad ones: corrupt, encrypted, empty, zip bomb, scanned-only."""
    folder = CACHE / f"bad-archive-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    n_bad = max(5, round(count * 0.05))
    files = sorted(p for p in good.iterdir() if not p.name.startswith("."))[: count - n_bad]
    for p in files:
        os.link(p, folder / p.name)
    bad: dict[str, str] = {}
    for k in range(n_bad):
        kind = k % 5
        if kind == 0:
            path = folder / f"bad-{k:02d}-truncated.pdf"
            path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
            bad[path.name] = "corrupt"
        elif kind == 1:
            path = pdf_fixtures.build_encrypted(folder / f"bad-{k:02d}-encrypted.pdf")
            path.write_bytes(path.read_bytes() + f"% {k}".encode())
            bad[path.name] = "encrypted"
        elif kind == 2:
            path = folder / f"bad-{k:02d}-empty.docx"
            path.write_bytes(b"")
            bad[path.name] = "empty"
        elif kind == 3:
            made = docx_fixtures.build_zip_bomb(folder, inflated=70 * 2**20)
            path = made.rename(folder / f"bad-{k:02d}-bomb.docx")
            bad[path.name] = "too_large"
        else:
            path = pdf_fixtures.build_scanned(folder / f"bad-{k:02d}-scanned.pdf")
            path.write_bytes(path.read_bytes() + f"% {k}".encode())
            bad[path.name] = "no_text_layer"
    return folder, bad


def cli(*args: str, cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-m", "contractcheck.cli", *args], capture_output=True, text=True, cwd=cwd
    )
    elapsed = time.perf_counter() - t0
    if res.returncode not in (0, 1, 2):
        raise SystemExit(f"contractcheck {' '.join(args)} failed ({res.returncode}):\n{res.stderr}")
    return elapsed, res


def timed_audit(archive: Path, work: Path, jobs: int) -> float:
    db = work / f"jobs{jobs}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    args = ["audit", *RULES, "--jobs", str(jobs), "--db", str(db), "--fail-on", "never", str(archive)]
    elapsed, res = cli(*args, cwd=work)
    if f"audit: {len(list(archive.glob('contract-*')))} checked now" not in res.stdout:
        raise SystemExit(f"unexpected audit output:\n{res.stdout[:500]}")
    return elapsed


def worker_peaks(archive: Path, work: Path, jobs: int) -> list[int]:
    """Peak RSS of each worker process, from one audit through the library (the engine reports it)."""
    from contractcheck.audit.run import AuditRequest, run_audit
    from contractcheck.audit.settings import CheckSettings
    from contractcheck.audit.store import Store

    store = Store.open(work / "peaks.sqlite")
    settings = CheckSettings(packs=[RULES[-1]], default_rules=False)
    try:
        outcome = run_audit(AuditRequest([str(archive)], settings, jobs=jobs), store)
    finally:
        store.close()
    assert outcome.stats is not None
    return [kb // 1024 for kb in outcome.stats.peak_rss_kb]


def store_ceiling(n: int = 2000) -> float:
    """Results the single SQLite writer stores per second (7 findings each, like a real result)."""
    from contractcheck.audit.store import Store
    from contractcheck.audit.walk import Found

    finding = {
        "requirement": "R", "pack": "p", "title": "t", "status": "weak", "severity": "high",
        "reasons": [{"code": "W1", "message": "hedged"}], "missing_elements": ["a"],
        "evidence": [{"clause": "4.3", "page": 2, "text": "x" * 300, "start": 1, "end": 301}],
        "remediation": "y" * 300, "references": ["ILO C111"],
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "s.sqlite")
        run = store.start_run(version="0", settings_hash="h", settings={}, rulepacks=[], engine="b", roots=[])
        t0 = time.perf_counter()
        for i in range(n):
            findings = [dict(finding, requirement=f"R{k}") for k in range(7)]
            result = {"path": f"f{i}", "format": "pdf", "language": "en", "pages": 20, "error": None,
                      "warnings": [], "findings": findings}  # fmt: skip
            found = Found(f"f{i}", f"/x/f{i}", 1, 1, 1, i)
            store.save_result(run, sha256=f"{i:064x}", settings_hash="h", version="0", result=result,
                              paths=[found], seconds=0.1)  # fmt: skip
        rate = n / (time.perf_counter() - t0)
        store.close()
    return rate


def bad_files_and_resume(archive: Path, bad: dict[str, str], work: Path) -> list[str]:
    """Audit, kill -9 part-way, resume; compare with `check`. Returns the problems found (none is good)."""
    db = work / "bad.sqlite"
    args = ["audit", *RULES, "--jobs", "2", "--db", str(db), "--fail-on", "never", str(archive)]
    cmd = [sys.executable, "-m", "contractcheck.cli", *args]
    proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    while stored < len(list(archive.iterdir())) // 3 and proc.poll() is None:
        time.sleep(0.1)
        try:
            conn = sqlite3.connect(db, timeout=5)
            stored = conn.execute("SELECT count(*) FROM results").fetchone()[0]
            conn.close()
        except sqlite3.Error:
            pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    problems = []
    print(f"  killed with SIGKILL after {stored} of {len(list(archive.iterdir()))} documents were stored")
    _, res = cli(*args, "--format", "json", cwd=work)
    report = json.loads(res.stdout)
    docs = {Path(d["path"]).name: d for d in report["documents"]}
    stderr_lines = res.stderr.splitlines()
    for name, code in bad.items():
        got = docs.get(name, {}).get("error") or {}
        if got.get("code") != code:
            problems.append(f"{name}: expected {code}, got {got}")
        if sum(name in line for line in stderr_lines) != 1:
            problems.append(f"{name}: not listed exactly once on stderr")
    good = sorted(str(p) for p in archive.iterdir() if p.name not in bad)
    _, checked = cli("check", *RULES, "--format", "json", "--fail-on", "never", *good, cwd=work)
    for expected in json.loads(checked.stdout)["documents"]:
        got = docs.get(Path(expected["path"]).name)
        if got is None or got["findings"] != expected["findings"] or got["sha256"] != expected["sha256"]:
            problems.append(f"{expected['path']}: audit and check disagree")
    conn = sqlite3.connect(db)
    n_docs, n_results, dup = conn.execute(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM results), "
        "(SELECT count(*) - count(DISTINCT sha256 || settings_hash) FROM results)"
    ).fetchone()
    conn.close()
    if n_docs != len(docs) or len(docs) != len(good) + len(bad) or dup:
        problems.append(f"store: {n_docs} documents, {n_results} results, {dup} duplicates, {len(docs)} seen")
    print(
        f"  after resume: {len(good)} good files, {len(bad)} bad files; {n_docs} documents stored, "
        f"{dup} duplicate results"
    )
    return problems


def dask_audit(archive: Path, work: Path) -> tuple[float, bool] | None:
    try:
        from distributed import LocalCluster
    except ImportError:
        return None
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:  # fmt: skip
        db = work / "dask.sqlite"
        args = ["--scheduler", cluster.scheduler_address, "--db", str(db), "--fail-on", "never", str(archive)]
        elapsed, res = cli("audit", *RULES, *args, cwd=work)
    same = f"audit: {len(list(archive.glob('contract-*')))} checked now" in res.stdout
    _, ours = cli("report", "--db", str(db), "--format", "jsonl", cwd=work)
    _, local = cli("report", "--db", str(work / "jobs2.sqlite"), "--format", "jsonl", cwd=work)
    return elapsed, same and ours.stdout == local.stdout


def ok(flag: bool) -> str:
    return "ok" if flag else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()

    archive = build_archive(args.docs, args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        from contractcheck.rulepack import builtin_rules_dir

        shutil.copytree(builtin_rules_dir() / "human-rights", work / "rules")
        RULES[:] = ["--no-default-rules", "--rules", str(work / "rules")]
        pages = _pages(archive)
        n_pdf = (args.docs + 1) // 2
        print(f"archive: {args.docs} generated contracts ({n_pdf} PDF, {args.docs - n_pdf} DOCX), "
              f"{pages} pages in the PDFs, {_mib(archive):.0f} MiB; {os.cpu_count()} cores")  # fmt: skip
        times: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.runs):
            for jobs in (1, 2):
                times[jobs].append(timed_audit(archive, work, jobs))
        t1, t2 = statistics.median(times[1]), statistics.median(times[2])
        for jobs, t in ((1, t1), (2, t2)):
            runs = ", ".join(f"{x:.1f}" for x in times[jobs])
            print(f"  audit --jobs {jobs}                  {t:6.1f} s  (runs: {runs})")
        print(f"  speed-up jobs 2 / jobs 1        {t1 / t2:6.2f}x   >= 1.6x  {ok(t1 / t2 >= 1.6)}")
        peaks = worker_peaks(archive, work, 2)
        print(f"  peak RSS per worker             {', '.join(f'{p} MB' for p in peaks)}   <= 300 MB  "
              f"{ok(max(peaks) <= 300)}")  # fmt: skip
        nochange = []
        for _ in range(args.runs):
            again = ["audit", *RULES, "--db", str(work / "jobs2.sqlite"), "--fail-on", "never", str(archive)]
            elapsed, res = cli(*again, cwd=work)
            if "audit: 0 checked now" not in res.stdout:
                raise SystemExit(f"the re-run checked documents again:\n{res.stdout[:300]}")
            nochange.append(elapsed)
        budget = 1.0 + 0.005 * args.docs
        nc = statistics.median(nochange)
        print(f"  re-run, unchanged archive       {nc:6.2f} s  (start-up included)   <= {budget:.2f} s  "
              f"{ok(nc <= budget)}")  # fmt: skip
        rate = store_ceiling()
        print(f"  SQLite writer alone             {rate:6.0f} results/s (7 findings each)")
        if not args.no_dask:
            measured = dask_audit(archive, work)
            if measured is None:
                print("  Dask                            not installed (pip install 'contractcheck[dask]')")
            else:
                dt, same = measured
                print(f"  Dask, 2 workers x 1 thread      {dt:6.1f} s  (local --jobs 2: {t2:.1f} s; cluster "
                      f"start-up not included); same results as local: {ok(same)}")  # fmt: skip
        kinds = "corrupt, encrypted, empty, zip bomb, scanned"
        print(f"bad files: {max(5, round(args.docs * 0.05))} of {args.docs} ({kinds})")
        bad_archive, bad = build_bad_archive(archive, args.docs)
        problems = bad_files_and_resume(bad_archive, bad, work)
        print(f"  every good file as `check` gives it, every bad file with its reason, nothing lost: "
              f"{ok(not problems)}")  # fmt: skip
        for p in problems[:20]:
            print(f"    {p}")
        shutil.rmtree(bad_archive, ignore_errors=True)
    return 0


def _pages(archive: Path) -> int:
    import pypdfium2 as pdfium

    total = 0
    for p in archive.glob("*.pdf"):
        doc = pdfium.PdfDocument(str(p))
        total += len(doc)
        doc.close()
    return total


def _mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir()) / 2**20


if __name__ == "__main__":
    sys.exit(main())
