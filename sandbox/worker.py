"""The sandbox worker: a fork server that runs one untrusted job per request.

Standard library only. The same file runs inside every Docker container of the warm pool (mounted
read-only at ``/opt/thoughtgym``) and inside every bubblewrap slot of the process backend. It is also
imported on the host for the wire protocol (:func:`send_msg` / :func:`recv_msg`).

Protocol: the host holds exactly one stream connection per worker (the worker accepts one connection
and then removes its listening socket, so a job can never connect to it). Each message is a 4-byte
big-endian length followed by a UTF-8 JSON object. Requests: ``{"op": "ping"}`` and
``{"op": "run", ...}`` (see :func:`run_job`).

Per job the worker forks a child that: starts a new session, drops to the unprivileged job uid
(when the worker has CAP_SETUID), sets rlimits (address space, CPU, processes, file size, open files,
no core files), clears the environment, and works in a fresh private directory. The worker enforces a
wall-clock deadline, caps stdout/stderr, then kills every descendant (it is a child subreaper, so
orphans that called ``setsid`` or double-forked are reparented to it and killed too), and wipes the
writable directories as the job uid.

The job process is forked *before* its request arrives (and cleanup happens after the answer is
sent), so neither is on the latency path. Test mode (``run_tests``): the job process is the
*trusted harness*. Before reading the request it makes itself non-dumpable (so a process of the
same uid cannot ptrace it or open ``/proc/<pid>/fd``) and forks the *candidate* process, which
closes the results channel and waits for the program: the candidate never holds the tests or the
nonce in its memory. Then the harness reads the request and the per-job nonce. Tests run in the harness; every call to a function of
the program is a remote call into the candidate process, and arguments and return values cross as a
tagged JSON encoding of plain built-in values (exact types only: bool, int, float, complex, str,
bytes, None, list, tuple, dict, set, frozenset, and a few standard containers rebuilt by the
harness). Any other object stays in the candidate process and crosses as an opaque handle that
equals only itself and has no truth value, so an object whose ``__eq__`` always answers True
never satisfies a test. A callable of the tests crosses the other way as a *reverse handle*: the
candidate calls a proxy, the harness runs the original and answers (see ``rpc`` in
:func:`_harness_main`). After each call the candidate sends back the new state of the mutable plain
containers among the arguments, and the harness updates the test's objects in place.
Results go to a pipe only the harness holds, as JSON lines tagged with the nonce, and a job counts as
passed only if the final ``done`` record arrived and every test record says it held.
"""

from __future__ import annotations

import ast
import atexit
import builtins
import collections
import ctypes
import decimal
import fcntl
import fractions
import functools
import importlib
import io
import json
import os
import resource
import secrets
import select
import shutil
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import types

MB = 1024 * 1024
_HDR = struct.Struct(">I")
MAX_MESSAGE = 256 * MB
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
_SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
JOB_NICE = 10


# --------------------------------------------------------------------------- wire protocol
def _recv_exact(conn: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def send_msg(conn: socket.socket, obj: dict) -> None:
    """Send one length-prefixed JSON message."""
    data = json.dumps(obj).encode("utf-8")
    conn.sendall(_HDR.pack(len(data)) + data)


def recv_msg(conn: socket.socket) -> dict | None:
    """Receive one message; ``None`` when the peer closed the connection."""
    hdr = _recv_exact(conn, _HDR.size)
    if hdr is None:
        return None
    (n,) = _HDR.unpack(hdr)
    if n > MAX_MESSAGE:
        raise ValueError("message too large")
    data = _recv_exact(conn, n)
    if data is None:
        return None
    return json.loads(data.decode("utf-8"))


# --------------------------------------------------------------------------- plain-value codec
class EncodeError(TypeError):
    """A value is not a plain built-in value and cannot cross between processes."""


_SCALARS = (bool, int, str, type(None))
_DICTLIKE = {collections.Counter: "Cn", collections.OrderedDict: "Od", collections.defaultdict: "Dd"}
_DICT_TAGS = {"Cn": collections.Counter, "Od": collections.OrderedDict, "Dd": collections.defaultdict}


def encode_value(v: object, depth: int = 0, other=None) -> object:  # noqa: ANN001
    """Encode a plain value (exact built-in types only) as JSON-compatible tagged data.

    Any other object raises :class:`EncodeError`, or is passed to ``other`` (which returns its
    encoding, e.g. an opaque handle) when given.
    """
    if depth > 200:
        raise EncodeError("value nested too deeply")
    t = type(v)
    if t in _SCALARS:
        return v if t is not int or abs(v) < 2**53 else ["I", str(v)]
    if t is float:
        return ["f", repr(v)]
    if t is complex:
        return ["c", repr(v.real), repr(v.imag)]
    if t is bytes:
        return ["b", v.decode("latin-1")]
    if t is bytearray:
        return ["B", v.decode("latin-1")]
    if t is list:
        return ["l", [encode_value(x, depth + 1, other) for x in v]]
    if t is tuple:
        return ["t", [encode_value(x, depth + 1, other) for x in v]]
    if t is set:
        return ["s", [encode_value(x, depth + 1, other) for x in v]]
    if t is frozenset:
        return ["F", [encode_value(x, depth + 1, other) for x in v]]
    if t is dict:
        return ["d", [[encode_value(k, depth + 1, other), encode_value(x, depth + 1, other)] for k, x in v.items()]]
    # A few standard-library containers that solutions commonly return. Only their contents cross;
    # the trusted side rebuilds them with its own, unpatched classes.
    if t in _DICTLIKE:
        return [_DICTLIKE[t], [[encode_value(k, depth + 1, other), encode_value(x, depth + 1, other)]
                               for k, x in dict.items(v)]]
    if t is collections.deque:
        return ["Q", [encode_value(x, depth + 1, other) for x in v]]
    if t is fractions.Fraction:
        return ["Fr", str(v)]
    if t is decimal.Decimal:
        return ["De", str(v)]
    if issubclass(t, tuple) and hasattr(t, "_fields"):  # namedtuple: crosses as a plain tuple
        return ["t", [encode_value(x, depth + 1, other) for x in tuple.__iter__(v)]]
    if other is not None:
        return other(v)
    raise EncodeError(f"value of type {t.__module__}.{t.__qualname__} is not a plain built-in value")


def decode_value(d: object, handle=None) -> object:  # noqa: ANN001
    """Inverse of :func:`encode_value`; builds only built-in types (and, through ``handle``,
    the receiver's own representation of an opaque handle ``["H", id, type name]`` or of a
    reverse handle ``["R", id, name]``, a callable that lives on the test side)."""
    if d is None or type(d) in (bool, int, str):
        return d
    if type(d) is not list or not d or type(d[0]) is not str:
        raise ValueError("malformed value")
    tag = d[0]
    if tag == "I":
        return int(d[1])
    if tag == "f":
        return float(d[1])
    if tag == "c":
        return complex(float(d[1]), float(d[2]))
    if tag == "b":
        return d[1].encode("latin-1")
    if tag == "B":
        return bytearray(d[1].encode("latin-1"))
    if tag == "l":
        return [decode_value(x, handle) for x in d[1]]
    if tag == "t":
        return tuple(decode_value(x, handle) for x in d[1])
    if tag == "s":
        return {decode_value(x, handle) for x in d[1]}
    if tag == "F":
        return frozenset(decode_value(x, handle) for x in d[1])
    if tag == "d":
        return {decode_value(k, handle): decode_value(x, handle) for k, x in d[1]}
    if tag in _DICT_TAGS:
        pairs = [(decode_value(k, handle), decode_value(x, handle)) for k, x in d[1]]
        if tag == "Dd":
            return collections.defaultdict(None, pairs)
        return _DICT_TAGS[tag](dict(pairs))
    if tag == "Q":
        return collections.deque(decode_value(x, handle) for x in d[1])
    if tag in ("H", "R") and handle is not None:
        return handle(d)
    if tag == "Fr":
        return fractions.Fraction(str(d[1]))
    if tag == "De":
        return decimal.Decimal(str(d[1]))
    raise ValueError(f"unknown tag {tag!r}")


# --------------------------------------------------------------------------- pipe framing (in-job RPC)
def _write_frame(fd: int, obj: object) -> None:
    data = json.dumps(obj).encode("utf-8")
    view = memoryview(_HDR.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _write_frame_until(fd: int, obj: object, deadline: float) -> None:
    """Like :func:`_write_frame` on a non-blocking ``fd``, but gives up at ``deadline`` (a peer
    that stops reading cannot hold the writer past it)."""
    data = json.dumps(obj).encode("utf-8")
    view = memoryview(_HDR.pack(len(data)) + data)
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        _, w, _ = select.select([], [fd], [], left)
        if not w:
            raise TimeoutError
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[n:]


def _read_exact_fd(fd: int, n: int, deadline: float) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            raise TimeoutError
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def _read_frame(fd: int, deadline: float) -> object:
    (n,) = _HDR.unpack(_read_exact_fd(fd, _HDR.size, deadline))
    if n > MAX_MESSAGE:
        raise EOFError
    return json.loads(_read_exact_fd(fd, n, deadline).decode("utf-8"))


# --------------------------------------------------------------------------- argument mutation
# Mutable plain containers whose new state the candidate sends back after a call (tuples are
# watched too, for the mutable containers nested in them).
_MUTABLE = (list, dict, set, bytearray, collections.deque, collections.Counter,
            collections.OrderedDict, collections.defaultdict)
_WATCHED = _MUTABLE + (tuple,)
_DICTS = (dict, collections.Counter, collections.OrderedDict, collections.defaultdict)


def _sync_into(old: object, new: object, depth: int = 0) -> None:
    """Make ``old`` (a container of the trusted side) hold the state ``new`` (same type), in place.

    Only what differs is changed; nested containers of the same type are updated in place too, so
    other references to them see the change (as they would if the call had run in this process).
    """
    if depth > 200:
        return
    t = type(old)

    def same(a: object, b: object) -> bool:
        return type(a) is type(b) and (a is b or a == b)

    def merge(a: object, b: object) -> bool:
        """Update ``a`` in place from ``b`` where both are containers of one type; False otherwise."""
        if type(a) is type(b) and type(a) in _WATCHED:
            if type(a) is tuple and len(a) != len(b):
                return False
            _sync_into(a, b, depth + 1)
            return True
        return False

    if t is list:
        if len(old) == len(new):
            for i, (a, b) in enumerate(zip(old, new, strict=False)):
                if not same(a, b) and not merge(a, b):
                    old[i] = b
        else:
            old[:] = new
    elif t in _DICTS:
        if list(dict.keys(old)) == list(dict.keys(new)):
            for k in list(dict.keys(old)):
                a, b = dict.__getitem__(old, k), dict.__getitem__(new, k)
                if not same(a, b) and not merge(a, b):
                    dict.__setitem__(old, k, b)
        else:
            dict.clear(old)
            dict.update(old, new)
    elif t is set:
        if old != new:
            old.clear()
            old.update(new)
    elif t is bytearray:
        if old != new:
            old[:] = new
    elif t is collections.deque:
        if list(old) != list(new):
            old.clear()
            old.extend(new)
    elif t is tuple:
        for a, b in zip(old, new, strict=False):
            if not same(a, b):
                merge(a, b)


# --------------------------------------------------------------------------- helpers
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, arg: int) -> None:
    try:
        _libc().prctl(option, arg, 0, 0, 0)
    except Exception:
        pass


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _reap_nohang() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_descendants(keep: set[int] | None = None, rounds: int = 500) -> None:
    """SIGKILL every child of this (subreaper) process until none is left."""
    me = os.getpid()
    keep = keep or set()
    for _ in range(rounds):
        _reap_nohang()
        kids = [k for k in _children(me) if k not in keep]
        if not kids:
            return
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except OSError:
                pass
        end = time.monotonic() + 2.0
        pending = set(kids)
        while pending and time.monotonic() < end:
            for k in list(pending):
                try:
                    p, _ = os.waitpid(k, os.WNOHANG)
                except ChildProcessError:
                    p = k
                if p:
                    pending.discard(k)
            if pending:
                time.sleep(0.0005)


def kill_uid(uid: int, rounds: int = 50) -> None:
    """SIGKILL every process of ``uid`` visible in this PID namespace (normally none is left)."""
    for _ in range(rounds):
        found = False
        try:
            pids = [p for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            return
        for p in pids:
            try:
                if os.stat(f"/proc/{p}").st_uid != uid:
                    continue
                os.kill(int(p), signal.SIGKILL)
                found = True
            except OSError:
                pass
        _reap_nohang()
        if not found:
            return
        time.sleep(0.001)


def _wipe_dir_contents(root: str) -> None:
    def onerror(func, path, exc):  # noqa: ANN001 - shutil callback
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
        except OSError:
            pass
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
        except OSError:
            pass

    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for e in entries:
        try:
            if e.is_dir(follow_symlinks=False):
                os.chmod(e.path, 0o700)
                shutil.rmtree(e.path, onerror=onerror)
            else:
                os.unlink(e.path)
        except OSError:
            pass


def _drop_privileges(uid: int) -> None:
    if uid >= 0 and os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)


# --------------------------------------------------------------------------- worker
class Worker:
    """State of one fork server: job uid, writable roots, limits."""

    def __init__(self, uid: int, workroot: str, scratch: list[str], nproc: int) -> None:
        self.uid = uid
        self.workroot = workroot
        self.scratch = scratch
        self.nproc = nproc
        self.jobs = 0
        self._pre: tuple | None = None
        self.base_path = [p for p in sys.path if p and os.path.abspath(p) != os.path.dirname(os.path.abspath(__file__))]

    # ------------------------------------------------------------------ job
    def _prefork(self) -> None:
        """Fork the next job process ahead of time (off the latency path). It drops to the job
        uid, moves into a fresh job directory and waits for its request on fd 5."""
        self.jobs += 1
        jobdir = os.path.join(self.workroot, f"job{self.jobs}-{secrets.token_hex(4)}")
        # The job directory belongs to the worker (so it can delete plain files in it without
        # CAP_DAC_OVERRIDE); the job may write into it.
        os.mkdir(jobdir)
        os.chmod(jobdir, 0o777)
        pipes = [os.pipe() for _ in range(6)]  # stdin, stdout, stderr, results, nonce, request
        child_ends = [pipes[0][0], pipes[1][1], pipes[2][1], pipes[3][1], pipes[4][0], pipes[5][0]]
        mine = [pipes[0][1], pipes[1][0], pipes[2][0], pipes[3][0], pipes[4][1], pipes[5][1]]
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                for fd in mine:
                    os.close(fd)
                self._child(jobdir, child_ends)
            except BaseException:
                try:
                    traceback.print_exc()
                except BaseException:
                    pass
            os._exit(120)
        for fd in child_ends:
            os.close(fd)
        self._pre = (pid, jobdir, mine)

    def _discard_prefork(self) -> None:
        if self._pre is None:
            return
        pid, jobdir, mine = self._pre
        self._pre = None
        for fd in mine:
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
        shutil.rmtree(jobdir, ignore_errors=True)

    def run_job(self, req: dict) -> tuple[dict, object]:
        """Run one job; returns ``(response, cleanup)``. Call ``cleanup()`` after sending the
        response: it kills leftovers, wipes the directories and forks the next job process.

        Request keys: mode ("exec" | "tests"), code, stdin, timeout_s, memory_mb, output_limit,
        file_limit_mb, and for tests: program, tests (list of str) or tests_block (str), entry_point.
        """
        mode = req.get("mode", "exec")
        timeout = max(0.05, float(req.get("timeout_s", 10.0)))
        cap = int(req.get("output_limit", MB))
        stdin_data = str(req.get("stdin", "")).encode("utf-8")
        payload = json.dumps(req).encode("utf-8")
        if self._pre is not None:
            try:
                if os.waitpid(self._pre[0], os.WNOHANG)[0] != 0:
                    self._discard_prefork()
            except ChildProcessError:
                self._discard_prefork()
        if self._pre is None:
            self._prefork()
        pid, jobdir, (in_w, out_r, err_r, res_r, non_w, go_w) = self._pre  # type: ignore[misc]
        self._pre = None
        t0 = time.monotonic()
        deadline = t0 + timeout
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(go_w, view):]
        except OSError:
            pass
        os.close(go_w)
        nonce = secrets.token_hex(16)
        if mode == "tests":
            try:
                os.write(non_w, nonce.encode())
            except OSError:
                pass
        os.close(non_w)
        pidfd = os.pidfd_open(pid)
        bufs = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray()}
        caps = {out_r: cap, err_r: cap, res_r: 8 * MB}
        total = {out_r: 0, err_r: 0, res_r: 0}
        open_fds = {out_r, err_r, res_r}
        for fd in (out_r, err_r, res_r):
            os.set_blocking(fd, False)
        os.set_blocking(in_w, False)
        stdin_view = memoryview(stdin_data)
        in_open = True
        if not stdin_view:
            os.close(in_w)
            in_open = False
        timed_out = False
        exited = False

        def read_some(fd: int) -> None:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                open_fds.discard(fd)
                return
            total[fd] += len(chunk)
            room = caps[fd] - len(bufs[fd])
            if room > 0:
                bufs[fd] += chunk[:room]

        while not exited:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            rl = list(open_fds) + [pidfd]
            wl = [in_w] if in_open else []
            r, w, _ = select.select(rl, wl, [], left)
            for fd in r:
                if fd == pidfd:
                    exited = True
                else:
                    read_some(fd)
            if w:
                try:
                    n = os.write(in_w, stdin_view[:65536])
                    stdin_view = stdin_view[n:]
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    stdin_view = stdin_view[:0]
                if not stdin_view:
                    os.close(in_w)
                    in_open = False
        if in_open:
            os.close(in_w)
        # Kill the job's whole process group at once (a fork bomb dies in one call), whether the
        # job finished or not; whatever escaped the group is handled in cleanup().
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _, status = os.waitpid(pid, 0)
        os.close(pidfd)
        duration = time.monotonic() - t0
        # Drain what is left; writers that escaped the group get a short grace, then cleanup kills them.
        drain_end = time.monotonic() + 0.05
        while open_fds:
            left = drain_end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select(list(open_fds), [], [], left)
            for fd in r:
                read_some(fd)
        if os.WIFSIGNALED(status):
            exit_code = -os.WTERMSIG(status)
        else:
            exit_code = os.WEXITSTATUS(status)
        stdout = bytes(bufs[out_r]).decode("utf-8", "replace")
        stderr = bytes(bufs[err_r]).decode("utf-8", "replace")
        resp: dict = {
            "exit_code": exit_code,
            "stdout": stdout,
            "stderr": stderr,
            "stdout_truncated": total[out_r] > cap,
            "stderr_truncated": total[err_r] > cap,
            "timed_out": timed_out,
            "duration_s": duration,
        }
        oom = (exit_code == -signal.SIGKILL and not timed_out) or _mentions_memory_error(stderr)
        if mode == "tests":
            resp["tests"] = _parse_results(bytes(bufs[res_r]), nonce)
            if any("MemoryError" in (t.get("reason") or "") for t in resp["tests"]["results"].values()):
                oom = True
            if "MemoryError" in (resp["tests"].get("error") or ""):
                oom = True
        resp["out_of_memory"] = bool(oom)

        def cleanup() -> None:
            if self.uid >= 0:
                kill_uid(self.uid)
            kill_descendants()
            if self.uid >= 0:
                kill_uid(self.uid)
            for fd in (out_r, err_r, res_r):
                os.close(fd)
            self._wipe(jobdir)
            if mode == "tests":
                try:
                    _plan_for(req)  # cache the compiled tests: later job processes inherit it
                except Exception:
                    pass
            self._prefork()

        return resp, cleanup

    def _wipe(self, jobdir: str) -> None:
        """Empty the job directory and the scratch directories.

        Fast path: the worker owns the job directory and the sticky scratch roots, so it may unlink
        plain files and symlinks there itself (unlink never follows links). Directories made by the
        job belong to the job uid; only then a child drops to that uid and removes them.
        """
        slow = False
        for root in [jobdir, self.workroot] + self.scratch:
            try:
                entries = list(os.scandir(root))
            except OSError:
                slow = True
                continue
            for e in entries:
                if e.path == jobdir:
                    continue
                try:
                    if e.is_dir(follow_symlinks=False):
                        slow = True
                    else:
                        os.unlink(e.path)
                except OSError:
                    slow = True
        if slow:
            self._wipe_as_job_uid()
        try:
            os.rmdir(jobdir)
        except OSError:
            shutil.rmtree(jobdir, ignore_errors=True)

    def _wipe_as_job_uid(self) -> None:
        roots = [self.workroot] + self.scratch
        if self.uid >= 0 and os.geteuid() == 0:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - child
                code = 0
                try:
                    _drop_privileges(self.uid)
                    for root in roots:
                        _wipe_dir_contents(root)
                except BaseException:
                    code = 1
                os._exit(code)
            os.waitpid(pid, 0)
        else:
            for root in roots:
                _wipe_dir_contents(root)

    # ------------------------------------------------------------------ child side
    def _child(self, jobdir: str, fds: list[int]) -> None:  # pragma: no cover - runs in the child
        os.setsid()
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        # Move our six fds to 0..5, close everything else (the host connection included).
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds]
        for target, fd in enumerate(high):
            os.dup2(fd, target)
        os.closerange(6, 1 << 16)
        _drop_privileges(self.uid)
        os.chdir(jobdir)
        # Fork the candidate process now, before the request exists in this process: it can never
        # find the tests or the nonce in its memory. The harness is non-dumpable from here on.
        c2p_r, c2p_w = os.pipe()
        p2c_r, p2c_w = os.pipe()
        _prctl(PR_SET_DUMPABLE, 0)
        cpid = os.fork()
        if cpid == 0:
            for fd in (3, 4, 5, c2p_r, p2c_w):
                os.close(fd)
            _candidate_wait(jobdir, self.base_path, p2c_r, c2p_w)
            os._exit(0)
        os.close(c2p_w)
        os.close(p2c_r)
        # Wait for the request (the worker closes fd 5 after writing it).
        chunks = []
        while True:
            chunk = os.read(5, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(5)
        if not chunks:
            os._exit(0)
        req = json.loads(b"".join(chunks).decode("utf-8"))
        mode = req.get("mode", "exec")
        timeout = max(0.05, float(req.get("timeout_s", 10.0)))
        deadline = time.monotonic() + timeout
        limits = {"memory_mb": int(req.get("memory_mb", 512)), "cpu_s": int(timeout) + 2,
                  "file_limit_mb": int(req.get("file_limit_mb", 16)), "nproc": self.nproc}
        if mode == "exec":
            os.kill(cpid, signal.SIGKILL)
            os.waitpid(cpid, 0)
            os.close(c2p_r)
            os.close(p2c_w)
            _prctl(PR_SET_DUMPABLE, 1)
            _setup_job_process(limits, jobdir)
            os.close(3)
            os.close(4)
            _exec_main(str(req.get("code", "")), jobdir, self.base_path)
        else:
            _setup_job_process(limits, jobdir)
            _harness_main(req, deadline, cpid, c2p_r, p2c_w, limits)
        os._exit(0)


def _setup_job_process(limits: dict, jobdir: str) -> None:  # pragma: no cover - runs in a job
    """rlimits, a clean environment and fresh stdio objects for a job process."""
    for lim, val in (
        (resource.RLIMIT_AS, int(limits["memory_mb"]) * MB),
        (resource.RLIMIT_CPU, int(limits["cpu_s"])),
        (resource.RLIMIT_FSIZE, int(limits["file_limit_mb"]) * MB),
        (resource.RLIMIT_NOFILE, 256),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, int(limits["nproc"])),
    ):
        if val > 0:
            try:
                resource.setrlimit(lim, (val, val))
            except (ValueError, OSError):
                pass
    os.umask(0o077)
    os.environ.clear()
    os.environ.update({"PATH": _SAFE_PATH, "HOME": jobdir, "LANG": "C.UTF-8", "TMPDIR": jobdir})
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8", errors="replace")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace")
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=True)
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr


def _mentions_memory_error(stderr: str) -> bool:
    tail = stderr[-2000:]
    return tail.rstrip().endswith("MemoryError") or "\nMemoryError" in tail


def _parse_results(raw: bytes, nonce: str) -> dict:
    plan: dict | None = None
    results: dict[int, dict] = {}
    done = False
    error: str | None = None
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict) or rec.get("nonce") != nonce:
            continue
        kind = rec.get("kind")
        if kind == "plan" and plan is None:
            plan = {"n": int(rec.get("n", 0)), "labels": [str(x) for x in rec.get("labels", [])]}
        elif kind == "test":
            i = int(rec.get("i", -1))
            results[i] = {"ok": rec.get("ok") is True, "reason": str(rec.get("reason") or "")}
        elif kind == "done":
            done = True
            error = rec.get("error")
    return {"plan": plan, "results": results, "done": done, "error": error}


# --------------------------------------------------------------------------- exec mode
def _fresh_main(jobdir: str, base_path: list[str], name: str, filename: str) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__file__ = filename
    mod.__builtins__ = builtins  # type: ignore[attr-defined]
    sys.modules[name] = mod
    if name != "__main__":
        sys.modules["__main__"] = mod
    sys.argv = [filename]
    sys.path[:] = [jobdir] + base_path
    return mod


def _lower_priority() -> None:
    """Untrusted code runs niced, so the worker and the harness keep the CPU under a fork bomb."""
    try:
        os.nice(JOB_NICE)
    except OSError:
        pass


def _exec_main(code: str, jobdir: str, base_path: list[str]) -> None:  # pragma: no cover - child
    path = os.path.join(jobdir, "main.py")
    rc = 0
    _lower_priority()
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(code)
        mod = _fresh_main(jobdir, base_path, "__main__", path)
        exec(compile(code, path, "exec"), mod.__dict__)  # noqa: S102 - this IS the sandboxed job
    except SystemExit as e:
        rc = _exit_code(e)
    except BaseException as e:
        _print_exc(e)
        rc = 1
    rc = _finish(rc)
    os._exit(rc & 0xFF)


def _exit_code(e: SystemExit) -> int:
    c = e.code
    if c is None:
        return 0
    if isinstance(c, int):
        return c
    try:
        print(c, file=sys.stderr)
    except BaseException:
        pass
    return 1


def _print_exc(e: BaseException) -> None:
    try:
        tb = e.__traceback__
        if tb is not None:
            tb = tb.tb_next  # hide the sandbox frame
        traceback.print_exception(type(e), e, tb, file=sys.stderr)
    except BaseException:
        pass


def _finish(rc: int) -> int:
    try:
        threading._shutdown()  # type: ignore[attr-defined]
    except BaseException:
        pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except BaseException:
            rc = rc or 120
    return rc


# --------------------------------------------------------------------------- tests mode
class CandidateDied(BaseException):
    """The candidate process exited, crashed, broke the protocol, or ran out of time."""


class CandidateException(Exception):
    """The candidate raised an exception that is not a built-in exception type."""


# Callables that would let the program run code or reach into the harness: never lent to it.
_NEVER_LENT = tuple(getattr(builtins, n) for n in (
    "eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr", "globals",
    "locals", "vars", "breakpoint", "input", "help", "memoryview") if hasattr(builtins, n))


def _name(ident: str) -> ast.Name:
    return ast.Name(id=ident, ctx=ast.Load())


def _call(fn: str, *args: ast.expr) -> ast.Expr:
    return ast.Expr(ast.Call(func=_name(fn), args=list(args), keywords=[]))


class _AssertRewriter(ast.NodeTransformer):
    """Turn every ``assert`` into a recorded check that does not stop the function::

        try:
            if not (TEST): __tg_fail__(i, MSG)
            else: __tg_ok__(i)
        except __tg_died__: raise
        except Exception as __tg_e__: __tg_error__(i, __tg_e__)
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.labels: list[str] = []

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        idx = len(self.labels)
        seg = ast.get_source_segment(self.source, node)
        self.labels.append((seg or f"assert #{idx}")[:300])
        i = ast.Constant(idx)
        msg = node.msg if node.msg is not None else ast.Constant(None)
        new = ast.Try(
            body=[ast.If(test=ast.UnaryOp(op=ast.Not(), operand=node.test),
                         body=[_call("__tg_fail__", i, msg)], orelse=[_call("__tg_ok__", i)])],
            handlers=[
                ast.ExceptHandler(type=_name("__tg_died__"), name=None, body=[ast.Raise(exc=None, cause=None)]),
                ast.ExceptHandler(type=_name("Exception"), name="__tg_e__",
                                  body=[_call("__tg_error__", i, _name("__tg_e__"))]),
            ],
            orelse=[], finalbody=[])
        return ast.copy_location(new, node)


@functools.lru_cache(maxsize=256)
def _plan_tests(kind: str, text: str | tuple[str, ...]) -> tuple:
    """Compile trusted test code once (cached in the worker; forked jobs inherit the cache).

    Returns ``(labels, items, setup, check_code)``; raises SyntaxError for bad test code.
    """
    items: list[tuple[str, object]] = []
    setup: list[tuple[int, object]] = []
    if kind == "list":
        for i, src in enumerate(text):
            items.append((str(src).strip()[:300], compile(str(src), f"<test {i}>", "exec")))
        return [lbl for lbl, _ in items], items, setup, None
    tree = ast.parse(str(text), "<tests>")
    if kind == "check":
        rw = _AssertRewriter(str(text))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "check":
                rw.visit(node)
        ast.fix_missing_locations(tree)
        return rw.labels, items, setup, compile(tree, "<tests>", "exec")
    for node in tree.body:
        code = compile(ast.Module(body=[node], type_ignores=[]), "<tests>", "exec")
        if isinstance(node, ast.Assert):
            items.append(((ast.get_source_segment(str(text), node) or "assert")[:300], code))
        else:
            setup.append((len(items), code))
    return [lbl for lbl, _ in items], items, setup, None


def _plan_for(req: dict) -> tuple:
    if req.get("tests") is not None:
        return _plan_tests("list", tuple(str(t) for t in req["tests"]))
    if req.get("entry_point"):
        return _plan_tests("check", str(req.get("tests_block") or ""))
    return _plan_tests("block", str(req.get("tests_block") or ""))


def _harness_main(req: dict, deadline: float, cpid: int, c2p_r: int, p2c_w: int,
                  limits: dict) -> None:  # pragma: no cover
    """Trusted side of a test job (fd 3 = results, fd 4 = nonce).

    The candidate process ``cpid`` was forked before the request was read, so it never held the
    tests or the nonce in memory; it receives only the program (and its limits).
    """
    try:
        _write_frame(p2c_w, ["load", str(req.get("program", "")), limits])
    except OSError:
        pass
    os.set_blocking(p2c_w, False)  # later writes give up at the deadline (_write_frame_until)
    nonce = b""
    while True:
        chunk = os.read(4, 64)
        if not chunk:
            break
        nonce += chunk
    os.close(4)
    nonce_s = nonce.decode()
    margin = min(0.25, max(0.02, (deadline - time.monotonic()) * 0.1))
    hdeadline = deadline - margin

    def emit(**rec: object) -> None:
        rec["nonce"] = nonce_s
        data = (json.dumps(rec) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(3, view):]

    entry = req.get("entry_point")
    # ---- plan the tests (trusted test code is parsed here, never on the host)
    labels: list[str] = []
    items: list = []
    setup: list = []
    check_code = None
    plan_error: str | None = None
    try:
        labels, items, setup, check_code = _plan_for(req)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        plan_error = f"test code does not compile: {type(e).__name__}: {e}"
    emit(kind="plan", n=len(labels), labels=labels)
    if plan_error:
        emit(kind="done", error=plan_error)
        return

    # ---- talk to the candidate
    state = {"dead": None}

    def die(why: str) -> None:
        state["dead"] = why
        try:
            os.kill(cpid, signal.SIGKILL)
        except OSError:
            pass
        raise CandidateDied(why)

    # Reverse handles: callables of the tests lent to the candidate, which sees a proxy. Calling it
    # sends ``["cb", id, args, kwargs]`` while the harness waits in rpc() for the reply to its own
    # request; the harness runs the callable here (trusted code) and answers ``["cbok", value]`` or
    # ``["cberr", name, message]`` before it reads on. Values cross by the same rules both ways.
    lent: dict[int, object] = {}
    lent_ids: dict[int, int] = {}
    nesting = [0]

    def lend(v: object) -> list:
        if any(v is x for x in _NEVER_LENT):
            raise EncodeError(f"{getattr(v, '__name__', 'this callable')} is never passed to the program")
        rid = lent_ids.get(id(v))
        if rid is None:
            rid = len(lent) + 1
            lent[rid] = v
            lent_ids[id(v)] = rid
        try:
            name = str(getattr(v, "__qualname__", None) or type(v).__name__)[:200]
        except Exception:
            name = "callable"
        return ["R", rid, name]

    def enc_other(v: object) -> object:
        if type(v) is Handle:
            return ["H", object.__getattribute__(v, "_hid")]
        if callable(v):
            return lend(v)
        raise EncodeError(f"{type(v).__name__} is not a plain built-in value")

    def dec_other(d: list) -> object:
        if d[0] == "R":
            rid = d[1]
            if type(rid) is not int or rid not in lent:
                raise ValueError("unknown reverse handle")
            return lent[rid]
        return Handle(int(d[1]), str(d[2])[:200])

    def run_callback(msg: list) -> list:
        if len(msg) != 4 or type(msg[1]) is not int or msg[1] not in lent \
                or type(msg[2]) is not list or type(msg[3]) is not dict:
            die("protocol error")
        fn = lent[msg[1]]
        try:
            args = [decode_value(a, dec_other) for a in msg[2]]
            kwargs = {str(k): decode_value(v, dec_other) for k, v in msg[3].items()}
        except (ValueError, TypeError, IndexError, RecursionError):
            die("protocol error")
        if nesting[0] >= 64:
            die("calls between the tests and the program nested too deeply")
        nesting[0] += 1
        try:
            result = fn(*args, **kwargs)
        except CandidateDied:
            raise
        except Exception as e:
            try:
                emsg = str(e)[:2000]
            except Exception:
                emsg = "<unprintable>"
            return ["cberr", type(e).__name__, emsg]
        finally:
            nesting[0] -= 1
        try:
            return ["cbok", encode_value(result, 0, enc_other)]
        except (EncodeError, RecursionError) as e:
            return ["cberr", "TypeError", f"a test callable returned a value that cannot cross: {e}"[:2000]]

    def rpc(msg: list) -> object:
        if state["dead"]:
            raise CandidateDied(state["dead"])
        try:
            _write_frame_until(p2c_w, msg, hdeadline)
            while True:
                rep = _read_frame(c2p_r, hdeadline)
                if type(rep) is list and rep and rep[0] == "cb":
                    _write_frame_until(p2c_w, run_callback(rep), hdeadline)
                    continue
                return rep
        except CandidateDied:
            raise
        except TimeoutError:
            die("timed out")
        except (EOFError, OSError, struct.error):
            die(_death_reason(cpid))
        except Exception:
            die("protocol error")
        raise AssertionError("unreachable")

    try:
        try:
            hello = _read_frame(c2p_r, hdeadline)
        except TimeoutError:
            die("timed out while loading the program")
        except (EOFError, OSError, ValueError, struct.error):
            die("program exited while loading: " + _death_reason(cpid))
    except CandidateDied as e:
        emit(kind="done", error=str(e))
        return
    if not isinstance(hello, list) or not hello or hello[0] != "ready":
        err = str(hello[1]) if isinstance(hello, list) and len(hello) > 1 else "protocol error"
        emit(kind="done", error=f"program failed to load: {err}"[:4000])
        return

    ns: dict = {"__name__": "__tests__", "__builtins__": builtins}

    def reply_value(rep: object, what: str) -> object:
        """Turn a candidate reply into a value, or raise the candidate's exception."""
        if not isinstance(rep, list) or not rep:
            die("protocol error")
        if rep[0] == "ok":
            try:
                return decode_value(rep[1], dec_other)
            except (ValueError, TypeError, IndexError, RecursionError):
                die("protocol error")
        if rep[0] == "bad":
            raise TypeError(f"{what} gave a value that cannot be judged: {str(rep[1])[:300]}")
        if rep[0] == "err" and len(rep) >= 3:
            ename, emsg = str(rep[1])[:200], str(rep[2])[:2000]
            cls = getattr(builtins, ename, None)
            if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == "builtins":
                try:
                    exc = cls(emsg)
                except Exception:
                    exc = CandidateException(f"{ename}: {emsg}")
                raise exc
            raise CandidateException(f"{ename}: {emsg}")
        die("protocol error")

    def enc_args(args: tuple, kwargs: dict, what: str) -> tuple[list, dict]:
        try:
            return ([encode_value(a, 0, enc_other) for a in args],
                    {str(k): encode_value(v, 0, enc_other) for k, v in kwargs.items()})
        except EncodeError as e:
            raise TypeError(f"test passed an argument to {what} that cannot cross: {e}") from None

    def apply_mutations(rep: object, args: tuple, kwargs: dict) -> None:
        """The candidate appends ``[[position or keyword, new state], ...]`` to its reply for each
        watched argument it changed; update the test's own objects in place to match."""
        base = {"ok": 2, "bad": 2, "err": 3}.get(rep[0]) if type(rep) is list and rep and type(rep[0]) is str else None
        if base is None or len(rep) != base + 1:
            return
        changes = rep[-1]
        if type(changes) is not list:
            die("protocol error")
        for item in changes:
            if type(item) is not list or len(item) != 2:
                die("protocol error")
            key, enc = item
            if type(key) is int and 0 <= key < len(args):
                target = args[key]
            elif type(key) is str and key in kwargs:
                target = kwargs[key]
            else:
                die("protocol error")
            if type(target) not in _WATCHED:
                continue
            try:
                new = decode_value(enc, dec_other)
            except (ValueError, TypeError, IndexError, RecursionError):
                die("protocol error")
            if type(new) is type(target):
                _sync_into(target, new)

    def call_remote(msg: list, args: tuple, kwargs: dict, what: str) -> object:
        a, k = enc_args(args, kwargs, what)
        rep = rpc(msg + [a, k])
        apply_mutations(rep, args, kwargs)
        return reply_value(rep, what)

    class Handle:
        """An object that lives in the candidate process (instance of a program class, generator,
        ...). Trusted code may call it, read attributes, iterate it, take ``len``/``str`` of it: each
        is a remote operation whose result crosses as a plain value or another handle. Equality is
        identity of the handle (never the program's ``__eq__``), and its truth value cannot be judged.
        """

        __slots__ = ("_hid", "_type")

        def __init__(self, hid: int, tname: str) -> None:
            object.__setattr__(self, "_hid", hid)
            object.__setattr__(self, "_type", tname)

        def _op(self, *msg: object) -> object:
            return reply_value(rpc(list(msg)), f"a {object.__getattribute__(self, '_type')} object")

        def __eq__(self, other: object) -> bool:
            return type(other) is Handle and other._hid == self._hid

        def __ne__(self, other: object) -> bool:
            return not self.__eq__(other)

        def __hash__(self) -> int:
            return hash(("thoughtgym-handle", self._hid))

        def __bool__(self) -> bool:
            raise TypeError(f"the truth value of a {self._type} object from the program cannot be judged")

        def __call__(self, *args: object, **kwargs: object) -> object:
            return call_remote(["hcall", self._hid], args, kwargs, f"a {self._type} object")

        def __getattr__(self, attr: str) -> object:
            if attr.startswith("__"):
                raise AttributeError(attr)
            return self._op("getattr", self._hid, attr)

        def __setattr__(self, attr: str, value: object) -> None:
            raise TypeError("objects from the program are read-only in tests")

        def __iter__(self):  # noqa: ANN204
            items = self._op("iter", self._hid)
            if type(items) is not list:
                die("protocol error")
            return iter(items)

        def __len__(self) -> int:
            n = self._op("len", self._hid)
            if type(n) is not int or n < 0:
                raise TypeError("len() of a program object did not give a non-negative int")
            return n

        def __str__(self) -> str:
            r = self._op("str", self._hid)
            return r if type(r) is str else f"<{self._type} object>"

        def __repr__(self) -> str:
            r = self._op("repr", self._hid)
            return r if type(r) is str else f"<{self._type} object>"

    def make_stub(name: str):  # noqa: ANN202
        def stub(*args: object, **kwargs: object) -> object:
            return call_remote(["call", name], args, kwargs, name)

        stub.__name__ = name
        stub.__qualname__ = name
        return stub

    for name, kind, val in hello[1]:
        name = str(name)
        if name.startswith("__") or (name in builtins.__dict__ and name != entry):
            # A program must not replace abs/len/sorted/... that the tests use to judge it.
            continue
        if kind == "callable":
            ns[name] = make_stub(name)
        elif kind == "value":
            try:
                ns[name] = decode_value(val, dec_other)
            except (ValueError, TypeError, IndexError):
                pass
        elif kind == "module":
            modname = str(val)
            if modname.split(".")[0] in getattr(sys, "stdlib_module_names", ()):
                try:
                    ns[name] = importlib.import_module(modname)
                except Exception:
                    pass

    def reason_of(e: BaseException) -> str:
        if isinstance(e, AssertionError):
            return "assertion failed" + (f": {e}" if str(e) else "")
        return f"{type(e).__name__}: {e}"[:1000]

    error: str | None = None
    try:
        if check_code is not None:
            outcome: dict[int, tuple[bool, str]] = {}

            def t_ok(i: int) -> None:
                outcome.setdefault(i, (True, ""))

            def t_fail(i: int, msg: object) -> None:
                if outcome.get(i, (True, ""))[0]:
                    outcome[i] = (False, "assertion failed" + (f": {msg}" if msg is not None else ""))

            def t_error(i: int, e: BaseException) -> None:
                if outcome.get(i, (True, ""))[0]:
                    outcome[i] = (False, reason_of(e))

            ns.update(__tg_ok__=t_ok, __tg_fail__=t_fail, __tg_error__=t_error, __tg_died__=CandidateDied)
            check_err: str | None = None
            try:
                exec(check_code, ns)  # noqa: S102 - trusted test code, inside the sandbox
                check = ns.get("check")
                cand = ns.get(str(entry))
                if not callable(check):
                    check_err = "tests define no check(candidate) function"
                elif cand is None:
                    check_err = f"entry point {entry!r} is not defined by the program"
                else:
                    check(cand)
            except CandidateDied as e:
                check_err = f"candidate process died: {e}"
            except BaseException as e:
                check_err = reason_of(e)
            for i in range(len(labels)):
                ok, why = outcome.get(i, (check_err is None, f"not reached: {check_err}"))
                emit(kind="test", i=i, ok=ok, reason=why)
            error = check_err
        else:
            setup_at: dict[int, list] = {}
            for pos, code in setup:
                setup_at.setdefault(pos, []).append(code)
            for i, (_lbl, code) in enumerate(items):
                for s in setup_at.pop(i, []):
                    exec(s, ns)  # noqa: S102 - trusted test setup, inside the sandbox
                try:
                    exec(code, ns)  # noqa: S102 - trusted test code, inside the sandbox
                    emit(kind="test", i=i, ok=True, reason="")
                except CandidateDied:
                    raise
                except Exception as e:
                    emit(kind="test", i=i, ok=False, reason=reason_of(e))
    except CandidateDied as e:
        error = f"candidate process died: {e}"
    except BaseException as e:
        error = f"test setup failed: {reason_of(e)}"
    try:
        os.kill(cpid, signal.SIGKILL)
    except OSError:
        pass
    emit(kind="done", error=error)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    os._exit(0)


def _death_reason(cpid: int) -> str:
    try:
        pid, status = os.waitpid(cpid, 0)
    except ChildProcessError:
        return "candidate process is gone"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"candidate process killed by {name}"
    return f"candidate process exited with code {os.WEXITSTATUS(status)}"


def _candidate_wait(jobdir: str, base_path: list[str], rfd: int, wfd: int) -> None:  # pragma: no cover
    """Pre-forked candidate: wait for the program, take the job's limits, then serve it."""
    try:
        msg = _read_frame(rfd, time.monotonic() + 1e9)
        _, program, limits = msg
    except BaseException:
        os._exit(0)
    _setup_job_process(limits, jobdir)
    _candidate_main(str(program), jobdir, base_path, rfd, wfd)
    os._exit(0)


def _candidate_main(program: str, jobdir: str, base_path: list[str], rfd: int, wfd: int) -> None:  # pragma: no cover
    """Untrusted side of a test job: load the program, then serve calls."""
    path = os.path.join(jobdir, "program.py")
    _lower_priority()
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(program)
        mod = _fresh_main(jobdir, base_path, "__candidate__", path)
        ns = mod.__dict__
        exec(compile(program, path, "exec"), ns)  # noqa: S102 - this IS the sandboxed job
    except BaseException as e:
        try:
            sys.stdout.flush()
            _print_exc(e)
            msg = "".join(traceback.format_exception_only(type(e), e)).strip()
            _write_frame(wfd, ["error", msg[:2000]])
        except BaseException:
            pass
        os._exit(1)
    handles: dict[int, object] = {}
    hid_of: dict[int, int] = {}
    proxies: dict[int, object] = {}
    channel = threading.RLock()
    far = time.monotonic() + 1e9

    class TestCallable:
        """A callable of the tests (a reverse handle): calling it asks the harness to call the
        original, in the harness, and waits for its answer while serving the harness's requests."""

        __slots__ = ("_rid", "_name")

        def __init__(self, rid: int, name: str) -> None:
            self._rid = rid
            self._name = name

        @property
        def __name__(self) -> str:
            return self._name.rsplit(".", 1)[-1]

        def __repr__(self) -> str:
            return f"<test callable {self._name}>"

        def __call__(self, *args: object, **kwargs: object) -> object:
            return call_test(self._rid, args, kwargs)

    def keep(v: object) -> list:
        if type(v) is TestCallable:
            return ["R", v._rid]
        hid = hid_of.get(id(v))
        if hid is None:
            hid = len(handles) + 1
            handles[hid] = v
            hid_of[id(v)] = hid
        try:
            tname = type(v).__name__
        except BaseException:
            tname = "object"
        return ["H", hid, str(tname)]

    def resolve(d: list) -> object:
        if d[0] == "R":
            rid = int(d[1])
            p = proxies.get(rid)
            if p is None:
                p = proxies[rid] = TestCallable(rid, str(d[2]) if len(d) > 2 else "callable")
            return p
        return handles[int(d[1])]

    def send(reply: object) -> None:
        try:
            _write_frame(wfd, reply)
        except BaseException:
            os._exit(4)

    def receive() -> object:
        try:
            return _read_frame(rfd, far)
        except BaseException:
            os._exit(0)

    def call_test(rid: int, args: tuple, kwargs: dict) -> object:
        try:
            a = [encode_value(x, 0, keep) for x in args]
            k = {str(key): encode_value(v, 0, keep) for key, v in kwargs.items()}
        except (EncodeError, RecursionError) as e:
            raise TypeError(f"argument cannot be passed to a callable of the tests: {e}") from None
        with channel:
            send(["cb", rid, a, k])
            while True:
                msg = receive()
                if type(msg) is list and msg and msg[0] == "cbok":
                    return decode_value(msg[1], resolve)
                if type(msg) is list and msg and msg[0] == "cberr":
                    ename, emsg = str(msg[1]), str(msg[2])
                    cls = getattr(builtins, ename, None)
                    if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == "builtins":
                        try:
                            raise cls(emsg)
                        except TypeError:
                            pass
                    raise RuntimeError(f"{ename}: {emsg}")
                send(serve_request(msg))

    def serve_request(msg: object) -> list:
        watched: list = []
        try:
            op = msg[0]
            if op in ("call", "hcall"):
                fn = ns[msg[1]] if op == "call" else handles[int(msg[1])]
                args = [decode_value(a, resolve) for a in msg[2]]
                kwargs = {str(k): decode_value(v, resolve) for k, v in msg[3].items()}
                watched = [(i, a) for i, a in enumerate(args) if type(a) in _WATCHED]
                watched += [(k, v) for k, v in kwargs.items() if type(v) in _WATCHED]
            else:
                obj = handles[int(msg[1])]
        except BaseException:
            os._exit(3)
        before = []
        for _key, a in watched:
            try:
                before.append(encode_value(a, 0, keep))
            except BaseException:
                before.append(None)
        try:
            if op in ("call", "hcall"):
                result = fn(*args, **kwargs)
            elif op == "getattr":
                result = getattr(obj, str(msg[2]))
            elif op == "iter":
                result = []
                for x in obj:
                    result.append(x)
                    if len(result) > 1_000_000:
                        raise OverflowError("program object yields too many items")
            elif op == "len":
                result = len(obj)
            elif op == "str":
                result = str(obj)
            elif op == "repr":
                result = repr(obj)
            else:
                os._exit(3)
            try:
                reply = ["ok", encode_value(result, 0, keep)]
            except (EncodeError, RecursionError) as e:
                reply = ["bad", str(e)[:500]]
        except BaseException as e:  # the candidate's own exception, SystemExit included
            try:
                emsg = str(e)[:2000]
            except BaseException:
                emsg = "<unprintable>"
            reply = ["err", type(e).__name__, emsg]
        # Send back the new state of every watched argument the call changed (in-place mutation).
        changes = []
        for (key, a), b in zip(watched, before, strict=False):
            if b is None:
                continue
            try:
                now = encode_value(a, 0, keep)
            except BaseException:
                continue
            if now != b:
                changes.append([key, now])
        if changes:
            reply.append(changes)
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        return reply

    exports = []
    for name, v in list(ns.items()):
        if name.startswith("__"):
            continue
        if isinstance(v, types.ModuleType):
            exports.append([name, "module", getattr(v, "__name__", "")])
            continue
        if callable(v) and not isinstance(v, (list, dict, tuple, set)):
            exports.append([name, "callable", None])
            continue
        try:
            exports.append([name, "value", encode_value(v, 0, keep)])
        except BaseException:
            pass
    try:
        sys.stdout.flush()
    except BaseException:
        pass
    _write_frame(wfd, ["ready", exports])
    while True:
        with channel:
            msg = receive()
        reply = serve_request(msg)
        with channel:
            send(reply)


# --------------------------------------------------------------------------- main
def serve(conn: socket.socket, worker: Worker) -> None:
    """Answer requests on ``conn`` until the host closes it."""
    while True:
        req = recv_msg(conn)
        if req is None:
            return
        op = req.get("op")
        if op == "ping":
            send_msg(conn, {"ok": True, "pid": os.getpid(), "euid": os.geteuid(), "jobs": worker.jobs})
            if worker._pre is None:
                worker._prefork()
        elif op == "run":
            cleanup = None
            try:
                resp, cleanup = worker.run_job(req)
            except Exception as e:
                resp = {"error": f"worker error: {type(e).__name__}: {e}"}
            send_msg(conn, resp)
            if cleanup is not None:
                cleanup()  # after answering: the host is not kept waiting for the wipe
        else:
            send_msg(conn, {"error": f"unknown op {op!r}"})


# Imported once in the worker so that jobs (forked, not exec'd) do not pay for them every time.
PREIMPORT = ("typing", "math", "re", "collections", "itertools", "functools", "heapq", "bisect", "string",
             "random", "hashlib", "fractions", "decimal", "statistics", "datetime", "operator",
             "dataclasses", "enum", "array", "unicodedata", "json.decoder", "contextlib", "numbers")


def _preimport() -> None:
    for name in PREIMPORT:
        try:
            importlib.import_module(name)
        except Exception:
            pass


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``worker.py (--socket PATH | --fd N) [--uid U] [--workroot DIR] [--scratch DIR]...``."""
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--socket")
    p.add_argument("--fd", type=int)
    p.add_argument("--uid", type=int, default=-1)
    p.add_argument("--workroot", default="/work")
    p.add_argument("--scratch", action="append", default=[])
    p.add_argument("--nproc", type=int, default=64)
    a = p.parse_args(argv)
    _preimport()
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    if a.fd is not None:
        conn = socket.socket(fileno=a.fd)
    else:
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        tmp = a.socket + ".tmp"
        if os.path.exists(tmp):
            os.unlink(tmp)
        srv.bind(tmp)
        srv.listen(1)
        os.chmod(tmp, 0o666)
        os.rename(tmp, a.socket)
        conn, _ = srv.accept()
        srv.close()
        try:
            os.unlink(a.socket)
        except OSError:
            pass  # the host may already have removed the directory
    worker = Worker(a.uid, a.workroot, a.scratch, a.nproc)
    serve(conn, worker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
