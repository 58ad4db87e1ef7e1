"""PDF reader: pypdfium2 for text and layout, pdfplumber only for tables pypdfium2 cannot resolve.

Why this shape: pypdfium2 extracts text at roughly the speed of pdftotext, while pdfminer-based
tools are 30-100x slower (see /work/shared/perf-notes.md). So every page goes through one fast
pass that yields positioned line segments (text runs with a bounding box, baseline, font size and
weight). Everything else -- running header/footer removal, column order, hyphen repair, paragraph
grouping, ruled tables -- is plain geometry in Python on those segments. pdfplumber is opened only
for a page whose table rulings are drawn as one complex path we do not parse ourselves.
"""

from __future__ import annotations

import ctypes
import io
import os
import pickle
import re
import signal
import statistics
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import LoadError
from ..model import Block, Notice
from ..numbering import starts_clause
from .base import Extracted, Limits

__all__ = ["read"]

HYPHEN = "\x02"  # our end-of-line hyphen marker (pdfium's own marker for a hyphen it saw at a line end)
_PDFIUM_HYPHENS = "\x02\ufffe"
_LINE_END_HYPHENS = "-\u00ad\u2010" + _PDFIUM_HYPHENS
_SENTENCE_END = tuple(".:;!?")
# Word/LibreOffice bullets in the Symbol and Wingdings fonts come out as private-use code points.
_PUA_BULLETS = str.maketrans(
    {
        "\uf0b7": "•",
        "\uf0a7": "▪",
        "\uf0d8": "➢",
        "\uf076": "❖",
        "\uf0fc": "✓",
        "\uf0a8": "□",
        "\uf06c": "●",
        "\uf06e": "■",
        "\uf0e0": "→",
    }
)
_BULLETS = frozenset("•▪➢❖✓□●■→◦‣–-*")
_COMPOUND_CONTINUERS = frozenset({"och", "eller", "samt", "resp", "respektive", "and", "or", "nor", "to"})
_BOLD_NAME = re.compile(rb"bold|black|heavy|demi", re.IGNORECASE)
_FORCE_BOLD = 0x40000

_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|sida|sid|s\.|p\.|pg\.?)\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?"
    r"(?:\s*(?:of|av|/|\|)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_EDGE_LINES = 3  # how many lines at the top/bottom of a page may be running headers/footers
_BAND = 0.07  # top/bottom margin band, as a fraction of the page height
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


_Rule = tuple[float, float, float]  # (position, start, end) of a horizontal or vertical ruling
_Table = tuple[tuple[float, float, float, float], list[list[str]]]  # (x0, bottom, x1, top), rows of cells


@dataclass(slots=True)
class _Seg:
    """A run of text on one visual line, or (rows set) a whole table, in PDF user-space points."""

    x0: float
    x1: float
    bottom: float
    top: float
    base: float
    text: str
    size: float
    bold: bool
    rows: list[list[str]] | None = None


@dataclass(slots=True)
class _Line:
    """A visual line in reading order, with what paragraph grouping needs to know."""

    page: int
    region: int
    x0: float
    x1: float
    base: float
    text: str
    size: float
    bold: bool
    right: float  # right edge of the line's column/region, to tell short lines from full ones
    pitch: float  # typical line pitch on this page
    rows: list[list[str]] | None = None


_PARALLEL_PAGES = 64  # below this, forking costs more than the second reader saves


@dataclass
class _Page:
    number: int
    width: float
    height: float
    x_origin: float
    y_origin: float
    segs: list[_Seg] = field(default_factory=list)
    has_text: bool = False
    has_objects: bool = False
    needs_plumber: bool = False


# --------------------------------------------------------------------------------------------
# Entry point


def read(data: bytes, limits: Limits) -> Extracted:
    """Read a PDF into paragraph/heading/table blocks in reading order, headers kept apart.

    Raises LoadError with code corrupt, encrypted, too_large or no_text_layer.
    """
    pdf = _open(data)
    try:
        count = len(pdf)
        if count > limits.max_pages:
            raise LoadError(f"too many pages ({count}; limit {limits.max_pages})", code="too_large")
        pages = _read_pages(pdf, count, limits.pdf_readers)
    finally:
        pdf.close()
    slow = [p for p in pages if p.needs_plumber]
    if slow:
        _plumber_tables(data, slow)
    if count == 0:
        raise LoadError("the PDF has no pages", code="corrupt")

    warnings: list[Notice] = []
    textless = [p for p in pages if not p.has_text]
    if len(textless) == count:
        raise LoadError("no page has a text layer (scanned PDF?); OCR it first", code="no_text_layer")
    scanned = [p for p in textless if p.has_objects]
    if scanned:
        warnings.append(Notice("partial_text_layer", f"{len(scanned)} of {count} pages have no text layer"))

    headers = _remove_running_lines(pages)
    lines = [line for page in pages for line in _order_page(page)]
    blocks = _group(lines, _body_size(lines))
    return Extracted(blocks=blocks, pages=count, headers=headers, warnings=warnings)


def _open(data: bytes) -> pdfium.PdfDocument:
    """Open with pypdfium2 and turn its error codes into the contract's error codes."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise LoadError("password-protected PDF; remove the password first", code="encrypted") from None
        message = "corrupt or truncated PDF (cannot parse the file structure)"
        raise LoadError(message, code="corrupt") from None


# --------------------------------------------------------------------------------------------
# Pass 1: positioned segments per page (pypdfium2)


def _read_pages(pdf: pdfium.PdfDocument, count: int, readers: int) -> list[_Page]:
    """Every page in order. A long PDF's second half is read at the same time by a forked copy of
    this process, which hands its pages back pickled: pdfium cannot be used from two threads."""
    # Linux only: fork is unsafe on macOS once system frameworks are loaded, and absent on Windows.
    if readers < 2 or count < _PARALLEL_PAGES or sys.platform != "linux" or threading.active_count() > 1:
        return [_read_page(pdf, i) for i in range(count)]
    half = count // 2
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: read the second half, send it, and leave without any clean-up
        status = 1
        try:
            os.close(r)
            try:
                result: tuple = ("ok", [_read_page(pdf, i) for i in range(half, count)])
            except LoadError as exc:
                result = ("error", exc.message, exc.code)
            with os.fdopen(w, "wb") as out:
                out.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            status = 0
        finally:
            os._exit(status)
    os.close(w)
    try:
        with os.fdopen(r, "rb") as inp:
            first = [_read_page(pdf, i) for i in range(half)]
            payload = inp.read()
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.waitpid(pid, 0)
    if not payload:  # the copy died without a word: read its half here
        return first + [_read_page(pdf, i) for i in range(half, count)]
    result = pickle.loads(payload)
    if result[0] == "error":
        raise LoadError(result[1], code=result[2])
    return first + result[1]


def _read_page(pdf: pdfium.PdfDocument, index: int) -> _Page:
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        raise LoadError(f"corrupt PDF: page {index + 1} cannot be read", code="corrupt") from None
    try:
        left, bottom, right, top = page.get_bbox()  # inherits MediaBox/CropBox from the page tree
        result = _Page(index + 1, right - left, top - bottom, left, bottom)
        result.has_objects = pdfium_c.FPDFPage_CountObjects(page) > 0
        textpage = page.get_textpage()
        try:
            result.segs = _segments(textpage)
        finally:
            textpage.close()
        result.has_text = any(s.text.strip() for s in result.segs)
        if result.has_text and _maybe_table(result.segs):
            _extract_tables(page, result)
    except pdfium.PdfiumError:
        raise LoadError(f"corrupt PDF: page {index + 1} cannot be read", code="corrupt") from None
    finally:
        page.close()
    return result


class _Probe:
    """Reusable ctypes out-parameters, so the per-line calls allocate nothing."""

    def __init__(self) -> None:
        self.l, self.t, self.r, self.b = (ctypes.c_double() for _ in range(4))
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.flags = ctypes.c_int()
        self.name = ctypes.create_string_buffer(128)
        self.bold_names: set[bytes] = set()
        self.plain_names: set[bytes] = set()


def _segments(textpage: pdfium.PdfTextPage) -> list[_Seg]:
    """Positioned text runs of a page.

    Fast path: the page text in one call, split into pdfium's own lines (it also marks a hyphen
    at a line end with U+FFFE and glues the next line on; we split there too). A line whose
    characters sit in one rectangle (or several close together) is one segment; only lines with
    big horizontal gaps (columns, table cells) or several baselines fall back to per-rectangle text.
    """
    n = pdfium_c.FPDFText_CountChars(textpage)
    if n <= 0:
        return []
    text = textpage.get_text_range(0, n)
    probe = _Probe()
    if len(text) != n:  # chars and text units disagree (rare): no index arithmetic possible
        return _segments_by_rects(textpage, probe, 0, n)
    segs: list[_Seg] = []
    for m in re.finditer(r"[^\r\n\ufffe\x02]+[\ufffe\x02]?", text):
        piece = m.group()
        if not piece.strip():
            continue
        start, end = m.start(), m.end()
        segs.extend(_piece_segments(textpage, probe, piece, start, end))
    return segs


def _rects(textpage: pdfium.PdfTextPage, probe: _Probe, start: int, count: int) -> list[tuple[float, ...]]:
    nrect = pdfium_c.FPDFText_CountRects(textpage, start, count)
    out = []
    for k in range(max(nrect, 0)):
        if pdfium_c.FPDFText_GetRect(textpage, k, probe.l, probe.t, probe.r, probe.b):
            out.append((probe.l.value, probe.b.value, probe.r.value, probe.t.value))
    return out


def _piece_segments(
    textpage: pdfium.PdfTextPage, probe: _Probe, piece: str, start: int, end: int
) -> list[_Seg]:
    rects = _rects(textpage, probe, start, end - start)
    if not rects:
        return []
    groups = _merge_rects(rects)
    if len(groups) == 1:
        x0, bottom, x1, top = groups[0]
        first = start + (len(piece) - len(piece.lstrip()))
        return [_make_seg(textpage, probe, first, x0, x1, bottom, top, _clean(piece))]
    return [seg for g in groups if (seg := _bounded_seg(textpage, probe, g)) is not None]


def _segments_by_rects(textpage: pdfium.PdfTextPage, probe: _Probe, start: int, count: int) -> list[_Seg]:
    segs = []
    for g in _merge_rects(_rects(textpage, probe, start, count)):
        seg = _bounded_seg(textpage, probe, g)
        if seg is not None:
            segs.append(seg)
    return segs


def _merge_rects(rects: list[tuple[float, ...]]) -> list[tuple[float, float, float, float]]:
    """Group rectangles into runs on one baseline without big horizontal gaps."""
    if len(rects) == 1:
        return [rects[0]]  # type: ignore[list-item]
    rects = sorted(rects, key=lambda r: (-(r[1] + r[3]) / 2, r[0]))
    lines: list[list[tuple[float, ...]]] = []
    for r in rects:
        mid, h = (r[1] + r[3]) / 2, max(r[3] - r[1], 1.0)
        for line in lines:
            lr = line[0]
            if abs((lr[1] + lr[3]) / 2 - mid) < 0.5 * max(h, lr[3] - lr[1]):
                line.append(r)
                break
        else:
            lines.append([r])
    out = []
    for line in lines:
        line.sort(key=lambda r: r[0])
        cur = list(line[0])
        for r in line[1:]:
            gap_limit = 1.6 * max(cur[3] - cur[1], r[3] - r[1], 4.0)
            if r[0] - cur[2] > gap_limit:
                out.append(tuple(cur))
                cur = list(r)
            else:
                cur = [min(cur[0], r[0]), min(cur[1], r[1]), max(cur[2], r[2]), max(cur[3], r[3])]
        out.append(tuple(cur))
    return out


def _bounded_seg(textpage: pdfium.PdfTextPage, probe: _Probe, g: tuple[float, ...]) -> _Seg | None:
    x0, bottom, x1, top = g
    shrink = (top - bottom) * 0.2
    # Shrink only the top: a full stop sits on the baseline and has a tiny box ("1.1" must not read "11").
    text = textpage.get_text_bounded(x0 - 0.5, bottom, x1 + 0.5, top - shrink)
    text = _clean(text)
    if not text.strip():
        return None
    idx = pdfium_c.FPDFText_GetCharIndexAtPos(textpage, x0 + 1.0, (bottom + top) / 2, 3.0, 3.0)
    return _make_seg(textpage, probe, idx, x0, x1, bottom, top, text)


def _make_seg(
    textpage: pdfium.PdfTextPage,
    probe: _Probe,
    idx: int,
    x0: float,
    x1: float,
    bottom: float,
    top: float,
    text: str,
) -> _Seg:
    base, size, bold = bottom, top - bottom, False
    if idx >= 0:
        if pdfium_c.FPDFText_GetCharOrigin(textpage, idx, probe.x, probe.y):
            base = probe.y.value
        size = pdfium_c.FPDFText_GetFontSize(textpage, idx) or size
        pdfium_c.FPDFText_GetFontInfo(textpage, idx, probe.name, 128, probe.flags)
        name = probe.name.value
        bold = probe.flags.value & _FORCE_BOLD or name in probe.bold_names
        if name not in probe.bold_names and name not in probe.plain_names:
            (probe.bold_names if _BOLD_NAME.search(name) else probe.plain_names).add(name)
            bold = bold or name in probe.bold_names
        bold = bool(bold)
    return _Seg(x0, x1, bottom, top, base, text, round(size, 1), bold)


def _clean(text: str) -> str:
    """Strip, map Symbol/Wingdings bullets to Unicode, and turn pdfium's hyphen markers into ours."""
    text = text.replace("\r", " ").replace("\n", " ").translate(_PUA_BULLETS).strip()
    marked = bool(text) and text[-1] in _PDFIUM_HYPHENS
    body = _fix_hyphen(text[:-1] if marked else text)
    return body + HYPHEN if marked else body


# --------------------------------------------------------------------------------------------
# Tables


def _maybe_table(segs: list[_Seg]) -> bool:
    """Cheap test: table cells show up as two or more segments on one baseline."""
    bases = Counter(round(s.base) for s in segs)
    return sum(1 for c in bases.values() if c >= 2) >= 2


def _extract_tables(page: pdfium.PdfPage, result: _Page) -> None:
    """Replace the segments inside ruled tables by one table item each (rows of cell texts)."""
    hrules, vrules, complex_paths = _rules(page)
    if complex_paths:
        result.needs_plumber = True  # resolved after the pdfium pass, with one pdfplumber open
        return
    _place_tables(result, _grid_tables(hrules, vrules, result.segs))


def _place_tables(result: _Page, tables: list[_Table]) -> None:
    for bbox, rows in tables:
        x0, bottom, x1, top = bbox
        inside = [s for s in result.segs if s.rows is None and _centre_in(s, bbox)]
        if not inside:
            continue
        ids = {id(s) for s in inside}
        keep = [s for s in result.segs if id(s) not in ids]
        keep.append(_Seg(x0, x1, bottom, top, top - 1.0, "", inside[0].size, False, rows))
        result.segs = keep


def _centre_in(s: _Seg, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (s.x0 + s.x1) / 2, (s.bottom + s.top) / 2
    return bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1


def _rules(page: pdfium.PdfPage) -> tuple[list[_Rule], list[_Rule], bool]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) rulings from simple path objects.

    A path with many segments (a whole grid drawn as one path) is reported as complex instead.
    """
    hrules, vrules = [], []
    complex_paths = False
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for j in range(pdfium_c.FPDFPage_CountObjects(page)):
        obj = pdfium_c.FPDFPage_GetObject(page, j)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
        w, h = x1 - x0, y1 - y0
        if h <= 3 and w >= 8:
            hrules.append(((y0 + y1) / 2, x0, x1))
        elif w <= 3 and h >= 8:
            vrules.append(((x0 + x1) / 2, y0, y1))
        elif w >= 8 and h >= 8:
            if pdfium_c.FPDFPath_CountSegments(obj) > 5:
                complex_paths = True
            else:  # a rectangle: its four edges
                hrules += [(y0, x0, x1), (y1, x0, x1)]
                vrules += [(x0, y0, y1), (x1, y0, y1)]
    return hrules, vrules, complex_paths


def _grid_tables(hrules: list[_Rule], vrules: list[_Rule], segs: list[_Seg]) -> list[_Table]:
    """Tables from connected rulings with at least two columns; cells filled from segments."""
    if len(hrules) < 2 or len(vrules) < 3:
        return []
    nodes = [("h", *h) for h in hrules] + [("v", *v) for v in vrules]
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tol = 2.0
    for i, hi in enumerate(nodes[: len(hrules)]):
        for k in range(len(hrules), len(nodes)):
            v = nodes[k]
            if hi[2] - tol <= v[1] <= hi[3] + tol and v[2] - tol <= hi[1] <= v[3] + tol:
                parent[find(i)] = find(k)
    comps: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        comps.setdefault(find(i), []).append(i)
    tables = []
    for members in comps.values():
        hs = [nodes[i] for i in members if nodes[i][0] == "h"]
        vs = [nodes[i] for i in members if nodes[i][0] == "v"]
        ys = _distinct(sorted((h[1] for h in hs), reverse=True))
        xs_all = _distinct(sorted(v[1] for v in vs))
        if len(ys) < 2 or len(xs_all) < 3:
            continue
        bbox = (xs_all[0], ys[-1], xs_all[-1], ys[0])
        cells: dict[tuple[int, int], list[_Seg]] = {}
        col_edges_by_row = []
        for r in range(len(ys) - 1):
            mid = (ys[r] + ys[r + 1]) / 2
            xs = _distinct(sorted(v[1] for v in vs if v[2] - tol <= mid <= v[3] + tol))
            col_edges_by_row.append(xs if len(xs) >= 2 else [bbox[0], bbox[2]])
        for s in segs:
            if s.rows is not None or not _centre_in(s, bbox):
                continue
            cy = (s.bottom + s.top) / 2
            r = next((k for k in range(len(ys) - 1) if ys[k + 1] <= cy <= ys[k]), None)
            if r is None:
                continue
            edges = col_edges_by_row[r]
            c = next((k for k in range(len(edges) - 1) if s.x0 < edges[k + 1] - 1), len(edges) - 2)
            cells.setdefault((r, c), []).append(s)
        rows = []
        for r in range(len(ys) - 1):
            row = []
            for c in range(len(col_edges_by_row[r]) - 1):
                parts = sorted(cells.get((r, c), []), key=lambda s: (-s.base, s.x0))
                row.append(_join_texts([p.text for p in parts]))
            if any(row):
                rows.append(row)
        if rows:
            tables.append((bbox, rows))
    return tables


def _distinct(values: list[float], tol: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or abs(v - out[-1]) > tol:
            out.append(v)
    return out


def _plumber_tables(data: bytes, pages: list[_Page]) -> None:
    """Slow path for grids drawn as complex paths: pdfplumber's ruling-line table finder.

    Opened once, only on the pages that need it, and every page is closed (pdfplumber keeps
    about 7 MB of layout per page otherwise).
    """
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - a declared dependency
        return
    try:
        with pdfplumber.open(io.BytesIO(data), pages=[p.number for p in pages]) as doc:
            for result, page in zip(pages, doc.pages, strict=True):
                try:
                    _place_tables(result, _plumber_page_tables(page, result))
                finally:
                    page.close()
    except Exception:  # noqa: BLE001 - a table we cannot parse stays as plain lines
        return


def _plumber_page_tables(page, result: _Page) -> list[_Table]:
    tables = []
    for table in page.find_tables():
        x0, top, x1, bottom = table.bbox
        bbox = (
            x0 + result.x_origin,
            result.y_origin + result.height - bottom,
            x1 + result.x_origin,
            result.y_origin + result.height - top,
        )
        rows = [[_SPACES.sub(" ", c or "").strip() for c in row] for row in table.extract()]
        rows = [row for row in rows if any(row)]
        if rows and max(len(r) for r in rows) >= 2:
            tables.append((bbox, rows))
    return tables


# --------------------------------------------------------------------------------------------
# Pass 2: running headers and footers


def _visual_lines(segs: list[_Seg]) -> list[list[_Seg]]:
    """Segments grouped by baseline, top to bottom; each line's segments left to right."""
    out: list[list[_Seg]] = []
    for s in sorted(segs, key=lambda s: (-s.base, s.x0)):
        if out and abs(out[-1][0].base - s.base) < 0.5 * max(s.size, 4.0):
            out[-1].append(s)
        else:
            out.append([s])
    for line in out:
        line.sort(key=lambda s: s.x0)
    return out


def _line_text(line: list[_Seg]) -> str:
    return " ".join(s.text for s in line if s.rows is None).replace(HYPHEN, "-")


def _is_page_number(line: list[_Seg]) -> bool:
    return _PAGE_NUMBER.match(_line_text(line).strip()) is not None


def _key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.lower().split()))


def _remove_running_lines(pages: list[_Page]) -> list[str]:
    """Drop lines that recur at the top or bottom of most pages, and lone page numbers.

    Digits are masked before comparing, so "Sida 3 av 17" matches "Sida 4 av 17". Only the first
    and last few lines of a page are candidates, and a run of them is removed only when it sits in
    the page's margin band or is set off from the body by a larger gap than the line spacing; so a
    body line that merely recurs (mid-page, or on pages that hold nothing else) stays.
    """
    text_pages = [p for p in pages if p.has_text]
    n = len(text_pages)
    per_page: dict[int, list[list[_Seg]]] = {}
    counts: Counter[str] = Counter()
    keys: dict[int, str] = {}  # id(line) -> masked text, for the edge lines only
    for page in text_pages:
        lines = [ln for ln in _visual_lines(page.segs) if all(s.rows is None for s in ln)]
        per_page[page.number] = lines
        edge = lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
        for ln in edge:
            keys[id(ln)] = _key(_line_text(ln))
        counts.update(
            {"t" + keys[id(ln)] for ln in lines[:_EDGE_LINES]}
            | {"b" + keys[id(ln)] for ln in lines[-_EDGE_LINES:]}
        )

    def recurring(side: str, line: list[_Seg], share: float) -> bool:
        c = counts[side + keys[id(line)]]
        return (n >= 3 and c >= max(2.0, share * n)) or (n == 2 and c == 2)

    headers: dict[str, str] = {}
    for page in text_pages:
        lines = per_page[page.number]
        if not lines:
            continue
        band = _BAND * page.height
        top_edge, bottom_edge = page.y_origin + page.height - band, page.y_origin + band
        gaps = [a[0].base - b[0].base for a, b in zip(lines, lines[1:], strict=False)]
        pitch = statistics.median(gaps) if gaps else 0.0
        drop: list[list[_Seg]] = []
        for side, ordered in (("t", lines), ("b", lines[::-1])):
            run = []
            for ln in ordered[:_EDGE_LINES]:
                if any(ln is d for d in drop):
                    break
                if recurring(side, ln, 0.5) or _is_page_number(ln):
                    run.append(ln)
                else:
                    break
            # The longest prefix of the run that sits in the margin band, or (stricter, since body
            # text can recur too) recurs on most pages and is set off from the body by a wide gap.
            for k in range(len(run), 0, -1):
                inner = run[k - 1]
                in_band = inner[0].top > top_edge if side == "t" else inner[0].bottom < bottom_edge
                nxt = ordered[k] if k < len(ordered) else None
                apart = (
                    nxt is not None
                    and pitch > 0
                    and abs(inner[0].base - nxt[0].base) > 1.8 * pitch
                    and all(recurring(side, ln, 0.75) or _is_page_number(ln) for ln in run[:k])
                )
                if in_band or apart:
                    drop.extend(run[:k])
                    break
        if drop:
            ids = {id(s) for ln in drop for s in ln}
            page.segs = [s for s in page.segs if id(s) not in ids]
            for ln in drop:
                text = _line_text(ln)
                headers.setdefault(_key(text), text)
    return list(headers.values())


# --------------------------------------------------------------------------------------------
# Pass 3: reading order within a page


def _order_page(page: _Page) -> list[_Line]:
    """Visual lines in reading order: full-width lines in place, two-column runs column by column."""
    segs = page.segs
    if not segs:
        return []
    gutter = _find_gutter(page)
    regions: list[list[list[_Seg]]] = []  # each region: visual lines
    if gutter is None:
        regions.append(_visual_lines(segs))
    else:
        g0, g1 = gutter
        pending_left: list[_Seg] = []
        pending_right: list[_Seg] = []

        def flush() -> None:
            if pending_left:
                regions.append(_visual_lines(pending_left))
            if pending_right:
                regions.append(_visual_lines(pending_right))
            pending_left.clear()
            pending_right.clear()

        for line in _visual_lines(segs):
            if any(s.x0 < g1 and s.x1 > g0 for s in line):  # crosses the gutter: full width
                flush()
                regions.append([line])
            else:
                for s in line:
                    (pending_left if s.x1 <= g0 + 1 else pending_right).append(s)
        flush()

    pitches = []
    for vlines in regions:
        for a, b in zip(vlines, vlines[1:], strict=False):
            d = a[0].base - b[0].base
            if 0 < d < 3 * max(a[0].size, 1.0) and abs(a[0].size - b[0].size) < 0.5:
                pitches.append(d)
    pitch = statistics.median(pitches) if pitches else 0.0

    out: list[_Line] = []
    for r, vlines in enumerate(regions):
        right = max(max(s.x1 for s in ln) for ln in vlines)
        for ln in vlines:
            table = next((s for s in ln if s.rows is not None), None)
            if table is not None:
                out.append(
                    _Line(
                        page.number,
                        r,
                        table.x0,
                        table.x1,
                        table.base,
                        "",
                        table.size,
                        False,
                        right,
                        pitch,
                        table.rows,
                    )
                )
                rest = [s for s in ln if s.rows is None]
                if not rest:
                    continue
                ln = rest
            text_segs = [s for s in ln if s.rows is None]
            if len(text_segs) >= 3:  # aligned columns without rulings: a table row
                row = [_fix_hyphen(s.text) for s in text_segs]
                out.append(
                    _Line(
                        page.number,
                        r,
                        ln[0].x0,
                        ln[-1].x1,
                        ln[0].base,
                        "",
                        ln[0].size,
                        False,
                        right,
                        pitch,
                        [row],
                    )
                )
                continue
            text = _join_texts([s.text for s in text_segs])
            main = max(text_segs, key=lambda s: len(s.text))
            out.append(
                _Line(
                    page.number,
                    r,
                    ln[0].x0,
                    ln[-1].x1,
                    main.base,
                    text,
                    main.size,
                    all(s.bold for s in text_segs),
                    right,
                    pitch,
                )
            )
    return out


def _find_gutter(page: _Page) -> tuple[float, float] | None:
    """A vertical band near the middle that most lines do not cross, with text on both sides."""
    segs = [s for s in page.segs if s.rows is None]
    if len(segs) < 6:
        return None
    lo = page.x_origin + 0.3 * page.width
    hi = page.x_origin + 0.7 * page.width
    # Cheap refusal for the usual single-column page: too little text starts right of 30 %.
    starts_right = sum(1 for s in segs if s.x0 >= lo)
    if starts_right < 3 or starts_right < 0.2 * len(segs):
        return None
    best = None
    x = lo
    while x <= hi:
        crossing = sum(1 for s in segs if s.x0 < x < s.x1)
        if best is None or crossing < best[0]:
            best = (crossing, x, x)
        elif crossing == best[0] and abs(x - best[2]) <= 2.01:
            best = (crossing, best[1], x)
        x += 2.0
    assert best is not None
    crossing, g0, g1 = best
    left = sum(1 for s in segs if s.x1 <= g0)
    right = sum(1 for s in segs if s.x0 >= g1)
    if right >= 3 and left >= 3 and right >= 0.2 * len(segs) and crossing <= 0.3 * len(segs) and g1 - g0 >= 4:
        return g0, g1
    return None


# --------------------------------------------------------------------------------------------
# Pass 4: paragraphs


def _body_size(lines: list[_Line]) -> float:
    sizes: Counter[float] = Counter()
    for ln in lines:
        if ln.rows is None:
            sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _ends_sentence(text: str) -> bool:
    t = text.rstrip(" )\"'”’")
    return t.endswith(_SENTENCE_END)


def _is_short(ln: _Line) -> bool:
    return ln.x1 < ln.right - max(0.12 * (ln.right - ln.x0), 30.0)


def _continues(prev: _Line, cur: _Line) -> bool:
    """Across a column or page break: the sentence plainly runs on."""
    return not _ends_sentence(prev.text) and cur.text[:1].islower()


def _new_block(prev: _Line, cur: _Line) -> bool:
    if prev.page != cur.page or prev.region != cur.region:
        return not _continues(prev, cur)
    gap = prev.base - cur.base
    pitch = cur.pitch or 1.2 * max(cur.size, 1.0)
    if gap <= 0 or gap > 1.4 * pitch:
        return True
    if abs(cur.size - prev.size) > max(1.0, 0.15 * prev.size):
        return True
    ended = _ends_sentence(prev.text) or _is_short(prev)
    if prev.bold != cur.bold and _is_short(prev):
        return True
    if _is_short(prev) and (_ends_sentence(prev.text) or cur.text[:1].isupper()):
        return True  # the previous paragraph stopped before the margin: a heading, or its last line
    if cur.text[:1] in _BULLETS and cur.text[1:2] == " ":
        return True
    if starts_clause(cur.text) and (ended or (abs(cur.x0 - prev.x0) < 3 and starts_clause(prev.text))):
        return True  # a clause after a finished line, or the next item of a list "(b) …; samt" / "(c) …"
    dx = cur.x0 - prev.x0
    if dx > 6:
        hanging = starts_clause(prev.text) and dx <= 45 and not _is_short(prev)
        return ended and not hanging
    if dx < -6:
        return _is_short(prev)
    return False


def _group(lines: list[_Line], body_size: float) -> list[Block]:
    blocks: list[Block] = []
    cur: list[_Line] = []

    def flush() -> None:
        if not cur:
            return
        text = _join_texts([ln.text for ln in cur])
        kind = "paragraph"
        if (
            len(cur) <= 2
            and len(text) <= 120
            and not _ends_sentence(text)
            and (all(ln.bold for ln in cur) or min(ln.size for ln in cur) >= body_size + 1.0)
        ):
            kind = "heading"
        blocks.append(Block(text=text, page=cur[0].page, page_end=cur[-1].page, kind=kind))
        cur.clear()

    for ln in lines:
        if ln.rows is not None:
            flush()
            for row in ln.rows:
                blocks.append(Block(text=" | ".join(row), page=ln.page, page_end=ln.page, kind="table"))
            continue
        if cur and _new_block(cur[-1], ln):
            flush()
        cur.append(ln)
    flush()
    return blocks


# --------------------------------------------------------------------------------------------
# Hyphenation


def _join_texts(parts: list[str]) -> str:
    """Join line texts with a space, repairing words hyphenated across a line end.

    "discrimi-" + "nation" -> "discrimination"; "EU-" + "directive" -> "EU-directive";
    "Nord-" + "Europa" -> "Nord-Europa"; "leverantörs-" + "och" -> "leverantörs- och".
    """
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not out:
            out = part
            continue
        if out[-1] in _LINE_END_HYPHENS and len(out) >= 2 and out[-2].isalnum():
            head = out[:-1]
            fragment = head.rsplit(" ", 1)[-1]
            first_word = part.split(" ", 1)[0].rstrip(".,;:").lower()
            if part[:1].islower() and first_word in _COMPOUND_CONTINUERS:
                out = head + "- " + part
            elif part[:1].islower() and not (fragment.isupper() or any(c.isdigit() for c in fragment)):
                out = head + part
            elif part[:1].isalnum():
                out = head + "-" + part
            else:
                out = head + "- " + part
        else:
            out = out + " " + part
    return _fix_hyphen(out)


def _fix_hyphen(text: str) -> str:
    return text.replace(HYPHEN, "-").replace("\ufffe", "-")
