"""The model volume: init (download once, verified, resumable) and verify.

Layout (docs/CONTRACTS.md section 3)::

    <model root>/<directory>/<file>      one directory per manifest model
    <model root>/avatar-models.lock.json written last, atomically, by init
    <model root>/.avatar-init.lock       the init mutex while an init runs

Invariants this module keeps:

* a file under its final name has been verified (size and sha256 or git blob id); downloads go
  to ``<file>.partial`` and are renamed into place only after the check;
* the lock file is written after every file is in place, via tmp + fsync + rename, so its
  presence means "complete" (RunPod warns that concurrent writers corrupt network volumes);
* only one init writes at a time: ``.avatar-init.lock`` is created with ``O_CREAT|O_EXCL`` and
  kept fresh by a heartbeat; a second init waits for it, and one whose heartbeat is older than
  ``AVATAR_INIT_LOCK_STALE_SECONDS`` is taken over.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import socket
import threading
import time
import uuid
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .contract import DEFAULT_MODEL_ROOT
from .errors import (
    EXIT_VERIFY_FILES,
    EXIT_VERIFY_NO_LOCK,
    EXIT_VERIFY_OTHER_MANIFEST,
    ChecksumMismatch,
    DiskFull,
    HubUnavailable,
    InitLocked,
    InsufficientSpace,
    LockManifestMismatch,
    LockMissing,
    ManifestInvalid,
    UsageError,
    VolumeFilesMismatch,
    VolumeNotReady,
    WorkerError,
)
from .hub import HubClient, RangeNotSatisfiable, RemoteFile, ResolvedModel, TransientHubError, git_blob_sha1_prefix
from .jsonlog import JsonLines, ProgressMeter, utc_timestamp
from .manifest import SUPPORTED_FORMAT_VERSION, Manifest, check_relative_path

LOCK_FILE_NAME = "avatar-models.lock.json"
INIT_MUTEX_NAME = ".avatar-init.lock"
PARTIAL_SUFFIX = ".partial"
CHUNK_BYTES = 1024 * 1024
_HASH_READ_BYTES = 8 * 1024 * 1024
_NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)

FreeSpaceProbe = Callable[[Path], int]


def disk_free_bytes(path: Path) -> int:
    """Free bytes on the filesystem holding ``path`` (what an unprivileged writer may use)."""
    return shutil.disk_usage(path).free


# =================================================================================================
# Settings
# =================================================================================================


@dataclass(frozen=True)
class InitSettings:
    """Tunables of ``init``; every field maps to one environment variable (see docker/README.md)."""

    attempts: int = 3
    stale_seconds: float = 120.0
    wait_seconds: float = 3600.0
    poll_seconds: float = 5.0
    concurrency: int = 4
    backoff_seconds: float = 2.0
    read_timeout_seconds: float = 60.0
    rehash_existing: bool = False

    @property
    def heartbeat_seconds(self) -> float:
        """How often the mutex is touched: well inside the stale limit, at most every 15 s."""
        return max(0.1, min(self.stale_seconds / 4.0, 15.0))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "InitSettings":
        """Read the ``AVATAR_*`` tunables; a malformed value is a :class:`UsageError`."""
        defaults = cls()
        return cls(
            attempts=int(_env_number(environ, "AVATAR_DOWNLOAD_ATTEMPTS", defaults.attempts, integer=True, minimum=1)),
            stale_seconds=_env_number(environ, "AVATAR_INIT_LOCK_STALE_SECONDS", defaults.stale_seconds, minimum=1),
            wait_seconds=_env_number(environ, "AVATAR_INIT_LOCK_WAIT_SECONDS", defaults.wait_seconds, minimum=0),
            poll_seconds=_env_number(environ, "AVATAR_INIT_LOCK_POLL_SECONDS", defaults.poll_seconds, minimum=0.01),
            concurrency=int(
                _env_number(environ, "AVATAR_DOWNLOAD_CONCURRENCY", defaults.concurrency, integer=True, minimum=1)
            ),
            backoff_seconds=_env_number(environ, "AVATAR_DOWNLOAD_BACKOFF_SECONDS", defaults.backoff_seconds, minimum=0),
            read_timeout_seconds=_env_number(
                environ, "AVATAR_DOWNLOAD_TIMEOUT_SECONDS", defaults.read_timeout_seconds, minimum=0.1
            ),
            rehash_existing=environ.get("AVATAR_INIT_REHASH", "").strip().lower() in ("1", "true", "yes"),
        )


def _env_number(environ: Mapping[str, str], name: str, default: float, *, minimum: float, integer: bool = False) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise UsageError(f"{name} is {raw!r}: it must be {kind} >= {minimum:g}") from None
    if value < minimum:
        raise UsageError(f"{name} is {raw!r}: it must be >= {minimum:g}")
    return value


# =================================================================================================
# Lock file (avatar-models.lock.json)
# =================================================================================================


@dataclass(frozen=True)
class LockedFile:
    """A file recorded in the lock: path relative to its model directory, size, sha256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class LockedModel:
    """A model as init left it: the commit its revision resolved to and its files."""

    name: str
    repo: str
    revision: str
    commit: str
    directory: str
    files: Tuple[LockedFile, ...]


@dataclass(frozen=True)
class LockRecord:
    """The whole lock file (docs/CONTRACTS.md section 3)."""

    format_version: int
    manifest_sha256: str
    completed_at: str
    models: Tuple[LockedModel, ...]
    total_bytes: int

    def to_document(self) -> Dict[str, Any]:
        """The JSON form, with the contract's camelCase keys."""
        return {
            "formatVersion": self.format_version,
            "manifestSha256": self.manifest_sha256,
            "completedAt": self.completed_at,
            "models": [
                {
                    "name": m.name,
                    "repo": m.repo,
                    "revision": m.revision,
                    "commit": m.commit,
                    "directory": m.directory,
                    "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in m.files],
                }
                for m in self.models
            ],
            "totalBytes": self.total_bytes,
        }

    @classmethod
    def from_document(cls, document: Any) -> "LockRecord":
        """Parse the JSON form; raises ``ValueError`` naming the first problem."""
        if not isinstance(document, dict):
            raise ValueError("the lock file is not a JSON object")
        try:
            models = []
            for raw in document["models"]:
                directory = check_relative_path(str(raw["directory"]), "lock.models[].directory")
                files = tuple(
                    LockedFile(
                        path=check_relative_path(str(f["path"]), "lock.models[].files[].path"),
                        size=_non_negative_int(f["size"]),
                        sha256=str(f["sha256"]),
                    )
                    for f in raw["files"]
                )
                models.append(
                    LockedModel(
                        name=str(raw["name"]),
                        repo=str(raw["repo"]),
                        revision=str(raw["revision"]),
                        commit=str(raw["commit"]),
                        directory=directory,
                        files=files,
                    )
                )
            return cls(
                format_version=_non_negative_int(document["formatVersion"]),
                manifest_sha256=str(document["manifestSha256"]),
                completed_at=str(document.get("completedAt", "")),
                models=tuple(models),
                total_bytes=_non_negative_int(document.get("totalBytes", 0)),
            )
        except (KeyError, TypeError, ManifestInvalid) as error:
            raise ValueError(f"the lock file is malformed: {error}") from error

    def files_by_volume_path(self) -> Dict[str, LockedFile]:
        """Map ``<directory>/<path>`` (relative to the model root) to its record."""
        return {f"{m.directory}/{f.path}": f for m in self.models for f in m.files}


def _non_negative_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"expected a non-negative integer, got {value!r}")
    return value


class LockUnreadable(Exception):
    """The lock file exists but cannot be parsed (internal; verify reports it as no usable lock)."""


def read_lock(root: Path) -> Optional[LockRecord]:
    """Return the lock of ``root``, ``None`` if there is none; :class:`LockUnreadable` if corrupt."""
    path = root / LOCK_FILE_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return LockRecord.from_document(json.loads(text))
    except ValueError as error:
        raise LockUnreadable(f"{path} cannot be read: {error}") from error


def write_json_atomic(path: Path, document: Any) -> None:
    """Write ``document`` to ``path`` so readers see either the old file or the whole new one."""
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    data = (json.dumps(document, indent=2, sort_keys=False) + "\n").encode("utf-8")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        _unlink_quietly(temporary)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Persist a rename: fsync the directory entry (ignored where the filesystem does not support it)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# =================================================================================================
# Verify
# =================================================================================================


@dataclass(frozen=True)
class FileProblem:
    """One file that does not match the lock. ``kind`` is missing, short, long or sha256."""

    kind: str
    path: str
    expected_size: int
    actual_size: Optional[int] = None
    expected_sha256: Optional[str] = None
    actual_sha256: Optional[str] = None

    def describe(self) -> str:
        """A one-line human description."""
        if self.kind == "missing":
            return f"{self.path}: missing (expected {self.expected_size} bytes)"
        if self.kind in ("short", "long"):
            return f"{self.path}: {self.actual_size} bytes, expected {self.expected_size} ({'too short' if self.kind == 'short' else 'too long'})"
        return f"{self.path}: sha256 {self.actual_sha256}, expected {self.expected_sha256}"

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form used in verify's result line."""
        data: Dict[str, Any] = {"kind": self.kind, "path": self.path, "expectedSize": self.expected_size}
        if self.actual_size is not None:
            data["actualSize"] = self.actual_size
        if self.expected_sha256 is not None:
            data["expectedSha256"] = self.expected_sha256
            data["actualSha256"] = self.actual_sha256
        return data


@dataclass(frozen=True)
class VerifyReport:
    """Result of comparing a volume with its lock and the lock with a manifest.

    ``status`` is ``ok``, ``no-lock``, ``other-manifest`` or ``files``; ``exit_code`` follows
    docs/CONTRACTS.md section 5.
    """

    status: str
    message: str
    root: str
    lock: Optional[LockRecord] = None
    problems: Tuple[FileProblem, ...] = ()
    files_checked: int = 0
    bytes_checked: int = 0
    hashes_checked: bool = False

    @property
    def ok(self) -> bool:
        """True when the volume is ready for this manifest."""
        return self.status == "ok"

    @property
    def exit_code(self) -> int:
        """The ``verify`` exit code for this report."""
        return {"ok": 0, "no-lock": EXIT_VERIFY_NO_LOCK, "other-manifest": EXIT_VERIFY_OTHER_MANIFEST}.get(
            self.status, EXIT_VERIFY_FILES
        )

    def error(self) -> Optional[VolumeNotReady]:
        """The typed error for a failed report (``None`` when ok)."""
        if self.ok:
            return None
        details = {"root": self.root, "problems": [p.to_dict() for p in self.problems]}
        if self.status == "no-lock":
            return LockMissing(self.message, details=details)
        if self.status == "other-manifest":
            return LockManifestMismatch(self.message, details=details)
        return VolumeFilesMismatch(self.message, details=details)

    def raise_if_not_ready(self) -> None:
        """Raise the :class:`VolumeNotReady` subclass for this report, if any (used by ``serve``)."""
        error = self.error()
        if error is not None:
            raise error

    def to_fields(self) -> Dict[str, Any]:
        """Fields for verify's ``result`` line."""
        return {
            "status": self.status,
            "root": self.root,
            "filesChecked": self.files_checked,
            "bytesChecked": self.bytes_checked,
            "hashesChecked": self.hashes_checked,
            "problems": [p.to_dict() for p in self.problems],
        }


def verify_volume(manifest: Manifest, root: Path, hashes: bool = False) -> VerifyReport:
    """Compare the volume at ``root`` with its lock file, and the lock with ``manifest``.

    Sizes are always checked; sha256 only with ``hashes=True`` (reading 30+ GB takes minutes,
    which a serverless cold start must not pay). Never raises for a mismatch: the report says
    what is wrong; call :meth:`VerifyReport.raise_if_not_ready` to turn it into an error.
    """
    root = Path(root)
    lock_path = root / LOCK_FILE_NAME
    try:
        lock = read_lock(root)
    except LockUnreadable as error:
        return VerifyReport(
            status="no-lock",
            root=str(root),
            message=f"{error}; run the storage init job again (it rewrites the lock file)",
        )
    if lock is None:
        return VerifyReport(
            status="no-lock",
            root=str(root),
            message=f"no {LOCK_FILE_NAME} in {root}: the storage init job has not completed on this volume; run it "
            "(StorageInitJob) and wait for its result",
        )
    if lock.format_version != manifest.format_version:
        return VerifyReport(
            status="other-manifest",
            root=str(root),
            lock=lock,
            message=f"{lock_path} has format version {lock.format_version}, the manifest {manifest.format_version}: "
            "rerun the storage init job for this deployment",
        )
    if lock.manifest_sha256 != manifest.sha256:
        return VerifyReport(
            status="other-manifest",
            root=str(root),
            lock=lock,
            message=f"{lock_path} was written for manifest {lock.manifest_sha256}, this worker has manifest "
            f"{manifest.sha256}: the volume holds another model set; rerun the storage init job for this deployment",
        )
    problems: List[FileProblem] = []
    files_checked = 0
    bytes_checked = 0
    for volume_path, record in lock.files_by_volume_path().items():
        problem = check_file(root / volume_path, volume_path, record, hashes=hashes)
        files_checked += 1
        if problem is None:
            bytes_checked += record.size
        else:
            problems.append(problem)
    if problems:
        shown = "; ".join(p.describe() for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        return VerifyReport(
            status="files",
            root=str(root),
            lock=lock,
            problems=tuple(problems),
            files_checked=files_checked,
            bytes_checked=bytes_checked,
            hashes_checked=hashes,
            message=f"{len(problems)} file(s) on the volume do not match {LOCK_FILE_NAME}: {shown}{more}; "
            "rerun the storage init job to repair them",
        )
    return VerifyReport(
        status="ok",
        root=str(root),
        lock=lock,
        files_checked=files_checked,
        bytes_checked=bytes_checked,
        hashes_checked=hashes,
        message=f"{files_checked} files ({bytes_checked} bytes) match {LOCK_FILE_NAME}"
        + (" including sha256" if hashes else " by size"),
    )


def check_file(path: Path, volume_path: str, record: LockedFile, *, hashes: bool) -> Optional[FileProblem]:
    """Compare one file with its lock record; return the problem or ``None``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return FileProblem("missing", volume_path, record.size)
    if size < record.size:
        return FileProblem("short", volume_path, record.size, actual_size=size)
    if size > record.size:
        return FileProblem("long", volume_path, record.size, actual_size=size)
    if hashes:
        actual = sha256_of_file(path)
        if actual != record.sha256:
            return FileProblem(
                "sha256", volume_path, record.size, actual_size=size, expected_sha256=record.sha256, actual_sha256=actual
            )
    return None


def sha256_of_file(path: Path) -> str:
    """Hex sha256 of a file's content, read in 8 MiB blocks."""
    return hash_file(path, None)[0]


def hash_file(path: Path, git_size: Optional[int]) -> Tuple[str, Optional[str]]:
    """Return (sha256, git blob sha1 or None) of ``path``; git's id only when ``git_size`` is given."""
    sha256 = hashlib.sha256()
    git = hashlib.sha1(git_blob_sha1_prefix(git_size)) if git_size is not None else None  # noqa: S324 - git's id
    with open(path, "rb") as handle:
        while True:
            block = handle.read(_HASH_READ_BYTES)
            if not block:
                break
            sha256.update(block)
            if git is not None:
                git.update(block)
    return sha256.hexdigest(), (git.hexdigest() if git is not None else None)


# =================================================================================================
# Init mutex (.avatar-init.lock)
# =================================================================================================


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
            _unlink_quietly(private)
            return None
        _unlink_quietly(private)
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
                _unlink_quietly(self.path)
            self.held = False


# =================================================================================================
# Init
# =================================================================================================


@dataclass(frozen=True)
class PlannedFile:
    """One file to have on the volume: where it comes from and where it lands."""

    model: ResolvedModel
    remote: RemoteFile
    volume_path: str
    destination: Path
    url: str

    @property
    def partial(self) -> Path:
        """Where the bytes accumulate until verified."""
        return self.destination.with_name(self.destination.name + PARTIAL_SUFFIX)


@dataclass
class InitResult:
    """What an init run did; ``to_fields`` gives the ``result`` line's fields."""

    manifest_sha256: str
    total_bytes: int
    downloaded_bytes: int
    files: int
    downloaded_files: int
    reused_files: int
    seconds: float
    lock_file: str
    already_ready: bool = False
    waited_for_other_init: bool = False

    def to_fields(self) -> Dict[str, Any]:
        """Fields for the ``result`` line (docs/CONTRACTS.md section 4) plus a few extras."""
        return {
            "manifestSha256": self.manifest_sha256,
            "totalBytes": self.total_bytes,
            "downloadedBytes": self.downloaded_bytes,
            "files": self.files,
            "seconds": round(self.seconds, 3),
            "lockFile": self.lock_file,
            "downloadedFiles": self.downloaded_files,
            "reusedFiles": self.reused_files,
            "alreadyReady": self.already_ready,
            "waitedForOtherInit": self.waited_for_other_init,
        }


class _StreamHash:
    """sha256 (and git blob sha1) of a ``.partial`` file, fed while downloading.

    Hashing on the fly saves a second read of every byte; ``catch_up`` re-reads the prefix only
    when the file and the hash disagree (a resume from a previous run, a restart from zero).
    """

    def __init__(self, remote: RemoteFile) -> None:
        self._remote = remote
        self.reset()

    def reset(self) -> None:
        self.sha256 = hashlib.sha256()
        self.git = (
            hashlib.sha1(git_blob_sha1_prefix(self._remote.size))  # noqa: S324 - git's object id
            if self._remote.git_blob_id
            else None
        )
        self.count = 0

    def update(self, data: bytes) -> None:
        self.sha256.update(data)
        if self.git is not None:
            self.git.update(data)
        self.count += len(data)

    def catch_up(self, path: Path, length: int) -> None:
        if self.count == length:
            return
        self.reset()
        if length == 0:
            return
        with open(path, "rb") as handle:
            remaining = length
            while remaining > 0:
                block = handle.read(min(_HASH_READ_BYTES, remaining))
                if not block:
                    break
                self.update(block)
                remaining -= len(block)

    def digests(self) -> Tuple[str, Optional[str]]:
        return self.sha256.hexdigest(), (self.git.hexdigest() if self.git is not None else None)


class _Cancelled(Exception):
    """Another download failed; this one stops early (internal)."""


@dataclass
class _Counters:
    lock: threading.Lock = field(default_factory=threading.Lock)
    transferred: int = 0

    def add(self, count: int) -> None:
        with self.lock:
            self.transferred += count


class VolumeInitializer:
    """Brings a model root in line with a manifest. One instance per run.

    ``free_space_probe`` and ``sleep`` are injectable: tests use them to simulate a small volume
    without a small filesystem and to avoid real backoff waits.
    """

    def __init__(
        self,
        manifest: Manifest,
        root: Path,
        hub: HubClient,
        settings: InitSettings,
        emitter: JsonLines,
        *,
        environ: Optional[Mapping[str, str]] = None,
        free_space_probe: FreeSpaceProbe = disk_free_bytes,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.manifest = manifest
        self.root = Path(root)
        self.hub = hub
        self.settings = settings
        self.emitter = emitter
        self.environ = os.environ if environ is None else environ
        self.free_space_probe = free_space_probe
        self.sleep = sleep
        self.monotonic = monotonic
        self._cancel = threading.Event()
        self._counters = _Counters()

    # --- the story ------------------------------------------------------------------------------

    def run(self) -> InitResult:
        """Make the volume ready for the manifest, or raise a :class:`WorkerError`."""
        started = self.monotonic()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise self._os_error(error, f"cannot create the model root {self.root}") from error

        ready = self._ready_report()
        if ready is not None:
            return self._ready_result(ready, started, waited=False)

        mutex = InitMutex(
            self.root,
            stale_seconds=self.settings.stale_seconds,
            heartbeat_seconds=self.settings.heartbeat_seconds,
            environ=self.environ,
        )
        waited = self._acquire(mutex)
        try:
            if waited:
                # The init we waited for may have finished the job.
                ready = self._ready_report()
                if ready is not None:
                    return self._ready_result(ready, started, waited=True)
            return self._initialize(mutex, started, waited)
        finally:
            mutex.release()

    def _ready_report(self) -> Optional[VerifyReport]:
        if self.settings.rehash_existing:
            return None
        report = verify_volume(self.manifest, self.root, hashes=False)
        return report if report.ok else None

    def _ready_result(self, report: VerifyReport, started: float, *, waited: bool) -> InitResult:
        self.emitter.info(
            "check",
            f"the volume already holds manifest {self.manifest.sha256} ({report.files_checked} files by size); nothing to download",
        )
        return InitResult(
            manifest_sha256=self.manifest.sha256,
            total_bytes=report.lock.total_bytes if report.lock else 0,
            downloaded_bytes=0,
            files=report.files_checked,
            downloaded_files=0,
            reused_files=report.files_checked,
            seconds=self.monotonic() - started,
            lock_file=str(self.root / LOCK_FILE_NAME),
            already_ready=True,
            waited_for_other_init=waited,
        )

    def _acquire(self, mutex: InitMutex) -> bool:
        """Take the init mutex; wait for another holder. Returns True if we had to wait."""
        deadline = self.monotonic() + self.settings.wait_seconds
        waited = False
        while True:
            if mutex.try_acquire():
                return waited
            previous = mutex.take_over_if_stale()
            if previous is not None:
                self.emitter.warning(
                    "lock",
                    f"took over a stale init lock (no heartbeat for more than {self.settings.stale_seconds:g} s)",
                    previousOwner=previous,
                )
                return waited
            if waited and self._ready_report() is not None:
                # The other init finished; its lock is gone or about to be.
                return True
            owner = mutex.read_owner() or {}
            if self.monotonic() >= deadline:
                raise InitLocked(
                    f"another storage init holds {mutex.path} (owner {owner or 'unknown'}) and did not finish within "
                    f"{self.settings.wait_seconds:g} s: wait for it and rerun; if no init is running, the lock goes "
                    f"stale after {self.settings.stale_seconds:g} s without heartbeat and is taken over",
                    details={"owner": owner},
                )
            if not waited:
                self.emitter.info("lock", "another storage init is running on this volume; waiting for it", owner=owner)
                waited = True
            self.sleep(self.settings.poll_seconds)

    def _initialize(self, mutex: InitMutex, started: float, waited: bool) -> InitResult:
        with self.emitter.stage("resolve", "resolving models on the Hub", endpoint=self.hub.endpoint):
            resolved = [self.hub.resolve(spec) for spec in self.manifest.models]
        for model in resolved:
            self.emitter.info(
                "resolve",
                f"{model.spec.repo}@{model.spec.revision} -> {model.commit}: {len(model.files)} files, {model.total_bytes} bytes",
                model=model.spec.name,
                commit=model.commit,
            )
        plan = self._plan(resolved)
        previous = self._previous_lock()
        with self.emitter.stage("check", "checking files already on the volume"):
            known, to_download = self._partition(plan, previous)
        self._check_space(to_download)

        total = sum(p.remote.size for p in to_download)
        meter = ProgressMeter(self.emitter, total, clock=self.monotonic)
        hashes: Dict[str, str] = dict(known)
        if to_download:
            with self.emitter.stage("download", f"downloading {len(to_download)} files ({total} bytes)"):
                hashes.update(self._download_all(to_download, meter, mutex))
            meter.flush(to_download[-1].volume_path)

        if mutex.lost.is_set():
            raise InitLocked(
                "this init lost its lock to another init while it ran (its heartbeat stalled); the other init will "
                "finish the volume: rerun this one to check"
            )
        record = self._lock_record(resolved, plan, hashes)
        try:
            write_json_atomic(self.root / LOCK_FILE_NAME, record.to_document())
        except OSError as error:
            raise self._os_error(error, f"cannot write {LOCK_FILE_NAME}") from error
        self.emitter.info("lock", f"wrote {self.root / LOCK_FILE_NAME}", totalBytes=record.total_bytes)
        return InitResult(
            manifest_sha256=self.manifest.sha256,
            total_bytes=record.total_bytes,
            downloaded_bytes=self._counters.transferred,
            files=len(plan),
            downloaded_files=len(to_download),
            reused_files=len(plan) - len(to_download),
            seconds=self.monotonic() - started,
            lock_file=str(self.root / LOCK_FILE_NAME),
            waited_for_other_init=waited,
        )

    # --- planning -------------------------------------------------------------------------------

    def _plan(self, resolved: Sequence[ResolvedModel]) -> List[PlannedFile]:
        plan: List[PlannedFile] = []
        owners: Dict[str, str] = {}
        for model in resolved:
            for remote in model.files:
                volume_path = check_relative_path(f"{model.spec.directory}/{remote.path}", f"file of {model.spec.repo}")
                if volume_path in (LOCK_FILE_NAME, INIT_MUTEX_NAME) or volume_path.endswith(PARTIAL_SUFFIX):
                    raise ManifestInvalid(f"{model.spec.repo} file {remote.path} would overwrite init's own file {volume_path}")
                if volume_path in owners:
                    raise ManifestInvalid(
                        f"models {owners[volume_path]!r} and {model.spec.name!r} both provide {volume_path}: narrow their "
                        "include/exclude patterns so each file comes from one model"
                    )
                owners[volume_path] = model.spec.name
                plan.append(
                    PlannedFile(
                        model=model,
                        remote=remote,
                        volume_path=volume_path,
                        destination=self.root / volume_path,
                        url=self.hub.file_url(model.spec.repo, model.commit, remote.path),
                    )
                )
        return plan

    def _previous_lock(self) -> Dict[str, LockedFile]:
        try:
            lock = read_lock(self.root)
        except LockUnreadable as error:
            self.emitter.warning("check", f"ignoring the unreadable lock file: {error}")
            return {}
        return lock.files_by_volume_path() if lock else {}

    def _partition(
        self, plan: Sequence[PlannedFile], previous: Mapping[str, LockedFile]
    ) -> Tuple[Dict[str, str], List[PlannedFile]]:
        """Split the plan into files already in place (with their sha256) and files to download."""
        known: Dict[str, str] = {}
        to_download: List[PlannedFile] = []
        for item in plan:
            sha256 = self._existing_sha256(item, previous.get(item.volume_path))
            if sha256 is None:
                to_download.append(item)
            else:
                known[item.volume_path] = sha256
        # Largest first: the long transfers start early and small files fill the gaps.
        to_download.sort(key=lambda p: p.remote.size, reverse=True)
        return known, to_download

    def _existing_sha256(self, item: PlannedFile, recorded: Optional[LockedFile]) -> Optional[str]:
        """sha256 of the file in place if it is the right one, else ``None``."""
        try:
            size = item.destination.stat().st_size
        except FileNotFoundError:
            return None
        if size != item.remote.size:
            return None
        remote = item.remote
        # Trust a previous lock's record for LFS files (sha256 known on both sides): rehashing
        # 30 GB on every rerun would cost minutes for nothing.
        if (
            recorded is not None
            and remote.sha256 is not None
            and recorded.size == size
            and recorded.sha256 == remote.sha256
            and not self.settings.rehash_existing
        ):
            return recorded.sha256
        sha256, git_id = hash_file(item.destination, size if remote.git_blob_id else None)
        if _matches(remote, sha256, git_id):
            self.emitter.info("check", f"{item.volume_path} is already in place (hash checked)")
            return sha256
        self.emitter.warning("check", f"{item.volume_path} is on the volume but differs from the Hub; downloading it again")
        return None

    def _check_space(self, to_download: Sequence[PlannedFile]) -> None:
        needed = 0
        for item in to_download:
            partial = _size_or_zero(item.partial)
            needed += item.remote.size - (partial if partial <= item.remote.size else 0)
        if needed == 0:
            return
        free = self.free_space_probe(self.root)
        if needed > free:
            shortfall_gb = -(-(needed - free) // 1_000_000_000)
            raise InsufficientSpace(
                f"{self.root} has {free} bytes free but {needed} bytes are still to download: raise the network volume "
                f"size (ModelVolume volumeSizeGb) by at least {shortfall_gb} GB, or free space on it",
                details={"neededBytes": needed, "freeBytes": free},
            )

    # --- downloading ----------------------------------------------------------------------------

    def _download_all(self, items: Sequence[PlannedFile], meter: ProgressMeter, mutex: InitMutex) -> Dict[str, str]:
        hashes: Dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="avatar-download") as pool:
            futures: Dict[Future, PlannedFile] = {pool.submit(self._download_file, item, meter): item for item in items}
            try:
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            except BaseException:
                # SIGTERM (Terminated) lands here: stop the workers at their next chunk, or the
                # pool's shutdown would wait for whole multi-GB files.
                self._cancel.set()
                raise
            failed = [f for f in done if f.exception() is not None]
            if failed:
                self._cancel.set()
                wait(futures)
                errors = [f.exception() for f in futures if f.exception() is not None]
                # Report the first real error, not the cancellations it caused.
                real = [e for e in errors if not isinstance(e, _Cancelled)]
                raise (real or errors)[0]  # type: ignore[misc]
            for future, item in futures.items():
                hashes[item.volume_path] = future.result()
        return hashes

    def _download_file(self, item: PlannedFile, meter: ProgressMeter) -> str:
        """Download one file to ``.partial`` (resuming), verify it, rename it into place; return sha256."""
        remote = item.remote
        attempts = self.settings.attempts
        failures_without_progress = 0
        corrupt = 0
        item.destination.parent.mkdir(parents=True, exist_ok=True)
        initial = _size_or_zero(item.partial)
        if 0 < initial <= remote.size:
            meter.add(initial, item.volume_path, transferred=False)
            self.emitter.info("download", f"resuming {item.volume_path} at byte {initial}", file=item.volume_path)
        elif initial > remote.size:
            _unlink_quietly(item.partial)
        stream_hash = _StreamHash(remote)
        while True:
            if self._cancel.is_set():
                raise _Cancelled()
            before = _size_or_zero(item.partial)
            try:
                self._fetch_into_partial(item, meter, stream_hash)
            except RangeNotSatisfiable as error:
                meter.rewind(_size_or_zero(item.partial))
                _unlink_quietly(item.partial)
                failures_without_progress += 1
                self._retry_or_raise(item, error, failures_without_progress, attempts)
                continue
            except TransientHubError as error:
                if _size_or_zero(item.partial) > before:
                    failures_without_progress = 0  # it moved forward: resuming will finish it
                failures_without_progress += 1
                self._retry_or_raise(item, error, failures_without_progress, attempts)
                continue
            except OSError as error:
                raise self._os_error(error, f"cannot write {item.partial}") from error

            size = _size_or_zero(item.partial)
            stream_hash.catch_up(item.partial, size)
            sha256, git_id = stream_hash.digests()
            if size == remote.size and _matches(remote, sha256, git_id):
                try:
                    os.replace(item.partial, item.destination)
                except OSError as error:
                    raise self._os_error(error, f"cannot rename {item.partial}") from error
                fsync_directory(item.destination.parent)
                self.emitter.info("download", f"{item.volume_path} verified and in place", file=item.volume_path, size=size)
                return sha256
            corrupt += 1
            meter.rewind(size)
            _unlink_quietly(item.partial)
            stream_hash.reset()
            expected = remote.sha256 or f"git blob {remote.git_blob_id}"
            got = sha256 if remote.sha256 else f"git blob {git_id}"
            if corrupt >= attempts:
                raise ChecksumMismatch(
                    f"{item.volume_path} from {item.model.spec.repo}@{item.model.commit} arrived corrupt {corrupt} times "
                    f"(last: {size} bytes, {got}; expected {remote.size} bytes, {expected}); the download was deleted. "
                    "Rerun later; if it persists, the Hub's copy or a proxy in between is broken",
                    details={"file": item.volume_path, "expected": expected, "actual": got},
                )
            self.emitter.warning(
                "download",
                f"{item.volume_path} failed verification ({size} bytes, {got}; expected {remote.size} bytes, {expected}); deleted, retrying",
                file=item.volume_path,
            )
            self.sleep(self.hub.backoff_delay(corrupt))

    def _retry_or_raise(self, item: PlannedFile, error: Exception, failures: int, attempts: int) -> None:
        if failures >= attempts:
            raise HubUnavailable(
                f"downloading {item.volume_path} from {item.model.spec.repo} failed {failures} times in a row without "
                f"progress (last: {error}); the partial file is kept and the next run resumes it: rerun later, or raise "
                "AVATAR_DOWNLOAD_ATTEMPTS",
                details={"file": item.volume_path},
            ) from error
        delay = self.hub.backoff_delay(failures)
        self.emitter.warning(
            "download",
            f"{item.volume_path}: {error}; retrying in {delay:g} s (attempt {failures + 1} of {attempts})",
            file=item.volume_path,
        )
        self.sleep(delay)

    def _fetch_into_partial(self, item: PlannedFile, meter: ProgressMeter, stream_hash: _StreamHash) -> None:
        """One HTTP attempt: append to the partial file from its current size to the end."""
        remote = item.remote
        offset = _size_or_zero(item.partial)
        if offset >= remote.size:
            return  # complete (or too long): the caller's verification decides
        response, resumed = self.hub.open_download(item.url, offset, repo=item.model.spec.repo, path=remote.path)
        with response:
            if offset > 0 and not resumed:
                self.emitter.warning(
                    "download",
                    f"the server ignored the Range request for {item.volume_path}; restarting it from byte 0",
                    file=item.volume_path,
                )
                meter.rewind(offset)
                offset = 0
            mode = "ab" if resumed else "wb"
            written = offset
            stream_hash.catch_up(item.partial, offset)
            chunks = response.iter_content(chunk_size=CHUNK_BYTES)
            # Unbuffered: what is counted as done is on disk, so a kill loses nothing counted.
            with open(item.partial, mode, buffering=0) as handle:
                while written <= remote.size:
                    if self._cancel.is_set():
                        raise _Cancelled()
                    try:
                        chunk = next(chunks)
                    except StopIteration:
                        break
                    except Exception as error:  # requests/urllib3: reset, truncated chunk, read timeout
                        raise TransientHubError(
                            f"connection lost after {written} of {remote.size} bytes: {error}"
                        ) from error
                    if not chunk:
                        continue
                    # Write errors (ENOSPC above all) propagate as OSError: they are not the Hub's fault.
                    handle.write(chunk)
                    stream_hash.update(chunk)
                    written += len(chunk)
                    self._counters.add(len(chunk))
                    meter.add(len(chunk), item.volume_path)
                # More bytes than announced leave the file too long: verification rejects it.
                os.fsync(handle.fileno())
        if written < remote.size:
            raise TransientHubError(f"the server closed the connection after {written} of {remote.size} bytes")

    # --- helpers --------------------------------------------------------------------------------

    def _lock_record(
        self, resolved: Sequence[ResolvedModel], plan: Sequence[PlannedFile], hashes: Mapping[str, str]
    ) -> LockRecord:
        models = []
        for model in resolved:
            files = tuple(
                LockedFile(path=p.remote.path, size=p.remote.size, sha256=hashes[p.volume_path])
                for p in plan
                if p.model is model
            )
            models.append(
                LockedModel(
                    name=model.spec.name,
                    repo=model.spec.repo,
                    revision=model.spec.revision,
                    commit=model.commit,
                    directory=model.spec.directory,
                    files=files,
                )
            )
        return LockRecord(
            format_version=SUPPORTED_FORMAT_VERSION,
            manifest_sha256=self.manifest.sha256,
            completed_at=utc_timestamp(),
            models=tuple(models),
            total_bytes=sum(p.remote.size for p in plan),
        )

    def _os_error(self, error: OSError, what: str) -> WorkerError:
        if error.errno in _NO_SPACE_ERRNOS:
            free = _free_or_none(self.root)
            return DiskFull(
                f"{what}: the volume at {self.root} is full ({free} bytes free): raise the network volume size "
                "(ModelVolume volumeSizeGb) and rerun; partial downloads are kept and resumed",
                details={"freeBytes": free},
            )
        return WorkerError(f"{what}: {error}")


def _matches(remote: RemoteFile, sha256: str, git_id: Optional[str]) -> bool:
    if remote.sha256 is not None:
        return sha256 == remote.sha256
    if remote.git_blob_id:
        return git_id == remote.git_blob_id
    return True  # the Hub gave no hash: the size check is all there is


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _free_or_none(path: Path) -> Optional[int]:
    try:
        return disk_free_bytes(path)
    except OSError:
        return None
