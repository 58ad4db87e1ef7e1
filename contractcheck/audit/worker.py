"""The zygote and its workers: build the Checker once (spaCy pipelines, compiled rules), fork ready
workers on request, and in each worker check documents one after another.

Run as `python -m contractcheck.audit.worker SOCKET_FD PARENT_PID DIE_WITH_PARENT` by
`child.Zygote`. Every process here ignores Ctrl-C (the audit decides when they stop) and exits
when its parent goes away, so a killed audit leaves nothing behind: the zygote dies with the
audit, and each worker with the zygote.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import signal
import socket
import sys
import threading
import time
from typing import Any

from ..memory import peak_rss_kb
from .child import MAX_MESSAGE, error_result, recv, send


def check_document(checker: Any, source: str | bytes, name: str) -> dict[str, Any]:
    """The default task: one document through `Checker.check_one`, as `contractcheck check` does."""
    return checker.check_one(source, name=name).to_dict()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sock_fd, parent, die_with_parent = int(args[0]), int(args[1]), args[2] == "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent, die_with_parent)
    sock = socket.socket(fileno=sock_fd)
    data = sock.recv(MAX_MESSAGE)
    if not data:
        return 0
    spec = pickle.loads(data)
    sys.path[:0] = [p for p in spec.sys_path if p not in sys.path]
    try:
        checker, task = _setup(spec)
    except Exception as exc:  # anything at start-up stops the audit with this message
        sock.sendall(pickle.dumps(("setup_error", f"{type(exc).__name__}: {exc}")))
        return 3
    gc.freeze()  # what is built so far stays shared with the forked workers instead of being copied
    sock.sendall(pickle.dumps(("ready", {"pid": os.getpid()})))
    return _zygote(sock, checker, task)


def _setup(spec: Any) -> tuple[Any, Any]:
    from .. import __version__
    from .settings import settings_hash

    if spec.version != __version__:
        raise RuntimeError(f"this worker runs contractcheck {__version__}, the client {spec.version}")
    if settings_hash(spec.settings.describe()) != spec.settings_hash:
        raise RuntimeError("this worker sees other rule packs or settings than the client")
    module, _, func = spec.task.partition(":")
    task = getattr(importlib.import_module(module), func)
    checker = spec.settings.build_checker()
    for lang in ("en", "sv"):  # compile both pipelines before the first document's clock starts
        checker.engine.matcher(lang)
    return checker, task


def _zygote(sock: socket.socket, checker: Any, task: Any) -> int:
    """Serve fork / poll / reap requests until the audit closes the socket."""
    finished: dict[int, int] = {}
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 2)
        except OSError:
            return 0
        if not data:
            return 0
        msg = pickle.loads(data)
        if msg[0] == "fork":
            pid = os.fork()
            if pid == 0:  # the new worker: never return into this loop
                code = 70
                try:
                    sock.close()
                    code = _serve(fds[0], fds[1], checker, task, zygote=os.getppid())
                finally:
                    os._exit(code)
            for fd in fds:
                os.close(fd)
            reply: tuple[Any, ...] = ("forked", pid)
        else:  # "poll" or "reap" a worker
            pid = msg[1]
            if pid not in finished:
                try:
                    got, status = os.waitpid(pid, 0 if msg[0] == "reap" else os.WNOHANG)
                except ChildProcessError:
                    got, status = pid, 0
                if got:
                    finished[pid] = os.waitstatus_to_exitcode(status)
            reply = (msg[0], finished.pop(pid, None) if msg[0] == "reap" else finished.get(pid))
        sock.sendall(pickle.dumps(reply))


def _serve(fd_in: int, fd_out: int, checker: Any, task: Any, *, zygote: int) -> int:
    """A worker: check each document sent, answer with its result, until the input closes."""
    _watch_parent(zygote, True)
    send(fd_out, ("ready", {"pid": os.getpid()}))
    while True:
        msg = recv(fd_in)
        if msg is None:
            return 0
        _, job, source, name = msg
        t0 = time.perf_counter()
        exiting = False
        try:
            result = task(checker, source, name)
        except MemoryError:
            result = error_result(name, "worker_crashed", "the worker ran out of memory on this document")
            exiting = True  # a heap after MemoryError is not to be trusted
        except Exception as exc:
            result = error_result(
                name, "worker_crashed", f"internal error while checking ({type(exc).__name__}: {exc})"
            )
        send(fd_out, ("result", job, result, time.perf_counter() - t0, peak_rss_kb(), exiting))
        if exiting:
            return 4


def _watch_parent(parent: int, die_with_parent: bool) -> None:
    """Exit when the parent is gone: at once through the kernel on Linux, else by polling."""
    if die_with_parent and sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def poll() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(1.0)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=poll, daemon=True, name="parent-watch").start()


if __name__ == "__main__":
    sys.exit(main())
