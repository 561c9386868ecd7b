"""Shared fixtures for the sandbox tests (loaded explicitly by ``tests/test_sandbox*.py``).

``sandbox`` is parametrized over both backends. The Docker case skips when no engine answers or the
image is missing, except under ``CI=true``, where it fails instead: CI must run the Docker tests.
"""

from __future__ import annotations

import os

import pytest

from thoughtgym.sandbox import Sandbox, docker_available

BACKENDS = ["process", "docker"]
POOL_SIZE = 2
UID_BASE = 62100  # distinct from the default (61000) so parallel users of the sandbox do not interfere


def require_docker() -> None:
    """Skip (or, under ``CI=true``, fail) when the Docker backend cannot run here."""
    if docker_available():
        return
    msg = ("Docker backend unavailable (no engine, or image missing: "
           "run `python -m thoughtgym.sandbox.cli build`)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true: " + msg)
    pytest.skip(msg)


_boxes: dict[str, Sandbox] = {}


@pytest.fixture(scope="session")
def _sandbox_registry():
    yield _boxes
    for sb in _boxes.values():
        sb.close()
    _boxes.clear()


def get_sandbox(backend: str, registry: dict) -> Sandbox:
    if backend == "docker":
        require_docker()
    if backend not in registry:
        # Each backend gets its own uids: both pools stay warm for the whole session.
        sb = Sandbox(backend, pool_size=POOL_SIZE, uid_base=UID_BASE + 10 * BACKENDS.index(backend), timeout_s=10)
        sb.start()
        registry[backend] = sb
    return registry[backend]


@pytest.fixture(params=BACKENDS)
def sandbox(request, _sandbox_registry) -> Sandbox:
    """A warm pool of the requested backend, shared by all tests of the session."""
    return get_sandbox(request.param, _sandbox_registry)


def _status(pid: int | str) -> dict:
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)


def job_uid_processes(base: int = UID_BASE, n: int = 10 * len(BACKENDS)) -> list[int]:
    """Host pids of sandbox job uids that are left over (there must be none between jobs).

    Each worker keeps one fresh job process forked ahead of the next request (a direct child of
    the root worker) and that process's pre-forked candidate process; those are not leftovers.
    """
    by_uid: dict[int, list[int]] = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                uid = os.stat(f"/proc/{p}").st_uid
            except OSError:
                continue
            if base <= uid < base + n:
                by_uid.setdefault(uid, []).append(int(p))
    left: list[int] = []
    for pids in by_uid.values():
        # Idle shape: the pre-forked job process (child of the root worker) and the candidate
        # process it pre-forked (its child). Anything else is a leftover.
        if len(pids) <= 2:
            try:
                parents = {p: int(_status(p)["PPid"].strip()) for p in pids}
                roots = [p for p, pp in parents.items() if os.stat(f"/proc/{pp}").st_uid == 0]
                if len(roots) == 1 and all(pp == roots[0] for p, pp in parents.items() if p != roots[0]):
                    continue
            except (OSError, KeyError, ValueError):
                continue
        left.extend(pids)
    return left


def wait_no_job_processes(timeout: float = 10.0, base: int = UID_BASE, n: int = 10 * len(BACKENDS)) -> list[int]:
    """Job processes are killed right after the answer is sent: poll until none is left."""
    import time

    end = time.monotonic() + timeout
    left = job_uid_processes(base, n)
    while left and time.monotonic() < end:
        time.sleep(0.02)
        left = job_uid_processes(base, n)
    return left


def describe(pids: list[int]) -> str:
    out = []
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                st = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            out.append(f"{p} {st.get('State', '').strip()} ppid={st.get('PPid', '').strip()} {cmd[:80]}")
        except OSError:
            out.append(f"{p} (gone)")
    return "; ".join(out)


def assert_pool_healthy(sb: Sandbox) -> None:
    """Every slot runs a trivial job correctly afterwards."""
    for _ in range(2 * POOL_SIZE):
        r = sb.run("print(6 * 7)", timeout_s=10)
        assert r.ok, r
        assert r.stdout == "42\n"
