"""The worker judges every case of the shared contract vectors as the constructs do.

``test/fixtures/contract-vectors.json`` is written by the TypeScript side (``npx projen
contract:vectors``) from the inputs a user gives the constructs, with the verdict both sides must
reach; ``test/contract-vectors.test.ts`` checks the TypeScript verdicts and that the file is fresh.
Here each document goes through the worker's own parsers: the manifest parser and model-root check
of ``init``/``verify``/``serve``, the ``AVATAR_PRESET`` parser and the job-input parser.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from avatar_worker import contract
from avatar_worker.errors import InputInvalid, ManifestInvalid, UsageError, WorkerMisconfigured
from avatar_worker.job_input import parse_job_input
from avatar_worker.manifest import canonical_json, check_model_root, parse_manifest
from avatar_worker.preset import Preset
from avatar_worker.serving_settings import ServingSettings
from avatar_worker.storage import InitSettings

VECTORS_PATH = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "contract-vectors.json"
VECTORS: Dict[str, Any] = json.loads(VECTORS_PATH.read_text())


def verdict(run: Callable[[], object], refusal: type) -> str:
    """``accepted``, or the worker's message when it refuses with ``refusal``."""
    try:
        run()
    except refusal as error:
        return f"refused: {error}"
    return "accepted"


def cases(kind: str) -> List[Any]:
    return [pytest.param(case, id=case["name"]) for case in VECTORS[kind]]


def test_the_file_holds_enough_rejected_cases() -> None:
    judged = VECTORS["manifests"] + VECTORS["presets"] + VECTORS["jobs"] + VECTORS["workerSettings"] + VECTORS["initSettings"]
    assert sum(1 for c in judged if not c["accepted"]) >= 40


def test_the_shared_constants_are_the_workers() -> None:
    constants = VECTORS["constants"]
    assert constants["volumeMountPath"] == contract.VOLUME_MOUNT_PATH
    assert constants["defaultModelRoot"] == contract.DEFAULT_MODEL_ROOT
    assert constants["fps"] == contract.FPS
    assert constants["framesPerChunk"] == contract.FRAMES_PER_CHUNK
    assert tuple(constants["resolutions"]) == contract.RESOLUTIONS
    assert constants["maxSampleSteps"] == contract.MAX_SAMPLE_STEPS
    assert constants["lorasIgnoredUnderQuantization"] == contract.LORAS_IGNORED_UNDER_QUANTIZATION
    names = {k: v for k, v in vars(contract.Env).items() if not k.startswith("_")}
    assert set(constants["environment"].values()) <= set(names.values())

    def bound(b: contract.Bound) -> Dict[str, Any]:
        out = {"min": b.min, "max": b.max, "integer": b.integer}
        return {**out, "minExclusive": True} if b.min_exclusive else out

    assert constants["presetBounds"] == {k: bound(b) for k, b in contract.PRESET_BOUNDS.items()}
    for table, settings in (("servingSettings", contract.SERVING_SETTINGS), ("initSettings", contract.INIT_SETTINGS)):
        assert constants[table] == {
            k: {"env": s.env, "default": s.default, **bound(s.bound)} for k, s in settings.items()
        }, table


@pytest.mark.parametrize("vector", VECTORS["canonicalJson"], ids=lambda v: str(v["sha256"])[:12])
def test_canonical_json_and_hash(vector: Dict[str, Any]) -> None:
    assert canonical_json(vector["value"]) == vector["canonical"]
    assert hashlib.sha256(vector["canonical"].encode("ascii")).hexdigest() == vector["sha256"]


@pytest.mark.parametrize("vector", VECTORS["fnmatch"], ids=lambda v: f"{v['pattern']}~{v['path']}")
def test_include_patterns_select_what_the_constructs_expect(vector: Dict[str, Any]) -> None:
    model = contract.ModelFiles("m", "m", (vector["pattern"],), ())
    assert contract.manifest_covers([model], "m/" + vector["path"]) is vector["matches"]


@pytest.mark.parametrize("case", cases("manifests"))
def test_manifest(case: Dict[str, Any]) -> None:
    def run() -> None:
        manifest = parse_manifest(canonical_json(case["document"]))
        check_model_root(manifest, case.get("modelRoot", contract.DEFAULT_MODEL_ROOT))

    result = verdict(run, ManifestInvalid)
    assert (result == "accepted") is case["accepted"], result


@pytest.mark.parametrize("case", cases("presets"))
def test_preset(case: Dict[str, Any]) -> None:
    result = verdict(lambda: Preset.from_document(case["document"]), WorkerMisconfigured)
    assert (result == "accepted") is case["accepted"], result


@pytest.mark.parametrize("case", cases("jobs"))
def test_job(case: Dict[str, Any]) -> None:
    preset = Preset.from_document(case["preset"])
    result = verdict(lambda: parse_job_input(case["input"], preset, case["maxAudioSeconds"]), InputInvalid)
    assert (result == "accepted") is case["accepted"], result


@pytest.mark.parametrize("case", cases("workerSettings"))
def test_worker_settings(case: Dict[str, Any]) -> None:
    result = verdict(lambda: ServingSettings.from_env(case["environment"]), WorkerMisconfigured)
    assert (result == "accepted") is case["accepted"], result


@pytest.mark.parametrize("case", cases("initSettings"))
def test_init_settings(case: Dict[str, Any]) -> None:
    # init reads its settings within the contract's bounds: it must accept what the constructs send.
    result = verdict(lambda: InitSettings.from_env(case["environment"]), UsageError)
    assert (result == "accepted") is case["accepted"], result


def test_runpod_s3_endpoints_name_their_data_centre() -> None:
    for vector in VECTORS["runpodS3"]["endpoints"]:
        assert contract.runpod_s3_data_center(vector["endpointUrl"]) == vector["dataCenter"]
        assert contract.runpod_s3_data_center(vector["endpointUrl"] + "/") == vector["dataCenter"]
    for url in VECTORS["runpodS3"]["notRunpod"]:
        assert contract.runpod_s3_data_center(url) is None


def test_every_bound_of_the_presets_is_probed_at_both_ends() -> None:
    probed = {key for case in VECTORS["presets"] for key in case["name"].split()[:1]}
    expected = {"sampleSteps", "textGuideScale", "audioGuideScale", "colorCorrectionStrength", "shift480", "shift720", "motionFrame", "maxStepsPerJob"}
    assert expected <= probed
    assert dataclasses.fields(contract.Bound)
