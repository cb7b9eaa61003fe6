"""The initializer: brings a model root in line with a manifest (download once, verified, resumable)."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..contract import ENDPOINT_WORKERS_MIN_PROP, VOLUME_SIZE_PROP
from ..errors import (
    ChecksumMismatch,
    DiskFull,
    HubUnavailable,
    InitLocked,
    InsufficientSpace,
    ManifestInvalid,
    VolumeInUse,
    WorkerError,
)
from ..hub import HubClient, RangeNotSatisfiable, RemoteFile, ResolvedModel, TransientHubError, git_blob_sha1_prefix
from ..jsonlog import JsonLines, ProgressMeter, utc_timestamp
from ..manifest import SUPPORTED_FORMAT_VERSION, Manifest, check_relative_path
from .files import (
    HASH_READ_BYTES,
    NO_SPACE_ERRNOS,
    FreeSpaceProbe,
    disk_free_bytes,
    free_or_none,
    fsync_directory,
    hash_file,
    size_or_zero,
    unlink_quietly,
    write_json_atomic,
)
from .init_mutex import INIT_MUTEX_NAME, InitMutex
from .lock_file import LOCK_FILE_NAME, LockedFile, LockedModel, LockRecord, LockUnreadable, read_lock
from .prune import UnlistedFiles, find_unlisted_files, remove_unlisted_files
from .settings import InitSettings
from .verify import VerifyReport, verify_volume
from .worker_lease import LEASE_STALE_SECONDS, WORKER_LEASE_DIRECTORY, LeaseHolder, live_leases, sweep_stale_leases

PARTIAL_SUFFIX = ".partial"
CHUNK_BYTES = 1024 * 1024

#: The fix for a volume too small, named after the construct prop that sets its size.
RAISE_VOLUME_SIZE = f"raise the network volume size (ModelVolume's `{VOLUME_SIZE_PROP}`; RunPod grows a volume in place)"


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
    removed_files: int = 0
    removed_bytes: int = 0

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
            "removedFiles": self.removed_files,
            "removedBytes": self.removed_bytes,
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
                block = handle.read(min(HASH_READ_BYTES, remaining))
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
        removed = self._remove_unlisted(plan, previous)
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
            removed_files=len(removed.paths),
            removed_bytes=removed.total_bytes,
        )

    # --- planning -------------------------------------------------------------------------------

    def _plan(self, resolved: Sequence[ResolvedModel]) -> List[PlannedFile]:
        plan: List[PlannedFile] = []
        owners: Dict[str, str] = {}
        for model in resolved:
            for remote in model.files:
                volume_path = check_relative_path(f"{model.spec.directory}/{remote.path}", f"file of {model.spec.repo}")
                if (
                    volume_path in (LOCK_FILE_NAME, INIT_MUTEX_NAME)
                    or volume_path.endswith(PARTIAL_SUFFIX)
                    or volume_path.split("/")[0] == WORKER_LEASE_DIRECTORY
                ):
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

    # --- removing what the manifest no longer lists ---------------------------------------------

    def _remove_unlisted(self, plan: Sequence[PlannedFile], previous: Mapping[str, LockedFile]) -> UnlistedFiles:
        """Delete the files under the model root that ``plan`` does not list, before space is checked.

        Never while a serving worker holds the volume (its lease is fresh): init waits for the workers
        to stop, then fails with VOLUME_IN_USE. The lock file goes first when it lists a file about to
        go, so that a worker starting meanwhile finds no lock and stops, instead of loading files that
        vanish under it; the leases are read again after that for the one that started just before.
        """
        swept = sweep_stale_leases(self.root)
        if swept:
            self.emitter.info("prune", f"deleted {len(swept)} stale worker lease(s)", owners=[h.owner for h in swept])
        listed = {p.volume_path for p in plan} | {p.volume_path + PARTIAL_SUFFIX for p in plan}
        try:
            unlisted = find_unlisted_files(self.root, listed)
        except OSError as error:
            raise self._os_error(error, f"cannot list {self.root}") from error
        if not unlisted.paths:
            return unlisted
        if os.path.ismount(self.root):
            # The volume itself (or /): it may hold other data, so nothing is removed.
            self.emitter.warning(
                "prune",
                f"{self.root} is a mount point, not a directory of its own: the {len(unlisted.paths)} file(s) "
                f"({unlisted.total_bytes} bytes) there that manifest {self.manifest.sha256} does not list are kept; "
                "give the models a directory of their own (ModelVolume's `modelDirectory`, AVATAR_MODEL_ROOT)",
                files=list(unlisted.paths[:20]),
            )
            return UnlistedFiles()
        self._wait_for_serving_workers(unlisted)
        if any(path in previous for path in unlisted.paths):
            unlink_quietly(self.root / LOCK_FILE_NAME)
            fsync_directory(self.root)
            self.emitter.info("prune", f"removed {LOCK_FILE_NAME}: the volume no longer holds the model set it describes")
        holders = live_leases(self.root)
        if holders:
            raise self._volume_in_use(holders, unlisted)
        try:
            remove_unlisted_files(self.root, unlisted)
        except OSError as error:
            raise self._os_error(error, f"cannot remove files under {self.root}") from error
        self.emitter.info(
            "prune",
            f"removed {len(unlisted.paths)} file(s) ({unlisted.total_bytes} bytes) that manifest {self.manifest.sha256} "
            "does not list",
            files=list(unlisted.paths[:20]),
            removedBytes=unlisted.total_bytes,
        )
        return unlisted

    def _wait_for_serving_workers(self, unlisted: UnlistedFiles) -> None:
        # A dead worker's lease goes stale within LEASE_STALE_SECONDS; one still fresh after that long
        # of waiting belongs to a running worker, so waiting longer would only delay the error.
        deadline = self.monotonic() + min(self.settings.wait_seconds, LEASE_STALE_SECONDS)
        announced = False
        while True:
            holders = live_leases(self.root)
            if not holders:
                return
            if self.monotonic() >= deadline:
                raise self._volume_in_use(holders, unlisted)
            if not announced:
                self.emitter.info(
                    "prune",
                    f"{len(holders)} serving worker(s) hold the volume; waiting for them to stop before removing "
                    f"{len(unlisted.paths)} file(s) the manifest no longer lists",
                    owners=[h.owner for h in holders],
                )
                announced = True
            self.sleep(self.settings.poll_seconds)

    def _volume_in_use(self, holders: Sequence[LeaseHolder], unlisted: UnlistedFiles) -> VolumeInUse:
        owners = ", ".join(
            str(h.owner.get("podId") or f"{h.owner.get('host', '?')} pid {h.owner.get('pid', '?')}") for h in holders[:5]
        )
        return VolumeInUse(
            f"{len(holders)} serving worker(s) hold the model volume at {self.root} ({owners}), and manifest "
            f"{self.manifest.sha256} no longer lists {len(unlisted.paths)} file(s) ({unlisted.total_bytes} bytes) on it, "
            "which init removes before downloading; it never removes files under a running worker. Stop the endpoint's "
            f"workers (set AvatarServerlessEndpoint's `{ENDPOINT_WORKERS_MIN_PROP}` to 0 and wait for idle workers to stop, "
            "or set max workers to 0 in the RunPod console), then run `cdktf deploy` again: a failed storage init job "
            f"runs again. A worker that died without cleanup stops counting {LEASE_STALE_SECONDS:g} s after its last "
            "heartbeat",
            details={
                "owners": [h.owner for h in holders],
                "unlistedFiles": len(unlisted.paths),
                "unlistedBytes": unlisted.total_bytes,
            },
        )

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
            partial = size_or_zero(item.partial)
            needed += item.remote.size - (partial if partial <= item.remote.size else 0)
        if needed == 0:
            return
        free = self.free_space_probe(self.root)
        if needed > free:
            shortfall_gb = -(-(needed - free) // 1_000_000_000)
            raise InsufficientSpace(
                f"{self.root} has {free} bytes free but {needed} bytes are still to download: {RAISE_VOLUME_SIZE} "
                f"by at least {shortfall_gb} GB, or free space on it",
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
        initial = size_or_zero(item.partial)
        if 0 < initial <= remote.size:
            meter.add(initial, item.volume_path, transferred=False)
            self.emitter.info("download", f"resuming {item.volume_path} at byte {initial}", file=item.volume_path)
        elif initial > remote.size:
            unlink_quietly(item.partial)
        stream_hash = _StreamHash(remote)
        while True:
            if self._cancel.is_set():
                raise _Cancelled()
            before = size_or_zero(item.partial)
            try:
                self._fetch_into_partial(item, meter, stream_hash)
            except RangeNotSatisfiable as error:
                meter.rewind(size_or_zero(item.partial))
                unlink_quietly(item.partial)
                failures_without_progress += 1
                self._retry_or_raise(item, error, failures_without_progress, attempts)
                continue
            except TransientHubError as error:
                if size_or_zero(item.partial) > before:
                    failures_without_progress = 0  # it moved forward: resuming will finish it
                failures_without_progress += 1
                self._retry_or_raise(item, error, failures_without_progress, attempts)
                continue
            except OSError as error:
                raise self._os_error(error, f"cannot write {item.partial}") from error

            size = size_or_zero(item.partial)
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
            unlink_quietly(item.partial)
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
        offset = size_or_zero(item.partial)
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
        if error.errno in NO_SPACE_ERRNOS:
            free = free_or_none(self.root)
            return DiskFull(
                f"{what}: the volume at {self.root} is full ({free} bytes free): {RAISE_VOLUME_SIZE} and rerun; "
                "partial downloads are kept and resumed",
                details={"freeBytes": free},
            )
        return WorkerError(f"{what}: {error}")


def _matches(remote: RemoteFile, sha256: str, git_id: Optional[str]) -> bool:
    if remote.sha256 is not None:
        return sha256 == remote.sha256
    if remote.git_blob_id:
        return git_id == remote.git_blob_id
    return True  # the Hub gave no hash: the size check is all there is
