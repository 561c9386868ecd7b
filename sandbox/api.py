"""The public sandbox API: :class:`Sandbox`."""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .harness import report_from_response, tests_request
from .image import DEFAULT_IMAGE
from .pool import Pool
from .types import ExecResult, TestReport
from .uids import UidLease, lease_uid_range

log = logging.getLogger("thoughtgym.sandbox")

_open_sandboxes: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Remove the containers of sandboxes that were never closed."""
    for sb in list(_open_sandboxes):
        try:
            sb.close()
        except Exception:
            pass


_said_lock = threading.Lock()
_said: set[str] = set()


def _say_once(msg: str) -> None:
    with _said_lock:
        if msg in _said:
            return
        _said.add(msg)
    log.warning(msg)


def docker_available(image: str = DEFAULT_IMAGE) -> bool:
    """True when a Docker engine answers and ``image`` exists."""
    from .docker_backend import docker_client, image_exists

    client = docker_client()
    if client is None:
        return False
    try:
        return image_exists(client, image)
    finally:
        client.close()


class Sandbox:
    """Run untrusted Python code in a warm pool of isolated workers.

    ``Sandbox(backend="auto" | "docker" | "process", **limits)``; use it as a context manager (or call
    :meth:`close`). The pool starts on first use. Safe to call from several threads at once.

    Limits (keyword arguments, all optional): ``pool_size`` (default: CPU count, at least 2),
    ``timeout_s`` (10), ``memory_mb`` (512, address space per process), ``output_limit`` (1 MiB per
    stream), ``file_limit_mb`` (16, largest file), ``image`` (Docker image tag), ``container_memory_mb``
    (1024), ``cpus`` (1.0 per container), ``pids`` (256 per container), ``tmpfs_mb`` (64),
    ``uid_base`` (slot ``i`` runs jobs as uid ``uid_base + i``; by default each pool leases a range of
    its own, see :mod:`.uids`), ``isolation`` for the process
    backend (``"auto"``, ``"bwrap"``, ``"unshare"``, ``"none"``).

    ``backend="auto"`` uses Docker when an engine answers and the image exists, and otherwise the
    process backend; it logs which one once.
    """

    def __init__(self, backend: str = "auto", **limits: Any) -> None:
        if backend not in ("auto", "docker", "process"):
            raise ValueError(f"unknown backend {backend!r}")
        self.requested_backend = backend
        self.limits = dict(limits)
        self.pool_size = int(limits.get("pool_size") or max(2, os.cpu_count() or 2))
        self.timeout_s = float(limits.get("timeout_s", 10.0))
        self.memory_mb = int(limits.get("memory_mb", 512))
        self.output_limit = int(limits.get("output_limit", 1 << 20))
        self.file_limit_mb = int(limits.get("file_limit_mb", 16))
        self.image = str(limits.get("image", DEFAULT_IMAGE))
        self.backend: str | None = None
        self.uid_base: int | None = int(limits["uid_base"]) if "uid_base" in limits else None
        self._uid_lease: UidLease | None = None
        self._pool: Pool | None = None
        self._client = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Resolve the backend and start the warm pool (idempotent)."""
        with self._lock:
            if self._pool is not None:
                return
            backend = self.requested_backend
            if backend in ("auto", "docker"):
                from .docker_backend import docker_client, image_exists

                # Generous API timeout: creating containers on a loaded machine can take a while.
                client = docker_client(timeout=120)
                if client is not None and image_exists(client, self.image):
                    backend = "docker"
                    self._client = client
                elif self.requested_backend == "docker":
                    why = "no Docker engine answers" if client is None else f"image {self.image} is missing"
                    raise RuntimeError(f"docker backend unavailable: {why} "
                                       "(run `python -m thoughtgym.sandbox.cli build`)")
                else:
                    why = "no Docker engine answers" if client is None else f"image {self.image} is missing"
                    if client is not None:
                        client.close()
                    backend = "process"
                    _say_once(f"thoughtgym.sandbox: {why}; using the process backend")
            if "uid_base" not in self.limits:  # a fresh uid range per pool, never shared with another
                self._uid_lease = lease_uid_range(self.pool_size)
                self.uid_base = self._uid_lease.base
            if backend == "docker":
                if self.requested_backend == "auto":
                    _say_once("thoughtgym.sandbox: using the Docker backend")
                self._pool = Pool(self._docker_slot_factory(), self.pool_size)
            else:
                self._pool = Pool(self._process_slot_factory(), self.pool_size)
            self.backend = backend
            _open_sandboxes.add(self)
            try:
                self._pool.start()
            except BaseException:
                self._pool = None
                if self._uid_lease is not None:
                    self._uid_lease.release()
                    self._uid_lease = None
                raise

    def _docker_slot_factory(self):  # noqa: ANN202
        from .docker_backend import DockerSlot

        pool_id = secrets.token_hex(6)
        lim = self.limits
        client = self._client

        def make(i: int) -> DockerSlot:
            return DockerSlot(i, client, image=self.image, uid_base=int(self.uid_base),
                              memory_mb=int(lim.get("container_memory_mb", max(1024, self.memory_mb + 512))),
                              cpus=float(lim.get("cpus", 1.0)), pids=int(lim.get("pids", 256)),
                              tmpfs_mb=int(lim.get("tmpfs_mb", 64)), pool_id=pool_id)

        return make

    def _process_slot_factory(self):  # noqa: ANN202
        from .process_backend import ProcessSlot, detect_isolation

        iso = str(self.limits.get("isolation", "auto"))
        if iso == "auto":
            iso = detect_isolation()
            if iso != "bwrap":
                _say_once(f"thoughtgym.sandbox: bubblewrap unavailable; process backend isolation = {iso}")
        self.isolation = iso
        uid_base = int(self.uid_base)  # type: ignore[arg-type]
        tmpfs_mb = int(self.limits.get("tmpfs_mb", 64))
        return lambda i: ProcessSlot(i, iso, uid_base, tmpfs_mb)

    def close(self) -> None:
        """Stop every worker (containers are removed)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        if self._uid_lease is not None:
            self._uid_lease.release()
            self._uid_lease = None
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
            self._client = None

    # ------------------------------------------------------------------ jobs
    def _request(self, req: dict, timeout_s: float | None, memory_mb: int | None) -> dict:
        self.start()
        assert self._pool is not None
        t = float(timeout_s if timeout_s is not None else self.timeout_s)
        req.update(op="run", timeout_s=t, memory_mb=int(memory_mb if memory_mb is not None else self.memory_mb),
                   output_limit=self.output_limit, file_limit_mb=self.file_limit_mb)
        return self._pool.request(req, timeout=t + 15.0)

    def run(self, code: str, *, stdin: str = "", timeout_s: float | None = None,
            memory_mb: int | None = None) -> ExecResult:
        """Run ``code`` as a Python program (``__name__ == "__main__"``) with ``stdin``; capture its output."""
        resp = self._request({"mode": "exec", "code": str(code), "stdin": str(stdin)}, timeout_s, memory_mb)
        if resp.get("error"):
            return ExecResult(exit_code=-1, error=str(resp["error"]), backend=self.backend or "")
        return ExecResult(
            exit_code=int(resp["exit_code"]), stdout=resp["stdout"], stderr=resp["stderr"],
            timed_out=bool(resp["timed_out"]), out_of_memory=bool(resp["out_of_memory"]),
            duration=float(resp["duration_s"]), stdout_truncated=bool(resp["stdout_truncated"]),
            stderr_truncated=bool(resp["stderr_truncated"]), backend=self.backend or "",
        )

    def run_tests(self, program: str, tests: str | list[str], entry_point: str | None = None, *,
                  timeout_s: float | None = None, memory_mb: int | None = None) -> TestReport:
        """Run ``program`` against ``tests`` and report each test.

        ``tests`` is a list of statements (MBPP style, e.g. ``"assert f(2) == 4"``; one test each) or a
        code block. With ``entry_point``, the block must define ``check(candidate)`` (HumanEval style);
        it is called with the program's function ``entry_point`` and each ``assert`` inside ``check`` is
        one test. Without ``entry_point``, each top-level ``assert`` of the block is one test.

        The program runs in its own process (module name ``__candidate__``, so ``if __name__ ==
        "__main__":`` blocks do not run); the tests run in a separate trusted harness process and
        call the program's functions remotely. Only plain built-in values (exact types) cross between
        them, so a return value with a rigged ``__eq__`` fails. Passing requires the harness's own
        final record: an exit code, ``os._exit(0)`` or ``sys.exit(0)`` never makes a pass.
        """
        req = tests_request(program, tests, entry_point)
        resp = self._request(req, timeout_s, memory_mb)
        return report_from_response(req, resp, self.backend or "")

    def run_tests_batch(self, items: list[dict], *, timeout_s: float | None = None,
                        memory_mb: int | None = None) -> list[TestReport]:
        """Run many ``run_tests`` jobs over the whole pool at once; results in input order.

        Each item is a dict with keys ``program``, ``tests`` and optionally ``entry_point``.
        """
        self.start()
        if not items:
            return []

        def one(it: dict) -> TestReport:
            return self.run_tests(it["program"], it["tests"], it.get("entry_point"),
                                  timeout_s=timeout_s, memory_mb=memory_mb)

        with ThreadPoolExecutor(max_workers=min(self.pool_size, len(items))) as ex:
            return list(ex.map(one, items))

    def run_batch(self, codes: list[str], *, timeout_s: float | None = None,
                  memory_mb: int | None = None) -> list[ExecResult]:
        """Run many programs over the whole pool at once; results in input order."""
        self.start()
        if not codes:
            return []
        with ThreadPoolExecutor(max_workers=min(self.pool_size, len(codes))) as ex:
            return list(ex.map(lambda c: self.run(c, timeout_s=timeout_s, memory_mb=memory_mb), codes))


_shared_lock = threading.Lock()
_shared: dict[tuple[str, int], Sandbox] = {}


def shared_sandbox(backend: str = "auto", **limits: Any) -> Sandbox:
    """A process-wide, lazily started :class:`Sandbox` per backend (closed at interpreter exit).

    Verifiers and environments should use this instead of starting a pool per check. ``limits``
    apply only when the first call for ``backend`` creates it.
    """
    key = (backend, os.getpid())  # a forked child must not use its parent's pool (shared sockets)
    with _shared_lock:
        sb = _shared.get(key)
        if sb is None:
            sb = Sandbox(backend, **limits)
            _shared[key] = sb
    sb.start()
    return sb
