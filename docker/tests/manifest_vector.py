"""The shared manifest test vector (test/fixtures/manifest-vector.json), shared with the TypeScript suite.

Regenerate with ``python -m tests.manifest_vector`` from docker/ (it rewrites the file from
:data:`VECTOR_MANIFEST` with this package's canonical JSON and hash); the tests assert the file
is what this code produces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from avatar_worker.manifest import canonical_json, manifest_sha256

VECTOR_PATH = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "manifest-vector.json"

#: A realistic fp8 manifest per docs/CONTRACTS.md section 1 (sizes from INFINITETALK.md section 7).
VECTOR_MANIFEST: Dict[str, Any] = {
    "formatVersion": 1,
    "modelSet": "fp8",
    "models": [
        {
            "name": "wan-i2v-14b-480p",
            "repo": "Wan-AI/Wan2.1-I2V-14B-480P",
            "revision": "main",
            "revisionPinned": False,
            "include": [
                "config.json",
                "Wan2.1_VAE.pth",
                "models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth",
                "google/umt5-xxl/*",
                "xlm-roberta-large/*",
            ],
            "exclude": ["examples/*", "assets/*"],
            "directory": "Wan2.1-I2V-14B-480P",
            "expectedBytes": 5300000000,
        },
        {
            "name": "infinitetalk-fp8",
            "repo": "MeiGen-AI/InfiniteTalk",
            "revision": "main",
            "revisionPinned": False,
            "include": [
                "quant_models/infinitetalk_single_fp8.safetensors",
                "quant_models/infinitetalk_single_fp8.json",
                "quant_models/t5_fp8.safetensors",
                "quant_models/t5_map_fp8.json",
            ],
            "exclude": [],
            "directory": "InfiniteTalk",
            "expectedBytes": 26230000000,
        },
        {
            "name": "chinese-wav2vec2-base",
            "repo": "TencentGameMate/chinese-wav2vec2-base",
            "revision": "main",
            "revisionPinned": False,
            "include": ["config.json", "preprocessor_config.json"],
            "exclude": [],
            "directory": "chinese-wav2vec2-base",
            "expectedBytes": 4000,
        },
        {
            "name": "chinese-wav2vec2-base-safetensors",
            "repo": "TencentGameMate/chinese-wav2vec2-base",
            "revision": "refs/pr/1",
            "revisionPinned": False,
            "include": ["model.safetensors"],
            "exclude": [],
            "directory": "chinese-wav2vec2-base",
            "expectedBytes": 380000000,
        },
    ],
    "pipeline": {
        "checkpointDirectory": "Wan2.1-I2V-14B-480P",
        "wav2vecDirectory": "chinese-wav2vec2-base",
        "quantization": "fp8",
        "quantizedDitFile": "InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors",
        "infiniteTalkFile": None,
        "loraFiles": [],
        "loraScales": [],
    },
    "expectedBytes": 32000000000,
}


def vector_document() -> Dict[str, Any]:
    """The file's expected content."""
    return {
        "manifest": VECTOR_MANIFEST,
        "canonical": canonical_json(VECTOR_MANIFEST),
        "sha256": manifest_sha256(VECTOR_MANIFEST),
    }


def render() -> str:
    """The file's text (indented for review; the hash is of ``canonical``, not of this text)."""
    return json.dumps(vector_document(), indent=2) + "\n"


if __name__ == "__main__":  # pragma: no cover
    VECTOR_PATH.parent.mkdir(parents=True, exist_ok=True)
    VECTOR_PATH.write_text(render())
    print(f"wrote {VECTOR_PATH}: sha256 {manifest_sha256(VECTOR_MANIFEST)}")
