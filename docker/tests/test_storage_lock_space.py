"""The init mutex (concurrent inits, stale takeover, INIT_LOCKED) and free-space handling."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import Dict, Iterator

import pytest

from avatar_worker.contract import VOLUME_SIZE_PROP
from avatar_worker.errors import DiskFull, InsufficientSpace
from avatar_worker.hub import HubClient
from avatar_worker.jsonlog import JsonLines
from avatar_worker.manifest import parse_manifest
from avatar_worker.storage import INIT_MUTEX_NAME, LOCK_FILE_NAME, PARTIAL_SUFFIX, InitMutex, InitSettings, VolumeInitializer

from .conftest import finish, run_cli, start_cli
from .hf_server import INFINITETALK_REPO, LARGE_FILE, MIB, HubFixture
from .test_storage_faults import wait_until
from .test_storage_init import assert_volume_complete
from .tmpfs import mounted_tmpfs


def test_two_concurrent_inits_download_once(hub: HubFixture, worker_env: Dict[str, str], volume: Path, tmp_path: Path) -> None:
    large = hub.file(INFINITETALK_REPO, LARGE_FILE)
    hub.faults.pause_after_bytes[LARGE_FILE] = large.size // 2  # hold the first init mid-download
    first = start_cli(["init"], worker_env, stdout=tmp_path / "first.out")
    wait_until(lambda: (volume / INIT_MUTEX_NAME).exists() and len(hub.requests) > 0)
    second = start_cli(["init"], worker_env, stdout=tmp_path / "second.out")
    # The second one sees the lock and says it waits (readiness, not timing).
    wait_until(lambda: "another storage init is running" in (tmp_path / "second.out").read_text())
    hub.faults.release.set()
    one, two = finish(first, tmp_path / "first.out"), finish(second, tmp_path / "second.out")
    assert one.returncode == 0 and two.returncode == 0, one.stdout + two.stdout
    assert one.result["downloadedBytes"] > 0
    assert two.result["waitedForOtherInit"] is True and two.result["downloadedBytes"] == 0
    assert len(hub.content_requests(LARGE_FILE)) == 1
    assert_volume_complete(hub, volume)
    assert not (volume / INIT_MUTEX_NAME).exists()


def test_waiting_init_gives_up_with_init_locked(worker_env: Dict[str, str], volume: Path) -> None:
    volume.mkdir(parents=True)
    owner = {"host": "other-pod", "pid": 1, "podId": "pod123", "started": "2026-11-29T03:00:00Z", "token": "t"}
    (volume / INIT_MUTEX_NAME).write_text(json.dumps(owner))
    run = run_cli(["init"], {**worker_env, "AVATAR_INIT_LOCK_WAIT_SECONDS": "0.3", "AVATAR_INIT_LOCK_STALE_SECONDS": "3600"})
    assert run.returncode == 75
    error = run.result["error"]
    assert error["code"] == "INIT_LOCKED" and "pod123" in error["message"] and "did not finish within 0.3 s" in error["message"]
    assert json.loads((volume / INIT_MUTEX_NAME).read_text()) == owner, "a live owner's lock is left alone"


def test_stale_lock_is_taken_over(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    volume.mkdir(parents=True)
    lock = volume / INIT_MUTEX_NAME
    lock.write_text(json.dumps({"host": "dead-pod", "pid": 1, "podId": "dead", "started": "x", "token": "old"}))
    old = time.time() - 600
    os.utime(lock, (old, old))
    run = run_cli(["init"], {**worker_env, "AVATAR_INIT_LOCK_STALE_SECONDS": "120"})
    assert run.returncode == 0, run.stdout
    takeover = [e for e in run.events if "took over a stale init lock" in e.get("message", "")]
    assert takeover and takeover[0]["previousOwner"]["podId"] == "dead"
    assert not lock.exists()
    assert_volume_complete(hub, volume)


def test_mutex_heartbeat_and_lost_lock(tmp_path: Path) -> None:
    mutex = InitMutex(tmp_path, stale_seconds=0.4, heartbeat_seconds=0.05, environ={"RUNPOD_POD_ID": "pod-a"})
    assert mutex.try_acquire()
    owner = json.loads(mutex.path.read_text())
    assert owner["podId"] == "pod-a" and owner["pid"] == os.getpid() and owner["token"] == mutex.token
    other = InitMutex(tmp_path, stale_seconds=0.4, heartbeat_seconds=0.05)
    assert not other.try_acquire()
    old = time.time() - 10
    os.utime(mutex.path, (old, old))
    wait_until(lambda: mutex.heartbeat_age_seconds() is not None and mutex.heartbeat_age_seconds() < 1)  # type: ignore[operator]
    assert other.take_over_if_stale() is None, "a heartbeating lock is not stale"
    # Freeze the holder (stop its heartbeat), let it go stale, and take it over.
    mutex._stop.set()
    os.utime(mutex.path, (old, old))
    previous = other.take_over_if_stale()
    assert previous is not None and previous["token"] == mutex.token
    assert json.loads(other.path.read_text())["token"] == other.token
    mutex._stop.clear()
    mutex._start_heartbeat()
    wait_until(mutex.lost.is_set)
    mutex.release()
    assert other.path.exists(), "releasing a lost lock must not delete the new owner's"
    other.release()
    assert not other.path.exists()


def _initializer(hub: HubFixture, manifest_document: dict, root: Path, **kwargs) -> VolumeInitializer:  # type: ignore[no-untyped-def]
    from avatar_worker.manifest import canonical_json

    manifest = parse_manifest(canonical_json(manifest_document))
    settings = InitSettings(backoff_seconds=0.0, poll_seconds=0.01)
    return VolumeInitializer(
        manifest, root, HubClient(hub.url, attempts=2, backoff_seconds=0), settings, JsonLines(io.StringIO()), **kwargs
    )


def test_insufficient_space_is_reported_before_downloading(hub: HubFixture, manifest_document: dict, volume: Path) -> None:
    initializer = _initializer(hub, manifest_document, volume, free_space_probe=lambda _: 10 * MIB)
    with pytest.raises(InsufficientSpace) as caught:
        initializer.run()
    message = caught.value.message
    assert "10485760 bytes free" in message and "raise the network volume size" in message
    assert f"ModelVolume's `{VOLUME_SIZE_PROP}`" in message
    assert caught.value.details["neededBytes"] > caught.value.details["freeBytes"]
    assert hub.content_requests() == []


def test_space_check_counts_resumable_partial_files(hub: HubFixture, manifest_document: dict, volume: Path) -> None:
    large = hub.file(INFINITETALK_REPO, LARGE_FILE)
    partial = volume / "InfiniteTalk" / (LARGE_FILE + PARTIAL_SUFFIX)
    partial.parent.mkdir(parents=True)
    partial.write_bytes(large.content[: 20 * MIB])
    total = sum(f.size for f in [large]) + 16 * MIB  # the rest of the set is under 16 MiB
    seen = []

    def probe(_: Path) -> int:
        seen.append(True)
        return total - 20 * MIB  # enough only because 20 MiB are already on disk

    result = _initializer(hub, manifest_document, volume, free_space_probe=probe).run()
    assert seen and result.downloaded_files == 11
    assert [r.range for r in hub.content_requests(LARGE_FILE)] == [f"bytes={20 * MIB}-"]


@pytest.fixture()
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 12 MiB filesystem (tmpfs). Needs root and mount rights; skipped otherwise."""
    with mounted_tmpfs(tmp_path / "small-volume", 12 * MIB) as mount_point:
        yield mount_point


@pytest.mark.needs_root
def test_insufficient_space_on_a_real_small_filesystem(worker_env: Dict[str, str], small_tmpfs: Path) -> None:
    run = run_cli(["init"], {**worker_env, "AVATAR_MODEL_ROOT": str(small_tmpfs / "infinitetalk")})
    assert run.returncode == 73
    error = run.result["error"]
    assert error["code"] == "INSUFFICIENT_SPACE" and "raise the network volume size" in error["message"]


@pytest.mark.needs_root
def test_disk_full_while_writing(hub: HubFixture, manifest_document: dict, small_tmpfs: Path) -> None:
    # The probe claims plenty of room (as a volume shared with another writer might), so the
    # pre-check passes and the real filesystem answers ENOSPC mid-write.
    root = small_tmpfs / "infinitetalk"
    initializer = _initializer(hub, manifest_document, root, free_space_probe=lambda _: 10**12)
    with pytest.raises(DiskFull) as caught:
        initializer.run()
    assert "is full" in caught.value.message and "raise the network volume size" in caught.value.message
    assert not (root / LOCK_FILE_NAME).exists()
    assert not (root / "InfiniteTalk" / LARGE_FILE).exists()
    assert not (root / INIT_MUTEX_NAME).exists(), "the mutex is released on failure"
