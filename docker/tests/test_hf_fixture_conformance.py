"""The loopback Hub answers huggingface_hub's own download paths, so tests against it mean something."""

from __future__ import annotations

from pathlib import Path

import huggingface_hub
from huggingface_hub import HfApi, hf_hub_download, snapshot_download

from .hf_server import HUGGINGFACE_HUB_VERSION_TARGETED, INFINITETALK_REPO, LARGE_FILE, WAV2VEC_REPO, HubFixture


def test_targets_the_pinned_client_version() -> None:
    assert huggingface_hub.__version__ == HUGGINGFACE_HUB_VERSION_TARGETED


def test_model_info_with_files_metadata(hub: HubFixture) -> None:
    info = HfApi(endpoint=hub.url).model_info(WAV2VEC_REPO, revision="refs/pr/1", files_metadata=True)
    assert info.sha == hub.repos[WAV2VEC_REPO].refs["refs/pr/1"]
    siblings = {s.rfilename: s for s in info.siblings or []}
    weights = siblings["model.safetensors"]
    assert weights.lfs is not None and weights.lfs.sha256 == hub.file(WAV2VEC_REPO, "model.safetensors", "refs/pr/1").sha256
    assert siblings["config.json"].lfs is None and siblings["config.json"].blob_id


def test_library_downloads_work_against_the_fixture(hub: HubFixture, tmp_path: Path) -> None:
    path = hf_hub_download(
        INFINITETALK_REPO, LARGE_FILE, endpoint=hub.url, cache_dir=tmp_path / "cache", token=False
    )
    assert Path(path).read_bytes() == hub.file(INFINITETALK_REPO, LARGE_FILE).content
    folder = snapshot_download(
        WAV2VEC_REPO,
        revision="refs/pr/1",
        endpoint=hub.url,
        local_dir=tmp_path / "wav2vec",
        allow_patterns=["*.json", "model.safetensors"],
        token=False,
    )
    assert (Path(folder) / "model.safetensors").read_bytes() == hub.file(WAV2VEC_REPO, "model.safetensors", "refs/pr/1").content
