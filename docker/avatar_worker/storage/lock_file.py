"""The lock file ``avatar-models.lock.json``: what init left on the volume (docs/CONTRACTS.md section 3).

Its presence means "complete": init writes it last, atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from ..errors import ManifestInvalid
from ..manifest import check_relative_path

LOCK_FILE_NAME = "avatar-models.lock.json"


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
