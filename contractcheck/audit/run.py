"""One audit from start to end: settings → walk → plan → check what changed → store, in that order.

The parent process never imports spaCy or the document parsers: an audit of an unchanged archive
stats the files, reads the store, and starts no worker. Results are stored one document per
transaction as they arrive, so an audit stopped by Ctrl-C or killed outright loses nothing that
finished and, run again, continues with what is left.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from .. import __version__
from . import DEFAULT_TIMEOUT
from .child import DEFAULT_TASK, WorkerSpec
from .local import EngineStats, LocalEngine, Task
from .plan import Plan, make_plan
from .progress import Progress
from .settings import CheckSettings, Resolved, resolve
from .store import Store
from .walk import Problem, Skipped, walk

OnDocument = Callable[[dict[str, Any]], None]
OnProblem = Callable[[str, str, str], None]


@dataclass
class AuditRequest:
    """Everything `contractcheck audit` was asked to do (the library equivalent of its options)."""

    paths: list[str]
    settings: CheckSettings = field(default_factory=CheckSettings)
    jobs: int = 0  # 0: one worker per available core
    timeout: float | None = DEFAULT_TIMEOUT
    max_memory_mb: int = 0
    scheduler: str | None = None  # tcp://HOST:PORT of a Dask scheduler
    ship: str = "bytes"  # Dask: send the documents' bytes, or only their paths
    retry_errors: bool = False  # check again documents stored as timeout / worker_crashed
    exclude: list[str] = field(default_factory=list)  # never take these files (the -o target)
    task: str = DEFAULT_TASK
    debug: bool = False


@dataclass
class AuditOutcome:
    run_id: int
    resolved: Resolved
    keys: set[str]  # the documents of this audit (absolute paths), for the outputs
    plan: Plan
    problems: list[Problem]
    skipped: list[Skipped]
    checked: int = 0
    interrupted: bool = False
    stats: EngineStats | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_audit(
    req: AuditRequest,
    store: Store,
    *,
    on_document: OnDocument | None = None,
    on_problem: OnProblem | None = None,
    progress: TextIO | None = None,
) -> AuditOutcome:
    """Audit `req.paths` into `store`; call `on_document` for each document as it is settled."""
    resolved = resolve(req.settings, store)
    db = os.path.abspath(store.path)
    exclude = [db, db + "-wal", db + "-shm", db + "-journal", *req.exclude]
    found = walk(req.paths, exclude=exclude)
    plan = make_plan(
        found,
        store.documents(),
        store.cached_results(resolved.hash, __version__),
        retry_errors=req.retry_errors,
    )
    jobs = req.jobs or default_jobs()
    engine_name = f"dask:{req.scheduler}" if req.scheduler else f"local:{jobs}"
    run_id = store.start_run(
        version=__version__,
        settings_hash=resolved.hash,
        settings=resolved.described,
        rulepacks=resolved.rulepacks,
        engine=engine_name,
        roots=found.roots,
    )
    problems = list(found.problems) + [Problem(f.path, code, msg) for f, code, msg in plan.read_errors]
    outcome = AuditOutcome(run_id, resolved, set(plan.seen), plan, problems, plan.skipped)
    bar = Progress(len(plan.todo), progress, enabled=True, reused=plan.reused) if progress else None
    status = "done"
    try:
        store.apply_plan(
            run_id,
            reuse=plan.reuse,
            read_errors=plan.read_errors,
            skipped=[(s.key, s.path, s.reason) for s in plan.skipped],
            roots=found.roots,
            keep_under=found.unlisted,
            seen=plan.seen,
        )
        waiting = {f.key for paths in plan.todo.values() for f in paths}
        if on_problem:
            for p in found.problems:
                on_problem(p.path, p.code, p.message)
            for path, code, message in store.errors(plan.seen - waiting):  # read errors, and stored ones
                on_problem(path, code, message)
        if on_document:
            for doc in store.load_documents(plan.seen - waiting):
                doc.pop("_key", None)
                on_document(doc)
        if plan.todo:
            _check(req, jobs, outcome, store, bar, on_document, on_problem)
    except KeyboardInterrupt:
        status = "interrupted"
        outcome.interrupted = True
    except BaseException:
        status = "failed"
        raise
    finally:
        if bar:
            bar.clear()
        store.finish_run(run_id, status, outcome.checked, plan.reused)
    return outcome


def _check(
    req: AuditRequest,
    jobs: int,
    outcome: AuditOutcome,
    store: Store,
    bar: Progress | None,
    on_document: OnDocument | None,
    on_problem: OnProblem | None,
) -> None:
    """Run the documents to check through the chosen engine, storing each result as it arrives."""
    plan, resolved = outcome.plan, outcome.resolved

    def on_result(task: Task, result: dict[str, Any], seconds: float | None) -> None:
        paths = plan.todo[task.key]
        sha, stat_valid = task.key, True
        actual = result.get("sha256")
        if actual and actual != task.key:  # the file changed after it was hashed: hash it again next time
            sha, stat_valid = actual, False
        store.save_result(
            outcome.run_id,
            sha256=sha,
            settings_hash=resolved.hash,
            version=__version__,
            result=result,
            paths=paths,
            seconds=seconds,
            stat_valid=stat_valid,
        )
        outcome.checked += 1
        error = result.get("error")
        for f in paths:
            if error and on_problem:
                if bar:
                    bar.clear()
                on_problem(f.path, error["code"], error["message"])
            if on_document:
                on_document(document_object(result, f.path, sha))
        if bar:
            bar.advance(error=bool(error))

    tasks = [Task(sha, paths[0].key, paths[0].path, paths[0].size) for sha, paths in plan.todo.items()]
    # Only a custom task (tests) needs this process's import path; the default one is in the package.
    sys_path = list(sys.path) if req.task != DEFAULT_TASK else []
    spec = WorkerSpec(resolved.settings, resolved.hash, __version__, task=req.task, sys_path=sys_path)
    if req.scheduler:
        from .dask_engine import DaskEngine

        engine: Any = DaskEngine(req.scheduler, spec, timeout=req.timeout, ship=req.ship)
    else:
        engine = LocalEngine(
            spec, jobs, timeout=req.timeout, max_memory_mb=req.max_memory_mb, debug=req.debug
        )
    outcome.stats = engine.run(tasks, on_result)


def document_object(result: dict[str, Any], path: str, sha256: str | None) -> dict[str, Any]:
    """A worker's result as the DESIGN §2.2 document object of one path, the same as the store gives."""
    doc: dict[str, Any] = {
        "path": path,
        "sha256": sha256,
        "format": result.get("format"),
        "language": result.get("language"),
        "pages": result.get("pages"),
        "error": result.get("error"),
        "warnings": result.get("warnings") or [],
        "findings": [] if result.get("error") else result.get("findings") or [],
    }
    for k, v in result.items():
        if k not in doc:
            doc[k] = v
    return doc
