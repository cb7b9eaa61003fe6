"""Serving workers' leases: ``serve`` holds one while it runs, and ``init`` removes nothing under a fresh one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from avatar_worker.storage import WORKER_LEASE_DIRECTORY, WorkerLease, live_leases

from .catalog_world import CatalogModelSet, bf16, catalog_hub, files_of, fp8  # noqa: F401 (fixtures)
from .conftest import finish, make_env, run_cli, start_cli
from .hf_server import HubFixture
from .serving_fixtures import DOCKER_DIR, free_port, write_tiny_volume
from .test_serve_api import run_serve
from .test_storage_faults import wait_until

#: Small enough to make each init take a fraction of a second.
SCALE = 1e-5


@pytest.fixture()
def small_hub(fp8: CatalogModelSet, bf16: CatalogModelSet) -> Iterator[HubFixture]:  # noqa: F811
    with catalog_hub([fp8, bf16], SCALE) as fixture:
        yield fixture


@pytest.fixture()
def fp8_volume(small_hub: HubFixture, fp8: CatalogModelSet, tmp_path: Path) -> Path:  # noqa: F811
    """A model root that holds the fp8 set, verified."""
    root = tmp_path / "runpod-volume" / "infinitetalk"
    run = run_cli(["init"], make_env(small_hub.url, fp8.manifest, root, home(tmp_path)))
    assert run.returncode == 0, run.stdout
    return root


def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir(exist_ok=True)
    return path


def test_a_serving_worker_blocks_the_switch_and_init_says_how_to_free_the_volume(
    small_hub: HubFixture, fp8: CatalogModelSet, bf16: CatalogModelSet, fp8_volume: Path, tmp_path: Path  # noqa: F811
) -> None:
    env = make_env(small_hub.url, bf16.manifest, fp8_volume, home(tmp_path), AVATAR_INIT_LOCK_WAIT_SECONDS="0.3")
    small_hub.clear_log()
    with WorkerLease(fp8_volume, environ={"RUNPOD_POD_ID": "worker-pod-1"}):
        blocked = run_cli(["init"], env)
    assert blocked.returncode == 75, blocked.stdout
    error = blocked.result["error"]
    assert error["code"] == "VOLUME_IN_USE"
    assert "worker-pod-1" in error["message"] and "`workersMin` to 0" in error["message"]
    # Nothing was removed or downloaded: the fp8 volume still verifies, by hash.
    assert small_hub.content_requests() == []
    verify = run_cli(["verify", "--hashes"], make_env(small_hub.url, fp8.manifest, fp8_volume, home(tmp_path)))
    assert verify.returncode == 0, verify.stdout

    freed = run_cli(["init"], env)
    assert freed.returncode == 0, freed.stdout
    assert freed.result["removedFiles"] > 0


def test_init_waits_for_the_workers_to_stop(
    small_hub: HubFixture, bf16: CatalogModelSet, fp8_volume: Path, tmp_path: Path  # noqa: F811
) -> None:
    env = make_env(small_hub.url, bf16.manifest, fp8_volume, home(tmp_path), AVATAR_INIT_LOCK_WAIT_SECONDS="60")
    lease = WorkerLease(fp8_volume)
    lease.acquire()
    out = tmp_path / "init.out"
    process = start_cli(["init"], env, stdout=out)
    try:
        wait_until(lambda: "waiting for them to stop" in out.read_text())
    finally:
        lease.release()
    run = finish(process, out)
    assert run.returncode == 0, run.stdout
    assert run.result["removedFiles"] > 0


def test_a_stale_lease_does_not_block_and_is_deleted(
    small_hub: HubFixture, bf16: CatalogModelSet, fp8_volume: Path, tmp_path: Path  # noqa: F811
) -> None:
    dead = fp8_volume / WORKER_LEASE_DIRECTORY / "dead-worker.json"
    dead.parent.mkdir()
    dead.write_text(json.dumps({"host": "gone", "pid": 1, "podId": "killed-pod", "token": "dead-worker"}))
    long_ago = time.time() - 600
    os.utime(dead, (long_ago, long_ago))
    run = run_cli(["init"], make_env(small_hub.url, bf16.manifest, fp8_volume, home(tmp_path)))
    assert run.returncode == 0, run.stdout
    assert not dead.exists()
    assert any("stale worker lease" in e.get("message", "") for e in run.events)


def test_lease_heartbeat_release_and_return_after_a_sweep(tmp_path: Path) -> None:
    lease = WorkerLease(tmp_path, heartbeat_seconds=0.05, environ={"RUNPOD_POD_ID": "pod-a"})
    lease.acquire()
    try:
        owner = json.loads(lease.path.read_text())
        assert owner["podId"] == "pod-a" and owner["pid"] == os.getpid() and owner["token"] == lease.token
        long_ago = time.time() - 600
        os.utime(lease.path, (long_ago, long_ago))
        assert live_leases(tmp_path) == []
        wait_until(lambda: len(live_leases(tmp_path)) == 1)  # the heartbeat touched it again
        lease.path.unlink()  # swept by an init while this worker was frozen
        wait_until(lease.path.exists)
    finally:
        lease.release()
    assert not lease.path.exists() and live_leases(tmp_path) == []


def test_serve_holds_a_lease_until_the_platform_stops_it(tmp_path: Path) -> None:
    """In the SDK's platform loop (RUNPOD_WEBHOOK_GET_JOB set), SIGTERM is a clean stop that deletes the lease."""
    root = tmp_path / "volume"
    root.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVATAR_", "BUCKET_", "RUNPOD_"))}
    env.update(
        write_tiny_volume(str(root)),
        AVATAR_PIPELINE="fake",
        RUNPOD_POD_ID="worker-pod-2",
        # Nothing listens there: the loop keeps asking for jobs, as an idle worker does.
        RUNPOD_WEBHOOK_GET_JOB=f"http://127.0.0.1:{free_port()}/job-take/$ID",
    )
    out = tmp_path / "serve.out"
    with open(out, "w") as log:
        process = subprocess.Popen([sys.executable, "handler.py"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=DOCKER_DIR)
        try:
            # The SDK installs its SIGTERM handler when its job loop starts (after its fitness checks).
            wait_until(lambda: "Starting job acquisition" in out.read_text() or process.poll() is not None)
            assert [h.owner["podId"] for h in live_leases(root)] == ["worker-pod-2"], out.read_text()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0, out.read_text()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert list((root / WORKER_LEASE_DIRECTORY).iterdir()) == []


def test_serve_releases_its_lease_after_a_local_run_and_a_refusal(tmp_path: Path) -> None:
    root = tmp_path / "volume"
    root.mkdir()
    env = write_tiny_volume(str(root))
    assert run_serve(env).returncode == 0  # one job from test_input.json, then exit
    os.remove(root / "avatar-models.lock.json")
    assert run_serve(env).returncode == 2  # refused at start
    assert list((root / WORKER_LEASE_DIRECTORY).iterdir()) == []
