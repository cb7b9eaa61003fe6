"""Shared fixtures: the loopback Hub, a worker environment and a CLI runner.

Every test talks to 127.0.0.1 only; ``HF_HOME`` points into the test's tmp dir so no stored token
or cache of the developer leaks in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

import pytest

from avatar_worker.manifest import canonical_json, manifest_sha256

from .hf_server import HubFixture, standard_manifest, standard_world

DOCKER_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture()
def hub() -> Iterator[HubFixture]:
    """A started loopback Hub with the standard scaled-down fp8 repositories."""
    fixture = standard_world(HubFixture()).start()
    yield fixture
    fixture.stop()


@pytest.fixture()
def manifest_document() -> Dict[str, Any]:
    """The manifest matching the standard world (a fresh copy per test)."""
    return standard_manifest()


@pytest.fixture()
def volume(tmp_path: Path) -> Path:
    """The model root (not created: init creates it)."""
    return tmp_path / "runpod-volume" / "infinitetalk"


def make_env(hub_url: str, manifest: Mapping[str, Any], root: Path, home: Path, **extra: str) -> Dict[str, str]:
    """Environment for a worker subprocess: only what it needs, plus fast retry/poll timings."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(DOCKER_DIR),
        "HOME": str(home),
        "HF_HOME": str(home / "hf"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_ENDPOINT": hub_url,
        "AVATAR_MODEL_MANIFEST": canonical_json(manifest),
        "AVATAR_MODEL_MANIFEST_SHA256": manifest_sha256(manifest),
        "AVATAR_MODEL_ROOT": str(root),
        "AVATAR_DOWNLOAD_BACKOFF_SECONDS": "0.01",
        "AVATAR_INIT_LOCK_POLL_SECONDS": "0.05",
        "AVATAR_DOWNLOAD_TIMEOUT_SECONDS": "20",
    }
    env.update(extra)
    return env


@pytest.fixture()
def worker_env(hub: HubFixture, manifest_document: Dict[str, Any], volume: Path, tmp_path: Path) -> Dict[str, str]:
    """Environment for ``python -m avatar_worker`` against the loopback Hub."""
    home = tmp_path / "home"
    home.mkdir()
    return make_env(hub.url, manifest_document, volume, home)


@dataclass
class CliRun:
    """A finished CLI run with its parsed JSON lines."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def events(self) -> List[Dict[str, Any]]:
        """Lines that are JSON objects with an ``event`` key (what the runner reads)."""
        return parse_events(self.stdout)

    @property
    def result(self) -> Dict[str, Any]:
        """The single ``result`` line (asserts there is exactly one, and that it is last)."""
        results = [e for e in self.events if e["event"] == "result"]
        assert len(results) == 1, f"expected one result line, got {len(results)}:\n{self.stdout}\n{self.stderr}"
        assert self.events[-1] is results[0] or self.events[-1] == results[0]
        return results[0]


def parse_events(stdout: str) -> List[Dict[str, Any]]:
    """Parse JSON lines the way the deploy-time runner does (ignore anything else)."""
    events = []
    for line in stdout.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and "event" in value:
            events.append(value)
    return events


def run_cli(args: Sequence[str], env: Mapping[str, str], timeout: float = 180) -> CliRun:
    """Run ``python -m avatar_worker <args>`` to completion."""
    completed = subprocess.run(
        [sys.executable, "-m", "avatar_worker", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(DOCKER_DIR),
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


def start_cli(args: Sequence[str], env: Mapping[str, str], stdout: Optional[Path] = None) -> subprocess.Popen:
    """Start ``python -m avatar_worker <args>`` without waiting."""
    return subprocess.Popen(
        [sys.executable, "-m", "avatar_worker", *args],
        env=dict(env),
        stdout=open(stdout, "w") if stdout else subprocess.PIPE,  # noqa: SIM115 - closed with the process
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(DOCKER_DIR),
    )


def finish(process: subprocess.Popen, stdout_file: Optional[Path] = None, timeout: float = 180) -> CliRun:
    """Wait for a started CLI and collect its output."""
    out, err = process.communicate(timeout=timeout)
    if stdout_file is not None:
        out = stdout_file.read_text()
    return CliRun(process.returncode, out or "", err or "")
