"""Find the files of an archive: folders recursively, symlinks followed but never in a loop.

Only stat data is gathered here (no file is opened), so that an unchanged archive can be matched
against the store without reading it. Hidden entries (names starting with a dot) are skipped and
listed, as are devices, pipes, sockets, broken links and folders reached a second time.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Found:
    """A regular file to consider: its reported path, absolute key and stat fingerprint."""

    path: str
    key: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    explicit: bool = False  # named on the command line, not found in a folder

    @property
    def fingerprint(self) -> tuple[int, int, int, int]:
        return (self.size, self.mtime_ns, self.ctime_ns, self.inode)


@dataclass
class Skipped:
    path: str
    key: str
    reason: str


@dataclass
class Problem:
    """An input that could not be used at all: a missing argument or a folder that cannot be listed."""

    path: str
    code: str
    message: str


@dataclass
class Walk:
    files: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # absolute keys of the arguments
    unlisted: list[str] = field(default_factory=list)  # absolute folders that could not be listed


def walk(paths: Iterable[str], exclude: Iterable[str] = ()) -> Walk:
    """Every file under `paths` in sorted order; `exclude` holds absolute paths never to take."""
    out = Walk()
    excluded = {os.path.abspath(p) for p in exclude}
    visited_dirs: set[tuple[int, int]] = set()
    seen_files: set[str] = set()
    for arg in paths:
        key = os.path.abspath(arg)
        out.roots.append(key)
        try:
            st = os.stat(arg)
        except FileNotFoundError:
            if os.path.islink(arg):
                out.problems.append(Problem(arg, "not_found", "broken symbolic link"))
            else:
                out.problems.append(Problem(arg, "not_found", "no such file or folder"))
            continue
        except OSError as exc:
            out.problems.append(Problem(arg, "unreadable", f"cannot access ({exc.strerror or exc})"))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk_dir(arg, key, st, out, visited_dirs, seen_files, excluded)
        elif stat.S_ISREG(st.st_mode):
            if key not in seen_files and key not in excluded:
                seen_files.add(key)
                out.files.append(_found(arg, key, st, explicit=True))
        else:
            out.problems.append(Problem(arg, "unreadable", "not a regular file (device, pipe or socket)"))
    return out


def _walk_dir(
    path: str,
    key: str,
    st: os.stat_result,
    out: Walk,
    visited: set[tuple[int, int]],
    seen_files: set[str],
    excluded: set[str],
) -> None:
    stack = [(path, key, st)]
    while stack:
        path, key, st = stack.pop()
        ident = (st.st_dev, st.st_ino)
        if ident in visited:
            reason = "folder already visited (symbolic link loop or second link)"
            out.skipped.append(Skipped(path, key, reason))
            continue
        visited.add(ident)
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.problems.append(Problem(path, "unreadable", f"cannot list folder ({exc.strerror or exc})"))
            out.unlisted.append(key)
            continue
        subdirs = []
        for entry in entries:
            child = os.path.join(path, entry.name)
            child_key = os.path.join(key, entry.name)
            if child_key in excluded:
                continue
            if entry.name.startswith("."):
                out.skipped.append(Skipped(child, child_key, "hidden"))
                continue
            try:
                cst = entry.stat()  # follows symbolic links
            except FileNotFoundError:
                out.skipped.append(Skipped(child, child_key, "broken symbolic link"))
                continue
            except OSError as exc:
                out.skipped.append(Skipped(child, child_key, f"cannot access ({exc.strerror or exc})"))
                continue
            if stat.S_ISDIR(cst.st_mode):
                subdirs.append((child, child_key, cst))
            elif stat.S_ISREG(cst.st_mode):
                if child_key not in seen_files:
                    seen_files.add(child_key)
                    out.files.append(_found(child, child_key, cst))
            else:
                out.skipped.append(Skipped(child, child_key, "not a regular file (device, pipe or socket)"))
        stack.extend(reversed(subdirs))  # depth first, in name order


def _found(path: str, key: str, st: os.stat_result, *, explicit: bool = False) -> Found:
    return Found(path, key, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, explicit)
