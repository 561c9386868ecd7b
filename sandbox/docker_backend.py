"""Docker backend: a pool of warm, hardened containers, each running the fork-server worker.

Per container (started once, when the pool starts): no network, read-only root filesystem, tmpfs
``/work`` and ``/tmp`` (wiped after every job), a small private ``/dev/shm``, pids/memory/CPU limits,
all capabilities dropped except CAP_SETUID/CAP_SETGID (to drop to the job uid) and CAP_KILL (to kill
the job's processes), ``no-new-privileges``, and Docker's init as PID 1. The worker script is
bind-mounted read-only at ``/opt/thoughtgym``; the host talks to it over a unix socket in a private
host directory bind-mounted at ``/run/thoughtgym`` (the worker accepts exactly one connection and
removes the socket, so a job cannot reach it). Jobs run under ``uid_base + slot`` with a cleared
environment. There is no ``docker run`` or ``docker exec`` per job.

Requires the Docker engine to run on this machine (the socket directory is a host path).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time

from .image import DEFAULT_IMAGE
from .pool import Slot, SlotBroken

log = logging.getLogger(__name__)

WORKER_DIR = os.path.dirname(os.path.abspath(__file__))
POOL_LABEL = "thoughtgym.sandbox"


def docker_client(timeout: float = 5.0):  # noqa: ANN201 - docker.DockerClient
    """A client for the local engine, or ``None`` when no engine answers."""
    try:
        import docker

        client = docker.from_env(timeout=int(max(1, timeout)))
        client.ping()
        return client
    except Exception:
        return None


def image_exists(client, image: str = DEFAULT_IMAGE) -> bool:  # noqa: ANN001
    try:
        client.images.get(image)
        return True
    except Exception:
        return False


class DockerSlot(Slot):
    """One warm container."""

    def __init__(self, index: int, client, image: str = DEFAULT_IMAGE, uid_base: int = 61000,  # noqa: ANN001
                 memory_mb: int = 1024, cpus: float = 1.0, pids: int = 256, tmpfs_mb: int = 64,
                 pool_id: str = "") -> None:
        super().__init__(index)
        self.client = client
        self.image = image
        self.uid = uid_base + index
        self.memory_mb = memory_mb
        self.cpus = cpus
        self.pids = pids
        self.tmpfs_mb = tmpfs_mb
        self.pool_id = pool_id
        self.container = None
        self.sockdir: str | None = None

    def _launch(self) -> socket.socket:
        self.sockdir = tempfile.mkdtemp(prefix="thoughtgym-sbx-")
        # Container root has no CAP_DAC_OVERRIDE: it must own, or be allowed to write, the directory.
        os.chmod(self.sockdir, 0o700 if os.geteuid() == 0 else 0o733)
        tmpfs_opts = f"rw,nosuid,nodev,size={self.tmpfs_mb}m,mode=1777"
        cmd = ["/usr/bin/python3", "-I", "/opt/thoughtgym/worker.py", "--socket", "/run/thoughtgym/worker.sock",
               "--uid", str(self.uid), "--workroot", "/work", "--scratch", "/tmp", "--scratch", "/dev/shm",
               "--nproc", str(max(16, self.pids // 2))]
        self.container = self.client.containers.run(
            self.image,
            cmd,
            detach=True,
            auto_remove=True,
            init=True,
            user="0:0",
            network_mode="none",
            read_only=True,
            tmpfs={"/work": tmpfs_opts, "/tmp": tmpfs_opts},
            volumes={
                self.sockdir: {"bind": "/run/thoughtgym", "mode": "rw"},
                WORKER_DIR: {"bind": "/opt/thoughtgym", "mode": "ro"},
            },
            cap_drop=["ALL"],
            cap_add=["SETUID", "SETGID", "KILL"],
            security_opt=["no-new-privileges"],
            pids_limit=self.pids,
            mem_limit=f"{self.memory_mb}m",
            memswap_limit=f"{self.memory_mb}m",
            nano_cpus=int(self.cpus * 1e9),
            ipc_mode="private",
            shm_size="16m",
            hostname="sandbox",
            environment={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
            working_dir="/",
            labels={POOL_LABEL: "1", f"{POOL_LABEL}.pool": self.pool_id},
        )
        path = os.path.join(self.sockdir, "worker.sock")
        end = time.monotonic() + 30.0
        while not os.path.exists(path):
            if time.monotonic() > end:
                raise SlotBroken(f"container of slot {self.index} did not start its worker")
            if int(time.monotonic() * 10) % 10 == 0:
                try:
                    self.container.reload()
                    if self.container.status in ("exited", "dead"):
                        raise SlotBroken(f"container of slot {self.index} exited: "
                                         f"{self.container.logs()[-500:]!r}")
                except SlotBroken:
                    raise
                except Exception:
                    pass
            time.sleep(0.005)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        # Connected: the directory is not needed any more (the worker accepts no second connection).
        shutil.rmtree(self.sockdir, ignore_errors=True)
        self.sockdir = None
        return s

    def _teardown(self) -> None:
        if self.container is not None:
            try:
                self.container.remove(force=True)
            except Exception:
                pass
            self.container = None
        if self.sockdir:
            shutil.rmtree(self.sockdir, ignore_errors=True)
            self.sockdir = None


def remove_stale_containers(client) -> int:  # noqa: ANN001
    """Remove every container this package started (e.g. after a crash). Returns how many."""
    n = 0
    for c in client.containers.list(all=True, filters={"label": POOL_LABEL}):
        try:
            c.remove(force=True)
            n += 1
        except Exception:
            pass
    return n
