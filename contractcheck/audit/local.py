"""Run documents in N worker processes on this machine, each isolated and replaceable.

Why not concurrent.futures: a process pool cannot kill one hung task. Here each worker is a
`Child` with its own pipes, forked ready-built from one `Zygote`; the parent waits on all of them
with a deadline per document. A worker past --timeout, past --max-memory, or dead (a crash, the
OOM killer) is killed and replaced, its document is recorded as `timeout` or `worker_crashed`,
and the other workers go on.
"""

from __future__ import annotations

import contextlib
import selectors
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .child import (
    Child,
    WorkerSetupError,
    WorkerSpec,
    Zygote,
    crash_message,
    error_result,
    timeout_message,
)

START_TIMEOUT = 300.0  # seconds the zygote may take to import spaCy and compile the rules
MEMORY_POLL = 0.25  # seconds between memory checks while a document runs


@dataclass
class Task:
    """One distinct content to check: `source` is a path the worker can read, or the bytes."""

    key: str
    source: str | bytes
    name: str
    size: int = 0


@dataclass
class EngineStats:
    workers_started: int = 0
    workers_replaced: int = 0
    peak_rss_kb: list[int] = field(default_factory=list)  # per worker process, as it reported


OnResult = Callable[[Task, dict[str, Any], float | None], None]


class LocalEngine:
    """A process pool with per-document timeouts and crash isolation."""

    def __init__(
        self,
        spec: WorkerSpec,
        jobs: int,
        *,
        timeout: float | None = None,
        max_memory_mb: int = 0,
        debug: bool = False,
    ):
        self.spec = spec
        self.jobs = max(1, jobs)
        self.timeout = timeout or None
        self.max_rss_kb = max_memory_mb * 1024 if max_memory_mb else 0
        self.debug = debug
        self.stats = EngineStats()

    def run(self, tasks: list[Task], on_result: OnResult) -> EngineStats:
        """Check every task, largest first; call on_result in this process as each one finishes."""
        pending = deque(sorted(tasks, key=lambda t: -t.size))
        children: list[Child] = []
        sel = selectors.DefaultSelector()
        ok = False
        self._zygote: Zygote | None = None
        try:
            for _ in range(min(self.jobs, len(pending))):
                self._spawn(children, sel)
            while pending or any(c.state == "busy" for c in children):
                for c in children:
                    while c.state == "idle" and pending:
                        task = pending.popleft()
                        if not c.submit(task, task.source, task.name):
                            pending.appendleft(task)
                            self._replace(c, children, sel, pending)
                            break
                for key, _ in sel.select(self._wait_time(children)):
                    self._on_readable(key.data, children, sel, pending, on_result)
                self._enforce_limits(children, sel, pending, on_result)
            ok = True
        finally:
            for c in children:
                if c.state != "gone":
                    self.stats.peak_rss_kb.append(c.peak_rss_kb)
                    if ok:
                        c.close()
                    else:
                        c.kill()
            sel.close()
            if self._zygote is not None:
                self._zygote.close(grace=5.0 if ok else 0.0)
        return self.stats

    # --- events ----------------------------------------------------------------------------------
    def _on_readable(
        self, c: Child, children: list[Child], sel: selectors.BaseSelector, pending: deque[Task],
        on_result: OnResult,
    ) -> None:  # fmt: skip
        if c.state == "gone":
            return
        msg = c.read()
        if msg is None:
            if c.state == "starting":
                detail = f"the worker process {c.exit_reason()} before it was ready"
                raise WorkerSetupError(f"a worker could not start: {detail}; re-run with --debug to see why")
            task = c.task
            detail = f"the worker process {c.exit_reason()} while checking this document"
            self._replace(c, children, sel, pending)
            if task is not None:  # an idle worker that died costs nothing but its replacement
                on_result(task, error_result(task.name, "worker_crashed", crash_message(detail)), None)
        elif msg[0] == "ready":
            c.state = "idle"
        elif msg[0] == "setup_error":
            raise WorkerSetupError(f"a worker could not start: {msg[1]}")
        elif msg[0] == "result":
            task, c.task, c.state = c.task, None, "idle"
            if msg[5]:  # the worker exits after this document: replace it without blaming the next one
                self._replace(c, children, sel, pending)
            on_result(task, msg[2], msg[3])

    def _enforce_limits(
        self, children: list[Child], sel: selectors.BaseSelector, pending: deque[Task], on_result: OnResult
    ) -> None:
        now = time.monotonic()
        for c in list(children):
            if c.state == "starting" and now - c.started > START_TIMEOUT:
                raise WorkerSetupError(f"a worker did not get ready within {START_TIMEOUT:g} s")
            if c.state != "busy":
                continue
            task = c.task
            if self.timeout is not None and now - c.task_started > self.timeout:
                self._replace(c, children, sel, pending)
                on_result(task, error_result(task.name, "timeout", timeout_message(self.timeout)), None)
            elif self.max_rss_kb and (rss := c.rss_kb() or 0) > self.max_rss_kb:
                self._replace(c, children, sel, pending)
                message = (
                    f"the worker used {rss // 1024} MB, over --max-memory {self.max_rss_kb // 1024} MB; "
                    "it was stopped and replaced"
                )
                on_result(task, error_result(task.name, "worker_crashed", message), None)

    def _wait_time(self, children: list[Child]) -> float:
        now = time.monotonic()
        waits = [MEMORY_POLL if self.max_rss_kb else 5.0]
        for c in children:
            if c.state == "busy" and self.timeout is not None:
                waits.append(c.task_started + self.timeout - now)
        return max(0.0, min(waits))

    # --- workers -----------------------------------------------------------------------------------
    def _spawn(self, children: list[Child], sel: selectors.BaseSelector) -> Child:
        if self._zygote is None or not self._zygote.alive():  # the first time, or after it was killed
            if self._zygote is not None:
                self._zygote.close(grace=0)
            self._zygote = Zygote(self.spec, die_with_parent=True, debug=self.debug)
            self._zygote.wait_ready(START_TIMEOUT)
        c = self._zygote.fork()
        children.append(c)
        sel.register(c, selectors.EVENT_READ, c)
        self.stats.workers_started += 1
        return c

    def _replace(
        self, c: Child, children: list[Child], sel: selectors.BaseSelector, pending: deque[Task]
    ) -> None:
        """Kill a worker; start a new one if documents are still waiting."""
        with contextlib.suppress(KeyError, ValueError):
            sel.unregister(c)
        self.stats.peak_rss_kb.append(c.peak_rss_kb)
        c.kill()
        children.remove(c)
        self.stats.workers_replaced += 1
        busy = sum(1 for x in children if x.state in ("busy", "starting", "idle"))
        if pending and busy < self.jobs:
            self._spawn(children, sel)
