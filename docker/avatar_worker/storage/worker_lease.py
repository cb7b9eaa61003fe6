"""Serving workers' leases on the model volume: how ``serve`` tells ``init`` "I am using these files".

Every serving worker holds a lease while it runs: a file ``<model root>/.avatar-workers/<token>.json``
naming it (``{"host", "pid", "podId", "started", "token"}``), created before the worker checks the
volume and touched every :data:`LEASE_HEARTBEAT_SECONDS` by a background thread (its mtime is the
heartbeat). The worker deletes it when it stops. ``init`` never removes a file from the volume while a
fresh lease exists.

A lease is a file with a heartbeat, like the init mutex, because a network volume is shared by
machines that share no kernel: ``flock`` is not known to reach across them, a file and its mtime do.
A worker killed without cleanup (RunPod may stop a serverless worker without notice) leaves its lease
behind; once it is older than :data:`LEASE_STALE_SECONDS` (four missed heartbeats) it no longer counts
and ``init`` deletes it. A worker frozen that long writes its lease again at its next heartbeat.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

from ..jsonlog import utc_timestamp
from .files import fsync_directory, unlink_quietly

#: Directory under the model root that holds the serving workers' leases.
WORKER_LEASE_DIRECTORY = ".avatar-workers"

#: How often a serving worker touches its lease.
LEASE_HEARTBEAT_SECONDS = 30.0

#: A lease untouched for longer belongs to a worker that is gone.
LEASE_STALE_SECONDS = 4 * LEASE_HEARTBEAT_SECONDS


class WorkerLease:
    """The lease of one serving worker on the model root ``root``.

    ``acquire`` raises ``OSError`` when the lease cannot be written (the caller decides whether a
    worker may run without one); ``release`` is safe to call more than once.
    """

    def __init__(
        self,
        root: Path,
        *,
        heartbeat_seconds: float = LEASE_HEARTBEAT_SECONDS,
        environ: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.root = Path(root)
        self.token = uuid.uuid4().hex
        self.path = self.root / WORKER_LEASE_DIRECTORY / f"{self.token}.json"
        self.heartbeat_seconds = heartbeat_seconds
        self._environ = os.environ if environ is None else environ
        self._owner: Dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def acquire(self) -> None:
        """Write the lease and start its heartbeat."""
        self._owner = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "podId": self._environ.get("RUNPOD_POD_ID") or None,
            "started": utc_timestamp(),
            "token": self.token,
        }
        self._write()
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="avatar-worker-lease", daemon=True)
        self._thread.start()

    def release(self) -> None:
        """Stop the heartbeat and delete the lease."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        unlink_quietly(self.path)

    def __enter__(self) -> "WorkerLease":
        self.acquire()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release()

    def _write(self) -> None:
        # The model root exists whenever there is something to protect; a missing one is not created here.
        self.path.parent.mkdir(exist_ok=True)
        self.path.write_text(json.dumps(self._owner), encoding="utf-8")
        fsync_directory(self.path.parent)

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            try:
                os.utime(self.path, None)
            except FileNotFoundError:
                # Swept as stale while this worker was frozen: announce it again.
                try:
                    self._write()
                except OSError:
                    pass
            except OSError:
                pass  # a transient volume error: the next beat tries again


@dataclass(frozen=True)
class LeaseHolder:
    """A lease found on the volume: its owner document and seconds since its last heartbeat."""

    path: Path
    owner: Dict[str, Any]
    age_seconds: float


def read_leases(root: Path, *, clock: Callable[[], float] = time.time) -> List[LeaseHolder]:
    """Every lease under ``root``, fresh or stale, oldest heartbeat first."""
    directory = Path(root) / WORKER_LEASE_DIRECTORY
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    holders = []
    for path in entries:
        if path.suffix != ".json":
            continue
        try:
            age = max(0.0, clock() - path.stat().st_mtime)
        except FileNotFoundError:
            continue  # released while we looked
        try:
            owner = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            owner = {}  # half written or just released: its mtime still says whether it is alive
        holders.append(LeaseHolder(path=path, owner=owner if isinstance(owner, dict) else {}, age_seconds=age))
    return sorted(holders, key=lambda h: -h.age_seconds)


def live_leases(
    root: Path, *, stale_seconds: float = LEASE_STALE_SECONDS, clock: Callable[[], float] = time.time
) -> List[LeaseHolder]:
    """The leases whose heartbeat is at most ``stale_seconds`` old: workers that hold the volume now."""
    return [h for h in read_leases(root, clock=clock) if h.age_seconds <= stale_seconds]


def sweep_stale_leases(
    root: Path, *, stale_seconds: float = LEASE_STALE_SECONDS, clock: Callable[[], float] = time.time
) -> List[LeaseHolder]:
    """Delete the leases of workers that are gone; return them."""
    stale = [h for h in read_leases(root, clock=clock) if h.age_seconds > stale_seconds]
    for holder in stale:
        unlink_quietly(holder.path)
    return stale
