"""The results store: one SQLite file (stdlib sqlite3, WAL), versioned schema, one writer.

Why SQLite: an archive audit must survive Ctrl-C and kill -9 without losing or duplicating work,
and every output must be reproducible without re-checking. Each document's result is written in
one transaction, so the file is always consistent; WAL lets `report` read while an audit writes.

Layout (schema version 1, documented in docs/audit-store.md):
- `results`: one row per distinct content (sha256) × settings hash × tool version — what a check
  of that content gave; identical files share it.
- `findings`: one row per result × requirement, holding every field of DESIGN §2.2.
- `documents`: one row per path, pointing at its result, with the stat data (size, mtime, ctime,
  inode) that lets an unchanged file skip re-hashing.
- `skipped`, `runs`, `rulesets` (a cache of parsed rule-pack metadata keyed by content digest).
- Views `document_results` and `document_findings` join them per path, for ad-hoc SQL.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ContractcheckError

if TYPE_CHECKING:
    from .walk import Found

SCHEMA_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,                -- running | done | interrupted | failed
    tool_version TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    rulepacks_json TEXT NOT NULL,
    engine TEXT NOT NULL,                -- local:JOBS | dask:ADDRESS
    roots_json TEXT NOT NULL,
    checked INTEGER NOT NULL DEFAULT 0,
    reused INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE rulesets (
    packs_digest TEXT PRIMARY KEY,
    rulepacks_json TEXT NOT NULL,
    rule_ids_json TEXT NOT NULL
);
CREATE TABLE results (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    format TEXT,
    language TEXT,
    pages INTEGER,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error_code TEXT,
    error_message TEXT,
    warnings_json TEXT NOT NULL DEFAULT '[]',
    extra_json TEXT,                     -- document fields beyond DESIGN §2.2's core (e.g. parts)
    checked_at TEXT NOT NULL,
    seconds REAL,
    run_id INTEGER,
    UNIQUE (sha256, settings_hash, tool_version)
);
CREATE TABLE findings (
    result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    requirement TEXT NOT NULL,
    pack TEXT,
    title TEXT,
    status TEXT NOT NULL,
    severity TEXT,
    reasons_json TEXT NOT NULL,
    missing_elements_json TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    remediation TEXT,
    references_json TEXT NOT NULL,
    extra_json TEXT,                     -- finding fields beyond DESIGN §2.2's core
    PRIMARY KEY (result_id, requirement)
);
CREATE TABLE documents (
    path_key TEXT PRIMARY KEY,           -- absolute path
    path TEXT NOT NULL,                  -- the path as reported
    size INTEGER,
    mtime_ns INTEGER,
    ctime_ns INTEGER,
    inode INTEGER,
    sha256 TEXT,
    result_id INTEGER REFERENCES results(id),
    error_code TEXT,                     -- the file itself could not be read (no sha256, no result)
    error_message TEXT,
    run_id INTEGER NOT NULL
);
CREATE INDEX documents_sha256 ON documents(sha256);
CREATE INDEX results_settings ON results(settings_hash, tool_version);
CREATE TABLE skipped (
    path_key TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    reason TEXT NOT NULL,
    run_id INTEGER NOT NULL
);
CREATE VIEW document_results AS
    SELECT d.path, d.sha256, d.size, r.format, r.language, r.pages,
           CASE WHEN d.error_code IS NOT NULL THEN 'error' ELSE r.status END AS status,
           COALESCE(d.error_code, r.error_code) AS error_code,
           COALESCE(d.error_message, r.error_message) AS error_message,
           r.warnings_json, r.settings_hash, r.tool_version, r.checked_at
    FROM documents d LEFT JOIN results r ON r.id = d.result_id;
CREATE VIEW document_findings AS
    SELECT d.path, d.sha256, f.*
    FROM documents d JOIN findings f ON f.result_id = d.result_id;
"""

# One SQL script per schema version; a store at version n gets scripts n+1.. applied in order.
MIGRATIONS: tuple[str, ...] = (SCHEMA_V1,)

_DOC_KEYS = ("path", "sha256", "format", "language", "pages", "error", "warnings", "findings")
_FINDING_KEYS = (
    "requirement", "pack", "title", "status", "severity", "reasons", "missing_elements",
    "evidence", "remediation", "references",
)  # fmt: skip
RETRYABLE = ("timeout", "worker_crashed")


class StoreError(ContractcheckError):
    code = "bad_store"


@dataclass
class StoredDocument:
    """A `documents` row: what the last audit knew about one path."""

    key: str
    path: str
    size: int | None
    mtime_ns: int | None
    ctime_ns: int | None
    inode: int | None
    sha256: str | None
    result_id: int | None
    error_code: str | None


@dataclass
class Cached:
    """A stored result usable for the current settings and tool version."""

    result_id: int
    error_code: str | None


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Store:
    """The SQLite file. All writes go through methods that each run in one transaction."""

    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, migrations: Sequence[str] = MIGRATIONS) -> Store:
        """Open (and create or migrate) the store; a newer or damaged file is refused clearly."""
        path = str(path)
        if not create and not Path(path).is_file():
            raise StoreError(f"{path}: no audit store here (run `contractcheck audit` first, or pass --db)")
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the audit store ({exc})") from exc
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: cannot switch the store to WAL mode (got {mode})")
            # NORMAL: a killed process loses no commit (a power cut may lose the last few); never inconsistent
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, path, migrations)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path}: not a contractcheck audit store or damaged ({exc})") from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    # --- rule-pack metadata cache ---------------------------------------------------------------
    def ruleset(self, digest: str) -> tuple[list[dict[str, str]], list[str]] | None:
        row = self.conn.execute(
            "SELECT rulepacks_json, rule_ids_json FROM rulesets WHERE packs_digest = ?", (digest,)
        ).fetchone()
        return (json.loads(row[0]), json.loads(row[1])) if row else None

    def save_ruleset(self, digest: str, rulepacks: list[dict[str, str]], rule_ids: list[str]) -> None:
        with self._transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO rulesets VALUES (?, ?, ?)",
                (digest, json.dumps(rulepacks), json.dumps(rule_ids)),
            )

    # --- reading ------------------------------------------------------------------------------------
    def documents(self) -> dict[str, StoredDocument]:
        rows = self.conn.execute(
            "SELECT path_key, path, size, mtime_ns, ctime_ns, inode, sha256, result_id, error_code "
            "FROM documents"
        )
        return {r[0]: StoredDocument(*r) for r in rows}

    def cached_results(self, settings_hash: str, version: str) -> dict[str, Cached]:
        rows = self.conn.execute(
            "SELECT sha256, id, error_code FROM results WHERE settings_hash = ? AND tool_version = ?",
            (settings_hash, version),
        )
        return {r[0]: Cached(r[1], r[2]) for r in rows}

    def latest_run(self) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT id, started_at, finished_at, status, tool_version, settings_hash, settings_json, "
            "rulepacks_json, engine, roots_json, checked, reused FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        keys = ("id", "started_at", "finished_at", "status", "tool_version", "settings_hash", "settings",
                "rulepacks", "engine", "roots", "checked", "reused")  # fmt: skip
        run = dict(zip(keys, row, strict=True))
        for k in ("settings", "rulepacks", "roots"):
            run[k] = json.loads(run[k])
        return run

    def skipped(self, keys: set[str] | None = None) -> list[dict[str, str]]:
        rows = self.conn.execute("SELECT path_key, path, reason FROM skipped ORDER BY path")
        return [{"path": p, "reason": r} for k, p, r in rows if keys is None or k in keys]

    def errors(self, keys: set[str]) -> list[tuple[str, str, str]]:
        """(path, code, message) of the given paths whose stored result is an error, by path."""
        rows = self.conn.execute(
            "SELECT d.path_key, d.path, COALESCE(d.error_code, r.error_code), "
            "COALESCE(d.error_message, r.error_message) FROM documents d "
            "LEFT JOIN results r ON r.id = d.result_id "
            "WHERE d.error_code IS NOT NULL OR r.status = 'error' ORDER BY d.path"
        )
        return [(path, code, msg) for key, path, code, msg in rows if key in keys]

    def load_documents(self, keys: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Documents in the DESIGN §2.2 shape, sorted by path; `keys` limits them to those paths."""
        wanted = set(keys) if keys is not None else None
        rows = self.conn.execute(
            "SELECT d.path_key, d.path, d.sha256, d.error_code, d.error_message, r.id, r.format, "
            "r.language, r.pages, r.status, r.error_code, r.error_message, r.warnings_json, r.extra_json "
            "FROM documents d LEFT JOIN results r ON r.id = d.result_id ORDER BY d.path"
        ).fetchall()
        rows = [r for r in rows if wanted is None or r[0] in wanted]
        findings = self._findings({r[5] for r in rows if r[5] is not None})
        docs = []
        for key, path, sha, derr, dmsg, rid, fmt, lang, pages, status, rerr, rmsg, warnings, extra in rows:
            error = None
            if derr is not None:
                error = {"code": derr, "message": dmsg}
            elif rid is None:
                continue  # cannot happen in a consistent store; never invent a result
            elif status == "error":
                error = {"code": rerr, "message": rmsg}
            doc: dict[str, Any] = {
                "path": path,
                "sha256": sha,
                "format": fmt,
                "language": lang,
                "pages": pages,
                "error": error,
                "warnings": json.loads(warnings) if warnings else [],
                "findings": findings.get(rid, []) if error is None else [],
            }
            if extra:
                doc.update(json.loads(extra))
            doc["_key"] = key
            docs.append(doc)
        return docs

    def _findings(self, result_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        if not result_ids:
            return out
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_ids (id INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM wanted_ids")
        self.conn.executemany("INSERT INTO wanted_ids VALUES (?)", ((i,) for i in result_ids))
        rows = self.conn.execute(
            "SELECT result_id, requirement, pack, title, status, severity, reasons_json, "
            "missing_elements_json, evidence_json, remediation, references_json, extra_json "
            "FROM findings WHERE result_id IN (SELECT id FROM wanted_ids) ORDER BY result_id, position"
        )
        for rid, req, pack, title, status, sev, reasons, missing, evidence, remedy, refs, extra in rows:
            f: dict[str, Any] = {
                "requirement": req,
                "pack": pack,
                "title": title,
                "status": status,
                "severity": sev,
                "reasons": json.loads(reasons),
                "missing_elements": json.loads(missing),
                "evidence": json.loads(evidence),
                "remediation": remedy,
                "references": json.loads(refs),
            }
            if extra:
                f.update(json.loads(extra))
            out.setdefault(rid, []).append(f)
        return out

    # --- writing ------------------------------------------------------------------------------------
    def start_run(
        self,
        *,
        version: str,
        settings_hash: str,
        settings: dict[str, Any],
        rulepacks: list[dict[str, str]],
        engine: str,
        roots: list[str],
    ) -> int:
        with self._transaction() as c:
            cur = c.execute(
                "INSERT INTO runs (started_at, status, tool_version, settings_hash, settings_json, "
                "rulepacks_json, engine, roots_json) VALUES (?, 'running', ?, ?, ?, ?, ?, ?)",
                (now(), version, settings_hash, json.dumps(settings), json.dumps(rulepacks), engine,
                 json.dumps(roots)),
            )  # fmt: skip
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, checked: int, reused: int) -> None:
        with self._transaction() as c:
            c.execute(
                "UPDATE runs SET finished_at = ?, status = ?, checked = ?, reused = ? WHERE id = ?",
                (now(), status, checked, reused, run_id),
            )

    def apply_plan(
        self,
        run_id: int,
        *,
        reuse: list[tuple[Found, str, int]],
        read_errors: list[tuple[Found, str, str]],
        skipped: list[tuple[str, str, str]],
        roots: list[str],
        keep_under: list[str],
        seen: set[str],
    ) -> int:
        """Point reused paths at their results, record unreadable ones and skips, and forget paths
        under the audited roots that are gone — all in one transaction. Returns how many were pruned."""
        with self._transaction() as c:
            c.executemany(
                _UPSERT_DOCUMENT,
                [
                    (f.key, f.path, f.size, f.mtime_ns, f.ctime_ns, f.inode, sha, rid, None, None, run_id)
                    for f, sha, rid in reuse
                ],
            )
            c.executemany(
                _UPSERT_DOCUMENT,
                [(f.key, f.path, None, None, None, None, None, None, code, msg, run_id)
                 for f, code, msg in read_errors],
            )  # fmt: skip
            pruned = 0
            stale = [k for (k,) in c.execute("SELECT path_key FROM documents") if k not in seen]
            stale_skips = [k for (k,) in c.execute("SELECT path_key FROM skipped")]
            gone = [k for k in stale if _under(k, roots) and not _under(k, keep_under)]
            c.executemany("DELETE FROM documents WHERE path_key = ?", ((k,) for k in gone))
            pruned = len(gone)
            c.executemany(
                "DELETE FROM skipped WHERE path_key = ?",
                ((k,) for k in stale_skips if _under(k, roots) and not _under(k, keep_under)),
            )
            c.executemany(
                "INSERT OR REPLACE INTO skipped VALUES (?, ?, ?, ?)", [(*s, run_id) for s in skipped]
            )
        return pruned

    def save_result(
        self,
        run_id: int,
        *,
        sha256: str,
        settings_hash: str,
        version: str,
        result: dict[str, Any],
        paths: list[Found],
        seconds: float | None,
        stat_valid: bool = True,
    ) -> int:
        """Store one checked content and point every path that holds it there, in one transaction."""
        error = result.get("error")
        extra = {k: v for k, v in result.items() if k not in _DOC_KEYS}
        with self._transaction() as c:
            old = c.execute(
                "SELECT id FROM results WHERE sha256 = ? AND settings_hash = ? AND tool_version = ?",
                (sha256, settings_hash, version),
            ).fetchone()
            if old is not None:  # a retried timeout or crash: replace, never duplicate
                c.execute("DELETE FROM findings WHERE result_id = ?", (old[0],))
                c.execute("UPDATE documents SET result_id = NULL WHERE result_id = ?", (old[0],))
                c.execute("DELETE FROM results WHERE id = ?", (old[0],))
            cur = c.execute(
                "INSERT INTO results (sha256, settings_hash, tool_version, format, language, pages, status, "
                "error_code, error_message, warnings_json, extra_json, checked_at, seconds, run_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sha256, settings_hash, version, result.get("format"), result.get("language"),
                    result.get("pages"), "error" if error else "ok", error["code"] if error else None,
                    error["message"] if error else None, json.dumps(result.get("warnings") or []),
                    json.dumps(extra, ensure_ascii=False) if extra else None, now(), seconds, run_id,
                ),
            )  # fmt: skip
            rid = int(cur.lastrowid or 0)
            if old is not None:
                c.execute(
                    "UPDATE documents SET result_id = ? WHERE result_id IS NULL AND sha256 = ?", (rid, sha256)
                )
            c.executemany(
                "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_finding_row(rid, i, f) for i, f in enumerate(result.get("findings") or [])],
            )
            rows = [
                (f.key, f.path, f.size, *((f.mtime_ns, f.ctime_ns, f.inode) if stat_valid else (None,) * 3),
                 sha256, rid, None, None, run_id)
                for f in paths
            ]  # fmt: skip
            c.executemany(_UPSERT_DOCUMENT, rows)
        return rid

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (KeyboardInterrupt included)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


_UPSERT_DOCUMENT = (
    "INSERT INTO documents (path_key, path, size, mtime_ns, ctime_ns, inode, sha256, result_id, error_code, "
    "error_message, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(path_key) DO UPDATE SET path = excluded.path, size = excluded.size, "
    "mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, inode = excluded.inode, "
    "sha256 = excluded.sha256, result_id = excluded.result_id, error_code = excluded.error_code, "
    "error_message = excluded.error_message, run_id = excluded.run_id"
)


def _finding_row(result_id: int, position: int, f: dict[str, Any]) -> tuple[Any, ...]:
    extra = {k: v for k, v in f.items() if k not in _FINDING_KEYS}
    return (
        result_id,
        position,
        f["requirement"],
        f.get("pack"),
        f.get("title"),
        f["status"],
        f.get("severity"),
        json.dumps(f.get("reasons") or [], ensure_ascii=False),
        json.dumps(f.get("missing_elements") or [], ensure_ascii=False),
        json.dumps(f.get("evidence") or [], ensure_ascii=False),
        f.get("remediation"),
        json.dumps(f.get("references") or [], ensure_ascii=False),
        json.dumps(extra, ensure_ascii=False) if extra else None,
    )


def _under(key: str, roots: list[str]) -> bool:
    import os

    return any(key == r or key.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def migrate(conn: sqlite3.Connection, path: str, migrations: Sequence[str] = MIGRATIONS) -> None:
    """Bring the schema to the newest version, one script per step, each step in one transaction."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(migrations):
        raise StoreError(
            f"{path}: written by a newer contractcheck (store schema {current}, this version knows "
            f"up to {len(migrations)}); upgrade contractcheck or use another --db"
        )
    if current == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise StoreError(f"{path}: an SQLite file that is not a contractcheck audit store; use another --db")
    for version in range(current + 1, len(migrations) + 1):
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{migrations[version - 1]}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def schema_version(path: str | Path) -> int:
    """The schema version a store file is at (for tests and `report`)."""
    conn = sqlite3.connect(str(path))
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
