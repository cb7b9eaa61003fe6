"""Manifest parsing, the canonical hash and the JSON-shape errors only the worker can meet.

Which manifests both sides accept is proven by the shared contract vectors
(``test_contract_vectors.py``); these tests cover what TypeScript cannot send: wrong JSON types,
missing keys, hash mismatches.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any, Dict

import pytest

from avatar_worker.errors import ManifestHashMismatch, ManifestInvalid, ManifestMissing
from avatar_worker.manifest import canonical_json, load_manifest_from_env, manifest_sha256, parse_manifest

from .test_contract_vectors import VECTORS

#: The fp8 manifest exactly as the constructs render it (the first canonical-JSON vector).
VECTOR = VECTORS["canonicalJson"][0]
VECTOR_MANIFEST: Dict[str, Any] = VECTOR["value"]


def test_the_hash_is_the_contract_one_liner_of_the_document() -> None:
    one_liner = hashlib.sha256(
        json.dumps(VECTOR_MANIFEST, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    ).hexdigest()
    assert VECTOR["sha256"] == one_liner == manifest_sha256(VECTOR_MANIFEST)
    # The hash is of the document, not of its whitespace or key order.
    reordered = json.dumps(dict(reversed(list(VECTOR_MANIFEST.items()))), indent=4)
    assert parse_manifest(reordered, VECTOR["sha256"]).sha256 == VECTOR["sha256"]


def test_parses_the_vector_into_typed_specs() -> None:
    manifest = parse_manifest(json.dumps(VECTOR_MANIFEST))
    assert manifest.format_version == 1
    assert manifest.model_set == "fp8"
    assert [m.name for m in manifest.models][0] == "wan-i2v-14b-480p"
    wav2vec = manifest.models[1]
    assert (wav2vec.revision, wav2vec.revision_pinned) == ("refs/pr/1", False)
    assert "model.safetensors" in (wav2vec.include or ())
    assert manifest.pipeline.quantization == "fp8"
    assert manifest.pipeline.quantized_dit_file == "InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors"
    assert manifest.expected_bytes == sum(m.expected_bytes or 0 for m in manifest.models)


def test_env_loading_checks_the_hash() -> None:
    text = json.dumps(VECTOR_MANIFEST)
    good = manifest_sha256(VECTOR_MANIFEST)
    assert load_manifest_from_env({"AVATAR_MODEL_MANIFEST": text, "AVATAR_MODEL_MANIFEST_SHA256": good.upper()}).sha256 == good
    with pytest.raises(ManifestHashMismatch, match="hashes to " + good):
        load_manifest_from_env({"AVATAR_MODEL_MANIFEST": text, "AVATAR_MODEL_MANIFEST_SHA256": "0" * 64})
    with pytest.raises(ManifestHashMismatch, match="not a 64-character hex"):
        load_manifest_from_env({"AVATAR_MODEL_MANIFEST": text, "AVATAR_MODEL_MANIFEST_SHA256": "abc"})


def test_missing_variables_name_the_variable_and_the_fix() -> None:
    with pytest.raises(ManifestMissing, match="AVATAR_MODEL_MANIFEST is not set"):
        load_manifest_from_env({})
    with pytest.raises(ManifestMissing, match=f"set it to {manifest_sha256(VECTOR_MANIFEST)}"):
        load_manifest_from_env({"AVATAR_MODEL_MANIFEST": json.dumps(VECTOR_MANIFEST)})


def _mutated(path: str, value: Any) -> Dict[str, Any]:
    document = copy.deepcopy(VECTOR_MANIFEST)
    target: Any = document
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return document


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("formatVersion", 2, "understands 1"),
        ("formatVersion", True, "formatVersion must be an integer"),
        ("models", [], "non-empty list"),
        ("models.0.repo", "no-slash", "must be 'owner/name'"),
        ("models.0.revision", "", "revision must be a non-empty string"),
        ("models.0.revisionPinned", True, "revisionPinned is true but revision 'main' is not a 40-hex commit"),
        ("models.0.include", [], "selects no file"),
        ("models.0.include", "config.json", "list of non-empty fnmatch patterns"),
        ("models.0.directory", "../escape", "relative path like"),
        ("models.0.directory", "/abs", "relative path"),
        ("models.1.name", "wan-i2v-14b-480p", "two models with name"),
        ("models.0.expectedBytes", -1, "integer >= 0"),
        ("pipeline.quantization", "fp4", "'fp8', 'int8' or null"),
        ("pipeline.loraScales", [1.0], "one scale per LoRA file"),
        ("pipeline.quantizedDitFile", None, "quantizedDitFile is null"),
        ("pipeline", _DELETE, "manifest.pipeline must be a JSON object"),
        ("modelSet", "fp8\u00e9", "non-ASCII"),
    ],
)
def test_invalid_manifests_name_the_field(path: str, value: Any, message: str) -> None:
    with pytest.raises(ManifestInvalid, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        parse_manifest(json.dumps(_mutated(path, value)))


def test_pinned_commit_is_accepted_and_unpinned_commit_rejected() -> None:
    commit = "a" * 40
    pinned = _mutated("models.0.revision", commit)
    pinned["models"][0]["revisionPinned"] = True
    assert parse_manifest(json.dumps(pinned)).models[0].revision_pinned is True
    pinned["models"][0]["revisionPinned"] = False
    with pytest.raises(ManifestInvalid, match="revisionPinned is false"):
        parse_manifest(json.dumps(pinned))


@pytest.mark.parametrize("text", ["", "{", "[1,2]", "null"])
def test_not_json_or_not_an_object(text: str) -> None:
    with pytest.raises(ManifestInvalid):
        parse_manifest(text)
