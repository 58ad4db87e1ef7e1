"""DOCX: read the body, Word's automatic numbering, footnotes and headers straight from the XML.

The zip is vetted before anything is parsed (declared sizes, compression ratios, then sizes again
while inflating), and every XML part is refused if it declares a DTD, so a hostile file can cost
neither memory nor a file read. The parts are then walked with lxml, which keeps a long contract
well inside the time budget; python-docx's per-run objects would be far slower.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from ..errors import LoadError
from ..model import Block, Notice
from .base import Extracted, Limits
from .normalise import normalise_line

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_VAL = _W + "val"

DOCUMENT = "word/document.xml"
_DOCUMENT_RELS = "word/_rels/document.xml.rels"
_RATIO_FLOOR = 1024 * 1024  # the compression-ratio rule applies to parts larger than this
_CHUNK = 1024 * 1024
_MAX_LEVELS = 9


# --------------------------------------------------------------------------- the zip, vetted


def _too_large(message: str) -> LoadError:
    return LoadError(message, code="too_large")


def _unsafe() -> LoadError:
    return LoadError("DOCX contains an XML DOCTYPE/entity declaration; refused for safety", code="unsafe_xml")


def _corrupt(message: str) -> LoadError:
    return LoadError(message, code="corrupt")


class _Package:
    """The parts of a DOCX we read, each vetted against the limits before and while inflating."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        self.inflated = 0
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self.infos = {info.filename: info for info in self.zf.infolist()}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
            raise _corrupt(f"corrupt DOCX: not a readable zip container ({exc})") from exc
        if DOCUMENT not in self.infos:
            raise _corrupt("corrupt DOCX: word/document.xml is missing")

    def check_declared(self, names: list[str]) -> None:
        """Refuse from the zip directory alone: no byte is inflated before this passes."""
        lim = self.limits
        total = 0
        for name in names:
            info = self.infos[name]
            size = info.file_size
            if size > lim.max_docx_part_bytes:
                raise _too_large(
                    f"DOCX part {name} is too large when unpacked ({size // 2**20} MiB; "
                    f"limit {lim.max_docx_part_bytes // 2**20} MiB)"
                )
            if size > _RATIO_FLOOR and size > lim.max_docx_ratio * max(info.compress_size, 1):
                raise _too_large(
                    f"DOCX part {name} is compressed {size // max(info.compress_size, 1)}:1 "
                    f"(limit {lim.max_docx_ratio}:1); refused as a likely zip bomb"
                )
            total += size
        if total > lim.max_docx_total_bytes:
            raise _too_large(
                f"DOCX parts are too large when unpacked ({total // 2**20} MiB; "
                f"limit {lim.max_docx_total_bytes // 2**20} MiB)"
            )

    def read(self, name: str) -> bytes:
        """Inflate one part in chunks, stopping as soon as a limit is passed (sizes can lie)."""
        lim = self.limits
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zf.open(self.infos[name]) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > lim.max_docx_part_bytes:
                        raise _too_large(
                            f"DOCX part {name} is larger than its zip entry declares and past the limit "
                            f"({lim.max_docx_part_bytes // 2**20} MiB); refused"
                        )
                    if self.inflated + size > lim.max_docx_total_bytes:
                        raise _too_large(
                            f"DOCX parts are larger than declared and past the limit "
                            f"({lim.max_docx_total_bytes // 2**20} MiB); refused"
                        )
                    chunks.append(chunk)
        except LoadError:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            RuntimeError,
            NotImplementedError,
            ValueError,
        ) as exc:
            raise _corrupt(f"corrupt DOCX: cannot unpack {name} ({exc})") from exc
        self.inflated += size
        return b"".join(chunks)


_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def _has_dtd(raw: bytes) -> bool:
    """True when the part declares a DTD or an entity, in UTF-8 or UTF-16."""
    if any(m in raw for m in _DTD_MARKERS):
        return True
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4]:
        for enc in ("utf-16-le", "utf-16-be"):
            if any(m.decode().encode(enc) in raw for m in _DTD_MARKERS):
                return True
    return False


def _parse(raw: bytes, name: str) -> etree._Element:
    """Parse a part with every entity, DTD and network feature of libxml2 switched off."""
    if _has_dtd(raw):
        raise _unsafe()
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise _corrupt(f"corrupt DOCX: {name} is not well-formed XML ({exc})") from exc
    if root is None:
        raise _corrupt(f"corrupt DOCX: {name} is empty")
    if root.getroottree().docinfo.internalDTD is not None:  # belt and braces
        raise _unsafe()
    return root


@dataclass
class _Parts:
    """Names of the parts the main document uses, found through its relationships."""

    styles: str | None = None
    numbering: str | None = None
    footnotes: str | None = None
    endnotes: str | None = None
    headers: list[str] = field(default_factory=list)


def _find_parts(pkg: _Package) -> _Parts:
    parts = _Parts()
    if _DOCUMENT_RELS in pkg.infos:
        pkg.check_declared([_DOCUMENT_RELS])
        rels = _parse(pkg.read(_DOCUMENT_RELS), _DOCUMENT_RELS)
        for rel in rels.iter(_REL + "Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            target = rel.get("Target") or ""
            name = target.lstrip("/") if target.startswith("/") else posixpath.join("word", target)
            name = posixpath.normpath(name)
            if name not in pkg.infos:
                continue
            if kind in ("styles", "numbering", "footnotes", "endnotes"):
                setattr(parts, kind, name)
            elif kind in ("header", "footer") and name not in parts.headers:
                parts.headers.append(name)
    else:  # no relationships: fall back on Word's conventional names
        known = pkg.infos
        parts.styles = "word/styles.xml" if "word/styles.xml" in known else None
        parts.numbering = "word/numbering.xml" if "word/numbering.xml" in known else None
        parts.footnotes = "word/footnotes.xml" if "word/footnotes.xml" in known else None
        parts.endnotes = "word/endnotes.xml" if "word/endnotes.xml" in known else None
        parts.headers = sorted(n for n in known if re.fullmatch(r"word/(header|footer)\d*\.xml", n))
    return parts


# --------------------------------------------------------------------------- styles


_HEADING_NAME = re.compile(r"^(?:heading|rubrik)\s*([1-9])$", re.IGNORECASE)


@dataclass
class _Style:
    name: str = ""
    based_on: str | None = None
    outline: int | None = None  # w:outlineLvl as stated on this style
    num_id: str | None = None
    ilvl: int | None = None


class _Styles:
    """Paragraph styles resolved through their basedOn chains: heading level and list membership."""

    def __init__(self, root: etree._Element | None):
        self.raw: dict[str, _Style] = {}
        self.default: str | None = None
        if root is not None:
            for st in root.iter(_W + "style"):
                if st.get(_W + "type", "paragraph") != "paragraph":
                    continue
                sid = st.get(_W + "styleId")
                if not sid:
                    continue
                s = _Style()
                s.name = _val(st.find(_W + "name")) or ""
                s.based_on = _val(st.find(_W + "basedOn"))
                ppr = st.find(_W + "pPr")
                if ppr is not None:
                    s.outline = _int(_val(ppr.find(_W + "outlineLvl")))
                    numpr = ppr.find(_W + "numPr")
                    if numpr is not None:
                        s.num_id = _val(numpr.find(_W + "numId"))
                        s.ilvl = _int(_val(numpr.find(_W + "ilvl")))
                self.raw[sid] = s
                if st.get(_W + "default") in ("1", "true", "on"):
                    self.default = sid
        self._heading: dict[str | None, int | None] = {}
        self._num: dict[str | None, tuple[str | None, int | None]] = {}

    def _chain(self, sid: str | None) -> list[tuple[str, _Style]]:
        chain: list[tuple[str, _Style]] = []
        seen: set[str] = set()
        while sid and sid in self.raw and sid not in seen and len(chain) < 32:
            seen.add(sid)
            chain.append((sid, self.raw[sid]))
            sid = self.raw[sid].based_on
        return chain

    def heading_level(self, sid: str | None) -> int | None:
        """1-based heading level: a Heading N / Rubrik N style, or an outline level, inherited."""
        if sid in self._heading:
            return self._heading[sid]
        level = None
        for cid, s in self._chain(sid):
            if s.outline is not None:
                level = s.outline + 1 if 0 <= s.outline < 9 else None
                break
            m = _HEADING_NAME.match(s.name) or _HEADING_NAME.match(cid)
            if m:
                level = int(m.group(1))
                break
        self._heading[sid] = level
        return level

    def numbering(self, sid: str | None) -> tuple[str | None, int | None]:
        """(numId, ilvl) a style puts its paragraphs in, inherited through basedOn."""
        if sid in self._num:
            return self._num[sid]
        num_id: str | None = None
        ilvl: int | None = None
        for _cid, s in self._chain(sid):
            if num_id is None and s.num_id is not None:
                num_id = s.num_id
            if ilvl is None and s.ilvl is not None:
                ilvl = s.ilvl
            if num_id is not None and ilvl is not None:
                break
        self._num[sid] = (num_id, ilvl)
        return num_id, ilvl


def _val(el: etree._Element | None) -> str | None:
    return None if el is None else el.get(_VAL)


def _int(s: str | None) -> int | None:
    if s is None:
        return None
    try:
        return int(s)
    except ValueError:
        return None


def _on(el: etree._Element | None) -> bool:
    """A Word on/off property: present and not switched off."""
    return el is not None and el.get(_VAL, "true") not in ("0", "false", "off")


# --------------------------------------------------------------------------- numbering


@dataclass
class _Level:
    start: int = 0
    fmt: str = "decimal"
    text: str | None = None
    legal: bool = False
    restart: int | None = None  # w:lvlRestart: 0 = never, n = after a use of level n (1-based)
    style: str | None = None  # w:pStyle linking a paragraph style to this level


def _parse_level(lvl: etree._Element, base: _Level | None = None) -> _Level:
    out = _Level() if base is None else _Level(**base.__dict__)
    start = _int(_val(lvl.find(_W + "start")))
    if start is not None:
        out.start = start
    fmt = _val(lvl.find(_W + "numFmt"))
    if fmt:
        out.fmt = fmt
    if lvl.find(_W + "lvlPicBulletId") is not None:
        out.fmt = "bullet"
    text = lvl.find(_W + "lvlText")
    if text is not None:
        out.text = text.get(_VAL, "")
    if lvl.find(_W + "isLgl") is not None:
        out.legal = _on(lvl.find(_W + "isLgl"))
    restart = _int(_val(lvl.find(_W + "lvlRestart")))
    if restart is not None:
        out.restart = restart
    style = _val(lvl.find(_W + "pStyle"))
    if style:
        out.style = style
    return out


@dataclass
class _Num:
    abstract: str
    overrides: dict[int, etree._Element] = field(default_factory=dict)  # w:lvlOverride/w:lvl
    start_overrides: dict[int, int] = field(default_factory=dict)


class _Numbering:
    """Word's list engine, as far as labels go: counters, restarts, overrides and lvlText."""

    def __init__(self, root: etree._Element | None, styles: _Styles):
        self.abstract: dict[str, list[_Level]] = {}
        self.style_link: dict[str, str] = {}  # abstractNumId -> numStyleLink style id
        self.nums: dict[str, _Num] = {}
        if root is not None:
            for an in root.iter(_W + "abstractNum"):
                aid = an.get(_W + "abstractNumId")
                if aid is None:
                    continue
                levels = [_Level() for _ in range(_MAX_LEVELS)]
                for lvl in an.findall(_W + "lvl"):
                    ilvl = _int(lvl.get(_W + "ilvl"))
                    if ilvl is not None and 0 <= ilvl < _MAX_LEVELS:
                        levels[ilvl] = _parse_level(lvl)
                self.abstract[aid] = levels
                link = _val(an.find(_W + "numStyleLink"))
                if link:
                    self.style_link[aid] = link
            for num in root.iter(_W + "num"):
                nid = num.get(_W + "numId")
                aid = _val(num.find(_W + "abstractNumId"))
                if nid is None or aid is None:
                    continue
                n = _Num(aid)
                for ov in num.findall(_W + "lvlOverride"):
                    ilvl = _int(ov.get(_W + "ilvl"))
                    if ilvl is None or not 0 <= ilvl < _MAX_LEVELS:
                        continue
                    so = _int(_val(ov.find(_W + "startOverride")))
                    if so is not None:
                        n.start_overrides[ilvl] = so
                    lvl = ov.find(_W + "lvl")
                    if lvl is not None:
                        n.overrides[ilvl] = lvl
                self.nums[nid] = n
        self.styles = styles
        self._levels: dict[str, list[_Level]] = {}
        self._abstract_cache: dict[str, str | None] = {}
        self._tokens: dict[str, list[str | int]] = {}
        self._lists: dict[str, tuple[list[_Level], list[int | None], _Num, list[list[int]]] | None] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.used: set[str] = set()

    def _abstract_of(self, nid: str) -> str | None:
        """Follow numStyleLink (a list defined by a numbering style) to the real definition."""
        if nid in self._abstract_cache:
            return self._abstract_cache[nid]
        aid = self._resolve_abstract(nid)
        self._abstract_cache[nid] = aid
        return aid

    def _resolve_abstract(self, nid: str) -> str | None:
        n = self.nums.get(nid)
        aid = n.abstract if n else None
        for _ in range(4):
            if aid is None or aid not in self.style_link:
                break
            link_num, _ilvl = self.styles.numbering(self.style_link[aid])
            linked = self.nums.get(link_num) if link_num else None
            if linked is None or linked.abstract == aid:
                break
            aid = linked.abstract
        return aid if aid in self.abstract else None

    def levels(self, nid: str) -> list[_Level] | None:
        if nid in self._levels:
            return self._levels[nid]
        aid = self._abstract_of(nid)
        if aid is None:
            return None
        levels = list(self.abstract[aid])
        n = self.nums[nid]
        for ilvl, lvl in n.overrides.items():
            levels[ilvl] = _parse_level(lvl, levels[ilvl])
        self._levels[nid] = levels
        return levels

    def level_for_style(self, nid: str, sid: str | None) -> int | None:
        levels = self.levels(nid)
        if not levels or not sid:
            return None
        for i, lvl in enumerate(levels):
            if lvl.style == sid:
                return i
        return None

    def _list(self, nid: str) -> tuple[list[_Level], list[int | None], _Num, list[list[int]]] | None:
        """Everything label() needs for one numId, looked up once."""
        if nid in self._lists:
            return self._lists[nid]
        levels = self.levels(nid)
        found = None
        if levels is not None:
            aid = self._abstract_of(nid) or nid
            counters = self.counters.setdefault(aid, [None] * _MAX_LEVELS)
            resets = [
                [
                    k
                    for k in range(ilvl + 1, _MAX_LEVELS)
                    if levels[k].restart is None or (levels[k].restart != 0 and ilvl <= levels[k].restart - 1)
                ]
                for ilvl in range(_MAX_LEVELS)
            ]
            found = (levels, counters, self.nums[nid], resets)
        self._lists[nid] = found
        return found

    def label(self, nid: str, ilvl: int) -> str | None:
        """Advance the list's counters for one paragraph and return its rendered label."""
        found = self._lists[nid] if nid in self._lists else self._list(nid)
        if found is None or not 0 <= ilvl < _MAX_LEVELS:
            return None
        levels, counters, n, resets = found
        if nid not in self.used:
            self.used.add(nid)
            for k in n.start_overrides:
                counters[k] = None
        current = counters[ilvl]
        if current is None:
            current = n.start_overrides.get(ilvl, levels[ilvl].start)
        else:
            current += 1
        counters[ilvl] = current
        for k in resets[ilvl]:  # a higher level advanced: the levels below start again
            counters[k] = None
        lvl = levels[ilvl]
        if lvl.fmt in ("bullet", "none") or not lvl.text:
            return None
        tokens = self._tokens.get(lvl.text)
        if tokens is None:  # "%1.%2" -> ["", 0, ".", 1, ""]: split once, not per paragraph
            tokens = [int(t) - 1 if i % 2 else t for i, t in enumerate(_PLACEHOLDER.split(lvl.text))]
            self._tokens[lvl.text] = tokens
        out = []
        for i, token in enumerate(tokens):
            if i % 2 == 0:
                out.append(token)
                continue
            value = counters[token]
            if value is None:
                value = levels[token].start
            out.append(_format(value, "decimal" if lvl.legal else levels[token].fmt))
        return "".join(out).strip() or None  # type: ignore[arg-type]


_PLACEHOLDER = re.compile(r"%([1-9])")
_ROMAN = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
]


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _format(n: int, fmt: str) -> str:
    """A counter in one of Word's number formats; unknown formats fall back to decimal."""
    if fmt in ("lowerLetter", "upperLetter"):
        if n <= 0:
            return str(n)
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)  # Word: a..z, aa..zz, aaa..
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        if not 0 < n < 4000:
            return str(n)
        s = _roman(n)
        return s.upper() if fmt == "upperRoman" else s
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


# --------------------------------------------------------------------------- the body walker


_P, _R, _T, _TBL, _TR, _TC = (_W + t for t in ("p", "r", "t", "tbl", "tr", "tc"))
_SDT, _SDT_CONTENT, _PPR, _RPR = _W + "sdt", _W + "sdtContent", _W + "pPr", _W + "rPr"
_TXBX = _W + "txbxContent"
_PSTYLE, _NUMPR, _NUMID, _ILVL = _W + "pStyle", _W + "numPr", _W + "numId", _W + "ilvl"
_OUTLINE, _DEL, _MOVE_FROM, _FLDCHAR = _W + "outlineLvl", _W + "del", _W + "moveFrom", _W + "fldChar"
_FOOTNOTE_REF, _ENDNOTE_REF = _W + "footnoteReference", _W + "endnoteReference"
# Block-level wrappers whose children are read as if they were in the parent.
_PASS_THROUGH = {_W + t for t in ("ins", "moveTo", "customXml", "smartTag")} | {_SDT_CONTENT}
_RUN_TEXT = {_W + "tab": "\t", _W + "ptab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
# Subtrees of a paragraph whose text is not shown once changes are accepted (or is read elsewhere:
# text boxes become blocks of their own; mc:Fallback repeats the mc:Choice drawing).
_HIDDEN_SUBTREES = {_DEL, _MOVE_FROM, _W + "rt", _MC + "Fallback", _TXBX}
# Everything besides w:t a paragraph's text is made of. w:delText, w:instrText, w:sym and
# w:softHyphen are absent on purpose.
_INLINE_OTHER = {_M + "t", _FLDCHAR, _FOOTNOTE_REF, _ENDNOTE_REF, *_RUN_TEXT, *_HIDDEN_SUBTREES}
_TAB, _M_T, _ALT_CHUNK = _W + "tab", _M + "t", _W + "altChunk"


class _Walker:
    """Turns one part's block-level content into Blocks, with fields and tracked changes resolved."""

    def __init__(self, styles: _Styles, numbering: _Numbering | None):
        self.styles = styles
        self.numbering = numbering
        self.fields: list[bool] = []  # one per open complex field: True once past 'separate'
        self.hiding = 0  # open fields still in their instruction part
        self.footnote_refs: list[str] = []
        self.endnote_refs: list[str] = []
        self.boxes: list[etree._Element] = []
        self.alt_chunks = 0  # embedded foreign documents, which we cannot read
        self.style_info: dict[str | None, tuple[int | None, str | None, int | None]] = {}

    # ---- block level
    def content(self, container: etree._Element, out: list[Block]) -> None:
        carry = ""
        for child in container:
            tag = child.tag
            if tag == _P:
                block, merged = self.paragraph(child, carry)
                carry = ""
                if merged is not None:
                    carry = merged  # the paragraph mark was deleted: its text runs into the next one
                else:
                    out.append(block)
                if self.boxes:
                    boxes, self.boxes = self.boxes, []
                    for box in boxes:
                        self.content(box, out)
            elif tag == _TBL:
                carry = _flush(carry, out)
                self.table(child, out)
            elif tag == _ALT_CHUNK:
                self.alt_chunks += 1
            elif tag == _SDT or tag in _PASS_THROUGH:
                carry = _flush(carry, out)
                inner = child.find(_SDT_CONTENT) if tag == _SDT else child
                if inner is not None:
                    self.content(inner, out)
        if carry:
            out.append(Block(text=carry))

    def paragraph(self, p: etree._Element, carry: str) -> tuple[Block, str | None]:
        parts: list[str] = [carry] if carry else []
        self.inline(p, parts)
        if self.hiding:  # an instruction never spans paragraphs; a broken field must not hide the rest
            self.fields = [True] * len(self.fields)
            self.hiding = 0
        text = "".join(parts)
        sid = num_id = None
        ilvl = outline = None
        ppr = p[0] if len(p) and p[0].tag == _PPR else None  # the schema puts pPr first
        if ppr is not None:
            for prop in ppr:  # one pass over the properties: find() per property is slow at scale
                tag = prop.tag
                if tag == _PSTYLE:
                    sid = prop.get(_VAL)
                elif tag == _NUMPR:
                    for n in prop:
                        if n.tag == _NUMID:
                            num_id = n.get(_VAL)
                        elif n.tag == _ILVL:
                            ilvl = _int(n.get(_VAL))
                elif tag == _OUTLINE:
                    outline = _int(prop.get(_VAL))
                elif tag == _RPR:
                    for mark in prop:
                        if mark.tag in (_DEL, _MOVE_FROM):
                            return Block(text=""), text  # the paragraph mark is deleted: merge on
        sid = sid or self.styles.default
        info = self.style_info.get(sid)
        if info is None:
            info = self.style_info[sid] = (self.styles.heading_level(sid), *self.styles.numbering(sid))
        heading, style_num, style_ilvl = info
        if outline is not None:
            heading = outline + 1 if 0 <= outline < 9 else None
        label = None
        numbered = False
        if self.numbering is not None:
            if num_id is None:
                num_id = style_num
            if num_id is not None and num_id != "0" and self.numbering.levels(num_id) is not None:
                numbered = True
                if ilvl is None:
                    ilvl = style_ilvl
                if ilvl is None:
                    ilvl = self.numbering.level_for_style(num_id, sid) or 0
                label = self.numbering.label(num_id, ilvl)
        if heading is not None:
            return Block(text=text, kind="heading", level=heading, number=label), None
        if numbered:
            return Block(text=text, number=label, level=ilvl), None
        return Block(text=text), None

    def table(self, tbl: etree._Element, out: list[Block]) -> None:
        for tr in _children(tbl, _TR):
            trpr = tr.find(_W + "trPr")
            if trpr is not None and trpr.find(_W + "del") is not None:
                continue  # a deleted row
            cells: list[str] = []
            for tc in _children(tr, _TC):
                tcpr = tc.find(_W + "tcPr")
                if tcpr is not None:
                    vmerge = tcpr.find(_W + "vMerge")
                    if vmerge is not None and vmerge.get(_VAL, "continue") == "continue":
                        continue  # the lower part of a vertically merged cell
                    hmerge = tcpr.find(_W + "hMerge")
                    if hmerge is not None and hmerge.get(_VAL, "continue") == "continue":
                        continue
                inner: list[Block] = []
                self.content(tc, inner)
                text = " ".join(
                    f"{b.number} {b.text}" if b.number else b.text for b in inner if b.text.strip()
                )
                if text.strip():
                    cells.append(text.strip())
            out.append(Block(text=" | ".join(cells), kind="table"))

    # ---- inline level
    def inline(self, p: etree._Element, parts: list[str]) -> None:
        """The paragraph's shown text, in document order, through any wrapper (hyperlink, ins, sdt…)."""
        hidden: set[etree._Element] | None = None
        for el in p.iter():  # a plain iter() with a Python test beats lxml's multi-tag filter here
            tag = el.tag
            if tag == _T:
                if not self.hiding and (hidden is None or el not in hidden):
                    text = el.text
                    if text:
                        parts.append(text)
            elif tag not in _INLINE_OTHER or (hidden is not None and el in hidden):
                continue
            elif tag == _M_T:
                if not self.hiding and el.text:
                    parts.append(el.text)
            elif tag in _RUN_TEXT:
                if not self.hiding and (tag != _TAB or el.getparent().tag == _R):  # not a tab stop
                    parts.append(_RUN_TEXT[tag])
            elif tag == _FLDCHAR:
                self.field(el.get(_W + "fldCharType"))
            elif tag in (_FOOTNOTE_REF, _ENDNOTE_REF):
                nid = el.get(_W + "id")
                if not self.hiding and nid is not None:
                    (self.footnote_refs if tag == _FOOTNOTE_REF else self.endnote_refs).append(nid)
            else:  # one of _HIDDEN_SUBTREES
                if tag == _TXBX:
                    self.boxes.append(el)
                inside = set(el.iter())
                hidden = inside if hidden is None else hidden | inside

    def field(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(False)
            self.hiding += 1
        elif kind == "separate":
            if self.fields and not self.fields[-1]:
                self.fields[-1] = True
                self.hiding -= 1
        elif kind == "end" and self.fields and not self.fields.pop():
            self.hiding -= 1


def _flush(carry: str, out: list[Block]) -> str:
    """Text left by a deleted paragraph mark before a table or control stays a paragraph of its own."""
    if carry:
        out.append(Block(text=carry))
    return ""


def _children(parent: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children with `tag`, looking through content controls and custom XML wrappers."""
    found: list[etree._Element] = []
    for child in parent:
        if child.tag == tag:
            found.append(child)
        elif child.tag == _SDT:
            inner = child.find(_SDT_CONTENT)
            if inner is not None:
                found.extend(_children(inner, tag))
        elif child.tag in (_W + "customXml", _W + "ins", _W + "moveTo"):
            found.extend(_children(child, tag))
    return found


# --------------------------------------------------------------------------- entry point


def read(data: bytes, limits: Limits) -> Extracted:
    """Read a DOCX into body blocks, footnotes and header/footer lines, refusing hostile packages."""
    pkg = _Package(data, limits)
    parts = _find_parts(pkg)
    optional = [parts.styles, parts.numbering, parts.footnotes, parts.endnotes, *parts.headers]
    names = [DOCUMENT, *(n for n in optional if n)]
    pkg.check_declared(names)
    warnings: list[Notice] = []

    def part(name: str | None) -> etree._Element | None:
        return None if name is None else _parse(pkg.read(name), name)

    body = _parse(pkg.read(DOCUMENT), DOCUMENT).find(_W + "body")
    if body is None:
        raise _corrupt("corrupt DOCX: word/document.xml has no body")
    styles = _Styles(_optional(part, parts.styles, "styles", warnings))
    numbering = _Numbering(_optional(part, parts.numbering, "numbering", warnings), styles)

    walker = _Walker(styles, numbering)
    blocks: list[Block] = []
    walker.content(body, blocks)

    for name, refs in (("footnote", walker.footnote_refs), ("endnote", walker.endnote_refs)):
        root = _optional(part, getattr(parts, name + "s"), name + "s", warnings)
        if root is not None and refs:
            blocks.extend(_notes(root, name, refs, styles))

    headers: list[str] = []
    for name in parts.headers:
        root = _optional(part, name, name.rsplit("/", 1)[-1], warnings)
        if root is None:
            continue
        inner: list[Block] = []
        _Walker(styles, None).content(root, inner)
        for b in inner:
            for line in normalise_line(b.text).split("\n"):
                if line and line not in headers:
                    headers.append(line)
    if walker.alt_chunks:
        warnings.append(
            Notice("docx_altchunk", "the DOCX embeds another document (altChunk); its text is not read")
        )
    return Extracted(blocks=blocks, pages=None, headers=headers, warnings=warnings)


def _optional(
    part: Callable[[str | None], etree._Element | None],
    name: str | None,
    what: str,
    warnings: list[Notice],
) -> etree._Element | None:
    """A secondary part that is broken costs a warning, not the document; unsafe XML still refuses."""
    try:
        return part(name)
    except LoadError as exc:
        if exc.code != "corrupt":
            raise
        warnings.append(Notice("docx_part_unreadable", f"the DOCX {what} part could not be read; ignored"))
        return None


def _notes(root: etree._Element, kind: str, refs: list[str], styles: _Styles) -> list[Block]:
    """Footnotes (or endnotes) in the order they are referenced, numbered as Word shows them."""
    notes: dict[str, etree._Element] = {}
    for note in root.iter(_W + kind):
        nid = note.get(_W + "id")
        if nid is None or nid in ("-1", "0"):
            continue
        if note.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        notes[nid] = note
    out: list[Block] = []
    seen: set[str] = set()
    for nid in refs:
        if nid in seen or nid not in notes:
            continue
        seen.add(nid)
        inner: list[Block] = []
        _Walker(styles, None).content(notes[nid], inner)
        text = " ".join(b.text.strip() for b in inner if b.text.strip())
        out.append(Block(text=f"[{len(out) + 1}] {text}".rstrip(), kind="footnote"))
    return out
