"""A pool of warm worker slots shared by both backends.

A slot owns one worker (a container or a bubblewrap process) and one persistent stream connection
to it. A slot whose worker dies, hangs past the job's deadline, or breaks the protocol is torn down
and restarted before its next job, so no job can take the pool down.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor

from .worker import recv_msg, send_msg

log = logging.getLogger(__name__)


class SlotBroken(RuntimeError):
    """The worker of a slot stopped answering properly."""


class Slot(ABC):
    """One warm worker. Subclasses implement :meth:`_launch` and :meth:`_teardown`."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.conn: socket.socket | None = None
        self.restarts = 0

    @abstractmethod
    def _launch(self) -> socket.socket:
        """Start the worker; return a connected stream socket to it."""

    @abstractmethod
    def _teardown(self) -> None:
        """Stop the worker and free its resources (must not raise)."""

    def start(self) -> None:
        self.conn = self._launch()
        self.conn.settimeout(30.0)
        send_msg(self.conn, {"op": "ping"})
        rep = recv_msg(self.conn)
        if not rep or not rep.get("ok"):
            self.close()
            raise SlotBroken(f"worker of slot {self.index} did not answer ping: {rep!r}")

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None
        self._teardown()

    def request(self, req: dict, timeout: float) -> dict:
        """Send one request and wait for its answer, at most ``timeout`` seconds."""
        if self.conn is None:
            self.restarts += 1
            self.start()
        assert self.conn is not None
        try:
            self.conn.settimeout(timeout)
            send_msg(self.conn, req)
            rep = recv_msg(self.conn)
        except (OSError, ValueError) as e:
            self.close()
            raise SlotBroken(f"worker of slot {self.index} failed: {type(e).__name__}: {e}") from e
        if rep is None:
            self.close()
            raise SlotBroken(f"worker of slot {self.index} closed the connection")
        return rep


class Pool:
    """Fixed-size pool of slots; jobs take a free slot, and threads spread batches over all slots."""

    def __init__(self, make_slot, size: int) -> None:  # noqa: ANN001 - callable(int) -> Slot
        self.size = max(1, int(size))
        self._make_slot = make_slot
        self._free: queue.Queue[Slot] = queue.Queue()
        self._slots: list[Slot] = []
        self._lock = threading.Lock()
        self.started = False

    def start(self) -> None:
        with self._lock:
            if self.started:
                return
            slots = [self._make_slot(i) for i in range(self.size)]
            errors: list[BaseException] = []

            def boot(s: Slot) -> None:
                try:
                    s.start()
                except BaseException as e:  # keep going; the slot restarts lazily
                    errors.append(e)
                    s.close()

            with ThreadPoolExecutor(self.size) as ex:
                list(ex.map(boot, slots))
            if len(errors) == len(slots):
                for s in slots:
                    s.close()
                raise RuntimeError(f"no sandbox worker could start: {errors[0]}") from errors[0]
            for e in errors:
                log.warning("a sandbox slot failed to start and will retry: %s", e)
            self._slots = slots
            for s in slots:
                self._free.put(s)
            self.started = True

    def request(self, req: dict, timeout: float) -> dict:
        """Run one request on a free slot. A broken worker becomes ``{"error": ...}`` and is replaced."""
        if not self.started:
            self.start()
        slot = self._free.get()
        try:
            try:
                return slot.request(req, timeout)
            except SlotBroken as e:
                log.warning("%s; replacing it", e)
                return {"error": str(e)}
            except Exception as e:  # failed restart, etc.
                slot.close()
                return {"error": f"sandbox slot failed: {type(e).__name__}: {e}"}
        finally:
            self._free.put(slot)

    def close(self) -> None:
        with self._lock:
            slots, self._slots = self._slots, []
            self.started = False
            self._free = queue.Queue()
        if slots:
            with ThreadPoolExecutor(len(slots)) as ex:
                list(ex.map(lambda s: s.close(), slots))


def wait_for(predicate, timeout: float, interval: float = 0.01) -> bool:  # noqa: ANN001
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
