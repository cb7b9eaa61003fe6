"""The built-in model sets as the constructs render them, served by the loopback Hub, scaled down.

The manifests and volume sizes come from the compiled TypeScript library (``lib/``): the manifest of
``ModelManifest.of(ModelSet.X)`` and ``recommendedVolumeSizeGb(ModelSet.X)``, the size a
``ModelVolume`` gets when ``sizeGb`` is left out. A test that switches sets therefore switches exactly
what a user deploys.

The Hub world gets one file per include pattern of every model (``*`` becomes ``00001``), sized so a
model's files add up to its ``expectedBytes`` times ``scale``. A file that two sets share (the Wan
tokenizers, VAE and CLIP, wav2vec2) is the same file with one size, as on the real Hub; ``.json`` files
are stored in git, the rest in LFS, so both ways of verifying a download are exercised.
"""

from __future__ import annotations

import fnmatch
import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Sequence, Tuple

import pytest

from .hf_server import HubFile, HubFixture, HubRepo, deterministic_bytes
from .test_cross_language import rendered_by_typescript

#: Bytes of each small ``.json`` file (stored in git, not LFS).
JSON_FILE_BYTES = 200


@dataclass(frozen=True)
class CatalogModelSet:
    """One built-in model set as the constructs render it."""

    #: The ``ModelSet`` static it comes from, e.g. ``FP8``.
    name: str
    #: The manifest document (``ModelManifest.of(set).json`` parsed).
    manifest: Dict[str, Any]
    #: Its hash as the TypeScript side computes it.
    sha256: str
    #: The size of an auto-sized ``ModelVolume`` for the set.
    volume_size_gb: int

    def scaled_volume_bytes(self, scale: float) -> int:
        """The auto-sized volume in bytes, times ``scale``."""
        return round(self.volume_size_gb * 1_000_000_000 * scale)


def catalog_model_set(name: str) -> CatalogModelSet:
    """Read ``ModelSet.<name>`` from the compiled library."""
    model_set = f"lib.ModelSet.{name}"
    rendered = json.loads(
        rendered_by_typescript(
            f"JSON.stringify({{json: lib.ModelManifest.of({model_set}).json, "
            f"sha256: lib.ModelManifest.of({model_set}).sha256, size: lib.recommendedVolumeSizeGb({model_set})}})"
        )
    )
    return CatalogModelSet(name, json.loads(rendered["json"]), rendered["sha256"], int(rendered["size"]))


@pytest.fixture(scope="module")
def fp8() -> CatalogModelSet:
    """``ModelSet.FP8`` as the constructs render it."""
    return catalog_model_set("FP8")


@pytest.fixture(scope="module")
def bf16() -> CatalogModelSet:
    """``ModelSet.BF16_LIGHTX2V`` as the constructs render it."""
    return catalog_model_set("BF16_LIGHTX2V")


@contextmanager
def catalog_hub(sets: Sequence[CatalogModelSet], scale: float) -> Iterator[HubFixture]:
    """A started loopback Hub serving every file of ``sets``, scaled by ``scale``."""
    fixture = catalog_world(HubFixture(), [s.manifest for s in sets], scale).start()
    try:
        yield fixture
    finally:
        fixture.stop()


def catalog_world(fixture: HubFixture, manifests: Sequence[Dict[str, Any]], scale: float) -> HubFixture:
    """Populate ``fixture`` with every file ``manifests`` select, scaled by ``scale``."""
    sizes: Dict[Tuple[str, str, str], int] = {}  # (repo, revision, path) -> bytes
    for manifest in manifests:
        for model in manifest["models"]:
            key = (model["repo"], model["revision"])
            paths = [_file_for(pattern, model) for pattern in model["include"]]
            known = sum(sizes[(*key, p)] for p in paths if (*key, p) in sizes)
            new = [p for p in paths if (*key, p) not in sizes]
            json_files = [p for p in new if p.endswith(".json")]
            blobs = [p for p in new if not p.endswith(".json")]
            remaining = round(model["expectedBytes"] * scale) - known - JSON_FILE_BYTES * len(json_files)
            assert remaining >= len(blobs), f"{model['name']}: expectedBytes is smaller than the files it shares"
            for path in json_files:
                sizes[(*key, path)] = JSON_FILE_BYTES
            for index, path in enumerate(blobs):
                sizes[(*key, path)] = remaining // len(blobs) + (1 if index < remaining % len(blobs) else 0)
    repos: Dict[str, HubRepo] = {}
    files: Dict[Tuple[str, str], List[HubFile]] = {}
    for (repo, revision, path), size in sorted(sizes.items()):
        files.setdefault((repo, revision), []).append(
            HubFile(path, deterministic_bytes(f"{repo}/{path}", size), lfs=not path.endswith(".json"))
        )
    for (repo, revision), repo_files in files.items():
        repos.setdefault(repo, HubRepo(repo)).add_commit(revision, repo_files)
    for repo_object in repos.values():
        fixture.add_repo(repo_object)
    return fixture


def files_of(manifest: Dict[str, Any], fixture: HubFixture) -> Dict[str, HubFile]:
    """What ``manifest`` puts on the volume: ``<directory>/<path>`` -> the Hub's file."""
    placed = {}
    for model in manifest["models"]:
        for pattern in model["include"]:
            path = _file_for(pattern, model)
            placed[f"{model['directory']}/{path}"] = fixture.file(model["repo"], path, model["revision"])
    return placed


def _file_for(pattern: str, model: Dict[str, Any]) -> str:
    assert not any(c in pattern for c in "?["), f"{pattern}: only '*' globs are turned into files here"
    path = pattern.replace("*", "00001")
    assert not any(fnmatch.fnmatch(path, excluded) for excluded in model.get("exclude") or []), path
    return path
