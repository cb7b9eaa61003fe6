"""A real, size-limited filesystem for storage tests: a tmpfs, mounted for the test and gone after it.

Mounting needs root (and mount rights in a container); where that is refused the test is skipped
with the reason, and the injected free-space probe tests still cover the logic.
"""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


@contextmanager
def mounted_tmpfs(mount_point: Path, size_bytes: int) -> Iterator[Path]:
    """Mount a tmpfs of ``size_bytes`` (rounded up to whole pages) at ``mount_point``."""
    mount_point.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); covered by the injected-probe tests")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def grow_tmpfs(mount_point: Path, size_bytes: int) -> None:
    """Resize a mounted tmpfs in place, as RunPod grows a network volume (files stay)."""
    subprocess.run(["mount", "-o", f"remount,size={size_bytes}", str(mount_point)], check=True, capture_output=True)
