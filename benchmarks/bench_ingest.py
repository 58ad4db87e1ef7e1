"""Ingestion benchmark: our PDF reader against raw pypdfium2 text, plus peak memory and DOCX load time.

Run: python benchmarks/bench_ingest.py [--pages 600] [--runs 3]

Why: the reader adds layout work (headers, columns, paragraphs, tables) on top of pypdfium2; this
shows what that costs on a ~600-page contract and whether it stays inside the targets. Test files
are generated once with reportlab / python-docx and cached under .bench/.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench"
sys.path.insert(0, str(ROOT))

_FIXTURES = ROOT / "tests" / "fixtures" / "pdf_fixtures.py"
_SPEC = importlib.util.spec_from_file_location("pdf_fixtures", _FIXTURES)
assert _SPEC and _SPEC.loader
pdf_fixtures = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(pdf_fixtures)

PAGES_PER_COPY = 1.21  # pages one copy of the contract_items() content takes (measured)
TABLE_EVERY = 3  # one table per 3 copies, i.e. every ~3.6 pages

TARGET_PPS = 300.0
TARGET_RATIO = 3.0
TARGET_RSS_MB = 200.0
TARGET_DOCX_S = 2.0


def _items(pages: int) -> list:
    copies = max(1, round(pages / PAGES_PER_COPY))
    return pdf_fixtures.contract_items(copies, TABLE_EVERY, path_table=False)


def build_pdf(pages: int) -> Path:
    path = CACHE / f"contract-{pages}.pdf"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        pdf_fixtures.render(tmp, pdf_fixtures.layout(_items(pages)))
        tmp.replace(path)
    return path


def build_docx(pages: int) -> Path:
    """The same items as the PDF, as Word paragraphs, headings, tables, header and footer."""
    path = CACHE / f"contract-{pages}.docx"
    if path.exists():
        return path
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = docx.Document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = pdf_fixtures.HEADER
    footer = section.footer.paragraphs[0]
    footer.add_run("Sida ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)
    for item in _items(pages):
        kind = item[0]
        if kind == "heading":
            doc.add_heading(item[1], level=1)
        elif kind == "para":
            doc.add_paragraph(item[1])
        elif kind == "lines":
            text = ""
            for line in item[1]:
                if text.endswith("-") and line[:1].islower():
                    text = text[:-1] + line
                else:
                    text = (text + " " + line).strip()
            doc.add_paragraph(text)
        elif kind == "table":
            rows = item[1]
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    CACHE.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    doc.save(str(tmp))
    tmp.replace(path)
    return path


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def paired_times(base, ours, runs: int) -> tuple[float, float, object]:
    """Medians of `base` and `ours` timed in turns, so that a shared machine's drift during the run
    weighs on both sides of the ratio alike."""
    base_t, ours_t, result = [], [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        base()
        base_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        result = ours()
        ours_t.append(time.perf_counter() - t0)
    return statistics.median(base_t), statistics.median(ours_t), result


def raw_pdfium(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    chars = 0
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return chars


def segment_available() -> bool:
    try:
        from contractcheck.segment import segment  # noqa: F401
    except ImportError:
        return False
    return True


_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from contractcheck.memory import peak_rss_kb as hwm_kb
from contractcheck.ingest import load
base = hwm_kb()
doc = load({path!r}, segment={segment!r})
peak = hwm_kb()
print(json.dumps({{"base_kb": base, "peak_kb": peak, "pages": doc.pages}}))
"""


def peak_rss(path: Path, segment: bool) -> dict:
    """Peak RSS of one ingestion, in a fresh interpreter so earlier runs do not pollute it."""
    code = _PROBE.format(root=str(ROOT), path=str(path), segment=segment)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600, help="approximate page count of the test PDF")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median reported)")
    args = parser.parse_args()

    from contractcheck.ingest import load

    t0 = time.perf_counter()
    pdf_path = build_pdf(args.pages)
    print(
        f"test PDF: {pdf_path.relative_to(ROOT)} ({pdf_path.stat().st_size / 2**20:.1f} MiB, "
        f"ready in {time.perf_counter() - t0:.1f} s)"
    )

    segment = segment_available()
    if not segment:
        print("note: contractcheck.segment is not importable yet; measuring load(..., segment=False)")

    raw_s, ours_s, doc = paired_times(
        lambda: raw_pdfium(pdf_path), lambda: load(pdf_path, segment=segment), args.runs
    )
    pages = doc.pages or 0
    rss = peak_rss(pdf_path, segment)
    rss_mb = rss["peak_kb"] / 1024
    base_mb = rss["base_kb"] / 1024

    rows = [
        ("pages", f"{pages}", "", ""),
        ("raw pypdfium2 get_text_range", f"{raw_s:.3f} s ({pages / raw_s:.0f} pages/s)", "", ""),
        (
            f"ours load(segment={segment})",
            f"{ours_s:.3f} s ({pages / ours_s:.0f} pages/s)",
            f">= {TARGET_PPS:.0f} pages/s",
            _ok(pages / ours_s >= TARGET_PPS),
        ),
        (
            "ratio ours/raw",
            f"{ours_s / raw_s:.2f}x",
            f"<= {TARGET_RATIO:.0f}x",
            _ok(ours_s / raw_s <= TARGET_RATIO),
        ),
        (
            "peak RSS (fresh process)",
            f"{rss_mb:.0f} MB (after imports {base_mb:.0f} MB)",
            f"<= {TARGET_RSS_MB:.0f} MB",
            _ok(rss_mb <= TARGET_RSS_MB),
        ),
        ("blocks / clauses", f"{len(doc.blocks)} / {len(doc.clauses)}", "", ""),
    ]

    if importlib.util.find_spec("contractcheck.ingest.docx") is None:
        rows.append(("DOCX load", "skipped: contractcheck.ingest.docx does not exist yet", "", ""))
    else:
        docx_path = build_docx(args.pages)
        try:
            docx_s, ddoc = median_time(lambda: load(docx_path, segment=segment), args.runs)
        except Exception as exc:  # noqa: BLE001 - report, do not crash the benchmark
            rows.append(("DOCX load", f"failed: {type(exc).__name__}: {exc}", "", ""))
        else:
            rows.append(
                (
                    "DOCX load",
                    f"{docx_s:.3f} s ({len(ddoc.blocks)} blocks)",
                    f"<= {TARGET_DOCX_S:.0f} s",
                    _ok(docx_s <= TARGET_DOCX_S),
                )
            )

    print(f"median of {args.runs} runs")
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    for name, value, target, ok in rows:
        print(f"  {name:<{w0}}  {value:<{w1}}  {target:<{w2}}  {ok}".rstrip())
    return 0


def _ok(flag: bool) -> str:
    return "ok" if flag else "MISSED"


if __name__ == "__main__":
    raise SystemExit(main())
