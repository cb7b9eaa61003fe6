"""Init under failure: kill and resume, dropped connections, ignored ranges, stalls, corrupt bytes."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Dict

import pytest

from avatar_worker.storage import INIT_MUTEX_NAME, LOCK_FILE_NAME, PARTIAL_SUFFIX

from .conftest import run_cli, start_cli
from .hf_server import INFINITETALK_REPO, LARGE_FILE, HubFixture

LARGE_DEST = f"InfiniteTalk/{LARGE_FILE}"


def wait_until(condition, timeout: float = 60.0, interval: float = 0.02) -> None:  # type: ignore[no-untyped-def]
    """Poll ``condition`` (a readiness check, not a speed assertion) until true or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


@pytest.mark.slow
def test_killed_mid_download_resumes_with_a_range_request(
    hub: HubFixture, worker_env: Dict[str, str], volume: Path, tmp_path: Path
) -> None:
    large = hub.file(INFINITETALK_REPO, LARGE_FILE)
    half = large.size // 2
    hub.faults.pause_after_bytes[LARGE_FILE] = half
    partial = volume / (LARGE_DEST + PARTIAL_SUFFIX)

    process = start_cli(["init"], worker_env, stdout=tmp_path / "first.out")
    try:
        # The server holds the large file at exactly half; wait until all of it is on disk.
        wait_until(lambda: partial.exists() and partial.stat().st_size == half)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    hub.faults.release.set()
    assert process.returncode == -signal.SIGKILL
    assert not (volume / LARGE_DEST).exists(), "a partial download must never sit under the final name"
    assert not (volume / LOCK_FILE_NAME).exists()
    assert partial.stat().st_size == half

    del hub.faults.pause_after_bytes[LARGE_FILE]
    # The killed request is logged when its server thread notices the dead socket.
    wait_until(lambda: len(hub.content_requests(LARGE_FILE)) == 1)
    hub.clear_log()
    # SIGKILL left the init mutex behind; a short stale limit lets the rerun take it over at once.
    assert (volume / INIT_MUTEX_NAME).exists()
    second = run_cli(["init"], {**worker_env, "AVATAR_INIT_LOCK_STALE_SECONDS": "1"})
    assert second.returncode == 0, second.stdout + second.stderr
    assert any("took over a stale init lock" in e.get("message", "") for e in second.events)
    content = [r for r in hub.content_requests(LARGE_FILE)]
    assert [r.range for r in content] == [f"bytes={half}-"]
    assert content[0].status == 206 and content[0].body_bytes == large.size - half
    assert (volume / LARGE_DEST).read_bytes() == large.content
    assert not partial.exists()
    resumed = [e for e in second.events if e["event"] == "log" and "resuming" in e["message"]]
    assert resumed and str(half) in resumed[0]["message"]
    assert run_cli(["verify", "--hashes"], worker_env).returncode == 0


def test_dropped_connection_is_resumed_within_the_same_run(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    large = hub.file(INFINITETALK_REPO, LARGE_FILE)
    cut = large.size // 3
    hub.faults.fail_after_bytes[LARGE_FILE] = (cut, 1)
    run = run_cli(["init"], worker_env)
    assert run.returncode == 0, run.stdout
    ranges = [r.range for r in hub.content_requests(LARGE_FILE)]
    assert ranges == [None, f"bytes={cut}-"]
    assert (volume / LARGE_DEST).read_bytes() == large.content


def test_server_that_ignores_range_makes_init_start_the_file_over(
    hub: HubFixture, worker_env: Dict[str, str], volume: Path
) -> None:
    large = hub.file(INFINITETALK_REPO, LARGE_FILE)
    hub.faults.fail_after_bytes[LARGE_FILE] = (large.size // 2, 1)
    hub.faults.ignore_range.add(LARGE_FILE)
    run = run_cli(["init"], worker_env)
    assert run.returncode == 0, run.stdout
    requests = hub.content_requests(LARGE_FILE)
    assert [r.status for r in requests] == [200, 200]
    assert requests[1].range == f"bytes={large.size // 2}-"  # asked, but got the whole file
    assert (volume / LARGE_DEST).read_bytes() == large.content
    assert any("ignored the Range request" in e.get("message", "") for e in run.events)


def test_stalled_transfer_times_out_and_resumes(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    large = hub.file(INFINITETALK_REPO, LARGE_FILE)
    stall_at = large.size // 4
    # The server stops sending at stall_at and holds the connection open; a request that starts
    # at or after that point is not held.
    hub.faults.pause_after_bytes[LARGE_FILE] = stall_at
    run = run_cli(["init"], {**worker_env, "AVATAR_DOWNLOAD_TIMEOUT_SECONDS": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"bytes={stall_at}-" in [r.range for r in hub.content_requests(LARGE_FILE)]
    assert (volume / LARGE_DEST).read_bytes() == large.content


def test_corrupt_bytes_are_deleted_and_downloaded_again(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    large = hub.file(INFINITETALK_REPO, LARGE_FILE)
    hub.faults.corrupt[LARGE_FILE] = 1
    hub.faults.corrupt["quant_models/t5_map_fp8.json"] = 1  # a git-stored file: checked by its blob id
    run = run_cli(["init"], worker_env)
    assert run.returncode == 0, run.stdout
    assert len(hub.content_requests(LARGE_FILE)) == 2
    assert [r.range for r in hub.content_requests(LARGE_FILE)] == [None, None], "a corrupt file restarts from zero"
    assert len(hub.content_requests("quant_models/t5_map_fp8.json")) == 2
    assert (volume / LARGE_DEST).read_bytes() == large.content
    warnings = [e["message"] for e in run.events if e["event"] == "log" and e["level"] == "warning"]
    assert any("failed verification" in w and LARGE_FILE in w for w in warnings)
    assert any("git blob" in w for w in warnings)


def test_always_corrupt_ends_in_checksum_mismatch_without_a_corrupt_file(
    hub: HubFixture, worker_env: Dict[str, str], volume: Path
) -> None:
    hub.faults.corrupt[LARGE_FILE] = -1
    run = run_cli(["init"], {**worker_env, "AVATAR_DOWNLOAD_ATTEMPTS": "2"})
    assert run.returncode == 65
    error = run.result["error"]
    assert error["code"] == "CHECKSUM_MISMATCH"
    assert LARGE_FILE in error["message"] and "arrived corrupt 2 times" in error["message"]
    assert len(hub.content_requests(LARGE_FILE)) == 2
    assert not (volume / LARGE_DEST).exists()
    assert not (volume / (LARGE_DEST + PARTIAL_SUFFIX)).exists()
    assert not (volume / LOCK_FILE_NAME).exists()
    assert "Traceback" not in run.stdout + run.stderr


def test_connection_dropped_every_time_without_progress_gives_up(hub: HubFixture, worker_env: Dict[str, str]) -> None:
    hub.faults.fail_after_bytes[LARGE_FILE] = (0, -1)
    run = run_cli(["init"], {**worker_env, "AVATAR_DOWNLOAD_ATTEMPTS": "3"})
    assert run.returncode == 69
    assert run.result["error"]["code"] == "HUB_UNAVAILABLE"
    assert "failed 3 times in a row without progress" in run.result["error"]["message"]
    assert len(hub.content_requests(LARGE_FILE)) == 3
