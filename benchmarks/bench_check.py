"""End-to-end `check` speed on the generated ~600-page contract, beside raw pypdfium2, in one run.

Reports pages/s of `Checker.check` with the full default pack (ingestion + segmentation + spaCy
+ matching + grading), the ratio to pypdfium2's raw text extraction of the same file, the peak
RSS of a fresh process doing one check, and the start-up time of `contractcheck --help`.
Targets (issue 3): >= 150 pages/s, peak RSS <= 300 MB, --help <= 0.3 s.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from bench_ingest import build_pdf, paired_times, raw_pdfium  # noqa: E402

_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from contractcheck.memory import peak_rss_kb as hwm
from contractcheck.api import Checker
base = hwm()
Checker().check({path!r})
import resource  # the forked second PDF reader, once waited for
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"base_kb": base, "peak_kb": hwm(), "child_kb": child}}))
"""


def help_time(runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "contractcheck.cli", "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    runs = 5
    pdf = build_pdf(600)
    from contractcheck.api import Checker

    checker = Checker()
    checker.check(pdf)  # warm the compiled matchers, as a long-lived Checker would be
    raw, ours, report = paired_times(lambda: raw_pdfium(pdf), lambda: checker.check(pdf), runs)
    pages = report.documents[0].pages or 0
    code = _PROBE.format(root=str(ROOT), path=str(pdf))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rss = json.loads(out.stdout.strip().splitlines()[-1])
    helpt = help_time(5)
    statuses = {f.requirement: f.status for f in report.documents[0].findings}
    print(
        f"test PDF: {pdf.relative_to(ROOT)} ({pages} pages); medians of {runs} runs, raw and check in turns"
    )
    print(f"  raw pypdfium2 get_text_range  {raw:.3f} s ({pages / raw:.0f} pages/s)")
    print(
        f"  check, full default pack      {ours:.3f} s ({pages / ours:.0f} pages/s)   >= 150 pages/s  "
        f"{'ok' if pages / ours >= 150 else 'MISSED'}"
    )
    print(f"  ratio check/raw               {ours / raw:.1f}x")
    peak, base, child = rss["peak_kb"] // 1024, rss["base_kb"] // 1024, rss["child_kb"] // 1024
    print(
        f"  peak RSS (fresh process)      {peak} MB (after imports {base} MB)"
        f"   <= 300 MB  {'ok' if peak <= 300 else 'MISSED'}"
    )
    print(f"  peak RSS, second PDF reader   {child} MB (a forked copy: most of it shared with the first)")
    print(f"  contractcheck --help          {helpt:.3f} s   <= 0.3 s  {'ok' if helpt <= 0.3 else 'MISSED'}")
    print(f"  findings                      {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
