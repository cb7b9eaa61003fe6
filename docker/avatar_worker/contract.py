"""The worker's side of the contract with the construct library (``src/runner/worker-contract.ts``).

Each fact the constructs and the worker share has one definition here: where the volume is
mounted, the environment variable names, the bounds of every preset field, setting and job field,
and the rules a model manifest must follow. The TypeScript side has its own definition of each;
``test/fixtures/contract-vectors.json`` holds accepted and rejected inputs that both test suites
run through their own side (``tests/test_contract_vectors.py`` here).

Pure data and pure functions: no I/O, nothing heavy imported at module level.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

# --- where the models live ----------------------------------------------------------------------

#: Where RunPod mounts a network volume, in serverless workers and in pods alike.
VOLUME_MOUNT_PATH = "/runpod-volume"

#: Directory on the volume that holds the models unless ``ModelVolume``'s ``modelDirectory`` says otherwise.
DEFAULT_MODEL_DIRECTORY = "infinitetalk"

#: Model root when ``AVATAR_MODEL_ROOT`` is unset.
DEFAULT_MODEL_ROOT = f"{VOLUME_MOUNT_PATH}/{DEFAULT_MODEL_DIRECTORY}"

#: The ``AvatarServerlessEndpoint`` prop that keeps workers running (the fix named by VOLUME_IN_USE).
ENDPOINT_WORKERS_MIN_PROP = "workersMin"

#: The ``ModelVolume`` prop that sets the volume's size (the fix named by INSUFFICIENT_SPACE and DISK_FULL).
VOLUME_SIZE_PROP = "sizeGb"

# --- environment variables ----------------------------------------------------------------------


class Env:
    """Names of the environment variables the worker reads and the constructs or the runner set."""

    MODE = "AVATAR_MODE"
    MODEL_MANIFEST = "AVATAR_MODEL_MANIFEST"
    MODEL_MANIFEST_SHA256 = "AVATAR_MODEL_MANIFEST_SHA256"
    MODEL_ROOT = "AVATAR_MODEL_ROOT"
    PRESET = "AVATAR_PRESET"
    HUGGING_FACE_TOKEN = "HF_TOKEN"
    HUGGING_FACE_ENDPOINT = "HF_ENDPOINT"
    HUGGING_FACE_OFFLINE = "HF_HUB_OFFLINE"
    RUNPOD_INIT_TIMEOUT = "RUNPOD_INIT_TIMEOUT"
    BUCKET_ENDPOINT_URL = "BUCKET_ENDPOINT_URL"
    BUCKET_NAME = "BUCKET_NAME"
    BUCKET_REGION = "BUCKET_REGION"
    BUCKET_ACCESS_KEY_ID = "BUCKET_ACCESS_KEY_ID"
    BUCKET_SECRET_ACCESS_KEY = "BUCKET_SECRET_ACCESS_KEY"
    BUCKET_KEY_PREFIX = "BUCKET_KEY_PREFIX"
    BUCKET_PRESIGNED_URLS = "BUCKET_PRESIGNED_URLS"
    FETCH_ALLOW_NETWORKS = "AVATAR_FETCH_ALLOW_NETWORKS"


#: The worker's modes (``AVATAR_MODE``).
MODES = ("init", "verify", "serve")


# --- RunPod's S3 API ---------------------------------------------------------------------------

_RUNPOD_S3_ENDPOINT = re.compile(r"^https://s3api-([a-z0-9]+(?:-[a-z0-9]+)*)\.runpod\.io/?$")


def runpod_s3_data_center(endpoint_url: str) -> Optional[str]:
    """The data centre of a RunPod S3 API endpoint (``EU-RO-1`` for ``https://s3api-eu-ro-1.runpod.io``), or None.

    Its buckets are network volumes (bucket = volume id), its region is the data centre id, and it
    serves no presigned URLs.
    """
    match = _RUNPOD_S3_ENDPOINT.match(endpoint_url)
    return match.group(1).upper() if match else None


# --- bounds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """The accepted range of a number; ``min_exclusive`` refuses ``min`` itself."""

    min: float
    max: float
    integer: bool
    min_exclusive: bool = False


def bound_problem(name: str, value: object, bound: Bound) -> Optional[str]:
    """Why ``value`` is outside ``bound`` (naming it ``name``), or None. Booleans are not numbers."""
    span = f"above {bound.min:g} and at most {bound.max:g}" if bound.min_exclusive else f"between {bound.min:g} and {bound.max:g}"
    wanted = f"{'an integer' if bound.integer else 'a number'} {span}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{name} is {value!r}; expected {wanted}"
    too_low = value <= bound.min if bound.min_exclusive else value < bound.min
    if too_low or value > bound.max or (bound.integer and not float(value).is_integer()):
        return f"{name} is {value!r}; expected {wanted}"
    return None


# --- InfiniteTalk facts and the generation preset -----------------------------------------------

#: Output frame rate.
FPS = 25
#: Frames per generated chunk (InfiniteTalk's ``frame_num``).
FRAMES_PER_CHUNK = 81
#: Shortest audio the model gets: InfiniteTalk needs more than one 81-frame chunk of audio features
#: (``int(seconds * 25) >= 82``, i.e. 3.28 s); shorter audio is padded a little past that so rounding
#: never lands on 81.
MODEL_MIN_AUDIO_SECONDS = 3.32
#: Output resolutions (short side in pixels) InfiniteTalk has size buckets for.
RESOLUTIONS = (480, 720)
#: Most sampling steps a preset or a job may ask for.
MAX_SAMPLE_STEPS = 50
#: Largest text or audio guidance scale.
MAX_GUIDANCE = 20.0
#: Motion frames carried from one chunk into the next unless a preset says otherwise.
DEFAULT_MOTION_FRAME = 9

#: Bounds of the preset's fields in ``AVATAR_PRESET``.
PRESET_BOUNDS: Dict[str, Bound] = {
    "sampleSteps": Bound(1, MAX_SAMPLE_STEPS, integer=True),
    "maxStepsAllowed": Bound(1, MAX_SAMPLE_STEPS, integer=True),
    "textGuideScale": Bound(0, MAX_GUIDANCE, integer=False),
    "audioGuideScale": Bound(0, MAX_GUIDANCE, integer=False),
    "shift": Bound(0, 20, integer=False, min_exclusive=True),
    "colorCorrectionStrength": Bound(0, 1, integer=False),
    # 4n+1 below the chunk length: the VAE compresses 4 frames into one latent after the first.
    "motionFrame": Bound(1, FRAMES_PER_CHUNK - 4, integer=True),
}


def motion_frame_problem(value: object) -> Optional[str]:
    """Why ``motionFrame`` is refused, or None: it must be 4n+1 within its bound."""
    problem = bound_problem("motionFrame", value, PRESET_BOUNDS["motionFrame"])
    if problem is not None:
        return problem
    if (int(value) - 1) % 4 != 0:  # type: ignore[call-overload]
        return f"motionFrame is {value!r}; expected 4n+1 (1, 5, 9, ...): InfiniteTalk's VAE packs 4 frames per latent after the first"
    return None


def guidance_is_neutral(scale: float) -> bool:
    """Whether a guidance scale is 1, so its guidance term vanishes (upstream compares with ``isclose``)."""
    return math.isclose(scale, 1.0)


def dit_passes_per_step(text_guide_scale: float, audio_guide_scale: float) -> int:
    """DiT forward passes per sampling step: 3, one fewer when text guidance is 1 (upstream skips the
    text-free pass) and one fewer when audio guidance is 1 (the worker skips the audio-free pass)."""
    return 3 - int(guidance_is_neutral(text_guide_scale)) - int(guidance_is_neutral(audio_guide_scale))


# --- job input ----------------------------------------------------------------------------------

#: Every field a job input may carry; any other is refused.
JOB_INPUT_FIELDS = (
    "image_url", "image_base64", "audio_url", "audio_base64", "prompt", "resolution", "seed",
    "steps", "text_guidance", "audio_guidance", "max_duration_seconds", "output",
)
DEFAULT_PROMPT = "A person is talking."
MAX_PROMPT_CHARS = 2000
MAX_URL_CHARS = 8192
SEED_BOUND = Bound(0, 2**31 - 1, integer=True)
GUIDANCE_BOUND = Bound(0, MAX_GUIDANCE, integer=False)
#: How a job wants its video back.
OUTPUT_MODES = ("auto", "url", "base64")


# --- worker settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One number the worker reads from its environment, with its default and bound."""

    env: str
    default: float
    bound: Bound


_MIB = 1024 * 1024

#: The serving worker's numeric settings; the endpoint sets them from ``maxAudioSeconds`` and ``workerSettings``.
SERVING_SETTINGS: Dict[str, Setting] = {
    "maxAudioSeconds": Setting("AVATAR_MAX_AUDIO_SECONDS", 10, Bound(1, 600, integer=False)),
    # Also at most maxAudioSeconds.
    "minAudioSeconds": Setting("AVATAR_MIN_AUDIO_SECONDS", 0.5, Bound(0.04, 600, integer=False)),
    "maxImageBytes": Setting("AVATAR_MAX_IMAGE_BYTES", 20 * _MIB, Bound(1024, 1024 * _MIB, integer=True)),
    "maxAudioBytes": Setting("AVATAR_MAX_AUDIO_BYTES", 50 * _MIB, Bound(1024, 4096 * _MIB, integer=True)),
    "maxImagePixels": Setting("AVATAR_MAX_IMAGE_PIXELS", 40_000_000, Bound(4096, 500_000_000, integer=True)),
    "fetchTimeoutSeconds": Setting("AVATAR_FETCH_TIMEOUT_SECONDS", 120, Bound(1, 3600, integer=False)),
    # RunPod keeps /run results of at most 10 MB; base64 adds a third.
    "inlineOutputMaxBytes": Setting("AVATAR_INLINE_OUTPUT_MAX_BYTES", 8_000_000, Bound(0, 15_000_000, integer=True)),
    # Seven days is the longest a SigV4 presigned URL may live.
    "urlExpirySeconds": Setting("AVATAR_URL_EXPIRY_SECONDS", 604_800, Bound(1, 604_800, integer=True)),
}

#: The init pod's numeric settings; ``StorageInitJob`` sets them.
INIT_SETTINGS: Dict[str, Setting] = {
    "downloadAttempts": Setting("AVATAR_DOWNLOAD_ATTEMPTS", 3, Bound(1, 10, integer=True)),
    "downloadConcurrency": Setting("AVATAR_DOWNLOAD_CONCURRENCY", 4, Bound(1, 16, integer=True)),
}


def setting_value(setting: Setting, raw: Optional[str]) -> Tuple[float, Optional[str]]:
    """The value of ``setting`` from its environment text ``raw`` (default when unset or blank), and why it is refused."""
    text = (raw or "").strip()
    if not text:
        return setting.default, None
    try:
        value = float(text)
    except ValueError:
        return setting.default, f"{setting.env} is {text!r}; expected a number"
    problem = bound_problem(setting.env, value, setting.bound)
    return (int(value) if setting.bound.integer and problem is None else value), problem


# --- the model manifest -------------------------------------------------------------------------

#: Version of the manifest and lock-file format.
MANIFEST_FORMAT_VERSION = 1
#: Names of model sets and presets: lower-case letters, digits and dashes, at most 63.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: Names of the models of a set (also in the lock file).
MODEL_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
#: A Hugging Face repository id, ``owner/name``.
REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
#: A branch, tag, ``refs/pr/N`` or commit (and never ``..``).
REVISION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
#: A full commit id, as the Hub returns them.
COMMIT_PATTERN = re.compile(r"^[0-9a-f]{40}$")
#: A relative path on the volume: segments of letters, digits, dots, dashes and underscores, each starting with a letter or digit.
RELATIVE_PATH_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
#: Include and exclude patterns: printable ASCII with ``*`` and ``?`` as the only wildcards.
FILE_PATTERN = re.compile(r"^[\x20-\x5a\x5e-\x7e]+$")
#: Include patterns that would download a whole repository.
WHOLE_REPOSITORY_PATTERNS = ("*", "**", "**/*")
#: Largest expected size of one model, in bytes.
MAX_MODEL_BYTES = 4096 * 1_000_000_000
#: Quantizations InfiniteTalk loads.
QUANTIZATIONS = ("fp8", "int8")
#: Whether a quantized set may not list LoRAs. Upstream InfiniteTalk skips LoRAs under quantization;
#: the worker merges them into the fp8 DiT itself (``pipeline.py``), so a quantized set may carry them.
LORAS_IGNORED_UNDER_QUANTIZATION = False


def is_relative_path(value: object) -> bool:
    """Whether ``value`` is a relative path the contract admits (``..`` can never match)."""
    return isinstance(value, str) and RELATIVE_PATH_PATTERN.match(value) is not None


def revision_problem(revision: str) -> Optional[str]:
    """Why a revision is refused, or None."""
    if not REVISION_PATTERN.match(revision) or ".." in revision:
        return f"revision {revision!r} is not a branch, tag, refs/pr/N or commit"
    return None


def file_pattern_problem(pattern: str) -> Optional[str]:
    """Why an include or exclude pattern is refused, or None."""
    if not FILE_PATTERN.match(pattern) or pattern.startswith("/") or ".." in pattern.split("/"):
        return (
            f"pattern {pattern!r} must be a relative ASCII path pattern without '..', with * and ? as its only "
            "wildcards (no [ ] or \\)"
        )
    return None


@dataclass(frozen=True)
class ModelFiles:
    """A model of a manifest as the file rules read it."""

    name: str
    directory: str
    include: Tuple[str, ...]
    exclude: Tuple[str, ...]


def manifest_covers(models: Sequence[ModelFiles], path: str) -> bool:
    """Whether ``path`` (relative to the model root) is one of the files the models download.

    Uses huggingface_hub's own ``filter_repo_objects``, the selection ``init`` downloads with.
    """
    from huggingface_hub.utils import filter_repo_objects

    for model in models:
        prefix = model.directory + "/"
        if path.startswith(prefix):
            relative = path[len(prefix):]
            if list(filter_repo_objects([relative], allow_patterns=list(model.include), ignore_patterns=list(model.exclude) or None)):
                return True
    return False


def quantized_companion_files(dit_file: str, quantization: str) -> Tuple[str, str, str]:
    """The files InfiniteTalk reads beside a quantized DiT file: its map, the quantized T5 and the T5's map."""
    folder = dit_file[: dit_file.rindex("/") + 1] if "/" in dit_file else ""
    return (
        re.sub(r"\.safetensors$", ".json", dit_file),
        f"{folder}t5_{quantization}.safetensors",
        f"{folder}t5_map_{quantization}.json",
    )


def quantized_dit_path_problem(absolute_path: str) -> Optional[str]:
    """Why a quantized DiT file at ``absolute_path`` breaks InfiniteTalk, or None.

    Upstream finds the map with ``quant_dir.replace('safetensors', 'json')`` over the whole path, so
    the word may appear only once, as the extension.
    """
    if not absolute_path.endswith(".safetensors") or absolute_path.count("safetensors") != 1:
        return (
            f"the quantized DiT file {absolute_path} must end in '.safetensors' and contain 'safetensors' nowhere "
            "else (InfiniteTalk derives its map by replacing every 'safetensors' in the path with 'json')"
        )
    return None


@dataclass(frozen=True)
class PipelineFiles:
    """The manifest's ``pipeline`` section as the file rules read it."""

    checkpoint_directory: str
    wav2vec_directory: str
    quantization: Optional[str]
    quantized_dit_file: Optional[str]
    infinite_talk_file: Optional[str]
    lora_files: Tuple[str, ...]
    lora_scales: Tuple[float, ...]


def pipeline_problem(models: Sequence[ModelFiles], p: PipelineFiles) -> Optional[str]:
    """Why the ``pipeline`` section does not fit the models (the first problem), or None."""

    def is_model_directory(directory: str) -> bool:
        return any(directory == m.directory or directory.startswith(m.directory + "/") for m in models)

    for key, directory in (("checkpointDirectory", p.checkpoint_directory), ("wav2vecDirectory", p.wav2vec_directory)):
        if not is_relative_path(directory):
            return f"{key} {directory!r} must be a relative path of letters, digits, dots, dashes and underscores"
        if not is_model_directory(directory):
            return f"{key} {directory!r} is not the directory of any model of the set"
    files = []
    if p.quantization is not None:
        if p.quantization not in QUANTIZATIONS:
            return f"quantization {p.quantization!r} is not supported: use 'fp8', 'int8' or null"
        if p.quantized_dit_file is None:
            return f"quantization {p.quantization!r} needs quantizedDitFile"
        if not is_relative_path(p.quantized_dit_file):
            return f"quantizedDitFile {p.quantized_dit_file!r} must be a relative path"
        path_problem = quantized_dit_path_problem(p.quantized_dit_file)
        if path_problem is not None:
            return path_problem
        dit_map, t5, t5_map = quantized_companion_files(p.quantized_dit_file, p.quantization)
        files += [("quantizedDitFile", p.quantized_dit_file), ("its quantization map", dit_map),
                  ("the quantized T5", t5), ("the quantized T5 map", t5_map)]
        if LORAS_IGNORED_UNDER_QUANTIZATION and p.lora_files:
            return "LoRAs are ignored under quantization; drop loraFiles or use unquantized weights"
    elif p.infinite_talk_file is None:
        return "unquantized weights need infiniteTalkFile (e.g. InfiniteTalk/single/infinitetalk.safetensors)"
    if p.infinite_talk_file is not None:
        if not is_relative_path(p.infinite_talk_file):
            return f"infiniteTalkFile {p.infinite_talk_file!r} must be a relative path"
        files.append(("infiniteTalkFile", p.infinite_talk_file))
    for lora in p.lora_files:
        if not is_relative_path(lora):
            return f"loraFiles entry {lora!r} must be a relative path"
        files.append(("loraFiles entry", lora))
    if len(p.lora_scales) != len(p.lora_files):
        return f"loraScales has {len(p.lora_scales)} entries for {len(p.lora_files)} loraFiles; give one scale per file"
    for scale in p.lora_scales:
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale):
            return f"loraScales entry {scale!r} must be a finite number"
    for key, file in files:
        if not manifest_covers(models, file):
            return (
                f"{key} {file!r} is not among the files the models download: add it to the include patterns of "
                "the model whose directory holds it"
            )
    return None
