"""The model volume: init (download once, verified, resumable) and verify.

Layout (docs/CONTRACTS.md section 3)::

    <model root>/<directory>/<file>      one directory per manifest model
    <model root>/avatar-models.lock.json written last, atomically, by init
    <model root>/.avatar-init.lock       the init mutex while an init runs
    <model root>/.avatar-workers/*.json  one lease per serving worker (worker_lease)

Invariants this package keeps:

* a file under its final name has been verified (size and sha256 or git blob id); downloads go
  to ``<file>.partial`` and are renamed into place only after the check;
* the lock file is written after every file is in place, via tmp + fsync + rename, so its
  presence means "complete" (RunPod warns that concurrent writers corrupt network volumes);
* only one init writes at a time: ``.avatar-init.lock`` is created with ``O_CREAT|O_EXCL`` and
  kept fresh by a heartbeat; a second init waits for it, and one whose heartbeat is older than
  ``AVATAR_INIT_LOCK_STALE_SECONDS`` is taken over;
* the model root holds the manifest's files only: before it checks free space, init removes every
  file under the model root that the manifest does not list (a model-set switch would not fit
  otherwise), never outside the model root and never while a serving worker's lease is fresh.

The package holds one module per part: ``settings`` (the tunables), ``lock_file``, ``verify``,
``init_mutex``, ``worker_lease``, ``prune`` (what the manifest no longer lists), ``initializer`` and
``files`` (shared file operations). The names other modules use are imported here.
"""

from .files import disk_free_bytes, hash_file, sha256_of_file
from .init_mutex import INIT_MUTEX_NAME, InitMutex
from .initializer import PARTIAL_SUFFIX, InitResult, PlannedFile, VolumeInitializer
from .lock_file import LOCK_FILE_NAME, LockedFile, LockedModel, LockRecord, LockUnreadable, read_lock
from .settings import InitSettings
from .verify import FileProblem, VerifyReport, check_file, verify_volume
from .worker_lease import LEASE_STALE_SECONDS, WORKER_LEASE_DIRECTORY, LeaseHolder, WorkerLease, live_leases

__all__ = [
    "FileProblem",
    "INIT_MUTEX_NAME",
    "LEASE_STALE_SECONDS",
    "InitMutex",
    "InitResult",
    "InitSettings",
    "LOCK_FILE_NAME",
    "LockRecord",
    "LockUnreadable",
    "LockedFile",
    "LeaseHolder",
    "LockedModel",
    "PARTIAL_SUFFIX",
    "PlannedFile",
    "VerifyReport",
    "VolumeInitializer",
    "WORKER_LEASE_DIRECTORY",
    "WorkerLease",
    "check_file",
    "disk_free_bytes",
    "hash_file",
    "live_leases",
    "read_lock",
    "sha256_of_file",
    "verify_volume",
]
