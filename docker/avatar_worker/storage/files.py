"""File operations the storage modules share: atomic JSON writes, directory fsync, hashing, free space."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable, Optional, Tuple

from ..hub import git_blob_sha1_prefix

HASH_READ_BYTES = 8 * 1024 * 1024
NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)

FreeSpaceProbe = Callable[[Path], int]


def disk_free_bytes(path: Path) -> int:
    """Free bytes on the filesystem holding ``path`` (what an unprivileged writer may use)."""
    return shutil.disk_usage(path).free


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
        unlink_quietly(temporary)
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


def unlink_quietly(path: Path) -> None:
    """Delete ``path`` if it exists."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def sha256_of_file(path: Path) -> str:
    """Hex sha256 of a file's content, read in 8 MiB blocks."""
    return hash_file(path, None)[0]


def hash_file(path: Path, git_size: Optional[int]) -> Tuple[str, Optional[str]]:
    """Return (sha256, git blob sha1 or None) of ``path``; git's id only when ``git_size`` is given."""
    sha256 = hashlib.sha256()
    git = hashlib.sha1(git_blob_sha1_prefix(git_size)) if git_size is not None else None  # noqa: S324 - git's id
    with open(path, "rb") as handle:
        while True:
            block = handle.read(HASH_READ_BYTES)
            if not block:
                break
            sha256.update(block)
            if git is not None:
                git.update(block)
    return sha256.hexdigest(), (git.hexdigest() if git is not None else None)


def size_or_zero(path: Path) -> int:
    """Size of ``path`` in bytes, 0 when it does not exist."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def free_or_none(path: Path) -> Optional[int]:
    """Free bytes at ``path``, ``None`` when the filesystem cannot say (for error messages)."""
    try:
        return disk_free_bytes(path)
    except OSError:
        return None
