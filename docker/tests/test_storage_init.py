"""End-to-end ``init`` then ``verify`` through ``python -m avatar_worker`` against the loopback Hub."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Dict

from avatar_worker.storage import INIT_MUTEX_NAME, LOCK_FILE_NAME

from .conftest import run_cli
from .hf_server import INFINITETALK_REPO, LARGE_FILE, WAN_REPO, WAV2VEC_REPO, HubFixture

EXPECTED_FILES = {
    "Wan2.1-I2V-14B-480P/config.json": (WAN_REPO, "config.json", "main"),
    "Wan2.1-I2V-14B-480P/Wan2.1_VAE.pth": (WAN_REPO, "Wan2.1_VAE.pth", "main"),
    "Wan2.1-I2V-14B-480P/google/umt5-xxl/tokenizer_config.json": (WAN_REPO, "google/umt5-xxl/tokenizer_config.json", "main"),
    "Wan2.1-I2V-14B-480P/google/umt5-xxl/spiece.model": (WAN_REPO, "google/umt5-xxl/spiece.model", "main"),
    f"InfiniteTalk/{LARGE_FILE}": (INFINITETALK_REPO, LARGE_FILE, "main"),
    "InfiniteTalk/quant_models/infinitetalk_single_fp8.json": (INFINITETALK_REPO, "quant_models/infinitetalk_single_fp8.json", "main"),
    "InfiniteTalk/quant_models/t5_fp8.safetensors": (INFINITETALK_REPO, "quant_models/t5_fp8.safetensors", "main"),
    "InfiniteTalk/quant_models/t5_map_fp8.json": (INFINITETALK_REPO, "quant_models/t5_map_fp8.json", "main"),
    "chinese-wav2vec2-base/config.json": (WAV2VEC_REPO, "config.json", "main"),
    "chinese-wav2vec2-base/preprocessor_config.json": (WAV2VEC_REPO, "preprocessor_config.json", "main"),
    "chinese-wav2vec2-base/model.safetensors": (WAV2VEC_REPO, "model.safetensors", "refs/pr/1"),
}


def assert_volume_complete(hub: HubFixture, volume: Path) -> None:
    """Every expected file is in place with the Hub's bytes; nothing else but the lock."""
    for volume_path, (repo, path, revision) in EXPECTED_FILES.items():
        assert (volume / volume_path).read_bytes() == hub.file(repo, path, revision).content, volume_path
    present = {str(p.relative_to(volume)) for p in volume.rglob("*") if p.is_file()}
    assert present == set(EXPECTED_FILES) | {LOCK_FILE_NAME}


def test_init_downloads_the_selected_files_and_verify_accepts_them(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    run = run_cli(["init"], worker_env)
    assert run.returncode == 0, run.stdout + run.stderr
    result = run.result
    assert result["mode"] == "init" and result["ok"] is True
    assert result["manifestSha256"] == worker_env["AVATAR_MODEL_MANIFEST_SHA256"]
    assert result["files"] == len(EXPECTED_FILES)
    expected_total = sum(hub.file(r, p, v).size for r, p, v in EXPECTED_FILES.values())
    assert result["totalBytes"] == expected_total == result["downloadedBytes"]
    assert result["lockFile"] == str(volume / LOCK_FILE_NAME)
    assert_volume_complete(hub, volume)
    assert not (volume / INIT_MUTEX_NAME).exists()

    # Excluded and unselected files were never requested.
    requested = {r.file for r in hub.requests if r.file}
    assert not requested & {"examples/i2v_input.JPG", "assets/logo.png", "README.md", "single/infinitetalk.safetensors"}
    # LFS files went through the CDN redirect; the token-less run sent no Authorization.
    assert any(r.kind == "cdn" and r.file == LARGE_FILE for r in hub.requests)

    lock = json.loads((volume / LOCK_FILE_NAME).read_text())
    assert lock["formatVersion"] == 1
    assert lock["manifestSha256"] == worker_env["AVATAR_MODEL_MANIFEST_SHA256"]
    assert lock["totalBytes"] == expected_total
    by_name = {m["name"]: m for m in lock["models"]}
    wav2vec = by_name["wav2vec-safetensors"]
    assert wav2vec["revision"] == "refs/pr/1"
    assert wav2vec["commit"] == hub.repos[WAV2VEC_REPO].refs["refs/pr/1"] != hub.repos[WAV2VEC_REPO].refs["main"]
    for model in lock["models"]:
        assert len(model["commit"]) == 40
        for f in model["files"]:
            content = (volume / model["directory"] / f["path"]).read_bytes()
            assert f["size"] == len(content)
            assert f["sha256"] == hashlib.sha256(content).hexdigest()  # also for non-LFS files

    for args in (["verify"], ["verify", "--hashes"]):
        verify = run_cli(args, worker_env)
        assert verify.returncode == 0, verify.stdout
        assert verify.result["ok"] is True and verify.result["status"] == "ok"
        assert verify.result["filesChecked"] == len(EXPECTED_FILES)


def test_output_is_json_lines_with_progress_and_one_final_result(worker_env: Dict[str, str]) -> None:
    run = run_cli(["init"], worker_env)
    assert run.returncode == 0
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert all(isinstance(json.loads(line), dict) and "event" in json.loads(line) for line in lines)
    events = run.events
    assert events[-1]["event"] == "result"
    assert [e["event"] for e in events].count("result") == 1
    logs = [e for e in events if e["event"] == "log"]
    assert all({"level", "stage", "message"} <= set(e) for e in logs)
    progress = [e for e in events if e["event"] == "progress"]
    assert progress, "at least the final progress line"
    for e in progress:
        assert e["stage"] == "download"
        assert {"file", "bytesDone", "bytesTotal", "rateBytesPerSecond", "etaSeconds"} <= set(e)
        assert 0 <= e["bytesDone"] <= e["bytesTotal"]
    assert progress[-1]["bytesDone"] == progress[-1]["bytesTotal"] == run.result["downloadedBytes"]
    assert [e["bytesDone"] for e in progress] == sorted(e["bytesDone"] for e in progress)


def test_second_init_on_a_ready_volume_downloads_nothing(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    assert run_cli(["init"], worker_env).returncode == 0
    hub.clear_log()
    again = run_cli(["init"], worker_env)
    assert again.returncode == 0
    assert again.result["alreadyReady"] is True
    assert again.result["downloadedBytes"] == 0
    # Not a single request: it trusts the lock and the sizes (no Hub round trip, no re-hash).
    assert hub.requests == []


def test_init_after_a_manifest_change_fetches_only_what_is_new(
    hub: HubFixture, worker_env: Dict[str, str], manifest_document: Dict[str, Any], volume: Path
) -> None:
    assert run_cli(["init"], worker_env).returncode == 0
    hub.clear_log()
    manifest_document["models"][1]["include"].append("single/infinitetalk.safetensors")
    from avatar_worker.manifest import canonical_json, manifest_sha256

    env = {
        **worker_env,
        "AVATAR_MODEL_MANIFEST": canonical_json(manifest_document),
        "AVATAR_MODEL_MANIFEST_SHA256": manifest_sha256(manifest_document),
    }
    verify = run_cli(["verify"], env)
    assert verify.returncode == 3 and verify.result["error"]["code"] == "LOCK_MANIFEST_MISMATCH"
    run = run_cli(["init"], env)
    assert run.returncode == 0, run.stdout
    assert {r.file for r in hub.content_requests()} == {"single/infinitetalk.safetensors"}
    assert run.result["downloadedFiles"] == 1 and run.result["reusedFiles"] == len(EXPECTED_FILES)
    assert run_cli(["verify"], env).returncode == 0


def test_verify_reports_each_kind_of_mismatch_with_its_exit_code(worker_env: Dict[str, str], volume: Path) -> None:
    none = run_cli(["verify"], worker_env)
    assert none.returncode == 2
    assert none.result["error"]["code"] == "LOCK_MISSING"
    assert "storage init job has not completed" in none.result["error"]["message"]

    assert run_cli(["init"], worker_env).returncode == 0

    other = dict(worker_env)
    document = json.loads(worker_env["AVATAR_MODEL_MANIFEST"])
    document["modelSet"] = "fp8-other"
    from avatar_worker.manifest import canonical_json, manifest_sha256

    other["AVATAR_MODEL_MANIFEST"] = canonical_json(document)
    other["AVATAR_MODEL_MANIFEST_SHA256"] = manifest_sha256(document)
    mismatch = run_cli(["verify"], other)
    assert mismatch.returncode == 3
    assert "written for manifest" in mismatch.result["error"]["message"]

    lock_path = volume / LOCK_FILE_NAME
    lock = json.loads(lock_path.read_text())
    lock["formatVersion"] = 9
    lock_path.write_text(json.dumps(lock))
    wrong_format = run_cli(["verify"], worker_env)
    assert wrong_format.returncode == 3 and "format version 9" in wrong_format.result["error"]["message"]
    lock["formatVersion"] = 1
    lock_path.write_text(json.dumps(lock))

    (volume / "Wan2.1-I2V-14B-480P/config.json").unlink()
    spiece = volume / "Wan2.1-I2V-14B-480P/google/umt5-xxl/spiece.model"
    spiece.write_bytes(spiece.read_bytes()[:-10])
    t5 = volume / "InfiniteTalk/quant_models/t5_fp8.safetensors"
    t5.write_bytes(t5.read_bytes() + b"extra")
    vae = volume / "Wan2.1-I2V-14B-480P/Wan2.1_VAE.pth"
    data = bytearray(vae.read_bytes())
    data[100] ^= 0xFF
    vae.write_bytes(bytes(data))

    by_size = run_cli(["verify"], worker_env)
    assert by_size.returncode == 4
    assert by_size.result["error"]["code"] == "VOLUME_FILES_MISMATCH"
    kinds = {p["path"]: p["kind"] for p in by_size.result["problems"]}
    assert kinds == {
        "Wan2.1-I2V-14B-480P/config.json": "missing",
        "Wan2.1-I2V-14B-480P/google/umt5-xxl/spiece.model": "short",
        "InfiniteTalk/quant_models/t5_fp8.safetensors": "long",
    }
    with_hashes = run_cli(["verify", "--hashes"], worker_env)
    assert with_hashes.returncode == 4
    kinds = {p["path"]: p["kind"] for p in with_hashes.result["problems"]}
    assert kinds["Wan2.1-I2V-14B-480P/Wan2.1_VAE.pth"] == "sha256"
    assert len(kinds) == 4
    errors = [e for e in with_hashes.events if e["event"] == "log" and e["level"] == "error"]
    assert len(errors) == 4

    # init repairs exactly the damaged files (re-hashing only where the lock cannot vouch).
    repair = run_cli(["init", "--rehash"], worker_env)
    assert repair.returncode == 0, repair.stdout
    assert repair.result["downloadedFiles"] == 4
    assert run_cli(["verify", "--hashes"], worker_env).returncode == 0

    lock_path.write_text("{not json")
    unreadable = run_cli(["verify"], worker_env)
    assert unreadable.returncode == 2 and "cannot be read" in unreadable.result["error"]["message"]
