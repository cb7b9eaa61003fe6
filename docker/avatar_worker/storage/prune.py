"""Finding and removing the files under the model root that init's plan does not list.

A volume is sized for one model set. After a switch (fp8 to bf16 and back) the old set's files must
go before the new set is downloaded, or the new set does not fit. "Listed" means a file of the plan
or its ``.partial`` sibling (a resumable download). Never touched: the lock file, the init mutex
(and its takeover names) and the serving workers' leases, which are init's and serve's own files at
the top of the model root; and nothing outside the model root: the walk does not follow symbolic
links, and a link is removed as a link, its target left alone.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet, List, Set, Tuple

from .files import fsync_directory, unlink_quietly
from .init_mutex import INIT_MUTEX_NAME
from .lock_file import LOCK_FILE_NAME
from .worker_lease import WORKER_LEASE_DIRECTORY


@dataclass(frozen=True)
class UnlistedFiles:
    """Files (and links) under the model root that the plan does not list."""

    #: Paths relative to the model root, ``/``-separated, sorted.
    paths: Tuple[str, ...] = ()
    #: Bytes the regular files among them take.
    total_bytes: int = 0


def find_unlisted_files(root: Path, listed: AbstractSet[str]) -> UnlistedFiles:
    """Walk ``root`` (without following links) and return what ``listed`` does not name."""
    root = Path(root)
    found: List[str] = []
    total = 0
    for directory, dirnames, filenames in os.walk(root):
        relative = posixpath.normpath(Path(directory).relative_to(root).as_posix())
        if relative == ".":
            dirnames[:] = [d for d in dirnames if d != WORKER_LEASE_DIRECTORY]
            filenames = [f for f in filenames if not _is_own_file(f)]
        # os.walk puts a link to a directory among the directories without entering it: it is an entry to remove.
        links = [d for d in dirnames if os.path.islink(os.path.join(directory, d))]
        dirnames[:] = [d for d in dirnames if d not in links]
        for name in (*filenames, *links):
            volume_path = name if relative == "." else f"{relative}/{name}"
            if volume_path in listed:
                continue
            try:
                info = os.lstat(os.path.join(directory, name))
            except FileNotFoundError:
                continue
            found.append(volume_path)
            if stat.S_ISREG(info.st_mode):
                total += info.st_size
    return UnlistedFiles(paths=tuple(sorted(found)), total_bytes=total)


def remove_unlisted_files(root: Path, unlisted: UnlistedFiles) -> None:
    """Delete ``unlisted``, then the directories that leaves empty (never ``root`` itself)."""
    root = Path(root)
    parents: Set[str] = set()
    for volume_path in unlisted.paths:
        unlink_quietly(root / volume_path)
        parent = posixpath.dirname(volume_path)
        while parent:
            parents.add(parent)
            parent = posixpath.dirname(parent)
    # Deepest first, so a directory emptied by removing its children goes too.
    for parent in sorted(parents, key=lambda p: p.count("/"), reverse=True):
        try:
            os.rmdir(root / parent)
        except OSError:
            pass  # not empty: it holds listed files
    fsync_directory(root)


def _is_own_file(name: str) -> bool:
    return name == LOCK_FILE_NAME or name.startswith(INIT_MUTEX_NAME)
