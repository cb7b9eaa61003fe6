"""What init removes from the model root, and what it never touches."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict

import pytest

from avatar_worker.manifest import canonical_json, manifest_sha256
from avatar_worker.storage import INIT_MUTEX_NAME, LOCK_FILE_NAME, PARTIAL_SUFFIX, WORKER_LEASE_DIRECTORY
from avatar_worker.storage.prune import find_unlisted_files, remove_unlisted_files

from .catalog_world import CatalogModelSet, bf16, catalog_hub, files_of, fp8  # noqa: F401 (fixtures)
from .conftest import make_env, run_cli
from .hf_server import MIB
from .tmpfs import mounted_tmpfs

LISTED = {"Wan/config.json", "Wan/google/umt5-xxl/spiece.model"}


def write(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_unlisted_files_go_and_init_s_own_files_stay(tmp_path: Path) -> None:
    root = tmp_path / "root"
    keep = [
        write(root / "Wan/config.json"),
        write(root / "Wan/google/umt5-xxl/spiece.model.partial"),  # a resumable download of a listed file
        write(root / LOCK_FILE_NAME),
        write(root / INIT_MUTEX_NAME),
        write(root / f"{INIT_MUTEX_NAME}.stale-0123"),
        write(root / WORKER_LEASE_DIRECTORY / "worker.json"),
    ]
    gone = [
        write(root / "InfiniteTalk/quant_models/t5_fp8.safetensors", b"12345"),
        write(root / "InfiniteTalk/single/infinitetalk.safetensors.partial", b"123"),
        write(root / f"{LOCK_FILE_NAME}.tmp-1-deadbeef"),  # left by a crash mid-write
        write(root / "Wan/README.md"),
    ]
    listed = LISTED | {p + PARTIAL_SUFFIX for p in LISTED}
    unlisted = find_unlisted_files(root, listed)
    assert unlisted.paths == tuple(sorted(str(p.relative_to(root)) for p in gone))
    assert unlisted.total_bytes == 5 + 3 + 1 + 1

    remove_unlisted_files(root, unlisted)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in gone)
    assert not (root / "InfiniteTalk").exists(), "directories left empty go too"
    assert (root / "Wan").is_dir() and root.is_dir()
    assert find_unlisted_files(root, listed).paths == ()


def test_links_are_removed_as_links_and_their_targets_stay(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = write(tmp_path / "elsewhere" / "precious.bin", b"outside the model root")
    write(root / "Wan/config.json")
    (root / "Wan/google").symlink_to(outside.parent, target_is_directory=True)  # where a listed file would be
    (root / "InfiniteTalk").mkdir()
    (root / "InfiniteTalk/weights.safetensors").symlink_to(outside)
    unlisted = find_unlisted_files(root, LISTED)
    assert unlisted.paths == ("InfiniteTalk/weights.safetensors", "Wan/google")
    assert unlisted.total_bytes == 0, "a link takes no room of its own"

    remove_unlisted_files(root, unlisted)
    assert outside.read_bytes() == b"outside the model root"
    assert not os.path.lexists(root / "Wan/google") and not (root / "InfiniteTalk").exists()


def test_the_lock_goes_before_the_files_it_lists(
    fp8: CatalogModelSet, bf16: CatalogModelSet, tmp_path: Path  # noqa: F811
) -> None:
    """A switch that fails after removing the old set's files leaves no lock that would vouch for them."""
    root = tmp_path / "infinitetalk"
    home = tmp_path / "home"
    home.mkdir()
    with catalog_hub([fp8, bf16], 1e-5) as hub:
        assert run_cli(["init"], make_env(hub.url, fp8.manifest, root, home)).returncode == 0
        bf16_only = set(files_of(bf16.manifest, hub)) - set(files_of(fp8.manifest, hub))
        for volume_path in bf16_only:  # the Hub fails every bf16 download, after resolution
            hub.faults.content_status[volume_path.split("/", 1)[1]] = [-503]
        failed = run_cli(["init"], make_env(hub.url, bf16.manifest, root, home, AVATAR_DOWNLOAD_ATTEMPTS="1"))
        assert failed.result["error"]["code"] == "HUB_UNAVAILABLE", failed.stdout
        assert any(e.get("removedBytes") for e in failed.events)
        verify = run_cli(["verify"], make_env(hub.url, fp8.manifest, root, home))
    assert verify.returncode == 2 and verify.result["error"]["code"] == "LOCK_MISSING"


@pytest.mark.needs_root
def test_a_model_root_that_is_a_mount_point_keeps_what_it_does_not_list(
    worker_env: Dict[str, str], tmp_path: Path
) -> None:
    with mounted_tmpfs(tmp_path / "runpod-volume", 64 * MIB) as volume:
        other = write(volume / "avatar-videos" / "job.mp4", b"a user's video")
        run = run_cli(["init"], {**worker_env, "AVATAR_MODEL_ROOT": str(volume)})
        assert run.returncode == 0, run.stdout
        assert other.read_bytes() == b"a user's video"
        assert run.result["removedFiles"] == 0
        assert any("is a mount point" in e.get("message", "") for e in run.events)


def test_a_manifest_cannot_place_files_in_the_lease_directory(worker_env: Dict[str, str], manifest_document: dict) -> None:
    manifest_document["models"][2]["directory"] = WORKER_LEASE_DIRECTORY
    run = run_cli(
        ["init"],
        {
            **worker_env,
            "AVATAR_MODEL_MANIFEST": canonical_json(manifest_document),
            "AVATAR_MODEL_MANIFEST_SHA256": manifest_sha256(manifest_document),
        },
    )
    assert run.returncode == 64
    assert run.result["error"]["code"] == "MANIFEST_INVALID" and WORKER_LEASE_DIRECTORY in run.result["error"]["message"]
