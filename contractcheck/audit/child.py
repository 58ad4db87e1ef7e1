"""Worker processes seen from the audit: start them, send them documents, kill them when they misbehave.

A `Zygote` is one separate interpreter (`python -m contractcheck.audit.worker`) that imports spaCy
and builds the Checker once, then forks ready workers on request: a worker replaced after a hang
or a crash is back in milliseconds, not seconds, and the workers share the zygote's memory pages.
It is started with subprocess rather than multiprocessing, because Dask runs its workers as
daemonic processes, which multiprocessing forbids to have children. The audit talks to the zygote
over a Unix socket (passing each worker its pipe ends) and to each worker (`Child`) over two
pipes, one pickled, length-prefixed message at a time; no worker output reaches the user's output
stream. A hung or crashed worker is simply killed: the audit never depends on its help. Linux.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .settings import CheckSettings

DEFAULT_TASK = "contractcheck.audit.worker:check_document"
_HEAD = struct.Struct("!Q")
_TIMED_OUT = ("timed_out",)
MAX_MESSAGE = 1 << 20  # zygote messages (the spec, fork requests) are small


class WorkerSetupError(Exception):
    """A worker could not start (bad environment, other rule packs or version): the audit stops."""


@dataclass
class WorkerSpec:
    """What a worker needs to build its Checker once, and to prove it matches the client's."""

    settings: CheckSettings
    settings_hash: str
    version: str
    task: str = DEFAULT_TASK  # "module:function" called as function(checker, source, name) -> dict
    sys_path: list[str] = field(default_factory=lambda: list(sys.path))


def error_result(name: str | None, code: str, message: str) -> dict[str, Any]:
    """A DESIGN §2.2 document object for a document that produced no findings."""
    return {
        "path": name,
        "sha256": None,
        "format": None,
        "language": None,
        "pages": None,
        "error": {"code": code, "message": message},
        "warnings": [],
        "findings": [],
    }


def send(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEAD.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def recv(fd: int) -> Any | None:
    """The next message, or None when the other side has gone (end of file)."""
    head = _read_exact(fd, _HEAD.size)
    if head is None:
        return None
    body = _read_exact(fd, _HEAD.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        try:
            b = os.read(fd, min(n, 1 << 20))
        except OSError:
            return None
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


class Child:
    """A worker process and its two pipe ends. States: starting → idle ⇄ busy → gone."""

    def __init__(self, proc: Any, to_child: int, from_child: int):
        self.proc = proc  # subprocess.Popen-like: pid, poll(), kill(), wait(timeout)
        self._to_child = to_child
        self._from_child = from_child
        self.state = "starting"
        self.started = time.monotonic()
        self.task: Any = None
        self.task_started = 0.0
        self.peak_rss_kb = 0

    def fileno(self) -> int:
        return self._from_child

    @property
    def pid(self) -> int:
        return self.proc.pid

    def submit(self, task: Any, source: str | bytes, name: str) -> bool:
        """Hand over one document; False if the worker is already gone."""
        try:
            send(self._to_child, ("check", id(task), source, name))
        except OSError:
            return False
        self.task, self.state, self.task_started = task, "busy", time.monotonic()
        return True

    def read(self) -> Any | None:
        """The next message (blocking); None if the worker has died."""
        msg = recv(self._from_child)
        if msg is not None and msg[0] == "result":
            self.peak_rss_kb = max(self.peak_rss_kb, msg[4])
        return msg

    def rss_kb(self) -> int | None:
        """Resident memory now, from /proc (Linux); None where it cannot be read."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def exit_reason(self) -> str:
        return exit_reason(self.proc)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._close_fds()
        self.state = "gone"

    def close(self, grace: float = 5.0) -> None:
        """Let the worker finish (it exits when its input closes); kill it if it lingers."""
        with contextlib.suppress(OSError):
            os.close(self._to_child)
        self._to_child = -1
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._close_fds()
        self.state = "gone"

    def _close_fds(self) -> None:
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._to_child = self._from_child = -1

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has built its Checker (for callers without a scheduling loop)."""
        msg = self._wait(timeout)
        if msg is None or msg[0] != "ready":
            if msg is _TIMED_OUT:
                detail = f"the worker process did not get ready within {timeout:g} s"
            elif msg[0] == "setup_error":
                detail = msg[1]
            else:
                detail = self._lost("before it was ready")
            self.kill()
            raise WorkerSetupError(f"a worker could not start: {detail}")
        self.state = "idle"

    def run_one(
        self, source: str | bytes, name: str, timeout: float | None
    ) -> tuple[dict[str, Any], float | None]:
        """Check one document with a time limit; a hang or crash kills the worker and gives an error.

        Returns the document object and the seconds the worker spent on it (None if it gave no result).
        """
        if not self.submit(object(), source, name):
            self.kill()
            message = "the worker process was gone before the document was sent"
            return error_result(name, "worker_crashed", message), None
        msg = self._wait(timeout)
        self.task, self.state = None, "idle"
        if msg is not None and msg[0] == "result":
            if msg[5]:  # the worker is exiting after this one (it ran out of memory)
                self.kill()
            return msg[2], msg[3]
        if msg is _TIMED_OUT:
            self.kill()
            return error_result(name, "timeout", timeout_message(timeout or 0)), None
        detail = self._lost("while checking this document")
        self.kill()
        return error_result(name, "worker_crashed", crash_message(detail)), None

    def _wait(self, timeout: float | None) -> Any | None:
        """The next message, `_TIMED_OUT`, or None when the worker died."""
        with selectors.DefaultSelector() as sel:
            sel.register(self._from_child, selectors.EVENT_READ)
            if not sel.select(timeout):
                return _TIMED_OUT
        return self.read()

    def _lost(self, when: str) -> str:
        reason = self.exit_reason()
        self._close_fds()
        self.state = "gone"
        return f"the worker process {reason} {when}"


def timeout_message(timeout: float) -> str:
    return f"no result within {timeout:g} s (--timeout); the worker was stopped and replaced"


def crash_message(detail: str) -> str:
    return f"{detail}; it was replaced and the audit went on"


def exit_reason(proc: Any) -> str:
    """'was killed by signal SIGSEGV', 'exited with status 1'."""
    try:
        rc = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    if rc is None:
        return "ended"
    if rc < 0:
        try:
            return f"was killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"was killed by signal {-rc}"
    return f"exited with status {rc}"


class Zygote:
    """One interpreter that builds the Checker once and forks ready workers on request."""

    def __init__(self, spec: WorkerSpec, *, die_with_parent: bool = False, debug: bool = False):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        args = [
            sys.executable, "-m", "contractcheck.audit.worker",
            str(theirs.fileno()), str(os.getpid()), "1" if die_with_parent else "0",
        ]  # fmt: skip
        try:
            self.proc = subprocess.Popen(
                args,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=None if debug else subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches the audit only; the audit stops its workers
            )
        finally:
            theirs.close()
        self.sock = ours
        self.started = time.monotonic()
        self._lock = threading.Lock()
        with contextlib.suppress(OSError):  # a zygote that died at once is seen as such in wait_ready
            self.sock.sendall(pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))

    def wait_ready(self, timeout: float) -> None:
        """Block until the Checker is built; WorkerSetupError, with the reason, if it cannot be."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(MAX_MESSAGE)
        except TimeoutError:
            self.close(grace=0)
            raise WorkerSetupError(f"the checker process did not get ready within {timeout:g} s") from None
        except OSError:
            data = b""
        finally:
            with contextlib.suppress(OSError):
                self.sock.settimeout(None)
        if not data:
            reason = exit_reason(self.proc)
            raise WorkerSetupError(
                f"the checker process {reason} before it was ready; re-run with --debug to see why"
            )
        msg = pickle.loads(data)
        if msg[0] == "setup_error":
            self.close(grace=0)
            raise WorkerSetupError(f"a worker could not start: {msg[1]}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self) -> Child:
        """A new worker, ready to check (its first message is 'ready')."""
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        try:
            reply = self._ask(("fork",), [to_r, from_w])
        except BaseException:
            os.close(to_w)
            os.close(from_r)
            raise
        finally:
            os.close(to_r)
            os.close(from_w)
        return Child(_Forked(self, reply[1]), to_w, from_r)

    def status(self, pid: int, *, block: bool) -> int | None:
        """A forked worker's exit code (negative: killed by that signal), None while it runs."""
        return self._ask(("reap" if block else "poll", pid))[1]

    def _ask(self, msg: tuple[Any, ...], fds: list[int] | None = None) -> Any:
        with self._lock:
            try:
                socket.send_fds(self.sock, [pickle.dumps(msg)], fds or [])
                data = self.sock.recv(MAX_MESSAGE)
            except OSError:
                data = b""
        if not data:
            raise WorkerSetupError(
                f"the checker process {exit_reason(self.proc)}; run the audit again to continue"
            )
        return pickle.loads(data)

    def close(self, grace: float = 5.0) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _Forked:
    """A worker forked by the zygote, with the Popen methods Child uses (the zygote reaps it)."""

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._status(block=False)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            if deadline is None:
                self.returncode = self._status(block=True)
                break
            if self.poll() is not None:
                break
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
            time.sleep(0.01)
        return self.returncode if self.returncode is not None else -signal.SIGKILL

    def _status(self, *, block: bool) -> int | None:
        try:
            return self.zygote.status(self.pid, block=block)
        except WorkerSetupError:  # the zygote is gone, and its workers died with it
            return -signal.SIGKILL
