"""Process backend: the same fork-server worker, run as a local process, for machines without Docker.

Each slot is one long-lived worker process. Where bubblewrap works (``bwrap``), the worker runs inside
its own mount, network, PID, IPC and UTS namespaces: the host filesystem is hidden except a read-only
``/usr`` (and the Python installation), ``/work``, ``/tmp`` and ``/dev/shm`` are small private tmpfs
mounts, there is no network, and when the host process is root the worker keeps only CAP_SETUID,
CAP_SETGID and CAP_KILL and runs every job under its own unprivileged uid (``uid_base + slot``).
Without bubblewrap it falls back to ``unshare`` (network, PID, IPC namespaces; host files visible)
and, failing that, to plain rlimits.

What this backend does NOT isolate (use the Docker backend for untrusted code at scale):

- no cgroup: memory is bounded per process by RLIMIT_AS, not for a process tree as a whole, and
  there is no CPU-share limit (RLIMIT_CPU bounds CPU time per process);
- RLIMIT_NPROC counts processes per uid across the whole host;
- the kernel is shared (as with Docker): a kernel exploit escapes both;
- without bubblewrap: host files readable by the job uid are readable, the network is reachable
  unless ``unshare`` works, and ``/tmp`` of the host is writable (file size capped per file only);
- when not run as root: jobs run under the caller's own uid, so a job can signal the worker (the
  slot is then replaced) and anything the caller can read inside the sandbox view.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile

from .pool import Slot, SlotBroken

log = logging.getLogger(__name__)

WORKER_DIR = os.path.dirname(os.path.abspath(__file__))
MB = 1024 * 1024


def _count_own_processes() -> int:
    uid = os.getuid()
    n = 0
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.stat(f"/proc/{p}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


_TMPFS_DIRS = ("/work", "/tmp", "/dev/shm", "/dev")


def _python_binds() -> list[str]:
    out: list[str] = []
    for p in {sys.base_prefix, sys.prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}:
        p = os.path.realpath(p)
        if not p.startswith("/usr/") and p != "/usr" and os.path.isdir(p):
            # Parents such as /root are 0700 on the host: make them traversable inside.
            parents = []
            d = os.path.dirname(p)
            while d not in ("/", ""):
                parents.append(d)
                d = os.path.dirname(d)
            for d in reversed(parents):
                if d not in _TMPFS_DIRS:  # those exist already, with their own permissions
                    out += ["--perms", "0755", "--dir", d]
            out += ["--ro-bind", p, p]
    return out


def _world_traversable(path: str) -> bool:
    d = os.path.realpath(path)
    while d not in ("/", ""):
        try:
            if not os.stat(d).st_mode & 0o001:
                return False
        except OSError:
            return False
        d = os.path.dirname(d)
    return True


def worker_python(isolation: str) -> str:
    """The interpreter for the worker. Outside bubblewrap the job uid must be able to reach the
    standard library; an interpreter under a private home (pyenv in ``/root``) is not, so the system
    ``python3`` is used instead when there is one."""
    if isolation == "bwrap" or os.geteuid() != 0 or _world_traversable(sys.base_prefix):
        return sys.executable
    for cand in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(cand) and _world_traversable(cand):
            return cand
    return sys.executable


def bwrap_prefix(tmpfs_mb: int = 64, root: bool | None = None) -> list[str]:
    """The bubblewrap command line that wraps one worker.

    No ``--die-with-parent``: it fires when the *thread* that started bwrap exits. The worker exits on
    its own when the host closes its connection.
    """
    root = (os.geteuid() == 0) if root is None else root
    args = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr"]
    for d in ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for f in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", "/etc/ssl/certs", "/etc/mime.types"):
        args += ["--ro-bind-try", f, f]
    args += ["--proc", "/proc", "--dev", "/dev"]
    # The private tmpfs mounts come before the Python binds: an interpreter or virtualenv that lives
    # under /tmp (a CI checkout) is then bound on top of the empty tmpfs instead of being hidden by
    # it, and nothing else of the host's /tmp shows.
    for d, size in (("/work", tmpfs_mb), ("/tmp", tmpfs_mb), ("/dev/shm", 16)):
        args += ["--perms", "1777", "--size", str(size * MB), "--tmpfs", d]
    args += _python_binds()
    args += ["--ro-bind", WORKER_DIR, "/opt/thoughtgym"]
    if root:
        args += ["--cap-drop", "ALL"]
        for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_KILL"):
            args += ["--cap-add", cap]
    args += ["--chdir", "/", "--"]
    return args


@functools.cache
def detect_isolation() -> str:
    """Best isolation this machine supports: ``"bwrap"``, ``"unshare"`` or ``"none"``."""
    if shutil.which("bwrap"):
        try:
            r = subprocess.run(bwrap_prefix() + [sys.executable, "-I", "-c", "pass"],
                               capture_output=True, timeout=20)
            if r.returncode == 0:
                return "bwrap"
            log.info("bubblewrap does not work here: %s", r.stderr.decode(errors="replace")[-300:])
        except (OSError, subprocess.SubprocessError):
            pass
    if shutil.which("unshare"):
        try:
            r = subprocess.run(_unshare_prefix() + [sys.executable, "-I", "-c", "pass"],
                               capture_output=True, timeout=20)
            if r.returncode == 0:
                return "unshare"
        except (OSError, subprocess.SubprocessError):
            pass
    return "none"


def _unshare_prefix() -> list[str]:
    args = ["unshare", "--net", "--ipc", "--uts", "--pid", "--fork", "--mount-proc", "--kill-child"]
    if os.geteuid() != 0:
        args.insert(1, "--map-root-user")
    return args


class ProcessSlot(Slot):
    """One worker process, optionally inside bubblewrap or unshare."""

    def __init__(self, index: int, isolation: str, uid_base: int, tmpfs_mb: int = 64) -> None:
        super().__init__(index)
        self.isolation = isolation
        self.uid_base = uid_base
        self.tmpfs_mb = tmpfs_mb
        self.proc: subprocess.Popen | None = None
        self.tmpdir: str | None = None

    def _launch(self) -> socket.socket:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        root = os.geteuid() == 0
        uid = self.uid_base + self.index if root else -1
        nproc = 64 if root else _count_own_processes() + 256
        if self.isolation == "bwrap":
            prefix = bwrap_prefix(self.tmpfs_mb, root)
            worker = "/opt/thoughtgym/worker.py"
            workroot, scratch = "/work", ["/tmp", "/dev/shm"]
        else:
            self.tmpdir = tempfile.mkdtemp(prefix=f"thoughtgym-slot{self.index}-")
            os.chmod(self.tmpdir, 0o755)
            workroot = os.path.join(self.tmpdir, "work")
            tmp = os.path.join(self.tmpdir, "tmp")
            for d in (workroot, tmp):
                os.mkdir(d)
                os.chmod(d, 0o1777)
            scratch = [tmp]
            worker = os.path.join(WORKER_DIR, "worker.py")
            if self.isolation == "unshare":
                prefix = _unshare_prefix()
                if not root:
                    uid = -1
            else:
                prefix = []
        cmd = prefix + [worker_python(self.isolation), "-I", worker, "--fd", str(child.fileno()), "--uid", str(uid),
                        "--workroot", workroot, "--nproc", str(nproc)]
        for s in scratch:
            cmd += ["--scratch", s]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        try:
            self.proc = subprocess.Popen(cmd, pass_fds=[child.fileno()], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=_worker_log(),
                                         env=env, start_new_session=True, close_fds=True)
        except OSError as e:
            parent.close()
            raise SlotBroken(f"cannot start worker: {e}") from e
        finally:
            child.close()
        return parent

    def _teardown(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                pass
            try:
                self.proc.kill()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.SubprocessError):
                pass
            self.proc = None
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None


def _worker_log():  # noqa: ANN202
    """Where worker stderr goes: ``$THOUGHTGYM_SANDBOX_LOG`` when set, else nowhere."""
    path = os.environ.get("THOUGHTGYM_SANDBOX_LOG")
    if path:
        return open(path, "ab")  # noqa: SIM115 - handed to the child
    return subprocess.DEVNULL
