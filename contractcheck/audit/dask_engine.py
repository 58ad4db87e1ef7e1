"""Run the same audit on a Dask distributed cluster (`pip install contractcheck[dask]`).

Only the checking moves: walking, hashing, planning and the SQLite store stay in the client, so
incrementality and resume behave exactly as locally. Each document is shipped as its bytes (the
default) or as an absolute path the workers can read (`--ship paths`), and its result comes back
to the client, which writes it in one transaction.

A Dask task cannot be interrupted inside its thread, so the document is not checked in the Dask
worker itself: a worker plugin keeps a `Zygote` and one forked checker process per busy thread,
and the task waits on that process with the --timeout deadline. A checker process that hangs or
crashes is killed and replaced, and the task returns a `timeout` / `worker_crashed` document like
the local engine. If a whole Dask worker dies (the nanny restarts it), Dask retries its tasks and
finally raises KilledWorker, recorded as `worker_crashed`. Not enforced on Dask: --max-memory
(use the workers' own `--memory-limit`).
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from ..errors import ContractcheckError
from .child import Child, WorkerSetupError, WorkerSpec, Zygote, error_result
from .local import START_TIMEOUT, EngineStats, OnResult, Task

try:
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - only without the extra
    WorkerPlugin = object  # type: ignore[assignment,misc]

PLUGIN_PREFIX = "contractcheck-audit-"


class ChildPool(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Per Dask worker: idle checker processes, started on demand, reused across tasks."""

    def __init__(self, spec: WorkerSpec):
        self.spec = spec

    def setup(self, worker: Any) -> None:
        self._idle: list[Child] = []
        self._lock = threading.Lock()
        self._zygote: Zygote | None = None
        self.peak_rss_kb = 0

    def teardown(self, worker: Any) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            zygote, self._zygote = self._zygote, None
        for c in idle:
            c.close()
        if zygote is not None:
            zygote.close()

    def _fork(self) -> Child:
        with self._lock:
            if self._zygote is None or not self._zygote.alive():
                if self._zygote is not None:
                    self._zygote.close(grace=0)
                self._zygote = Zygote(self.spec)
                self._zygote.wait_ready(START_TIMEOUT)
            zygote = self._zygote
        return zygote.fork()

    def run(
        self, source: str | bytes, name: str, timeout: float | None
    ) -> tuple[dict[str, Any], float | None]:
        with self._lock:
            child = self._idle.pop() if self._idle else None
        if child is None:
            child = self._fork()
            child.wait_ready(START_TIMEOUT)
        result, seconds = child.run_one(source, name, timeout)
        self.peak_rss_kb = max(self.peak_rss_kb, child.peak_rss_kb)
        if child.state != "gone":
            with self._lock:
                self._idle.append(child)
        return result, seconds


def check_on_worker(
    plugin: str, source: str | bytes, name: str, timeout: float | None
) -> tuple[dict[str, Any], float | None, int]:
    """The Dask task: hand the document to this worker's checker process."""
    from distributed import get_worker

    pool = get_worker().plugins[plugin]
    result, seconds = pool.run(source, name, timeout)
    return result, seconds, pool.peak_rss_kb


class DaskEngine:
    """Submit documents to a cluster with a bounded number in flight; results return to the client."""

    def __init__(self, address: str, spec: WorkerSpec, *, timeout: float | None = None, ship: str = "bytes"):
        self.address = address
        self.spec = spec
        self.timeout = timeout or None
        self.ship = ship
        self.stats = EngineStats()

    def run(self, tasks: list[Task], on_result: OnResult) -> EngineStats:
        from distributed import Client, as_completed

        try:
            _probe(self.address)
            client = Client(self.address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ContractcheckError(
                f"cannot reach the Dask scheduler at {self.address} ({exc})", code="usage"
            ) from exc
        plugin = f"{PLUGIN_PREFIX}{self.spec.settings_hash[:12]}-{uuid.uuid4().hex[:8]}"
        futures: dict[Any, Task] = {}
        peaks: dict[str, int] = {}
        try:
            client.register_plugin(ChildPool(self.spec), name=plugin)
            threads = sum(client.nthreads().values()) or 1
            window = max(4, 2 * threads)
            pending: Iterator[Task] = iter(sorted(tasks, key=lambda t: -t.size))
            done = as_completed()

            def submit_next() -> bool:
                for task in pending:
                    source = self._source(task)
                    if isinstance(source, dict):  # the client could not read it
                        on_result(task, source, None)
                        continue
                    fut = client.submit(
                        check_on_worker, plugin, source, task.name, self.timeout,
                        pure=False, key=f"contractcheck-check-{uuid.uuid4().hex}",
                    )  # fmt: skip
                    futures[fut] = task
                    done.add(fut)
                    return True
                return False

            for _ in range(window):
                if not submit_next():
                    break
            for fut in done:
                task = futures.pop(fut)
                try:
                    result, seconds, peak = fut.result()
                    peaks[fut.key] = peak
                except WorkerSetupError:
                    raise
                except Exception as exc:  # KilledWorker and the like: the document, not the audit, failed
                    message = f"the Dask task failed ({type(exc).__name__}: {exc})"
                    result, seconds = error_result(task.name, "worker_crashed", message), None
                on_result(task, result, seconds)
                submit_next()
        finally:
            for fut in futures:
                fut.cancel()
            with contextlib.suppress(Exception):  # the cluster may be gone; nothing to undo then
                client.unregister_worker_plugin(plugin)
            client.close()
        self.stats.peak_rss_kb = sorted(set(peaks.values()))
        return self.stats

    def _source(self, task: Task) -> str | bytes | dict[str, Any]:
        if self.ship == "paths":
            return str(task.source)
        try:
            with open(task.source, "rb") as fh:
                return fh.read()
        except OSError as exc:
            return error_result(task.name, "unreadable", f"cannot read file ({exc.strerror or exc})")


def _probe(address: str, timeout: float = 10.0) -> None:
    """Fail fast on a scheduler that is not listening (Dask itself would retry until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or not parts.port:
        return  # other transports: let Dask judge
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
        pass
