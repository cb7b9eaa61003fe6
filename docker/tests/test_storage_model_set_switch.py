"""Switching a volume between the built-in model sets: fp8 -> bf16 -> fp8 on a volume sized like the real one.

The volume is a tmpfs sized like the auto-sized ``ModelVolume`` (``recommendedVolumeSizeGb``) scaled by
:data:`SCALE`, grown in place from the fp8 size to the bf16 size as RunPod grows a volume (it never
shrinks one, so the switch back keeps the bf16 size). Neither switch fits unless init first removes
the files the new manifest no longer lists: the test asserts that arithmetic before it runs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterator

import pytest

from avatar_worker.storage import read_lock
from avatar_worker.storage.prune import find_unlisted_files

from .catalog_world import CatalogModelSet, bf16, catalog_hub, files_of, fp8  # noqa: F401 (fixtures)
from .conftest import CliRun, make_env, run_cli
from .hf_server import HubFile, HubFixture
from .tmpfs import grow_tmpfs, mounted_tmpfs

#: 1 GB of the real sets is 1 MB here (fp8: about 32 MB on a 40 MB volume; bf16: 94 MB on 115 MB).
SCALE = 1e-3


@pytest.fixture()
def switch_hub(fp8: CatalogModelSet, bf16: CatalogModelSet) -> Iterator[HubFixture]:  # noqa: F811
    with catalog_hub([fp8, bf16], SCALE) as fixture:
        yield fixture


def init(hub: HubFixture, model_set: CatalogModelSet, root: Path, home: Path) -> CliRun:
    return run_cli(["init"], make_env(hub.url, model_set.manifest, root, home))


def assert_volume_holds_exactly(hub: HubFixture, model_set: CatalogModelSet, root: Path, home: Path) -> None:
    """verify passes for the set, and the model root holds its files and init's own files, nothing else."""
    verify = run_cli(["verify", "--hashes"], make_env(hub.url, model_set.manifest, root, home))
    assert verify.returncode == 0, verify.stdout
    lock = read_lock(root)
    assert lock is not None and lock.manifest_sha256 == model_set.sha256
    expected = files_of(model_set.manifest, hub)
    assert set(lock.files_by_volume_path()) == set(expected)
    assert find_unlisted_files(root, set(expected)).paths == ()


def bytes_of(files: Dict[str, HubFile]) -> int:
    return sum(f.size for f in files.values())


@pytest.mark.needs_root
@pytest.mark.slow
def test_fp8_to_bf16_and_back_on_the_auto_sized_volume(
    switch_hub: HubFixture, fp8: CatalogModelSet, bf16: CatalogModelSet, tmp_path: Path  # noqa: F811
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    fp8_files, bf16_files = files_of(fp8.manifest, switch_hub), files_of(bf16.manifest, switch_hub)
    shared = set(fp8_files) & set(bf16_files)
    assert shared, "the sets share the Wan VAE, CLIP and tokenizers and wav2vec2"
    fp8_only = bytes_of({p: f for p, f in fp8_files.items() if p not in shared})
    bf16_only = bytes_of({p: f for p, f in bf16_files.items() if p not in shared})
    bf16_volume = bf16.scaled_volume_bytes(SCALE)
    # Without removal neither switch fits: what is on the volume plus what is still to download.
    assert bytes_of(fp8_files) + bf16_only > bf16_volume
    assert bytes_of(bf16_files) + fp8_only > bf16_volume

    with mounted_tmpfs(tmp_path / "runpod-volume", fp8.scaled_volume_bytes(SCALE)) as volume:
        root = volume / "infinitetalk"
        # Something else on the volume, outside the model root (as S3 uploads to the volume land).
        outside = volume / "avatar-videos" / "2026-11-29" / "job.mp4"
        outside.parent.mkdir(parents=True)
        outside.write_bytes(b"not a model file")

        first = init(switch_hub, fp8, root, home)
        assert first.returncode == 0, first.stdout
        assert first.result["removedFiles"] == 0
        assert_volume_holds_exactly(switch_hub, fp8, root, home)

        grow_tmpfs(volume, bf16_volume)
        to_bf16 = init(switch_hub, bf16, root, home)
        assert to_bf16.returncode == 0, to_bf16.stdout
        assert to_bf16.result["removedBytes"] == fp8_only
        assert to_bf16.result["reusedFiles"] == len(shared)
        assert_volume_holds_exactly(switch_hub, bf16, root, home)

        back_to_fp8 = init(switch_hub, fp8, root, home)
        assert back_to_fp8.returncode == 0, back_to_fp8.stdout
        assert back_to_fp8.result["removedBytes"] == bf16_only
        assert back_to_fp8.result["downloadedBytes"] == fp8_only
        assert_volume_holds_exactly(switch_hub, fp8, root, home)

        assert outside.read_bytes() == b"not a model file"
