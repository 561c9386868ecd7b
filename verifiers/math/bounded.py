"""Hard wall-clock bounds that hold in any thread: a persistent worker process with a deadline.

Anything that might be slow (``simplify``, ``equals``, solving) is sent to one reused worker
process (a fresh interpreter started with ``subprocess``; never ``fork``, which is unsafe with
threads). The caller waits at most ``timeout_s``; on overrun the worker is killed and
restarted and the caller gets ``default``. No SIGALRM, so it works from worker threads. Calls from
several threads are serialised by a lock that is also acquired with the deadline.

Public API::

    call_with_timeout(fn, *args, timeout_s, default=None, **kwargs) -> result or default
    prewarm() -> None
    shutdown_worker() -> None
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

__all__ = ["call_with_timeout", "prewarm", "worker_ready", "shutdown_worker", "WORKER_MEMORY_BYTES"]

T = TypeVar("T")

WORKER_MEMORY_BYTES = 2 * 1024**3
"""Address-space limit set inside the worker, so a runaway computation fails instead of swapping."""


def _worker_main(conn: Any, memory_bytes: int) -> None:
    """Worker loop: receive (fn, args, kwargs), send ("ok", result) or ("err", text)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except Exception:
        pass
    try:
        import sympy  # noqa: F401  (warm the import before announcing readiness)
    except Exception:
        pass
    conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        fn, args, kwargs = msg
        try:
            result = fn(*args, **kwargs)
            conn.send(("ok", result))
        except BaseException as exc:  # report, never die on a task's error
            try:
                conn.send(("err", f"{type(exc).__name__}: {exc}"[:500]))
            except Exception:
                return


def _serve(fd: int) -> None:
    """Entry point of the worker process (``python -c``): serve on the inherited socket ``fd``."""
    sock = socket.socket(fileno=fd)
    _worker_main(Connection(sock.detach()), WORKER_MEMORY_BYTES)


class _Worker:
    """One child process (a fresh interpreter, so no ``__main__`` re-import) and its socket.

    ``subprocess`` + a socketpair is used instead of ``multiprocessing.Process`` because spawn and
    forkserver re-import the caller's ``__main__`` in the child, which breaks scripts without a
    ``__main__`` guard; ``fork`` is unsafe with threads.
    """

    def __init__(self) -> None:
        parent, child = socket.socketpair()
        fd = child.fileno()
        code = f"from thoughtgym.verifiers.math.bounded import _serve; _serve({fd})"
        env = dict(os.environ)
        # the child must import this package the way the parent did
        env["PYTHONPATH"] = os.pathsep.join([p for p in sys.path if p] + [env.get("PYTHONPATH", "")])
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        child.close()
        self.conn = Connection(parent.detach())
        self.ready = False
        self.owner_pid = os.getpid()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_ready(self, deadline: float) -> bool:
        while not self.ready:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.conn.poll(remaining):
                return False
            try:
                tag, _ = self.conn.recv()
            except (EOFError, OSError):
                return False
            self.ready = tag == "ready"
        return True

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(timeout=0.5)
        except Exception:
            pass
        try:
            self.conn.close()
        except Exception:
            pass


_lock = threading.Lock()
_worker: _Worker | None = None


def _after_fork_in_child() -> None:
    """A forked child must not share the parent's worker (or a lock held at fork time)."""
    global _lock, _worker
    _lock = threading.Lock()
    _worker = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _get_worker() -> _Worker:
    global _worker
    if _worker is not None and _worker.owner_pid != os.getpid():
        _worker = None  # inherited by fork: leave the parent's process alone
    if _worker is None or not _worker.alive():
        if _worker is not None:
            _worker.kill()
        _worker = _Worker()
    return _worker


def call_with_timeout(
    fn: Callable[..., T], *args: Any, timeout_s: float, default: Any = None, **kwargs: Any
) -> T | Any:
    """Run ``fn(*args, **kwargs)`` in the worker process; return ``default`` past ``timeout_s``.

    ``fn`` must be importable by name (a module-level function) and its arguments and result
    picklable. Never raises: errors in the worker, pickling errors and a dead worker all give
    ``default``. The caller never waits longer than ``timeout_s`` (plus a few milliseconds to
    kill an overrunning worker). Thread-safe. The first call also pays the worker's start-up; if
    start-up itself outlasts the deadline the worker is kept (not killed) for the next call.
    """
    global _worker
    deadline = time.monotonic() + max(0.0, float(timeout_s))
    lock = _lock
    if not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
        return default
    try:
        try:
            worker = _get_worker()
        except Exception:
            return default
        if not worker.wait_ready(deadline):
            if not worker.alive():
                worker.kill()
                _worker = None
            return default
        try:
            worker.conn.send((fn, args, kwargs))
        except Exception:
            worker.kill()
            _worker = None
            return default
        remaining = deadline - time.monotonic()
        try:
            got = remaining > 0 and worker.conn.poll(remaining)
        except (EOFError, OSError):
            got = False
        if not got:
            worker.kill()
            _worker = None
            return default
        try:
            tag, value = worker.conn.recv()
        except Exception:
            worker.kill()
            _worker = None
            return default
        return value if tag == "ok" else default
    finally:
        lock.release()


def worker_ready() -> bool:
    """True when the worker process is started and has finished importing."""
    w = _worker
    return w is not None and w.ready and w.owner_pid == os.getpid() and w.alive()


def prewarm() -> None:
    """Start the worker process now without waiting for it (it imports SymPy in the background)."""
    lock = _lock
    if lock.acquire(blocking=False):
        try:
            _get_worker()
        except Exception:
            pass
        finally:
            lock.release()


def shutdown_worker() -> None:
    """Stop the worker process (it is restarted on the next call)."""
    global _worker
    lock = _lock
    if not lock.acquire(timeout=1.0):
        return
    try:
        if _worker is not None and _worker.owner_pid == os.getpid():
            try:
                _worker.conn.send(None)
            except Exception:
                pass
            _worker.kill()
            _worker = None
    finally:
        lock.release()


atexit.register(shutdown_worker)
