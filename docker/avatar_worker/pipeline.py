"""The resident generation pipeline: presets, the request it gets, and two implementations.

:class:`InfiniteTalkPipeline` drives MeiGen-AI InfiniteTalk in process (``wan`` is imported only
inside :meth:`InfiniteTalkPipeline.load`, so this module imports without torch or a GPU).
:class:`FakePipeline` has the same interface and produces real frames cheaply; it exists for tests
and benchmarks and is chosen only when ``AVATAR_PIPELINE=fake`` is set explicitly.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Protocol, Tuple

import numpy as np
from PIL import Image

from .contract import FPS, FRAMES_PER_CHUNK
from .errors import PipelineFailed, WorkerMisconfigured
from .manifest import PipelineSpec
from .media import MODEL_SAMPLE_RATE
from .preset import Preset

# InfiniteTalk's chunk length is the contract's (4n+1; the model was trained on 81).
FRAME_NUM = FRAMES_PER_CHUNK

#: Output bucket (width, height) per resolution and aspect ratio H/W; the nearest aspect wins,
#: then the image is resized to cover and centre-cropped (InfiniteTalk's own rule: ASPECT_RATIO_627 and ASPECT_RATIO_960 in wan/utils/multitalk_utils.py).
SIZE_BUCKETS: Dict[int, Dict[float, Tuple[int, int]]] = {
    480: {448 / 896: (896, 448), 832 / 448: (448, 832), 1.0: (640, 640), 576 / 704: (704, 576), 704 / 576: (576, 704)},
    720: {704 / 1280: (1280, 704), 1280 / 704: (704, 1280), 1.0: (960, 960), 832 / 1088: (1088, 832), 1088 / 832: (832, 1088)},
}

ProgressCallback = Callable[[Dict[str, Any]], None]


def bucket_size(width: int, height: int, resolution: int) -> Tuple[int, int]:
    """Return the (width, height) InfiniteTalk generates for an input of ``width``x``height``."""
    buckets = SIZE_BUCKETS[resolution]
    aspect = height / width
    nearest = min(buckets, key=lambda key: abs(key - aspect))
    return buckets[nearest]


# --- requests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenerationRequest:
    """What one job asks of the pipeline, with every default already resolved."""

    image_path: str  # upright RGB PNG written by the handler
    image_size: Tuple[int, int]  # (width, height) of that PNG
    audio_wav_path: str  # 16 kHz mono float32 WAV, padded to the model minimum
    audio_samples: np.ndarray = field(repr=False, compare=False)
    audio_seconds: float  # of the padded audio handed to the model
    prompt: str
    resolution: int
    seed: int
    steps: int
    text_guidance: float
    audio_guidance: float
    work_dir: str

    @property
    def frame_count(self) -> int:
        """Frames the output covers: InfiniteTalk's own count, ``int(samples / 16000 * 25)``.

        Upstream sizes the audio embedding with exactly this expression (``get_embedding``) and trims
        the video to the embedding's length, so it is copied as written, float rounding included.
        """
        return int(len(self.audio_samples) / MODEL_SAMPLE_RATE * FPS)


class Pipeline(Protocol):
    """A model kept resident in the worker: load once, then generate per job."""

    name: str

    def load(self) -> None:
        """Load weights; called once per worker before the first job."""

    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> Any:
        """Return frames: a (3, T, H, W) array/tensor in [-1, 1] or a list of uint8 HxWx3 arrays."""


# --- the fake ------------------------------------------------------------------------------------

_fake_load_lock = threading.Lock()
FAKE_LOAD_COUNT = 0  # loads in this process, across instances; tests assert it stays 1


class FakePipeline:
    """Real frames without a model: the input image in its output bucket plus a bar that follows
    the audio envelope, one frame per 1/25 s. Selected only by ``AVATAR_PIPELINE=fake``."""

    name = "fake"

    def __init__(self) -> None:
        self.load_count = 0

    def load(self) -> None:
        """Count the load (module-wide and per instance); there are no weights to read."""
        global FAKE_LOAD_COUNT
        with _fake_load_lock:
            FAKE_LOAD_COUNT += 1
            self.load_count += 1

    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> Iterator[np.ndarray]:
        """Render ``request.frame_count`` frames at the bucket size for the image's aspect ratio.

        Frames are yielded lazily: 60 s at 720p would be 4 GB as a list.
        """
        if self.load_count == 0:
            raise PipelineFailed("FakePipeline.generate called before load().")
        width, height = bucket_size(request.image_size[0], request.image_size[1], request.resolution)
        with Image.open(request.image_path) as image:
            base = np.asarray(_cover_crop(image.convert("RGB"), width, height), dtype=np.uint8)
        envelope = _envelope(request.audio_samples, request.frame_count)
        return self._frames(base, envelope, request.frame_count, progress)

    @staticmethod
    def _frames(base: np.ndarray, envelope: np.ndarray, total: int, progress: ProgressCallback) -> Iterator[np.ndarray]:
        height, width = base.shape[:2]
        bar_width = max(4, width // 40)
        for index in range(total):
            frame = base.copy()
            bar = int(envelope[index] * (height - 1))
            if bar > 0:
                frame[height - bar:, :bar_width] = (255, 64, 0)
            # A moving marker makes every frame different even in silence.
            x = (index * 7) % max(1, width - 8)
            frame[:8, x:x + 8] = (0, 255, 0)
            if index % FRAME_NUM == 0:
                progress({"frames_done": index, "frames_total": total})
            yield frame


def _cover_crop(image: Image.Image, width: int, height: int) -> Image.Image:
    scale = max(width / image.width, height / image.height)
    resized = image.resize((max(width, round(image.width * scale)), max(height, round(image.height * scale))), Image.Resampling.BILINEAR)
    left = (resized.width - width) // 2
    top = (resized.height - height) // 2
    return resized.crop((left, top, left + width, top + height))


def _envelope(samples: np.ndarray, frames: int) -> np.ndarray:
    """Peak amplitude per frame, scaled to [0, 1]."""
    if frames <= 0:
        return np.zeros(0)
    per_frame = max(1, len(samples) // frames)
    padded = np.zeros(per_frame * frames, dtype=np.float32)
    padded[: min(len(samples), len(padded))] = np.abs(samples[: len(padded)])
    peaks = padded.reshape(frames, per_frame).max(axis=1)
    top = float(peaks.max()) if peaks.size else 0.0
    return peaks / top if top > 0 else peaks


# --- InfiniteTalk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelinePaths:
    """Absolute paths the InfiniteTalk constructor needs, from the manifest's ``pipeline`` section."""

    checkpoint_dir: str
    wav2vec_dir: str
    quant: Optional[str]
    quant_dir: Optional[str]
    infinitetalk_dir: Optional[str]
    lora_dir: Optional[List[str]]
    lora_scales: Optional[List[float]]

    @classmethod
    def resolve(cls, spec: PipelineSpec, model_root: str) -> "PipelinePaths":
        """Join every manifest path onto ``model_root``."""

        def at_root(relative: Optional[str]) -> Optional[str]:
            return os.path.join(model_root, relative) if relative else None

        return cls(
            checkpoint_dir=os.path.join(model_root, spec.checkpoint_directory),
            wav2vec_dir=os.path.join(model_root, spec.wav2vec_directory),
            quant=spec.quantization,
            quant_dir=at_root(spec.quantized_dit_file) if spec.quantization else None,
            infinitetalk_dir=at_root(spec.infinite_talk_file),
            lora_dir=[os.path.join(model_root, p) for p in spec.lora_files] or None,
            lora_scales=list(spec.lora_scales) or None,
        )


class ExtraArgs:
    """The argparse-like object ``generate_infinitetalk`` dereferences unconditionally."""

    def __init__(self, size: str) -> None:
        self.use_teacache = False  # pointless at 4-8 steps; an option for 40-step presets later
        self.teacache_thresh = 0.2
        self.size = size
        self.use_apg = False
        self.apg_momentum = -0.75
        self.apg_norm_threshold = 55
        self.enable_torch_deterministic = False
        self.print_timing = False


def constructor_kwargs(paths: PipelinePaths, preset: Preset) -> Dict[str, Any]:
    """Keyword arguments for ``wan.InfiniteTalkPipeline`` (minus ``config``).

    LoRAs go to upstream only for unquantized weights: upstream skips them under quantization, so
    the worker merges them into the fp8 layers itself (:meth:`InfiniteTalkPipeline.load`).
    """
    return {
        "checkpoint_dir": paths.checkpoint_dir,
        "quant_dir": paths.quant_dir,
        "device_id": 0,
        "rank": 0,
        "t5_fsdp": False,
        "dit_fsdp": False,
        "use_usp": False,
        "t5_cpu": preset.t5_cpu,
        # The DiT is built on the CPU; load() moves it once converted, so an out-of-memory shows at
        # start rather than in the first job.
        "init_on_cpu": True,
        "lora_dir": None if paths.quant else paths.lora_dir,
        "lora_scales": None if paths.quant else paths.lora_scales,
        "quant": paths.quant,
        "infinitetalk_dir": paths.infinitetalk_dir,
    }


def generation_kwargs(preset: Preset, request: GenerationRequest) -> Dict[str, Any]:
    """Keyword arguments for ``generate_infinitetalk`` in streaming mode over the whole audio."""
    size = f"infinitetalk-{request.resolution}"
    return {
        "size_buckget": size,  # sic: upstream's spelling
        "motion_frame": preset.motion_frame,
        "frame_num": FRAME_NUM,
        "shift": preset.shift[request.resolution],
        "sampling_steps": request.steps,
        "text_guide_scale": request.text_guidance,
        "audio_guide_scale": request.audio_guidance,
        "seed": request.seed,
        "offload_model": preset.offload_model,
        # Streaming stops when the audio is covered; this bound equals the audio's frame count.
        "max_frames_num": max(request.frame_count, FRAME_NUM + 1),
        "color_correction_strength": preset.color_correction_strength,
        "extra_args": ExtraArgs(size),
    }


def input_data(request: GenerationRequest, embedding_path: str) -> Dict[str, Any]:
    """The ``input_data`` dict: one speaker, image as ``cond_video``, audio as an embedding file."""
    return {
        "prompt": request.prompt,
        "cond_video": request.image_path,
        "cond_audio": {"person1": embedding_path},
    }


#: How the fp8 layers multiply: ``dequantize`` (bf16 matmul over the expanded weight). Measured on an
#: H200 at a 480p chunk's 32,928 tokens (docker/gpu/results/2026-12-04-h200.json, kernels): 670-740
#: TFLOP/s against 750-810 for bf16, while the ``fp8`` path (per-token activation scaling around
#: ``_scaled_mm``) reached only 430-620 with its extra passes over the activations.
FP8_MATMUL = "dequantize"


class InfiniteTalkPipeline:
    """MeiGen-AI InfiniteTalk (Wan2.1-I2V-14B) kept resident on GPU 0."""

    name = "infinitetalk"

    def __init__(self, paths: PipelinePaths, preset: Preset, home: Optional[str] = None) -> None:
        self.paths = paths
        self.preset = preset
        self.home = home or os.environ.get("INFINITETALK_HOME", "/opt/InfiniteTalk")
        self.load_count = 0
        self._pipe: Any = None
        self._feature_extractor: Any = None
        self._audio_encoder: Any = None
        #: What load() did, for the log and the GPU harness: seconds per step, fp8 layers converted.
        self.load_report: Dict[str, Any] = {}

    def load(self) -> None:
        """Import ``wan`` from ``INFINITETALK_HOME``, build wav2vec (CPU) and the pipeline once.

        With fp8 weights, every quantized layer becomes an :class:`~avatar_worker.fp8_linear.Fp8Linear`
        (LoRAs merged) while still on the CPU; then the DiT and T5 move to the GPU, unless the preset
        streams DiT layers from host RAM or keeps T5 on the CPU.
        """
        if self.paths.quant and self.preset.num_persistent_param_in_dit is not None:
            raise WorkerMisconfigured(
                f"preset {self.preset.name} streams DiT layers from host RAM, which the worker supports for "
                "unquantized model sets only; fp8 sets fit the GPU resident."
            )
        if self.home not in sys.path:
            sys.path.insert(0, self.home)  # upstream imports are `wan.*` and `src.*`
        import torch  # type: ignore[import-not-found]
        import wan  # type: ignore[import-not-found]
        from wan.configs import WAN_CONFIGS  # type: ignore[import-not-found]

        report: Dict[str, Any] = {}
        started = time.monotonic()
        self._feature_extractor, self._audio_encoder = _wav2vec_init("cpu", self.paths.wav2vec_dir)
        report["wav2vec_seconds"] = _since(started)
        started = time.monotonic()
        config = WAN_CONFIGS["infinitetalk-14B"]
        self._pipe = wan.InfiniteTalkPipeline(config=config, **constructor_kwargs(self.paths, self.preset))
        report["upstream_init_seconds"] = _since(started)
        if self.paths.quant:
            started = time.monotonic()
            report.update(self._convert_quantized_layers())
            report["fp8_conversion_seconds"] = _since(started)
        if self.preset.num_persistent_param_in_dit is not None:
            self._pipe.vram_management = True
            self._pipe.enable_vram_management(num_persistent_param_in_dit=self.preset.num_persistent_param_in_dit)
        else:
            _keep_cuda_cache_between_passes()
            started = time.monotonic()
            self._pipe.model.to(self._pipe.device)
            if not self.preset.t5_cpu:
                self._pipe.text_encoder.model.to(self._pipe.device)
            if torch.cuda.is_available():
                torch.cuda.synchronize()  # so the time covers the copies, which run asynchronously
            report["to_gpu_seconds"] = _since(started)
        self.load_report = report
        self.load_count += 1

    def _convert_quantized_layers(self) -> Dict[str, Any]:
        """Turn quanto's fp8 layers of the DiT (LoRAs merged) and of T5 into Fp8Linear layers."""
        from .fp8_linear import convert_quantized_linears, scaled_mm_supported
        from .lora import LoraDeltas

        matmul = FP8_MATMUL if scaled_mm_supported(self._pipe.device) else "dequantize"
        lora = LoraDeltas.load(self.paths.lora_dir or [], self.paths.lora_scales or []) if self.paths.lora_dir else None
        # LoRA merges run on the GPU (tens of GFLOP per layer); the layers they touch stay there.
        dit = convert_quantized_linears(self._pipe.model, lora.take if lora else None, matmul, merge_device=self._pipe.device)
        lora_other = lora.apply_remaining(self._pipe.model) if lora else 0
        t5 = convert_quantized_linears(self._pipe.text_encoder.model, None, matmul)
        return {
            "fp8_matmul": matmul,
            "dit_fp8_layers": dit.converted,
            "dit_fp8_layers_with_lora": dit.merged,
            "dit_other_lora_tensors": lora_other,
            "t5_fp8_layers": t5.converted,
        }

    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> Any:
        """Embed the audio with wav2vec, then run streaming generation; returns (3, T, H, W)."""
        import torch  # type: ignore[import-not-found]

        from .guidance import skip_audio_free_pass

        if self._pipe is None:
            raise PipelineFailed("InfiniteTalkPipeline.generate called before load().")
        started = time.monotonic()
        speech = _loudness_norm(request.audio_samples, MODEL_SAMPLE_RATE)
        embedding = _get_embedding(speech, self._feature_extractor, self._audio_encoder)
        embedding_path = os.path.join(request.work_dir, "audio_embedding.pt")
        torch.save(embedding, embedding_path)
        progress({"substage": "audio_embedding", "seconds": _since(started)})
        with skip_audio_free_pass(self._pipe.model, request.audio_guidance) as passes:
            video = self._pipe.generate_infinitetalk(input_data(request, embedding_path), **generation_kwargs(self.preset, request))
        progress({"substage": "sampling", "dit_passes": passes.run, "dit_passes_skipped": passes.skipped})
        if video is None:
            raise PipelineFailed("InfiniteTalk returned no video (not rank 0?).")
        return video


def _keep_cuda_cache_between_passes() -> None:
    """Stop upstream emptying PyTorch's CUDA cache after every DiT pass and in every layer.

    ``torch_gc()`` (``torch.cuda.empty_cache`` + ``ipc_collect``) runs after each DiT forward
    (wan/multitalk.py) and three times in each layer's ``calculate_x_ref_attn_map``
    (wan/utils/multitalk_utils.py), so every forward returns gigabytes of activations to the driver and
    allocates them again. That keeps memory low for offloading setups; with the DiT resident it only
    costs time (docker/gpu/results). Both modules look ``torch_gc`` up at call time, so rebinding it
    (as upstream rebinds ``forward`` for sequence parallelism) changes no upstream file.
    """
    import wan.multitalk  # type: ignore[import-not-found]
    import wan.utils.multitalk_utils  # type: ignore[import-not-found]

    for module in (wan.multitalk, wan.utils.multitalk_utils):
        module.torch_gc = _no_cache_flush


def _no_cache_flush() -> None:
    """Stands in for upstream's ``torch_gc`` while the DiT is resident."""


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


# The three functions below follow generate_infinitetalk.py (a1aa6e9); they are copied rather than
# imported because importing that script pulls kokoro, scenedetect and moviepy.


def _wav2vec_init(device: str, wav2vec_dir: str) -> Tuple[Any, Any]:
    from src.audio_analysis.wav2vec2 import Wav2Vec2Model  # type: ignore[import-not-found]
    from transformers import Wav2Vec2FeatureExtractor  # type: ignore[import-not-found]

    encoder = Wav2Vec2Model.from_pretrained(wav2vec_dir, local_files_only=True).to(device)
    encoder.feature_extractor._freeze_parameters()
    extractor = Wav2Vec2FeatureExtractor.from_pretrained(wav2vec_dir, local_files_only=True)
    return extractor, encoder


def _loudness_norm(samples: np.ndarray, sample_rate: int, lufs: float = -23.0) -> np.ndarray:
    import pyloudnorm  # type: ignore[import-not-found]

    meter = pyloudnorm.Meter(sample_rate)
    loudness = meter.integrated_loudness(samples)
    if abs(loudness) > 100:  # silence: upstream leaves it alone
        return samples
    return pyloudnorm.normalize.loudness(samples, loudness, lufs)


def _get_embedding(speech: np.ndarray, extractor: Any, encoder: Any, sample_rate: int = 16000) -> Any:
    import torch  # type: ignore[import-not-found]
    from einops import rearrange  # type: ignore[import-not-found]

    video_length = len(speech) / sample_rate * FPS
    features = np.squeeze(extractor(speech, sampling_rate=sample_rate).input_values)
    tensor = torch.from_numpy(features).float().unsqueeze(0)
    with torch.no_grad():
        embeddings = encoder(tensor, seq_len=int(video_length), output_hidden_states=True)
    if len(embeddings) == 0:
        raise PipelineFailed("wav2vec produced no audio embedding.")
    stacked = torch.stack(embeddings.hidden_states[1:], dim=1).squeeze(0)
    return rearrange(stacked, "b s d -> s b d").cpu().detach()


# --- selection -----------------------------------------------------------------------------------


def create_pipeline(kind: str, preset: Preset, spec: Optional[PipelineSpec], model_root: str) -> Pipeline:
    """Build (not load) the pipeline named by ``AVATAR_PIPELINE``: ``infinitetalk`` or ``fake``."""
    if kind == "fake":
        return FakePipeline()
    if kind == "infinitetalk":
        if spec is None:
            raise WorkerMisconfigured("the infinitetalk pipeline needs the manifest's `pipeline` section.")
        return InfiniteTalkPipeline(PipelinePaths.resolve(spec, model_root), preset)
    raise WorkerMisconfigured(f"AVATAR_PIPELINE is {kind!r}; expected 'infinitetalk' (default) or 'fake'.")
