"""The storage init job end to end, as ``cdktf deploy`` runs it, with RunPod replaced by the REST v2
emulator and the Hub by the loopback fixture:

runner (``node lib/runner/storage-init-runner.js``) → emulator ``POST /v2/pods`` → the pod's
container is the real ``python -m avatar_worker init`` → files on the "volume" → the worker's
result line streamed back over SSE → the runner terminates the pod and exits 0; ``verify`` agrees.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest
import requests

from avatar_worker.manifest import canonical_json, manifest_sha256

from .conftest import DOCKER_DIR, make_env, run_cli
from .hf_server import HubFixture

REPO_DIR = DOCKER_DIR.parent
RUNNER = REPO_DIR / "lib" / "runner" / "storage-init-runner.js"
EMULATOR = REPO_DIR / "test" / "runpod-emulator" / "serve.ts"
TS_NODE = REPO_DIR / "node_modules" / ".bin" / "ts-node"
API_KEY = "emulator-key-for-the-end-to-end-test"


class Emulator:
    """The RunPod REST v2 emulator in its own process."""

    def __init__(self, pod_script: Dict[str, Any], state_file: Path) -> None:
        if not TS_NODE.exists() or not RUNNER.exists():
            pytest.fail("node_modules or lib/runner is missing: run `npm ci` and `npx projen compile` first.")
        env = {**os.environ, "EMULATOR_API_KEY": API_KEY, "EMULATOR_POD_SCRIPT": json.dumps(pod_script)}
        self.state_file = state_file
        self.process = subprocess.Popen(
            [str(TS_NODE), "--transpile-only", str(EMULATOR), str(state_file)],
            cwd=str(REPO_DIR), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            raise RuntimeError(f"emulator did not start: {self.process.stderr.read() if self.process.stderr else ''}")
        self.url: str = json.loads(line)["url"]

    def create_volume(self) -> str:
        response = requests.post(
            f"{self.url}/v2/network-volumes",
            headers={"Authorization": f"Bearer {API_KEY}"},
            json={"name": "models", "size": 40, "dataCenter": "EU-RO-1"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def stop(self) -> Dict[str, Any]:
        """Stop it and return its final state."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        return dict(json.loads(self.state_file.read_text()))


def test_the_runner_fills_a_volume_through_a_pod_running_the_real_init(
    hub: HubFixture, manifest_document: Dict[str, Any], tmp_path: Path
) -> None:
    volume_root = tmp_path / "runpod-volume" / "infinitetalk"
    home = tmp_path / "home"
    home.mkdir()
    # What the pod's container sees besides the runner's env: the "mounted" volume is a temp dir.
    container_env = make_env(hub.url, manifest_document, volume_root, home)
    container_env.pop("AVATAR_MODEL_MANIFEST")
    container_env.pop("AVATAR_MODEL_MANIFEST_SHA256")
    emulator = Emulator(
        {"command": [sys.executable, "-m", "avatar_worker"], "env": container_env, "cwd": str(DOCKER_DIR)},
        tmp_path / "emulator-state.json",
    )
    try:
        volume_id = emulator.create_volume()
        runner_env = {
            "PATH": os.environ["PATH"],
            "RUNPOD_API_KEY": API_KEY,
            "RUNPOD_API_BASE_URL": emulator.url,
            "HF_ENDPOINT": hub.url,
            "AVATAR_INIT_IMAGE": "docker.io/acme/infinitetalk-worker@sha256:" + "ab" * 32,
            "AVATAR_INIT_VOLUME_ID": volume_id,
            "AVATAR_INIT_DATA_CENTER": "EU-RO-1",
            "AVATAR_INIT_MANIFEST": canonical_json(manifest_document),
            "AVATAR_INIT_MANIFEST_SHA256": manifest_sha256(manifest_document),
            "AVATAR_INIT_TIMEOUT_SECONDS": "240",
            "AVATAR_RUNNER_POLL_MS": "200",
        }
        completed = subprocess.run(["node", str(RUNNER)], env=runner_env, capture_output=True, text=True, timeout=300)
    finally:
        state = emulator.stop()

    assert completed.returncode == 0, f"{completed.stdout}\n{completed.stderr}"
    assert "storage init: OK" in completed.stdout
    assert state["specViolations"] == []
    assert state["unknownRequests"] == []
    (pod,) = state["pods"]
    assert pod["env"]["AVATAR_MODE"] == "init"
    assert pod["env"]["HF_ENDPOINT"] == hub.url
    assert [a["action"] for a in state["actionsReceived"]] == ["terminate"]

    verify = run_cli(["verify", "--hashes"], make_env(hub.url, manifest_document, volume_root, home))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert (volume_root / "avatar-models.lock.json").exists()
