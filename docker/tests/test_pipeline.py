"""pipeline: preset validation, the InfiniteTalk argument mapping, paths, buckets and the fake."""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np
import pytest

from .serving_fixtures import png_bytes

from avatar_worker import pipeline
from avatar_worker.errors import WorkerMisconfigured
from avatar_worker.manifest import PipelineSpec
from avatar_worker.pipeline import (
    FakePipeline, GenerationRequest, PipelinePaths, Preset, bucket_size, constructor_kwargs,
    create_pipeline, generation_kwargs, input_data,
)

LIGHTX2V = {
    "name": "lightx2v-4step", "sampleSteps": 4, "textGuideScale": 1.0, "audioGuideScale": 2.0,
    "shift": {"480": 7, "720": 11}, "motionFrame": 9, "colorCorrectionStrength": 1.0,
    "offloadModel": False, "t5Cpu": False, "numPersistentParamInDit": None,
    "resolutions": [480, 720], "maxStepsAllowed": 50,
}


def request(tmp_path: "os.PathLike[str]", **overrides: object) -> GenerationRequest:
    image = os.path.join(str(tmp_path), "image.png")
    with open(image, "wb") as handle:
        handle.write(png_bytes(320, 180))
    values = dict(
        image_path=image, image_size=(320, 180), audio_wav_path="/tmp/a.wav",
        audio_samples=np.sin(np.linspace(0, 300, 16000 * 5)).astype(np.float32), audio_seconds=5.0,
        prompt="A person is talking.", resolution=720, seed=42, steps=4, text_guidance=1.0,
        audio_guidance=2.0, work_dir=str(tmp_path),
    )
    values.update(overrides)
    return GenerationRequest(**values)  # type: ignore[arg-type]


def test_preset_round_trip() -> None:
    preset = Preset.from_json(json.dumps(LIGHTX2V))
    assert preset.sample_steps == 4 and preset.shift == {480: 7.0, 720: 11.0} and preset.resolutions == (480, 720)


@pytest.mark.parametrize(
    "change",
    [
        {"sampleSteps": 0}, {"sampleSteps": 60}, {"sampleSteps": True}, {"resolutions": [1080]},
        {"resolutions": []}, {"shift": {"480": 7}}, {"motionFrame": 81}, {"colorCorrectionStrength": 2},
        {"offloadModel": "no"}, {"numPersistentParamInDit": -1}, {"extra": 1}, {"name": ""},
    ],
)
def test_bad_presets_are_refused(change: dict) -> None:
    with pytest.raises(WorkerMisconfigured):
        Preset.from_document({**LIGHTX2V, **change})


def test_missing_preset_key_is_refused() -> None:
    document = dict(LIGHTX2V)
    del document["t5Cpu"]
    with pytest.raises(WorkerMisconfigured, match="t5Cpu"):
        Preset.from_document(document)


def test_generation_kwargs_follow_preset_and_request(tmp_path: "os.PathLike[str]") -> None:
    preset = Preset.from_document(LIGHTX2V)
    kwargs = generation_kwargs(preset, request(tmp_path, steps=6, seed=7, text_guidance=1.5))
    extra = kwargs.pop("extra_args")
    assert kwargs == {
        "size_buckget": "infinitetalk-720", "motion_frame": 9, "frame_num": 81, "shift": 11.0,
        "sampling_steps": 6, "text_guide_scale": 1.5, "audio_guide_scale": 2.0, "seed": 7,
        "offload_model": False, "max_frames_num": 125, "color_correction_strength": 1.0,
    }
    assert vars(extra) == {
        "use_teacache": False, "teacache_thresh": 0.2, "size": "infinitetalk-720", "use_apg": False,
        "apg_momentum": -0.75, "apg_norm_threshold": 55, "enable_torch_deterministic": False, "print_timing": False,
    }
    assert input_data(request(tmp_path), "/w/emb.pt") == {
        "prompt": "A person is talking.", "cond_video": os.path.join(str(tmp_path), "image.png"),
        "cond_audio": {"person1": "/w/emb.pt"},
    }


def test_paths_from_the_manifest_pipeline_section() -> None:
    spec = PipelineSpec(
        checkpoint_directory="Wan2.1-I2V-14B-480P", wav2vec_directory="chinese-wav2vec2-base", quantization="fp8",
        quantized_dit_file="InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors",
        infinite_talk_file=None, lora_files=(), lora_scales=(),
    )
    paths = PipelinePaths.resolve(spec, "/runpod-volume/infinitetalk")
    assert paths.quant_dir == "/runpod-volume/infinitetalk/InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors"
    kwargs = constructor_kwargs(paths, Preset.from_document({**LIGHTX2V, "t5Cpu": True}))
    assert kwargs == {
        "checkpoint_dir": "/runpod-volume/infinitetalk/Wan2.1-I2V-14B-480P", "quant_dir": paths.quant_dir,
        "device_id": 0, "rank": 0, "t5_fsdp": False, "dit_fsdp": False, "use_usp": False, "t5_cpu": True,
        "init_on_cpu": True, "lora_dir": None, "lora_scales": None, "quant": "fp8", "infinitetalk_dir": None,
    }
    bf16 = PipelinePaths.resolve(
        PipelineSpec("W", "wv", None, None, "InfiniteTalk/single/infinitetalk.safetensors", ("lora/x.safetensors",), (1.0,)), "/m")
    assert (bf16.quant, bf16.quant_dir, bf16.infinitetalk_dir) == (None, None, "/m/InfiniteTalk/single/infinitetalk.safetensors")
    assert (bf16.lora_dir, bf16.lora_scales) == (["/m/lora/x.safetensors"], [1.0])
    # Unquantized: upstream applies the LoRA itself.
    assert constructor_kwargs(bf16, Preset.from_document(LIGHTX2V))["lora_dir"] == ["/m/lora/x.safetensors"]


def test_a_lora_on_fp8_weights_is_merged_by_the_worker_not_handed_to_upstream() -> None:
    """Upstream silently drops `lora_dir` under quantization; the worker merges it at load instead."""
    fp8_lora = PipelinePaths.resolve(
        PipelineSpec("W", "wv", "fp8", "I/q/dit_fp8.safetensors", None, ("lora/x.safetensors",), (1.0,)), "/m")
    kwargs = constructor_kwargs(fp8_lora, Preset.from_document(LIGHTX2V))
    assert (kwargs["quant"], kwargs["lora_dir"], kwargs["lora_scales"]) == ("fp8", None, None)
    assert fp8_lora.lora_dir == ["/m/lora/x.safetensors"]


def test_fp8_sets_refuse_low_vram_streaming_before_loading_anything() -> None:
    spec = PipelineSpec("W", "wv", "fp8", "I/q/dit_fp8.safetensors", None, (), ())
    streaming = Preset.from_document({**LIGHTX2V, "numPersistentParamInDit": 0})
    infinitetalk = pipeline.InfiniteTalkPipeline(PipelinePaths.resolve(spec, "/m"), streaming, home="/nonexistent")
    with pytest.raises(WorkerMisconfigured, match="streams DiT layers from host RAM"):
        infinitetalk.load()


@pytest.mark.parametrize("samples", [52480, 52800, 160000, 170912, 3 * 16000 + 7])
def test_frame_count_is_upstreams_own_expression(samples: int, tmp_path: "os.PathLike[str]") -> None:
    """Upstream: `video_length = len(speech) / sr * 25` then `seq_len=int(video_length)` (get_embedding)."""
    base = request(tmp_path)
    audio = np.zeros(samples, dtype=np.float32)
    req = dataclasses.replace(base, audio_samples=audio, audio_seconds=samples / 16000)
    assert req.frame_count == int(len(audio) / 16000 * 25)


@pytest.mark.parametrize(
    "size,resolution,expected",
    [((1920, 1080), 480, (896, 448)), ((1080, 1920), 480, (448, 832)), ((500, 500), 720, (960, 960)),
     ((800, 600), 480, (704, 576)), ((600, 800), 720, (832, 1088)), ((1280, 720), 720, (1280, 704))],
)
def test_bucket_sizes(size: tuple, resolution: int, expected: tuple) -> None:
    assert bucket_size(size[0], size[1], resolution) == expected


def test_fake_pipeline_renders_real_changing_frames(tmp_path: "os.PathLike[str]") -> None:
    fake = FakePipeline()
    fake.load()
    updates: list = []
    frames = list(fake.generate(request(tmp_path, resolution=480), updates.append))
    assert len(frames) == 125 and frames[0].shape == (448, 896, 3) and frames[0].dtype == np.uint8
    assert not np.array_equal(frames[0], frames[1])
    assert updates and updates[0]["frames_total"] == 125


def test_pipeline_selection() -> None:
    preset = Preset.from_document(LIGHTX2V)
    assert isinstance(create_pipeline("fake", preset, None, "/m"), FakePipeline)
    spec = PipelineSpec("W", "wv", None, None, None, (), ())
    assert isinstance(create_pipeline("infinitetalk", preset, spec, "/m"), pipeline.InfiniteTalkPipeline)
    with pytest.raises(WorkerMisconfigured):
        create_pipeline("magic", preset, spec, "/m")
