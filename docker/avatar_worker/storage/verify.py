"""Verify: compare a volume with its lock file, and the lock with a manifest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ..errors import (
    EXIT_VERIFY_FILES,
    EXIT_VERIFY_NO_LOCK,
    EXIT_VERIFY_OTHER_MANIFEST,
    LockManifestMismatch,
    LockMissing,
    VolumeFilesMismatch,
    VolumeNotReady,
)
from ..manifest import Manifest
from .files import sha256_of_file
from .lock_file import LOCK_FILE_NAME, LockedFile, LockRecord, LockUnreadable, read_lock

#: How to run the storage init job again once it has succeeded; docs/DEPLOYMENT.md shows the command.
FORCE_INIT_RERUN = (
    "force the storage init job to run again: a plain `cdktf deploy` leaves a job that already succeeded alone, so "
    "deploy with Terraform's `-replace=<address of the StorageInitJob's null_resource>` "
    '(docs/DEPLOYMENT.md, "Re-fill a damaged volume")'
)

#: What to do when the volume holds another model set than the worker's manifest.
ALIGN_MODEL_SET = (
    "`cdktf deploy` brings the volume and the endpoint to the same model set (it re-runs the storage init job when "
    "the model set changed and updates the endpoint after it)"
)


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
            message=f"{error}; to rewrite it, {FORCE_INIT_RERUN}",
        )
    if lock is None:
        return VerifyReport(
            status="no-lock",
            root=str(root),
            message=f"no {LOCK_FILE_NAME} in {root}: the storage init job has not completed on this volume. If it has "
            f"not succeeded yet, `cdktf deploy` runs it (StorageInitJob); if it has, {FORCE_INIT_RERUN}",
        )
    other_manifest = None
    if lock.format_version != manifest.format_version:
        other_manifest = f"{lock_path} has format version {lock.format_version}, the manifest {manifest.format_version}"
    elif lock.manifest_sha256 != manifest.sha256:
        other_manifest = (
            f"{lock_path} was written for manifest {lock.manifest_sha256}, this worker has manifest "
            f"{manifest.sha256}: the volume holds another model set"
        )
    if other_manifest is not None:
        return VerifyReport(status="other-manifest", root=str(root), lock=lock, message=f"{other_manifest}; {ALIGN_MODEL_SET}")
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
            f"to repair them, {FORCE_INIT_RERUN}; it downloads only what is missing or wrong",
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
