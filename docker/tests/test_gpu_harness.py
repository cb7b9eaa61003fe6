"""The GPU harness (docker/gpu) runs only on a GPU machine; what of it can run on CPU is checked here,
so a refactor of the worker does not break it unseen (on 2026-12-04 a move in the storage package broke
layout.py's lock import and cost a device run): the lock it writes is the one ``init`` writes, which
the worker's ``verify`` accepts, and the DiT size it records for scaling per block is right."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Dict, List

import torch

from avatar_worker.fp8_linear import Fp8Linear, quantize_per_channel
from avatar_worker.manifest import canonical_json, load_manifest_from_env
from avatar_worker.storage import verify_volume

from .catalog_world import CatalogModelSet, bf16  # noqa: F401 - pytest fixture

GPU_HARNESS = Path(__file__).resolve().parents[1] / "gpu"


def load_harness_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"gpu_{name}", GPU_HARNESS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lay_out(manifest: Dict[str, Any], root: Path) -> List[Dict[str, Any]]:
    """One small file per include pattern of every model, as the harness's ``build`` reports them."""
    built = []
    for model in manifest["models"]:
        files = []
        for index, pattern in enumerate(model["include"]):
            name = pattern.replace("*", "00001")
            path = root / model["directory"] / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"{model['name']}:{index}".encode())
            files.append((name, path.stat().st_size))
        built.append({"model": model, "files": files})
    return built


def test_the_harness_lock_is_accepted_by_verify_with_hashes(bf16: CatalogModelSet, tmp_path: Path) -> None:  # noqa: F811
    layout = load_harness_module("layout")
    manifest_json = canonical_json(bf16.manifest)
    built = lay_out(bf16.manifest, tmp_path)
    layout.write_lock(manifest_json, built, tmp_path)
    manifest = load_manifest_from_env({"AVATAR_MODEL_MANIFEST": manifest_json, "AVATAR_MODEL_MANIFEST_SHA256": bf16.sha256})
    report = verify_volume(manifest, tmp_path, hashes=True)
    assert report.status == "ok", report.message
    assert report.files_checked == sum(len(entry["files"]) for entry in built)
    # A byte changed after the lock was written is what verify --hashes exists to catch.
    first = built[0]
    damaged = tmp_path / first["model"]["directory"] / first["files"][0][0]
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"!")
    assert verify_volume(manifest, tmp_path, hashes=True).status == "files"


def test_the_dit_size_counts_each_block_and_the_rest_with_buffers() -> None:
    """``measure`` scales runs with fewer DiT blocks by these figures; Fp8Linear keeps its weights as buffers."""
    harness = load_harness_module("harness")
    data, scale = quantize_per_channel(torch.randn(8, 4), torch.bfloat16)
    model = torch.nn.Module()
    model.blocks = torch.nn.ModuleList([torch.nn.Sequential(torch.nn.Linear(4, 8, dtype=torch.bfloat16), Fp8Linear(data, scale, None)) for _ in range(3)])
    model.head = torch.nn.Linear(8, 2)
    size = harness.dit_size(model)
    per_block_params = 4 * 8 + 8 + data.numel() + scale.numel()
    assert size["blocks"] == 3
    assert size["params_per_block"] == per_block_params
    assert size["bytes_per_block"] == (4 * 8 + 8) * 2 + data.numel() * 1 + scale.numel() * scale.element_size()
    assert size["params_outside_blocks"] == 8 * 2 + 2
    assert size["bytes_outside_blocks"] == (8 * 2 + 2) * 4
