"""The init mutex ``.avatar-init.lock``: only one init writes to a volume at a time."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional

from ..jsonlog import utc_timestamp
from .files import unlink_quietly

INIT_MUTEX_NAME = ".avatar-init.lock"


class InitMutex:
    """An exclusive, heartbeated lock file in the model root.

    Created atomically with ``O_CREAT|O_EXCL``; its content names the owner
    (``{"host", "pid", "podId", "started", "token"}``); its mtime is the heartbeat. A holder whose
    heartbeat is older than ``stale_seconds`` is presumed dead (a pod killed without cleanup) and
    its lock is taken over. ``lost`` is set if the heartbeat finds the file no longer ours (we were
    frozen long enough to be taken over); the holder must then stop before writing the lock file.
    """

    def __init__(
        self,
        root: Path,
        *,
        stale_seconds: float,
        heartbeat_seconds: float,
        environ: Optional[Mapping[str, str]] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = root / INIT_MUTEX_NAME
        self.stale_seconds = stale_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self._environ = os.environ if environ is None else environ
        self._clock = clock
        self.token = uuid.uuid4().hex
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.held = False

    def owner_document(self) -> Dict[str, Any]:
        """Who we are, as written into the lock file."""
        return {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "podId": self._environ.get("RUNPOD_POD_ID") or None,
            "started": utc_timestamp(),
            "token": self.token,
        }

    def try_acquire(self) -> bool:
        """Create the lock file if absent; True when we now hold it."""
        try:
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(self.owner_document(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        self.held = True
        self._start_heartbeat()
        return True

    def read_owner(self) -> Optional[Dict[str, Any]]:
        """The current holder's document, ``None`` if there is no lock; ``{}`` if it is half written."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            owner = json.loads(text)
        except ValueError:
            return {}
        return owner if isinstance(owner, dict) else {}

    def heartbeat_age_seconds(self) -> Optional[float]:
        """Seconds since the holder last touched the lock; ``None`` if there is none."""
        try:
            return max(0.0, self._clock() - self.path.stat().st_mtime)
        except FileNotFoundError:
            return None

    def take_over_if_stale(self) -> Optional[Dict[str, Any]]:
        """Take the lock over if its heartbeat is stale; return the previous owner when we did.

        The stale file is first renamed to a name private to us (rename is atomic, so of two
        waiters only one gets it); if what we renamed turns out not to be the stale lock we judged
        (it was replaced in between), it is put back.
        """
        age = self.heartbeat_age_seconds()
        if age is None or age <= self.stale_seconds:
            return None
        judged = self.read_owner()
        if judged is None:
            return None
        private = self.path.with_name(f"{INIT_MUTEX_NAME}.stale-{self.token}")
        try:
            os.rename(self.path, private)
        except FileNotFoundError:
            return None
        try:
            moved = json.loads(private.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            moved = {}
        if judged and moved.get("token") != judged.get("token"):
            try:
                os.link(private, self.path)  # put the fresh lock back; fails if a third party holds it
            except FileExistsError:
                pass
            unlink_quietly(private)
            return None
        unlink_quietly(private)
        if self.try_acquire():
            return judged
        return None

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="avatar-init-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            owner = self.read_owner()
            if owner is None or (owner and owner.get("token") != self.token):
                self.lost.set()
                return
            try:
                os.utime(self.path, None)
            except FileNotFoundError:
                self.lost.set()
                return

    def release(self) -> None:
        """Stop the heartbeat and delete the lock file if it is still ours."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.held:
            owner = self.read_owner()
            if owner and owner.get("token") == self.token:
                unlink_quietly(self.path)
            self.held = False
