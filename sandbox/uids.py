"""Leases of job-uid ranges, so that concurrent pools on one host never share a job uid.

Jobs run under ``uid_base + slot``. Two pools with the same uids would interfere: RLIMIT_NPROC counts
processes per uid host-wide (one pool's fork bomb would starve the other's jobs), same-uid jobs may
signal each other, and a slot's clean-up kills every process of its uid. A lease is an exclusive
``flock`` on a file named after the range; the kernel drops it when the holder exits, so a crashed
process never leaks a range.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

FIRST_BASE = 100_000
BLOCK = 256  # uids per lease: a pool slot each
MAX_LEASES = 4_000
LEASE_DIR = Path(tempfile.gettempdir()) / "thoughtgym-uid-leases"


class UidLease:
    """An exclusive lease on ``[base, base + BLOCK)``; call :meth:`release` (or let the process exit)."""

    def __init__(self, base: int, fd: int) -> None:
        self.base = base
        self._fd: int | None = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __del__(self) -> None:  # a forgotten lease is still returned
        try:
            self.release()
        except Exception:
            pass


def lease_uid_range(slots: int) -> UidLease:
    """Lease the first free range of ``BLOCK`` uids (``slots`` must fit in one block)."""
    if not 0 < slots <= BLOCK:
        raise ValueError(f"a pool needs 1..{BLOCK} slots, got {slots}")
    LEASE_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
    for k in range(MAX_LEASES):
        base = FIRST_BASE + k * BLOCK
        fd = os.open(LEASE_DIR / f"{base}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return UidLease(base, fd)
    raise RuntimeError(f"no free job-uid range among {MAX_LEASES} (lock files in {LEASE_DIR})")
