"""The RunPod Hub files read with the worker's own loaders: a Hub deployment starts and its test job is valid.

``docker/.runpod/hub.json`` and ``tests.json`` carry the environment the constructs render
(``npx projen hub:files``; ``test/hub-files.test.ts`` checks they are fresh and that the test job is
estimated to finish within its timeout on an L40S). Here the worker parses them as it would at start.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Dict

import pytest

from avatar_worker import media
from avatar_worker.contract import Env
from avatar_worker.job_input import parse_job_input
from avatar_worker.manifest import load_manifest_from_env
from avatar_worker.serving_settings import ServingSettings

RUNPOD_DIR = Path(__file__).resolve().parents[1] / ".runpod"
HUB = json.loads((RUNPOD_DIR / "hub.json").read_text())
TESTS = json.loads((RUNPOD_DIR / "tests.json").read_text())


def hub_environment() -> Dict[str, str]:
    """What a Hub user who keeps every default deploys: fixed values, and each input's default."""
    env: Dict[str, str] = {}
    for entry in HUB["config"]["env"]:
        value = entry["value"] if "value" in entry else entry["input"].get("default", "")
        if value != "":
            env[entry["key"]] = str(value)
    return env


def hub_test_environment() -> Dict[str, str]:
    return {entry["key"]: entry["value"] for entry in TESTS["config"]["env"]}


@pytest.mark.parametrize("environment", [hub_environment(), hub_test_environment()], ids=["hub.json", "tests.json"])
def test_a_worker_starts_with_the_hub_environment(environment: Dict[str, str]) -> None:
    manifest = load_manifest_from_env(environment)
    assert manifest.model_set == "fp8"
    settings = ServingSettings.from_env(environment)
    assert settings.preset.name == "balanced-40step-cfg1" and settings.preset.resolutions == (480,)
    assert settings.bucket is None, "with the defaults, videos come back inline"
    assert int(environment[Env.RUNPOD_INIT_TIMEOUT]) >= 600
    assert environment[Env.MODEL_ROOT] == "/runpod-volume/infinitetalk"


def test_the_hub_and_its_test_deploy_the_same_model_set_and_preset() -> None:
    hub, tests = hub_environment(), hub_test_environment()
    for key in (Env.MODEL_MANIFEST, Env.MODEL_MANIFEST_SHA256, Env.PRESET, Env.MODEL_ROOT):
        assert hub[key] == tests[key], key


@pytest.mark.parametrize("case", TESTS["tests"], ids=lambda t: t["name"])
def test_the_hub_test_is_a_job_the_worker_accepts(case: Dict[str, Any], tmp_path: Path) -> None:
    settings = ServingSettings.from_env(hub_test_environment())
    request = parse_job_input(case["input"], settings.preset, settings.max_audio_seconds)
    assert request.steps < settings.preset.sample_steps, "the test asks for fewer steps so that it fits its timeout"
    # Its audio is shorter than the bound the timeout estimate assumes (max_duration_seconds).
    audio = tmp_path / "audio"
    audio.write_bytes(base64.b64decode(case["input"]["audio_base64"].split(",", 1)[1]))
    prepared = media.prepare_audio(
        str(audio), str(tmp_path / "audio.wav"), min_seconds=settings.min_audio_seconds,
        max_seconds=request.max_duration_seconds, field_name="audio_base64",
    )
    assert prepared.seconds <= request.max_duration_seconds
    image = tmp_path / "image"
    image.write_bytes(base64.b64decode(case["input"]["image_base64"].split(",", 1)[1]))
    assert media.decode_image(str(image), settings.max_image_pixels).size[0] >= 64
