"""Hub failures map to HUB_UNAUTHORIZED / HUB_NOT_FOUND / HUB_UNAVAILABLE with actionable messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from avatar_worker.manifest import canonical_json, manifest_sha256

from .conftest import run_cli
from .hf_server import INFINITETALK_REPO, LARGE_FILE, WAN_REPO, HubFixture


def with_manifest(env: Dict[str, str], document: Dict[str, Any]) -> Dict[str, str]:
    return {**env, "AVATAR_MODEL_MANIFEST": canonical_json(document), "AVATAR_MODEL_MANIFEST_SHA256": manifest_sha256(document)}


def test_private_repo_without_token_is_unauthorized(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    hub.repos[WAN_REPO].private = True
    hub.faults.token = "hf_secret"
    run = run_cli(["init"], worker_env)
    assert run.returncode == 77
    error = run.result["error"]
    assert error["code"] == "HUB_UNAUTHORIZED"
    assert "HTTP 401" in error["message"] and WAN_REPO in error["message"] and "set HF_TOKEN" in error["message"]
    assert "Traceback" not in run.stdout + run.stderr


def test_wrong_token_is_unauthorized_and_right_token_works(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    hub.repos[WAN_REPO].private = True
    hub.faults.token = "hf_secret"
    wrong = run_cli(["init"], {**worker_env, "HF_TOKEN": "hf_wrong"})
    assert wrong.returncode == 77
    assert "token in HF_TOKEN was refused" in wrong.result["error"]["message"]
    right = run_cli(["init"], {**worker_env, "HF_TOKEN": "hf_secret"})
    assert right.returncode == 0, right.stdout
    assert all(r.authorization for r in hub.requests if r.kind in ("api", "resolve-content"))
    # The token is not sent to the CDN host the Hub redirects LFS downloads to.
    # (Same host in this fixture, so requests keeps it; the real CDN is another host.)
    assert "hf_secret" not in right.stdout + right.stderr


def test_forbidden_content_is_unauthorized(hub: HubFixture, worker_env: Dict[str, str]) -> None:
    hub.faults.content_status["config.json"] = [-403]
    run = run_cli(["init"], worker_env)
    assert run.returncode == 77
    assert run.result["error"]["code"] == "HUB_UNAUTHORIZED"


def test_missing_repo_is_not_found(worker_env: Dict[str, str], manifest_document: Dict[str, Any]) -> None:
    manifest_document["models"][0]["repo"] = "Wan-AI/No-Such-Model"
    run = run_cli(["init"], with_manifest(worker_env, manifest_document))
    assert run.returncode == 66
    error = run.result["error"]
    assert error["code"] == "HUB_NOT_FOUND"
    assert "repository Wan-AI/No-Such-Model (revision main) does not exist" in error["message"]


def test_missing_revision_is_not_found(worker_env: Dict[str, str], manifest_document: Dict[str, Any]) -> None:
    manifest_document["models"][3]["revision"] = "refs/pr/99"
    run = run_cli(["init"], with_manifest(worker_env, manifest_document))
    assert run.returncode == 66
    assert run.result["error"]["code"] == "HUB_NOT_FOUND"
    assert "revision 'refs/pr/99' of TencentGameMate/chinese-wav2vec2-base does not exist" in run.result["error"]["message"]


def test_missing_literal_include_is_not_found(worker_env: Dict[str, str], manifest_document: Dict[str, Any]) -> None:
    manifest_document["models"][1]["include"].append("quant_models/infinitetalk_single_int8.safetensors")
    run = run_cli(["init"], with_manifest(worker_env, manifest_document))
    assert run.returncode == 66
    assert "has no file quant_models/infinitetalk_single_int8.safetensors" in run.result["error"]["message"]


def test_transient_5xx_is_retried(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    hub.faults.api_status[INFINITETALK_REPO] = [500, 503]
    hub.faults.content_status[LARGE_FILE] = [502]
    run = run_cli(["init"], worker_env)
    assert run.returncode == 0, run.stdout
    api = [r.status for r in hub.requests if r.kind == "api" and INFINITETALK_REPO in r.path]
    assert api == [500, 503, 200]
    assert [r.status for r in hub.requests if r.file == LARGE_FILE] == [502, 302, 200]  # 302: CDN redirect


def test_persistent_5xx_is_unavailable(hub: HubFixture, worker_env: Dict[str, str], volume: Path) -> None:
    hub.faults.api_status[WAN_REPO] = [-500]
    run = run_cli(["init"], {**worker_env, "AVATAR_DOWNLOAD_ATTEMPTS": "3"})
    assert run.returncode == 69
    error = run.result["error"]
    assert error["code"] == "HUB_UNAVAILABLE"
    assert "failed 3 times" in error["message"] and WAN_REPO in error["message"]
    assert len([r for r in hub.requests if r.kind == "api"]) == 3


def test_unreachable_endpoint_is_unavailable(worker_env: Dict[str, str]) -> None:
    import socket

    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = run_cli(["init"], {**worker_env, "HF_ENDPOINT": f"http://127.0.0.1:{port}", "AVATAR_DOWNLOAD_ATTEMPTS": "2"})
    assert run.returncode == 69
    assert run.result["error"]["code"] == "HUB_UNAVAILABLE"
