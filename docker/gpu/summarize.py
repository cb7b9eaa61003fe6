"""Assemble the dated GPU result (docker/gpu/results/<date>-h200.json) from the raw outputs of the
harness runs in results/raw/, and derive the per-step and per-chunk figures the catalog uses.

    python3 docker/gpu/summarize.py

Every figure in the output is copied from a raw file or computed from copied ones here; the raw
files are what the device returned (gpu-result.json) and what run.sh printed (warnings filtered).
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any, Dict, List

RESULTS = Path(__file__).resolve().parent / "results"
RAW = RESULTS / "raw"
DATE = "2026-12-04"

#: Guidance configurations of harness.py's measure phase, in the order it runs them (GUIDANCE_CONFIGS,
#: then the other matmul mode, then upstream's torch_gc), with DiT passes per step.
MEASURE_ORDER = [
    ("text 5 / audio 4 (quality-40step)", 3, "dequantize"),
    ("text 1 / audio 4 (balanced-40step-cfg1)", 2, "dequantize"),
    ("text 1 / audio 2 (lightx2v-4step)", 2, "dequantize"),
    ("text 1 / audio 1 (one pass per step; the audio-free pass skipped)", 1, "dequantize"),
    ("text 1 / audio 2, fp8 layers in fp8 mode", 2, "fp8"),
    ("text 1 / audio 2, upstream's torch_gc", 2, "dequantize"),
]


#: (preset, sampling steps, configuration label prefix) for the per-chunk figures.
PRESET_CHUNKS = [
    ("quality-40step", 40, "text 5 / audio 4"),
    ("balanced-40step-cfg1", 40, "text 1 / audio 4"),
    ("lightx2v-4step", 4, "text 1 / audio 2"),
    ("lightx2v-4step-audio-cfg1", 4, "text 1 / audio 1"),
]


def load(name: str) -> Dict[str, Any]:
    return json.loads((RAW / name).read_text())


def per_step_from_log(name: str) -> List[Dict[str, Any]]:
    """tqdm's seconds per sampling step for each chunk, grouped per configuration ("No conversion
    needed." is printed once per generate call, i.e. once per configuration)."""
    text = (RAW / name).read_bytes().decode("utf-8")  # keep the carriage returns (read_text turns them into newlines)
    runs: List[List[float]] = []
    # Split on newlines only: tqdm redraws a bar with carriage returns within one line.
    for line in text.split("\n"):
        if line.startswith("No conversion needed."):
            runs.append([])
        for value in re.findall(r"1/1 \[[0-9:]+<[0-9:]+, *([0-9.]+)s/it\]", line)[:1]:
            if runs:
                runs[-1].append(float(value))
    out = []
    for (label, passes, matmul), chunks in zip(MEASURE_ORDER, runs):
        if not chunks:
            continue
        step = statistics.mean(chunks)
        out.append({"config": label, "matmul": matmul, "dit_passes_per_step": passes, "seconds_per_step_by_chunk": chunks,
                    "seconds_per_step": round(step, 3), "seconds_per_dit_forward": round(step / passes, 3)})
    return out


def outside_dit_per_chunk(served: Dict[str, Any]) -> Dict[str, float]:
    """A served job's time outside the DiT per chunk (generate minus the DiT forwards), and its split into
    the GPU encoders and VAE and the rest (audio embedding, colour correction on the CPU, transfers)."""
    components = served["components"]
    chunks = components["vae_decode"]["calls"]  # one decode per chunk
    gpu_other = sum(components[k]["seconds"] for k in ("vae_decode", "vae_encode", "clip_visual", "t5_encode"))
    outside_dit = served["output"]["timings"]["generate"] - components["dit_forward"]["seconds"]
    return {
        "seconds_outside_dit_per_chunk_480p": round(outside_dit / chunks, 3),
        "of_which_gpu_encoders_and_vae_per_chunk": round(gpu_other / chunks, 3),
        "of_which_other_per_chunk": round((outside_dit - gpu_other) / chunks, 3),
    }


def main() -> None:
    run3, run4, run5 = load(f"{DATE}-run3-serve-torch-gc.json"), load(f"{DATE}-run4-serve-kernels.json"), load(f"{DATE}-run5-load.json")
    served = run4["phases"]["serve"]
    served_gc = run3["phases"]["serve"]
    run10 = load(f"{DATE}-run10-fp8-lightx2v-served-default-preset.json")["phases"]
    default_job = {"image_environment": run10["environment"]["image_environment"], "load_seconds": run10["load"]["seconds"], **run10["serve"]}
    steps = per_step_from_log(f"{DATE}-run5-measure.txt")
    dequantize = [s for s in steps if s["matmul"] == "dequantize"]
    forwards = sum(s["dit_passes_per_step"] * len(s["seconds_per_step_by_chunk"]) for s in dequantize)
    dit_seconds = sum(sum(s["seconds_per_step_by_chunk"]) for s in dequantize)
    components = served["components"]
    outside = outside_dit_per_chunk(served)
    summary = {
        "date": DATE,
        "what": "InfiniteTalk's real pipeline through the worker on one H200, random weights at real shapes (docker/gpu/README.md)",
        "how": "bash docker/gpu/prepare.sh here; on the device `bash docker/gpu/run.sh --phases ...` (run 3: layout,serve,measure,kernels before the torch_gc change; run 4: layout,serve,kernels; run 5: layout,measure; runs 8 and 9: the allocator comparison; run 10: layout,serve with the example's default); python3 docker/gpu/summarize.py",
        "environment": run4["phases"]["environment"],
        "model_set": "fp8-lightx2v (ModelSet.FP8_LIGHTX2V: the fp8 set plus the lightx2v LoRA merged at load)",
        "layout": {k: v for k, v in run4["phases"]["layout"].items() if k != "seconds_per_file"},
        "load_cold_page_cache": run5["phases"]["load"],
        "served_job": {
            "input": "InfiniteTalk's examples/single ref_image.png (2366x1318) and 1.wav (10.68 s, 44.1 kHz stereo), prompt of single_example_image.json, seed 42, 480p",
            "endpoint_environment": "rendered by the example's composition with ModelSet.FP8_LIGHTX2V, preset lightx2v-4step (text 1 / audio 2), maxAudioSeconds 15 (docker/gpu/endpoint-env.ts)",
            "fp8_matmul": "fp8 (the worker's default at the time; dequantize is the default since run 5)",
            **served,
        },
        "served_job_with_upstream_torch_gc": {
            "note": "run 3: the same job before the worker kept the CUDA cache between passes (upstream's torch_gc on)",
            "status": served_gc["status"], "components": served_gc["components"],
            "gpu_peak_allocated_gib": served_gc["gpu_peak_allocated_gib"], "gpu_peak_reserved_gib": served_gc["gpu_peak_reserved_gib"],
        },
        "per_step_480p": {
            "source": f"raw/{DATE}-run5-measure.txt: tqdm's seconds per step, one step per chunk, two chunks per configuration (3.3 s of the sample speech), worker defaults (dequantize, CUDA cache kept). The run hit its time limit before writing these into its JSON; the sixth configuration (upstream torch_gc) did not run.",
            "runs": steps,
        },
        "served_job_default_preset_in_the_image": {
            "note": "run 10: the example's default (ModelSet.FP8_LIGHTX2V, preset lightx2v-4step-audio-cfg1) with every ENV of docker/Dockerfile's final stage, PYTORCH_CUDA_ALLOC_CONF included; the same input as served_job",
            **default_job,
        },
        "kernels": run4["phases"]["kernels"],
        "allocator": allocator(),
        "derived": {
            "seconds_per_dit_forward_480p": round(dit_seconds / forwards, 3),
            "dit_forwards_measured": forwards,
            **outside,
            "seconds_per_dit_forward_served_job_fp8_mode": round(components["dit_forward"]["seconds"] / components["dit_forward"]["calls"], 3),
            "seconds_per_dit_forward_served_job_fp8_mode_upstream_torch_gc": round(served_gc["components"]["dit_forward"]["seconds"] / served_gc["components"]["dit_forward"]["calls"], 3),
            "note": "outside-DiT time is generate minus DiT forwards in the served job (4 chunks): VAE encode/decode, CLIP, T5 (GPU) and the rest (audio embedding, colour correction on the CPU, transfers)",
            "seconds_per_chunk_480p_by_preset": {
                name: round(steps_count * next(r["seconds_per_step"] for r in dequantize if r["config"].startswith(prefix)) + outside["seconds_outside_dit_per_chunk_480p"], 1)
                for name, steps_count, prefix in PRESET_CHUNKS
            },
            "per_chunk_note": "a preset's chunk = its steps x the measured seconds per step of its guidance configuration + the measured time outside the DiT per chunk, all from this file",
            "gpu_peak_reserved_gib_480p_in_the_image": max(
                load(f"{DATE}-run9-fp8-lightx2v-expandable-segments.json")["phases"]["measure"]["memory"]["gpu_peak_reserved_gib"],
                default_job["gpu_peak_reserved_gib"],
            ),
            "gpu_peak_reserved_note": "with PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True, which docker/Dockerfile sets since run 9 (see allocator): the larger of run 9's measure phase and run 10's served job; the allocated peak is the same in every run and preset (36.54-36.74 GiB: DiT passes run one after another)",
            "served_job_default_preset_generate_seconds": default_job["output"]["timings"]["generate"],
            "served_job_default_preset_generate_check": "4 chunks x seconds_per_chunk_480p_by_preset['lightx2v-4step-audio-cfg1'] projects the same job; run 10 measured it",
        },
        "not_run": [
            "ModelSet.BF16_LIGHTX2V: measured later with 2 and 6 DiT layers, see 2026-12-04-h200-bf16-lightx2v.json",
            "720p: no figure measured; the catalog keeps its 720p estimates",
            "the fp8 path's and upstream torch_gc's comparisons on the whole model beyond what is listed here",
        ],
    }
    target = RESULTS / f"{DATE}-h200.json"
    target.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["derived"], indent=2))
    summarize_bf16()


def allocator() -> Dict[str, Any]:
    """Runs 8 and 9: the same loaded fp8-lightx2v volume, its default preset's measure phase, without
    and with PyTorch's expandable segments (one process each)."""
    runs = {"default": f"{DATE}-run8-fp8-lightx2v-measure.json", "expandable_segments:True": f"{DATE}-run9-fp8-lightx2v-expandable-segments.json"}
    out: Dict[str, Any] = {
        "how": "`bash docker/gpu/run.sh --env .gpu-carry/endpoint-env-fp8-lightx2v.json --root /data/f --phases layout,measure --measure-configs preset`, then the same with `--phases measure` and PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True exported; preset lightx2v-4step-audio-cfg1, one step over two chunks",
    }
    for label, name in runs.items():
        phases = load(name)["phases"]
        run = phases["measure"]["runs"][0]
        out[label] = {
            "load": {k: phases["load"][k] for k in ("seconds", "gpu_peak_allocated_gib", "gpu_peak_reserved_gib")},
            "measure": phases["measure"]["memory"],
            "seconds_per_dit_forward": run["seconds_per_dit_forward"],
            "seconds_per_dit_block": run["seconds_per_dit_block"],
            "dit": phases["measure"]["dit"],
        }
    return out


#: Transformer blocks of Wan2.1-I2V-14B (docker/gpu/fixtures/wan2.1-i2v-14b-480p.config.json).
WAN_LAYERS = 40


def summarize_bf16() -> None:
    """ModelSet.BF16_LIGHTX2V with 2 and 6 DiT blocks (the 94 GB set does not fit the device's 64 GB
    disk), its per-block figures scaled to the real 40."""
    runs = {2: load(f"{DATE}-run6-bf16-lightx2v-2layers.json")["phases"], 6: load(f"{DATE}-run7-bf16-lightx2v-6layers.json")["phases"]}
    measured = {n: r["measure"] for n, r in runs.items()}
    block_seconds = sum(m["runs"][0]["components"]["dit_block"]["seconds"] for m in measured.values())
    block_calls = sum(m["runs"][0]["components"]["dit_block"]["calls"] for m in measured.values())
    per_block = block_seconds / block_calls
    outside_blocks = statistics.mean(m["runs"][0]["seconds_per_dit_forward_outside_blocks"] for m in measured.values())
    low, high = sorted(runs)

    def per_layer(values: Dict[int, float]) -> float:
        return (values[high] - values[low]) / (high - low)

    def at_40(values: Dict[int, float]) -> float:
        return values[low] + (WAN_LAYERS - low) * per_layer(values)

    forward = {n: m["runs"][0]["seconds_per_dit_forward"] for n, m in measured.items()}
    dit = measured[high]["dit"]
    copy_rate = statistics.mean(m["host_link"]["pageable"]["gb_per_second"] for m in measured.values())
    streamed_bytes = WAN_LAYERS * dit["bytes_per_block"] + dit["bytes_outside_blocks"]
    forward40 = outside_blocks + WAN_LAYERS * per_block
    copy40 = streamed_bytes / 1e9 / copy_rate
    ram = {n: r["load"]["host_ram_peak_gib"] for n, r in runs.items()}
    load_seconds = {n: r["load"]["seconds"] for n, r in runs.items()}
    served = runs[low]["serve"]
    summary = {
        "date": DATE,
        "what": "ModelSet.BF16_LIGHTX2V through the worker on one H200, random weights at real shapes, with 2 and 6 of the 40 DiT blocks; per-block figures scaled to 40 (docker/gpu/README.md)",
        "how": "bash docker/gpu/prepare.sh bf16-lightx2v here; on the device, per layer count N in (2, 6): `bash docker/gpu/run.sh --env .gpu-carry/endpoint-env-bf16-lightx2v.json --num-layers N --measure-configs preset --phases layout,serve,measure` (N=6 without serve); python3 docker/gpu/summarize.py",
        "scaled_not_measured": "only the DiT's blocks are fewer; T5, CLIP, VAE, wav2vec2 and the DiT's embeddings and head are at full size. Figures at 40 blocks are the measured per-block figures times 40 plus the measured rest; the GPU memory is measured as is (streaming keeps one block's weights on the GPU at a time)",
        "environment": runs[low]["environment"],
        "model_set": "bf16-lightx2v (ModelSet.BF16_LIGHTX2V: the bf16 DiT from seven fp32 shards plus InfiniteTalk's weights, the lightx2v LoRA merged by upstream at load), preset lightx2v-4step-low-vram (numPersistentParamInDit 0: every DiT layer streamed from host RAM)",
        "layout": {n: {k: v for k, v in r["layout"].items() if k not in ("files", "seconds_per_file")} for n, r in runs.items()},
        "load_cold_page_cache": {n: r["load"] for n, r in runs.items()},
        "served_job_2_layers": {
            "input": "InfiniteTalk's examples/single ref_image.png and 1.wav (10.68 s), seed 42, 480p, as in 2026-12-04-h200.json",
            **served,
        },
        "measure": measured,
        "measure_note": "as the harness wrote it in runs 6 and 7: one step over 3.3 s of speech, two chunks; its seconds_per_step and seconds_outside_dit_per_chunk are sums over both chunks (the harness divides by the chunks since); nothing below uses them",
        "derived": {
            "seconds_per_dit_block_streamed_480p": round(per_block, 4),
            "dit_block_calls_measured": block_calls,
            "seconds_per_dit_forward_outside_blocks_480p": round(outside_blocks, 4),
            "seconds_per_dit_forward_streamed_480p_40_layers": round(forward40, 3),
            "check_by_layer_count_slope": {"seconds_per_layer": round(per_layer(forward), 4), "seconds_per_dit_forward_40_layers": round(at_40(forward), 3)},
            "bytes_streamed_per_forward_40_layers": streamed_bytes,
            "pageable_copy_gb_per_second": round(copy_rate, 2),
            "of_which_copy_seconds_40_layers": round(copy40, 3),
            "copy_note": "the DiT's weights copied from pageable host memory at the measured rate (host_link: pageable ~7.5 GB/s, pinned ~55 GB/s on this machine, so the host-side staging copy limits it, not the PCIe link); the rest of a streamed forward is compute and per-layer casts",
            "gpu_peak_reserved_gib_480p": max(m["memory"]["gpu_peak_reserved_gib"] for m in measured.values()),
            "gpu_peak_allocated_gib_480p": max(m["memory"]["gpu_peak_allocated_gib"] for m in measured.values()),
            "gpu_memory_note": "the same with 2 and 6 blocks: streaming holds one block on the GPU at a time, so this is the 40-block figure too",
            "host_ram_gib_per_layer": round(per_layer(ram), 4),
            "host_ram_peak_gib_40_layers": round(at_40(ram), 2),
            "load_seconds_per_layer_local_disk": round(per_layer(load_seconds), 2),
            "load_seconds_40_layers_local_disk": round(at_40(load_seconds), 1),
            **outside_dit_per_chunk(served),
        },
    }
    target = RESULTS / f"{DATE}-h200-bf16-lightx2v.json"
    target.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["derived"], indent=2))


if __name__ == "__main__":
    main()
