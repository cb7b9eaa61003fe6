"""Typed errors of the worker, each with a stable ``code``.

Every error that a user or an operator can act on is a subclass of :class:`WorkerError`. Inside
the package errors are raised as exceptions; at the boundary (the CLI for ``init``/``verify``,
the job handler for ``serve``) they are turned once into ``{"code": ..., "message": ...}``.

The ``code`` strings are part of the public contract (documented in ``docker/README.md``): never
rename one. Add a new class instead. ``exit_code`` is what ``python -m avatar_worker`` exits with
when the error ends a run; it follows BSD ``sysexits.h`` where a matching value exists so that
shell wrappers can tell a usage problem (64) from a temporary one (75).
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Mapping, Optional

# sysexits.h values used below; named so the table in README.md and the code cannot drift.
EXIT_FAILURE = 1
EXIT_USAGE = 64
EXIT_DATAERR = 65
EXIT_NOINPUT = 66
EXIT_UNAVAILABLE = 69
EXIT_CANTCREAT = 73
EXIT_TEMPFAIL = 75
EXIT_NOPERM = 77

# Verify exit codes, fixed by docs/CONTRACTS.md section 5.
EXIT_VERIFY_NO_LOCK = 2
EXIT_VERIFY_OTHER_MANIFEST = 3
EXIT_VERIFY_FILES = 4


class WorkerError(Exception):
    """Base class: an expected failure with a stable ``code`` and an actionable ``message``.

    Subclasses set the class attributes ``code`` and ``exit_code``. ``details`` carries
    machine-readable context (paths, byte counts) that is logged but not needed to understand the
    message.
    """

    code: ClassVar[str] = "WORKER_ERROR"
    exit_code: ClassVar[int] = EXIT_FAILURE

    def __init__(self, message: str, *, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Dict[str, Any] = dict(details or {})

    def to_dict(self) -> Dict[str, str]:
        """Return the wire form ``{"code", "message"}`` used in result lines and job outputs."""
        return {"code": self.code, "message": self.message}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


# --- usage and manifest -------------------------------------------------------------------------


class UsageError(WorkerError):
    """Bad command-line arguments or an unknown ``AVATAR_MODE``."""

    code = "USAGE"
    exit_code = EXIT_USAGE


class ManifestError(WorkerError):
    """Base for problems with the model manifest handed in by environment."""

    code = "MANIFEST_INVALID"
    exit_code = EXIT_USAGE


class ManifestMissing(ManifestError):
    """``AVATAR_MODEL_MANIFEST`` or its hash variable is not set."""

    code = "MANIFEST_MISSING"


class ManifestInvalid(ManifestError):
    """The manifest is not valid JSON or does not follow docs/CONTRACTS.md section 1."""

    code = "MANIFEST_INVALID"


class ManifestHashMismatch(ManifestError):
    """``AVATAR_MODEL_MANIFEST_SHA256`` differs from the hash of the manifest text."""

    code = "MANIFEST_HASH_MISMATCH"


# --- Hugging Face Hub ---------------------------------------------------------------------------


class HubError(WorkerError):
    """Base for failures talking to the Hugging Face Hub (``HF_ENDPOINT``)."""

    code = "HUB_ERROR"
    exit_code = EXIT_UNAVAILABLE


class HubUnauthorized(HubError):
    """The Hub refused access (401/403): missing, wrong or insufficient ``HF_TOKEN``, or a gated repo."""

    code = "HUB_UNAUTHORIZED"
    exit_code = EXIT_NOPERM


class HubNotFound(HubError):
    """A repository, revision or file named by the manifest does not exist on the Hub."""

    code = "HUB_NOT_FOUND"
    exit_code = EXIT_NOINPUT


class HubUnavailable(HubError):
    """The Hub kept failing (5xx, connection errors, stalls) after all retries."""

    code = "HUB_UNAVAILABLE"
    exit_code = EXIT_UNAVAILABLE


# --- storage ------------------------------------------------------------------------------------


class StorageError(WorkerError):
    """Base for problems with the model volume."""

    code = "STORAGE_ERROR"
    exit_code = EXIT_CANTCREAT


class InsufficientSpace(StorageError):
    """The volume has less free space than the files still to download (checked before downloading)."""

    code = "INSUFFICIENT_SPACE"


class DiskFull(StorageError):
    """The volume ran out of space (ENOSPC/EDQUOT) while writing."""

    code = "DISK_FULL"


class ChecksumMismatch(StorageError):
    """A file kept arriving with the wrong size or hash after every attempt."""

    code = "CHECKSUM_MISMATCH"
    exit_code = EXIT_DATAERR


class InitLocked(StorageError):
    """Another init holds the volume's init lock and did not finish within the wait."""

    code = "INIT_LOCKED"
    exit_code = EXIT_TEMPFAIL


class VolumeInUse(StorageError):
    """Init must remove files the manifest no longer lists, but serving workers hold the volume."""

    code = "VOLUME_IN_USE"
    exit_code = EXIT_TEMPFAIL


class VolumeNotReady(StorageError):
    """The volume does not hold the models of this manifest; run the storage init job.

    Subclasses name the exact reason; callers that only need "ready or not" catch this class.
    """

    code = "VOLUME_NOT_READY"
    exit_code = EXIT_VERIFY_FILES


class LockMissing(VolumeNotReady):
    """No (readable) ``avatar-models.lock.json``: init has not completed on this volume."""

    code = "LOCK_MISSING"
    exit_code = EXIT_VERIFY_NO_LOCK


class LockManifestMismatch(VolumeNotReady):
    """The lock file was written for another manifest (hash or format version differ)."""

    code = "LOCK_MANIFEST_MISMATCH"
    exit_code = EXIT_VERIFY_OTHER_MANIFEST


class VolumeFilesMismatch(VolumeNotReady):
    """Files listed in the lock are missing, short, too long or have the wrong sha256."""

    code = "VOLUME_FILES_MISMATCH"
    exit_code = EXIT_VERIFY_FILES


# --- Job input and delivery errors --------------------------------------------------------------
# Raised while serving a job. The handler maps each one to the job's ``error`` value; none of them
# stops the worker, which keeps serving the next job.


class JobError(WorkerError):
    """Base for an expected failure of one serving job."""

    code = "JOB_FAILED"


class InputInvalid(JobError):
    """The job input breaks the schema: unknown key, wrong type, missing field, value out of bounds."""

    code = "INPUT_INVALID"
    exit_code = EXIT_DATAERR


class InputTooLarge(JobError):
    """An image or audio input (URL body or base64) exceeds its byte cap."""

    code = "INPUT_TOO_LARGE"
    exit_code = EXIT_DATAERR


class AudioTooShort(JobError):
    """The audio holds less real sound than the minimum duration."""

    code = "AUDIO_TOO_SHORT"
    exit_code = EXIT_DATAERR


class AudioTooLong(JobError):
    """The audio is longer than the job's ``max_duration_seconds`` (itself capped by the server)."""

    code = "AUDIO_TOO_LONG"
    exit_code = EXIT_DATAERR


class FetchForbidden(JobError):
    """A URL was refused before connecting: bad scheme, credentials, or a non-public address (SSRF guard)."""

    code = "FETCH_FORBIDDEN"
    exit_code = EXIT_NOPERM


class FetchFailed(JobError):
    """A permitted URL could not be downloaded: connection error, HTTP status, too many redirects."""

    code = "FETCH_FAILED"
    exit_code = EXIT_UNAVAILABLE


class FetchTimeout(FetchFailed):
    """A download exceeded its connect, read or overall deadline."""

    code = "FETCH_TIMEOUT"


class MediaUndecodable(JobError):
    """The bytes are not a supported image / audio, or are truncated or corrupt."""

    code = "MEDIA_UNDECODABLE"
    exit_code = EXIT_DATAERR


class DeliveryFailed(JobError):
    """The finished video could not be returned: upload failed, or too big to inline without a bucket."""

    code = "DELIVERY_FAILED"
    exit_code = EXIT_UNAVAILABLE


class PipelineFailed(JobError):
    """The generation pipeline raised or returned something unusable."""

    code = "PIPELINE_FAILED"


class WorkerMisconfigured(JobError):
    """The worker's serving environment is wrong (bad ``AVATAR_PRESET``, unknown pipeline, ...)."""

    code = "WORKER_MISCONFIGURED"
    exit_code = EXIT_USAGE


class InternalError(JobError):
    """An unexpected exception; the traceback is in the worker log."""

    code = "INTERNAL"


class Terminated(WorkerError):
    """The run received SIGTERM or SIGINT (pod stopped); partial downloads are kept for the next run."""

    code = "TERMINATED"
    exit_code = 143
