"""The model manifest (docs/CONTRACTS.md section 1): parsing, validation and the canonical hash.

The TypeScript catalog is the single source of the model set; this module only reads what it
rendered, with the rules of :mod:`avatar_worker.contract` (the constructs check the same rules
before they render it). Parsing is pure (``parse_manifest`` takes text);
``load_manifest_from_env`` is the one place that reads the environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from . import contract
from .contract import Env
from .errors import ManifestHashMismatch, ManifestInvalid, ManifestMissing

#: The manifest and lock-file format this worker understands.
SUPPORTED_FORMAT_VERSION = contract.MANIFEST_FORMAT_VERSION

MANIFEST_ENV = Env.MODEL_MANIFEST
MANIFEST_SHA256_ENV = Env.MODEL_MANIFEST_SHA256

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def canonical_json(document: Any) -> str:
    """Return the canonical text of a JSON value: keys sorted recursively, no whitespace, ASCII.

    This is exactly the rule of docs/CONTRACTS.md section 1; the TypeScript side must produce the
    same bytes for the same document.
    """
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def manifest_sha256(document: Any) -> str:
    """Return the lower-case hex sha256 of :func:`canonical_json` of ``document``."""
    return hashlib.sha256(canonical_json(document).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ModelSpec:
    """One Hugging Face repository (at one revision) whose selected files land in ``directory``."""

    name: str
    repo: str
    revision: str
    revision_pinned: bool
    include: Optional[Tuple[str, ...]]
    exclude: Optional[Tuple[str, ...]]
    directory: str
    expected_bytes: Optional[int]


#: Where the serving pipeline finds its files, relative to the model root: the contract's shape.
PipelineSpec = contract.PipelineFiles


@dataclass(frozen=True)
class Manifest:
    """A validated manifest plus its canonical hash. ``document`` is the parsed JSON as received."""

    format_version: int
    model_set: str
    models: Tuple[ModelSpec, ...]
    pipeline: PipelineSpec
    expected_bytes: Optional[int]
    sha256: str
    document: Mapping[str, Any]


def parse_manifest(text: str, expected_sha256: Optional[str] = None) -> Manifest:
    """Parse and validate manifest ``text``; if ``expected_sha256`` is given, it must match.

    Raises :class:`ManifestInvalid` naming the offending field, or :class:`ManifestHashMismatch`.
    """
    try:
        document = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ManifestInvalid(
            f"{MANIFEST_ENV} is not valid JSON ({error}); it must hold the manifest rendered by the "
            "TypeScript model catalog"
        ) from error
    manifest = manifest_from_document(document)
    if expected_sha256 is not None:
        wanted = expected_sha256.strip().lower()
        if not _SHA256_RE.match(wanted):
            raise ManifestHashMismatch(
                f"{MANIFEST_SHA256_ENV} is {expected_sha256!r}, not a 64-character hex sha256; "
                f"the manifest's hash is {manifest.sha256}"
            )
        if wanted != manifest.sha256:
            raise ManifestHashMismatch(
                f"{MANIFEST_SHA256_ENV} is {wanted} but the manifest in {MANIFEST_ENV} hashes to "
                f"{manifest.sha256}: the two variables come from different deployments; redeploy so "
                "both are rendered from the same model set"
            )
    return manifest


def load_manifest_from_env(environ: Optional[Mapping[str, str]] = None) -> Manifest:
    """Read and check the manifest from ``AVATAR_MODEL_MANIFEST`` and ``AVATAR_MODEL_MANIFEST_SHA256``."""
    env = os.environ if environ is None else environ
    text = env.get(MANIFEST_ENV, "")
    if not text.strip():
        raise ManifestMissing(
            f"{MANIFEST_ENV} is not set: the worker needs the model manifest; it is set by "
            "StorageInitJob and AvatarServerlessEndpoint (for a manual run, export the manifest JSON)"
        )
    expected = env.get(MANIFEST_SHA256_ENV, "")
    if not expected.strip():
        # Parse first so the message can tell the user the value to set.
        manifest = parse_manifest(text)
        raise ManifestMissing(
            f"{MANIFEST_SHA256_ENV} is not set: the worker refuses a manifest whose hash it cannot "
            f"check; set it to {manifest.sha256} (the hash of the manifest in {MANIFEST_ENV})"
        )
    return parse_manifest(text, expected)


def manifest_from_document(document: Any) -> Manifest:
    """Validate an already-parsed JSON document and build a :class:`Manifest`."""
    where = "manifest"
    obj = _object(document, where)
    format_version = _integer(obj, "formatVersion", where, minimum=1)
    if format_version != SUPPORTED_FORMAT_VERSION:
        raise ManifestInvalid(
            f"manifest.formatVersion is {format_version} but this worker image understands "
            f"{SUPPORTED_FORMAT_VERSION}: use a worker image that matches the construct library version"
        )
    _check_ascii(document, where)
    model_set = _string(obj, "modelSet", where)
    if not contract.NAME_PATTERN.match(model_set):
        raise ManifestInvalid(f"manifest.modelSet is {model_set!r}: use lower-case letters, digits and dashes (at most 63)")
    raw_models = obj.get("models")
    if not isinstance(raw_models, list) or not raw_models:
        raise ManifestInvalid("manifest.models must be a non-empty list of models")
    models = tuple(_model(raw, f"manifest.models[{index}]") for index, raw in enumerate(raw_models))
    _check_unique([m.name for m in models], "name")
    _check_no_duplicate_sources(models)
    pipeline = _pipeline(obj.get("pipeline"), "manifest.pipeline")
    problem = contract.pipeline_problem(
        [contract.ModelFiles(m.name, m.directory, m.include or ("*",), m.exclude or ()) for m in models], pipeline
    )
    if problem is not None:
        raise ManifestInvalid(f"manifest.pipeline: {problem}")
    expected_bytes = _optional_integer(obj, "expectedBytes", where)
    return Manifest(
        format_version=format_version,
        model_set=model_set,
        models=models,
        pipeline=pipeline,
        expected_bytes=expected_bytes,
        sha256=manifest_sha256(document),
        document=obj,
    )


def is_commit(revision: str) -> bool:
    """True when ``revision`` is a full 40-hex commit id (lower case, as the Hub returns them)."""
    return bool(contract.COMMIT_PATTERN.match(revision))


def check_relative_path(value: str, where: str) -> str:
    """Return ``value`` if it is a relative path the contract admits, else raise :class:`ManifestInvalid`.

    These paths are joined to the model root: no segment may be empty or start with a dot, so
    ``..`` can never let a manifest write outside the volume.
    """
    if not contract.is_relative_path(value):
        raise ManifestInvalid(
            f"{where} is {value!r}: it must be a relative path like 'Wan2.1-I2V-14B-480P' (segments of letters, "
            "digits, dots, dashes and underscores, each starting with a letter or digit)"
        )
    return posixpath.normpath(value)


def check_model_root(manifest: Manifest, root: str) -> None:
    """Raise :class:`ManifestInvalid` when the manifest's files cannot be loaded from ``root``.

    InfiniteTalk derives the quantized DiT's map from the absolute path, so ``root`` must not
    contain ``safetensors`` when the set is quantized.
    """
    dit = manifest.pipeline.quantized_dit_file
    if manifest.pipeline.quantization is not None and dit is not None:
        problem = contract.quantized_dit_path_problem(posixpath.join(root, dit))
        if problem is not None:
            raise ManifestInvalid(f"{problem}: choose a model root without 'safetensors' in it")


# --- field helpers ------------------------------------------------------------------------------


def _object(value: Any, where: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise ManifestInvalid(f"{where} must be a JSON object, got {type(value).__name__}")
    return value


def _string(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ManifestInvalid(f"{where}.{key} must be a non-empty string, got {value!r}")
    return value


def _optional_string(obj: Mapping[str, Any], key: str, where: str) -> Optional[str]:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ManifestInvalid(f"{where}.{key} must be a non-empty string or null, got {value!r}")
    return value


def _integer(obj: Mapping[str, Any], key: str, where: str, minimum: int = 0) -> int:
    value = obj.get(key)
    # bool is an int subclass in Python; true/false are not numbers in the manifest.
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ManifestInvalid(f"{where}.{key} must be an integer >= {minimum}, got {value!r}")
    return value


def _optional_integer(obj: Mapping[str, Any], key: str, where: str) -> Optional[int]:
    if obj.get(key) is None:
        return None
    return _integer(obj, key, where)


def _patterns(obj: Mapping[str, Any], key: str, where: str) -> Optional[Tuple[str, ...]]:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
        raise ManifestInvalid(f"{where}.{key} must be a list of non-empty fnmatch patterns or null, got {value!r}")
    for pattern in value:
        problem = contract.file_pattern_problem(pattern)
        if problem is not None:
            raise ManifestInvalid(f"{where}.{key}: {problem}")
    return tuple(value)


def _model(raw: Any, where: str) -> ModelSpec:
    obj = _object(raw, where)
    name = _string(obj, "name", where)
    if not contract.MODEL_NAME_PATTERN.match(name):
        raise ManifestInvalid(f"{where}.name is {name!r}: use lower-case letters, digits, dots, dashes and underscores")
    repo = _string(obj, "repo", where)
    if not contract.REPOSITORY_PATTERN.match(repo):
        raise ManifestInvalid(f"{where}.repo is {repo!r}: it must be 'owner/name', e.g. 'Wan-AI/Wan2.1-I2V-14B-480P'")
    revision = _string(obj, "revision", where)
    revision_problem = contract.revision_problem(revision)
    if revision_problem is not None:
        raise ManifestInvalid(f"{where}: {revision_problem}")
    pinned = obj.get("revisionPinned")
    if not isinstance(pinned, bool):
        raise ManifestInvalid(f"{where}.revisionPinned must be true or false, got {pinned!r}")
    if pinned != is_commit(revision):
        state = "true" if pinned else "false"
        raise ManifestInvalid(
            f"{where}.revisionPinned is {state} but revision {revision!r} "
            f"{'is not' if pinned else 'is'} a 40-hex commit: revisionPinned must be true exactly for commits"
        )
    include = _patterns(obj, "include", where)
    if include is not None and not include:
        raise ManifestInvalid(
            f"{where}.include is an empty list, which selects no file of {repo}; list patterns or use null for all files"
        )
    whole = [p for p in include or () if p in contract.WHOLE_REPOSITORY_PATTERNS]
    if whole:
        raise ManifestInvalid(f"{where}.include pattern {whole[0]!r} fetches the whole repository; list the files or patterns you need")
    exclude = _patterns(obj, "exclude", where)
    directory = check_relative_path(_string(obj, "directory", where), f"{where}.directory")
    expected_bytes = _optional_integer(obj, "expectedBytes", where)
    if expected_bytes is not None and not 1 <= expected_bytes <= contract.MAX_MODEL_BYTES:
        raise ManifestInvalid(f"{where}.expectedBytes is {expected_bytes}; expected 1 to {contract.MAX_MODEL_BYTES}")
    return ModelSpec(
        name=name,
        repo=repo,
        revision=revision,
        revision_pinned=pinned,
        include=include,
        exclude=exclude,
        directory=directory,
        expected_bytes=expected_bytes,
    )


def _pipeline(raw: Any, where: str) -> PipelineSpec:
    obj = _object(raw, where)
    quantization = obj.get("quantization")
    if quantization is not None and quantization not in contract.QUANTIZATIONS:
        raise ManifestInvalid(f"{where}.quantization must be 'fp8', 'int8' or null, got {quantization!r}")

    def optional_path(key: str) -> Optional[str]:
        value = _optional_string(obj, key, where)
        return None if value is None else check_relative_path(value, f"{where}.{key}")

    lora_files = obj.get("loraFiles", [])
    lora_scales = obj.get("loraScales", [])
    if not isinstance(lora_files, list) or not all(isinstance(p, str) for p in lora_files):
        raise ManifestInvalid(f"{where}.loraFiles must be a list of paths, got {lora_files!r}")
    if not isinstance(lora_scales, list) or not all(
        isinstance(s, (int, float)) and not isinstance(s, bool) for s in lora_scales
    ):
        raise ManifestInvalid(f"{where}.loraScales must be a list of numbers, got {lora_scales!r}")
    if len(lora_files) != len(lora_scales):
        raise ManifestInvalid(
            f"{where} has {len(lora_files)} loraFiles but {len(lora_scales)} loraScales: give one scale per LoRA file"
        )
    quantized_dit_file = optional_path("quantizedDitFile")
    if quantization is not None and quantized_dit_file is None:
        raise ManifestInvalid(f"{where}.quantization is {quantization!r} but quantizedDitFile is null")
    return PipelineSpec(
        checkpoint_directory=check_relative_path(
            _string(obj, "checkpointDirectory", where), f"{where}.checkpointDirectory"
        ),
        wav2vec_directory=check_relative_path(_string(obj, "wav2vecDirectory", where), f"{where}.wav2vecDirectory"),
        quantization=quantization,
        quantized_dit_file=quantized_dit_file,
        infinite_talk_file=optional_path("infiniteTalkFile"),
        lora_files=tuple(check_relative_path(p, f"{where}.loraFiles") for p in lora_files),
        lora_scales=tuple(float(s) for s in lora_scales),
    )


def _check_unique(values: Sequence[str], field: str) -> None:
    seen: List[str] = []
    for value in values:
        if value in seen:
            raise ManifestInvalid(f"manifest.models has two models with {field} {value!r}; {field}s must be unique")
        seen.append(value)


def _check_no_duplicate_sources(models: Sequence[ModelSpec]) -> None:
    # Two entries for the same repo and revision would race for the same files.
    seen: Dict[Tuple[str, str, str], str] = {}
    for model in models:
        key = (model.repo, model.revision, model.directory)
        if key in seen:
            raise ManifestInvalid(
                f"models {seen[key]!r} and {model.name!r} both take {model.repo}@{model.revision} into "
                f"{model.directory!r}; merge their include patterns into one model"
            )
        seen[key] = model.name


def _check_ascii(value: Any, where: str) -> None:
    if isinstance(value, str):
        if not value.isascii():
            raise ManifestInvalid(f"{where} contains non-ASCII text {value!r}; all manifest strings are ASCII")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_ascii(key, where)
            _check_ascii(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_ascii(item, f"{where}[{index}]")
