"""JSON-lines output: one object per line on stdout, flushed at once.

The deploy-time runner (docs/CONTRACTS.md section 4) parses these lines: every line has an
``event`` key (``log``, ``progress`` or ``result``). Lines are written whole under a lock because
download threads, the lock heartbeat and the main thread all emit.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, Optional, TextIO


def utc_timestamp(epoch_seconds: Optional[float] = None) -> str:
    """Return an ISO-8601 UTC timestamp with second precision, e.g. ``2026-11-29T03:17:49Z``."""
    moment = datetime.fromtimestamp(time.time() if epoch_seconds is None else epoch_seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class JsonLines:
    """Writes ``log``, ``progress`` and ``result`` events as JSON lines.

    ``stream`` defaults to ``sys.stdout`` looked up at write time, so tests that capture stdout
    see the lines. ``clock`` is injectable so timings are testable without sleeping.
    """

    def __init__(self, stream: Optional[TextIO] = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self.result_written = False

    def elapsed_seconds(self) -> float:
        """Seconds since this emitter was created (the run's start)."""
        return self._clock() - self._started

    def emit(self, event: str, **fields: Any) -> Dict[str, Any]:
        """Write one line ``{"event": event, "time": ..., **fields}`` and return the object."""
        record: Dict[str, Any] = {"event": event, "time": utc_timestamp()}
        record.update(fields)
        # ensure_ascii keeps every line 7-bit clean for log collectors that mangle UTF-8.
        line = json.dumps(record, ensure_ascii=True, separators=(",", ":"), default=str)
        stream = self._stream if self._stream is not None else sys.stdout
        with self._lock:
            stream.write(line + "\n")
            stream.flush()
        return record

    def log(self, level: str, stage: str, message: str, **details: Any) -> None:
        """Write a ``log`` event; ``details`` become extra fields."""
        self.emit("log", level=level, stage=stage, message=message, **details)

    def info(self, stage: str, message: str, **details: Any) -> None:
        """Shorthand for an ``info`` log line."""
        self.log("info", stage, message, **details)

    def warning(self, stage: str, message: str, **details: Any) -> None:
        """Shorthand for a ``warning`` log line."""
        self.log("warning", stage, message, **details)

    def progress(self, **fields: Any) -> None:
        """Write a ``progress`` event (fields per docs/CONTRACTS.md section 4)."""
        self.emit("progress", **fields)

    def result(self, mode: str, ok: bool, **fields: Any) -> None:
        """Write the single ``result`` line that ends a run."""
        self.result_written = True
        self.emit("result", mode=mode, ok=ok, **fields)

    @contextlib.contextmanager
    def stage(self, stage: str, message: str, **details: Any) -> Iterator[None]:
        """Log the start and the end of a stage with its duration in seconds.

        On an exception the end line is not written: the error's own result line says what
        happened, and a misleading "done" must not appear before it.
        """
        started = self._clock()
        self.info(stage, f"{message}: started", **details)
        yield
        self.info(stage, f"{message}: done", seconds=round(self._clock() - started, 3))


class ProgressMeter:
    """Aggregates bytes over a whole download set and emits throttled ``progress`` lines.

    Thread-safe: download workers call :meth:`add`. A line is written at most every
    ``interval_seconds`` (0.5 s by default) so a 30 GB download does not flood the runner's log;
    :meth:`flush` forces a final line.
    """

    def __init__(
        self,
        emitter: JsonLines,
        bytes_total: int,
        *,
        stage: str = "download",
        interval_seconds: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emitter = emitter
        self._stage = stage
        self._interval = interval_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._last_emit = float("-inf")
        self.bytes_total = bytes_total
        self.bytes_done = 0
        # Bytes that were on disk already (resumed partial files) count as done but not towards
        # the transfer rate, or the ETA right after a resume would be absurdly optimistic.
        self._bytes_transferred = 0

    def add(self, count: int, file: str, *, transferred: bool = True) -> None:
        """Record ``count`` more bytes of ``file`` and maybe emit a line."""
        with self._lock:
            self.bytes_done += count
            if transferred:
                self._bytes_transferred += count
            now = self._clock()
            if now - self._last_emit < self._interval:
                return
            self._last_emit = now
            fields = self._fields(file, now)
        self._emitter.progress(**fields)

    def rewind(self, count: int) -> None:
        """Take back ``count`` bytes (a corrupt download that will be fetched again)."""
        with self._lock:
            self.bytes_done = max(0, self.bytes_done - count)

    def flush(self, file: str) -> None:
        """Emit a line now, whatever the throttle says."""
        with self._lock:
            now = self._clock()
            self._last_emit = now
            fields = self._fields(file, now)
        self._emitter.progress(**fields)

    def _fields(self, file: str, now: float) -> Dict[str, Any]:
        elapsed = max(now - self._started, 1e-9)
        rate = self._bytes_transferred / elapsed
        remaining = max(self.bytes_total - self.bytes_done, 0)
        eta = remaining / rate if rate > 0 else None
        return {
            "stage": self._stage,
            "file": file,
            "bytesDone": self.bytes_done,
            "bytesTotal": self.bytes_total,
            "rateBytesPerSecond": round(rate, 1),
            "etaSeconds": None if eta is None else round(eta, 1),
        }
