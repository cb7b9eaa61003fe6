"""The worker and the TypeScript side read each other's output: these tests run both for real.

- ``python -m avatar_worker init`` output goes through the deploy-time runner's own parser
  (``node lib/runner/storage-init-runner.js --parse-log``), so the JSON-lines contract cannot drift.
- The example's ``invoke.ts`` client drives a job through the RunPod SDK's local API server with
  the real handler, as a user would against a deployed endpoint.

Both need the TypeScript side compiled (``npx projen test`` compiles first).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from avatar_worker.manifest import manifest_sha256, parse_manifest
from avatar_worker.pipeline import Preset

from .conftest import DOCKER_DIR, run_cli
from .hf_server import INFINITETALK_REPO, HubFixture
from .serving_fixtures import (  # noqa: F401 (fixtures)
    WorkerServer, bucket_env, png_bytes, probe, s3_server, tiny_volume, tone_bytes,
)

REPO_DIR = DOCKER_DIR.parent
RUNNER = REPO_DIR / "lib" / "runner" / "storage-init-runner.js"
INVOKE = REPO_DIR / "examples" / "l40s-deployment" / "invoke.ts"
TS_NODE = REPO_DIR / "node_modules" / ".bin" / "ts-node"


def parse_with_runner(worker_stdout: str) -> Dict[str, Any]:
    """What the deploy-time runner makes of the worker's stdout."""
    if not RUNNER.exists() or shutil.which("node") is None:
        pytest.fail(f"{RUNNER} is missing (or node is not on PATH): compile the library first with `npx projen compile`.")
    completed = subprocess.run(["node", str(RUNNER), "--parse-log"], input=worker_stdout, capture_output=True, text=True, timeout=60)
    assert completed.stdout, completed.stderr
    return dict(json.loads(completed.stdout))


def rendered_by_typescript(expression: str) -> str:
    """Evaluate `expression` against the compiled library (``lib/``) and return its string value."""
    if not (REPO_DIR / "lib" / "index.js").exists():
        pytest.fail("lib/index.js is missing: compile the library first with `npx projen compile`.")
    script = f"const lib = require({str(REPO_DIR / 'lib')!r}); process.stdout.write({expression});"
    return subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.mark.parametrize("model_set", ["FP8", "BF16_LIGHTX2V"])
def test_the_worker_accepts_every_built_in_manifest_the_constructs_render(model_set: str) -> None:
    text = rendered_by_typescript(f"lib.ModelManifest.of(lib.ModelSet.{model_set}).json")
    sha256 = rendered_by_typescript(f"lib.ModelManifest.of(lib.ModelSet.{model_set}).sha256")
    manifest = parse_manifest(text, expected_sha256=sha256)
    assert manifest_sha256(json.loads(text)) == sha256
    assert len(manifest.models) >= 3


def test_the_worker_accepts_every_preset_the_constructs_render() -> None:
    for preset in ["QUALITY_40STEP", "BALANCED_40STEP_CFG1", "LIGHTX2V_4STEP"]:
        text = rendered_by_typescript(f"lib.renderPreset(lib.GenerationPreset.{preset}, lib.Resolution.all())")
        parsed = Preset.from_json(text)
        assert list(parsed.resolutions) == [480, 720]


def test_a_successful_init_parses_as_success_in_the_runner(worker_env: Dict[str, str]) -> None:
    run = run_cli(["init"], worker_env)
    assert run.returncode == 0, run.stderr
    parsed = parse_with_runner(run.stdout)
    assert parsed["ok"] is True
    assert parsed["result"] == run.result
    assert parsed["progressEvents"] == sum(1 for e in run.events if e["event"] == "progress")
    assert parsed["progressEvents"] > 0


def test_a_failed_init_parses_as_failure_with_its_code(hub: HubFixture, worker_env: Dict[str, str]) -> None:
    hub.faults.api_status[INFINITETALK_REPO] = [-404]
    run = run_cli(["init"], worker_env)
    assert run.returncode != 0
    parsed = parse_with_runner(run.stdout)
    assert parsed["ok"] is False
    assert parsed["result"]["error"]["code"] == run.result["error"]["code"] == "HUB_NOT_FOUND"


@pytest.fixture(scope="module")
def local_endpoint(tiny_volume: Dict[str, str], s3_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerServer]:
    env = {**tiny_volume, **bucket_env(s3_server), "AVATAR_PIPELINE": "fake"}
    server = WorkerServer(env, str(tmp_path_factory.mktemp("invoke") / "worker.log"))
    yield server
    server.stop()


def run_invoke(endpoint: WorkerServer, image: Path, audio: Path, out: Path) -> subprocess.CompletedProcess:
    if not TS_NODE.exists():
        pytest.fail(f"{TS_NODE} is missing: run `npm ci` at the repository root.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPOD_")}
    return subprocess.run(
        [str(TS_NODE), "--transpile-only", str(INVOKE), "--api-url", endpoint.base,
         "--image", str(image), "--audio", str(audio), "--out", str(out), "--poll", "0.2"],
        capture_output=True, text=True, timeout=240, cwd=str(INVOKE.parent), env=env,
    )


def test_invoke_client_gets_a_video_from_the_local_api_server(local_endpoint: WorkerServer, tmp_path: Path) -> None:
    image, audio, out = tmp_path / "face.png", tmp_path / "speech.wav", tmp_path / "result.mp4"
    image.write_bytes(png_bytes(320, 320))
    audio.write_bytes(tone_bytes(4.0, "wav"))
    completed = run_invoke(local_endpoint, image, audio, out)
    assert completed.returncode == 0, completed.stderr
    assert "COMPLETED" in completed.stderr and "wrote" in completed.stderr
    info = probe(str(out))
    kinds = {s["codec_type"] for s in info["streams"]}
    assert kinds == {"video", "audio"}
    assert abs(float(info["format"]["duration"]) - 4.0) < 0.2


def test_invoke_client_reports_a_failed_job_with_its_code(local_endpoint: WorkerServer, tmp_path: Path) -> None:
    image, audio, out = tmp_path / "not-an-image.png", tmp_path / "speech.wav", tmp_path / "result.mp4"
    image.write_text("this is text, not a PNG")
    audio.write_bytes(tone_bytes(4.0, "wav"))
    completed = run_invoke(local_endpoint, image, audio, out)
    assert completed.returncode == 1
    assert "MEDIA_UNDECODABLE" in completed.stderr, completed.stderr
    assert not out.exists()
