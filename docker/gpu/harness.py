"""The GPU harness: the worker's real pipeline, served and measured on one GPU (docker/gpu/README.md).

Phases, in one process so the pipeline loads once (each writes its part of the result JSON at once, so
a run cut short still reports what it measured):

1. ``layout``: a model root as the storage init job leaves it (layout.py), then the worker's ``verify``.
2. ``serve``: the worker's serve path (``serve.build_handler`` loads and verifies, then
   ``runpod.serverless.start`` with ``--rp_serve_api``: the RunPod SDK's own local API server) in the
   main thread; a driver thread sends one job with InfiniteTalk's sample image and speech over HTTP
   and checks the mp4 (frames, size bucket, audio stream, duration).
3. ``measure``: on the same loaded pipeline, short generations (one step over two chunks) for each
   guidance configuration the built-in presets use, timing every DiT forward, DiT block and other
   component; the fp8 layer's two matmul paths on the whole model; the DiT's size per block and the
   host-to-GPU copy rate.
4. ``kernels``: the DiT's linear shapes at a 480p chunk's sequence length: bf16, Fp8Linear
   (dequantize, fp8), quanto's own path; and the LoRA merge's error at real shapes.

``python harness.py --out DIR --env endpoint-env.json --phase layout,serve,measure,kernels``
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

HERE = Path(__file__).resolve().parent
DOCKER = HERE.parent
sys.path.insert(0, str(DOCKER))

import torch  # noqa: E402

RESULT_NAME = "gpu-result.json"


class Result:
    """The result document, rewritten after every phase."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.doc: Dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "phases": {}, "errors": []}
        self.lock = threading.Lock()

    def set(self, key: str, value: Any) -> None:
        with self.lock:
            self.doc["phases"][key] = value
            self.flush()

    def error(self, phase: str, error: BaseException) -> None:
        with self.lock:
            self.doc["errors"].append({"phase": phase, "error": repr(error), "traceback": traceback.format_exc()[-4000:]})
            self.flush()

    def flush(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        temporary = self.out / (RESULT_NAME + ".tmp")
        temporary.write_text(json.dumps(self.doc, indent=2, default=str))
        temporary.replace(self.out / RESULT_NAME)


def gib(value: float) -> float:
    return round(value / (1 << 30), 2)


def host_ram_peak_gib() -> float:
    """Peak resident set of this process (Linux reports kilobytes)."""
    return gib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def package_versions(names: List[str]) -> Dict[str, Optional[str]]:
    from importlib import metadata

    found: Dict[str, Optional[str]] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


# --- phase 0: environment ----------------------------------------------------------------------------


def environment(infinitetalk_home: str) -> Dict[str, Any]:
    props = torch.cuda.get_device_properties(0)
    shims = sorted(p.name for p in (HERE / "shims").iterdir() if p.is_dir() and p.name != "bin") + ["sitecustomize (inspect.ArgSpec)", "bin/ffprobe"]
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[:1]
    return {
        "gpu": props.name,
        "gpu_memory_gib": gib(props.total_memory),
        "compute_capability": list(torch.cuda.get_device_capability(0)),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "packages": package_versions(["transformers", "tokenizers", "huggingface_hub", "diffusers", "optimum-quanto", "safetensors", "runpod", "numpy", "librosa", "accelerate"]),
        "ffmpeg": ffmpeg[0] if ffmpeg else None,
        "infinitetalk_tree": {
            "home": infinitetalk_home,
            "commit": os.environ.get("HARNESS_INFINITETALK_COMMIT"),
            "archive_sha256": os.environ.get("HARNESS_INFINITETALK_SHA256"),
            "note": "the vendored 0107cd9 tree (the newest complete one available); the image pins a1aa6e9 (INFINITETALK.md §1 lists the differences)",
        },
        "shims": shims,
        "image_environment": {k: os.environ.get(k) for k in json.loads(os.environ.get("HARNESS_IMAGE_ENV_KEYS", "[]"))},
    }


# --- phase 1: layout -----------------------------------------------------------------------------------


def layout(manifest_json: str, root: Path, num_layers: Optional[int], out: Path) -> Dict[str, Any]:
    """layout.py in a subprocess (its host RAM and GPU memory stay out of this process's peaks)."""
    from avatar_worker.manifest import manifest_sha256

    manifest_file = out / "manifest.json"
    manifest_file.write_text(manifest_json)
    report_file = out / "layout-report.json"
    args = [sys.executable, str(HERE / "layout.py"), "--manifest", str(manifest_file), "--root", str(root), "--report", str(report_file)]
    if num_layers:
        args += ["--num-layers", str(num_layers)]
    subprocess.run(args, check=True)
    report = json.loads(report_file.read_text())
    verify = subprocess.run(
        [sys.executable, "-m", "avatar_worker", "verify", "--root", str(root)],
        cwd=str(DOCKER), capture_output=True, text=True,
        env={**os.environ, "AVATAR_MODEL_MANIFEST": manifest_json, "AVATAR_MODEL_MANIFEST_SHA256": manifest_sha256(json.loads(manifest_json))},
    )
    report["verify"] = {"exit_code": verify.returncode, "last_line": (verify.stdout.strip().splitlines() or [""])[-1][:2000]}
    return report


# --- instrumentation -------------------------------------------------------------------------------------


class Timer:
    """Seconds per named component, CUDA-synchronized so GPU work is counted where it is issued."""

    def __init__(self) -> None:
        self.seconds: Dict[str, float] = {}
        self.calls: Dict[str, int] = {}

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            torch.cuda.synchronize()
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                torch.cuda.synchronize()
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed

    def snapshot(self) -> Dict[str, Any]:
        return {name: {"seconds": round(self.seconds[name], 3), "calls": self.calls[name]} for name in sorted(self.seconds)}


LOAD_TIMER = Timer()
RUN_TIMER = Timer()


def instrument_upstream_load() -> None:
    """Time each component upstream's constructor builds (patched where wan.multitalk looks them up)."""
    import wan.multitalk as multitalk

    for name in ("T5EncoderModel", "WanVAE", "CLIPModel", "load_file", "requantize", "WanModel"):
        setattr(multitalk, name, LOAD_TIMER.wrap(f"upstream/{name}", getattr(multitalk, name)))


def instrument_run(pipe: Any) -> None:
    """Time the per-job and per-chunk components of ``generate_infinitetalk`` on the loaded pipeline."""
    pipe.model.forward = RUN_TIMER.wrap("dit_forward", pipe.model.forward)
    # Each transformer block too: what scales with the layer count (runs with --num-layers are scaled
    # to the real 40 from these); a forward minus its blocks is the part that does not scale.
    for block in pipe.model.blocks:
        block.forward = RUN_TIMER.wrap("dit_block", block.forward)
    pipe.clip.visual = RUN_TIMER.wrap("clip_visual", pipe.clip.visual)
    pipe.vae.encode = RUN_TIMER.wrap("vae_encode", pipe.vae.encode)
    pipe.vae.decode = RUN_TIMER.wrap("vae_decode", pipe.vae.decode)
    t5 = type(pipe.text_encoder)
    t5.__call__ = RUN_TIMER.wrap("t5_encode", t5.__call__)


def dit_size(model: Any) -> Dict[str, Any]:
    """Parameters and bytes of the DiT's blocks (each) and of the rest, as loaded (buffers included:
    Fp8Linear keeps its weights as buffers)."""

    def tensors(module: Any) -> List[Any]:
        return [*module.parameters(), *module.buffers()]

    blocks = list(model.blocks)
    in_blocks = {id(t) for block in blocks for t in tensors(block)}
    rest = [t for t in tensors(model) if id(t) not in in_blocks]
    first = tensors(blocks[0])
    return {
        "blocks": len(blocks),
        "params_per_block": sum(t.numel() for t in first),
        "bytes_per_block": sum(t.numel() * t.element_size() for t in first),
        "params_outside_blocks": sum(t.numel() for t in rest),
        "bytes_outside_blocks": sum(t.numel() * t.element_size() for t in rest),
        "dtypes": sorted({str(t.dtype) for t in first}),
        "devices": sorted({str(t.device) for t in tensors(model)}),
    }


def host_link(nbytes: int, repeats: int = 5) -> Dict[str, Any]:
    """Host-to-GPU copy rate for ``nbytes`` (one DiT block's weights): from pageable memory, as
    upstream's layer streaming copies (``weight.to(device)`` of CPU parameters), and from pinned memory."""
    host = torch.empty(nbytes, dtype=torch.uint8).fill_(1)
    pinned = host.pin_memory()
    rates: Dict[str, Any] = {"bytes": nbytes}
    for name, source, non_blocking in (("pageable", host, False), ("pinned", pinned, True)):
        source.to("cuda", non_blocking=non_blocking)
        torch.cuda.synchronize()
        started = time.perf_counter()
        for _ in range(repeats):
            source.to("cuda", non_blocking=non_blocking)
        torch.cuda.synchronize()
        seconds = (time.perf_counter() - started) / repeats
        rates[name] = {"seconds": round(seconds, 4), "gb_per_second": round(nbytes / seconds / 1e9, 2)}
    return rates


def memory() -> Dict[str, float]:
    return {
        "gpu_peak_allocated_gib": gib(torch.cuda.max_memory_allocated()),
        "gpu_peak_reserved_gib": gib(torch.cuda.max_memory_reserved()),
        "host_ram_peak_gib": host_ram_peak_gib(),
    }


# --- phase 2: serve ------------------------------------------------------------------------------------------


def sample_inputs(infinitetalk_home: str) -> Dict[str, Any]:
    sample = Path(infinitetalk_home) / "examples" / "single"
    prompt = json.loads((Path(infinitetalk_home) / "examples" / "single_example_image.json").read_text())["prompt"]
    return {
        "image_base64": base64.b64encode((sample / "ref_image.png").read_bytes()).decode(),
        "audio_base64": base64.b64encode((sample / "1.wav").read_bytes()).decode(),
        "prompt": prompt,
        "seed": 42,
        "resolution": 480,
    }


def ffprobe_like(path: Path) -> Dict[str, Any]:
    """What the mp4 holds, read back with ffmpeg: frames (decoded), size, audio stream, duration."""
    info = subprocess.run(["ffmpeg", "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    count = subprocess.run(
        ["ffmpeg", "-hide_banner", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "null", "-progress", "pipe:1", "-"],
        capture_output=True, text=True,
    ).stdout
    frames = [int(line.split("=")[1]) for line in count.splitlines() if line.startswith("frame=")]
    return {"ffmpeg_i": [line.strip() for line in info.splitlines() if "Stream #" in line or "Duration" in line], "decoded_frames": frames[-1] if frames else None}


def capture_delivery(out: Path) -> None:
    """The device has no S3 server: the worker's delivery step copies the finished mp4 to the harness's
    output folder and returns its path as the URL. Everything before it (the job over HTTP, fetch,
    decode, generate, encode) runs as on RunPod."""
    import shutil

    from avatar_worker import delivery

    def deliver(path: str, job_id: str, *args: Any, **kwargs: Any) -> Any:
        target = out / "sample-480p.mp4"
        shutil.copyfile(path, target)
        return delivery.Delivery(url=f"file://{target}")

    delivery.deliver = deliver


def drive_job(port: int, infinitetalk_home: str, out: Path) -> Dict[str, Any]:
    import requests

    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.5)
    job = sample_inputs(infinitetalk_home)
    started = time.monotonic()
    response = requests.post(f"{base}/runsync", json={"input": job}, timeout=3600)
    wall = time.monotonic() - started
    body = response.json()
    output = body.get("output") or {}
    report: Dict[str, Any] = {"http_status": response.status_code, "status": body.get("status"), "wall_seconds": round(wall, 2)}
    video = out / "sample-480p.mp4"
    if video.exists():
        report["mp4"] = {"file": video.name, "bytes": video.stat().st_size, **ffprobe_like(video)}
    report["output"] = output
    if body.get("status") != "COMPLETED":
        report["error"] = body.get("error")
    return report


def _dynamo_report() -> Dict[str, Any]:
    """Whether TorchDynamo compiled anything (it must not: the image has no compiler for Triton)."""
    from torch._dynamo.utils import counters

    return {"dynamo_disabled": bool(torch._dynamo.config.disable), "counters": {k: dict(v) for k, v in counters.items() if v}}


# --- phase 3: measure --------------------------------------------------------------------------------------


#: (label, text guidance, audio guidance): the guidance of each built-in preset and the audio-CFG-1 variant.
GUIDANCE_CONFIGS = [
    ("text 5 / audio 4 (quality-40step)", 5.0, 4.0),
    ("text 1 / audio 4 (balanced-40step-cfg1)", 1.0, 4.0),
    ("text 1 / audio 2 (lightx2v-4step)", 1.0, 2.0),
    ("text 1 / audio 1 (one pass per step)", 1.0, 1.0),
]


def measure(handler: Any, infinitetalk_home: str, work: Path, configs_wanted: str, steps: int = 1) -> Dict[str, Any]:
    """One 81-frame chunk per configuration on the served pipeline; DiT forwards timed one by one."""
    from avatar_worker import media
    from avatar_worker.fp8_linear import set_matmul
    from avatar_worker.pipeline import GenerationRequest

    pipeline = handler.pipeline
    torch.cuda.reset_peak_memory_stats()
    sample = Path(infinitetalk_home) / "examples" / "single"
    work.mkdir(parents=True, exist_ok=True)
    image = media.decode_image(str(sample / "ref_image.png"), 40_000_000, "image")
    image_path = work / "image.png"
    image.save(image_path, format="PNG")
    # 3.3 s of the sample speech: 82 frames, so two chunks (the second carries the motion frames over).
    audio = media.prepare_audio(str(sample / "1.wav"), str(work / "audio.wav"), min_seconds=0.5, max_seconds=20)
    samples = audio.samples[: int(3.3 * media.MODEL_SAMPLE_RATE)]
    runs = []
    default_matmul = pipeline.load_report.get("fp8_matmul", "dequantize")
    preset = handler.settings.preset
    configs = [(label, t, a, default_matmul, False) for label, t, a in GUIDANCE_CONFIGS
               if configs_wanted == "all" or (t, a) == (preset.text_guide_scale, preset.audio_guide_scale)]
    if configs_wanted == "all":
        other = "fp8" if default_matmul == "dequantize" else "dequantize"
        configs.append((f"text 1 / audio 2, fp8 layers in {other} mode", 1.0, 2.0, other, False))
    if configs_wanted == "all":
        configs.append(("text 1 / audio 2, upstream's torch_gc (CUDA cache emptied per pass and layer)", 1.0, 2.0, default_matmul, True))
    import wan.multitalk
    import wan.utils.multitalk_utils

    kept = wan.multitalk.torch_gc
    for label, text, audio_guidance, matmul, upstream_gc in configs:
        for module in (wan.multitalk, wan.utils.multitalk_utils):
            module.torch_gc = UPSTREAM_TORCH_GC[module.__name__] if upstream_gc else kept
        set_matmul(pipeline._pipe.model, matmul)
        set_matmul(pipeline._pipe.text_encoder.model, matmul)
        request = GenerationRequest(
            image_path=str(image_path), image_size=image.size, audio_wav_path=audio.model_wav_path,
            audio_samples=samples, audio_seconds=len(samples) / media.MODEL_SAMPLE_RATE, prompt="a person talking",
            resolution=480, seed=1, steps=steps, text_guidance=text, audio_guidance=audio_guidance, work_dir=str(work),
        )
        progress: List[Dict[str, Any]] = []
        RUN_TIMER.reset()
        torch.cuda.synchronize()
        started = time.perf_counter()
        video = pipeline.generate(request, progress.append)
        torch.cuda.synchronize()
        total = time.perf_counter() - started
        timings = RUN_TIMER.snapshot()
        forwards = timings.get("dit_forward", {"seconds": 0.0, "calls": 0})
        passes = next((p for p in progress if "dit_passes" in p), {})
        per_forward = forwards["seconds"] / max(1, forwards["calls"])
        blocks = timings.get("dit_block", {"seconds": 0.0, "calls": 0})
        other = total - forwards["seconds"]
        chunks = timings.get("vae_decode", {"calls": 1})["calls"]  # one decode per chunk
        runs.append({
            "config": label, "matmul": matmul, "upstream_torch_gc": upstream_gc, "steps": steps, "frames": int(video.shape[1]),
            "dit_passes_run": passes.get("dit_passes"), "dit_passes_skipped": passes.get("dit_passes_skipped"),
            "seconds_total": round(total, 3), "seconds_per_dit_forward": round(per_forward, 3),
            "chunks": chunks,
            "seconds_per_step": round(forwards["seconds"] / steps / chunks, 3),
            "seconds_per_dit_block": round(blocks["seconds"] / max(1, blocks["calls"]), 4),
            "seconds_per_dit_forward_outside_blocks": round((forwards["seconds"] - blocks["seconds"]) / max(1, forwards["calls"]), 4),
            "seconds_outside_dit_per_chunk": round(other / chunks, 3), "components": timings,
        })
    set_matmul(pipeline._pipe.model, default_matmul)
    set_matmul(pipeline._pipe.text_encoder.model, default_matmul)
    for module in (wan.multitalk, wan.utils.multitalk_utils):
        module.torch_gc = kept
    size = dit_size(pipeline._pipe.model)
    return {"runs": runs, "memory": memory(), "dit": size, "host_link": host_link(size["bytes_per_block"]), "note": "3.3 s of the sample speech at 480p (the sample image's bucket, 896x448: 32,928 DiT tokens): two 81-frame chunks, steps as listed; seconds_per_step and seconds_outside_dit_per_chunk are per chunk (until 2026-12-04's bf16 runs 6 and 7 both were the sum over the chunks)"}


# --- phase 4: kernels -------------------------------------------------------------------------------------------


def kernels(tokens: int = 32928) -> Dict[str, Any]:
    """The DiT's linear shapes at a 480p chunk's token count, each way; and the LoRA merge's error."""
    from avatar_worker.fp8_linear import Fp8Linear, quantize_per_channel

    device = torch.device("cuda")
    shapes = {"attention 5120x5120": (5120, 5120), "ffn in 5120->13824": (13824, 5120), "ffn out 13824->5120": (5120, 13824)}
    generator = torch.Generator(device=device).manual_seed(0)
    out: Dict[str, Any] = {"tokens": tokens, "shapes": {}}
    for label, (n, k) in shapes.items():
        x = torch.randn(tokens, k, device=device, dtype=torch.bfloat16, generator=generator)
        w = (torch.randn(n, k, device=device, generator=generator) * 0.02).to(torch.bfloat16)
        data, scale = quantize_per_channel(w, torch.bfloat16)
        layer = Fp8Linear(data, scale, None, "dequantize")
        reference = x.float() @ w.float().t()
        row: Dict[str, Any] = {}
        for name, fn in (("bf16", lambda: torch.nn.functional.linear(x, w)), ("fp8 layer, dequantize", lambda: layer(x))):
            row[name] = _bench(fn)
        row["fp8 layer, dequantize"]["relative_error"] = _relative_error(layer(x), reference)
        layer.matmul = "fp8"
        row["fp8 layer, fp8"] = _bench(lambda: layer(x))
        row["fp8 layer, fp8"]["relative_error"] = _relative_error(layer(x), reference)
        row["bf16"]["relative_error"] = _relative_error(torch.nn.functional.linear(x, w), reference)
        row["quanto qfloat8 (as upstream on the GPU)"] = _quanto_bench(w, x)
        flops = 2 * tokens * n * k
        for value in row.values():
            if "seconds" in value:
                value["tflops"] = round(flops / value["seconds"] / 1e12, 1)
        out["shapes"][label] = row
    out["lora_merge_at_real_shape"] = _lora_merge_error(device)
    return out


def _bench(fn: Callable[[], Any], repeats: int = 5) -> Dict[str, Any]:
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(repeats):
        fn()
    torch.cuda.synchronize()
    return {"seconds": (time.perf_counter() - started) / repeats}


def _relative_error(value: torch.Tensor, reference: torch.Tensor) -> float:
    return float((value.float() - reference).norm() / reference.norm())


def _quanto_bench(w: torch.Tensor, x: torch.Tensor) -> Dict[str, Any]:
    """quanto's own QLinear, frozen on the GPU (what upstream's fp8 DiT does once moved there), in a
    subprocess without nvcc (CUDA_HOME pointing nowhere, PATH without the CUDA bin) as in the image."""
    script = (
        "import sys,time,torch\n"
        "from optimum.quanto import quantize, freeze, qfloat8\n"
        "n,k,t=map(int,sys.argv[1:4])\n"
        "m=torch.nn.Linear(k,n,bias=False).to('cuda',torch.bfloat16)\n"
        "quantize(m,weights=qfloat8); freeze(m)\n"
        "print('weight_class',type(m.weight).__name__,flush=True)\n"
        "x=torch.randn(t,k,device='cuda',dtype=torch.bfloat16)\n"
        "m(x); torch.cuda.synchronize(); s=time.perf_counter()\n"
        "for _ in range(5): m(x)\n"
        "torch.cuda.synchronize(); print('seconds',(time.perf_counter()-s)/5,flush=True)\n"
    )
    n, k = w.shape
    label = "without nvcc (as in the image)"
    env = {**os.environ, "PATH": ":".join(p for p in os.environ["PATH"].split(":") if "cuda" not in p), "CUDA_HOME": "/nonexistent"}
    try:
        done = subprocess.run([sys.executable, "-c", script, str(n), str(k), str(x.shape[0])], env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {label: {"timeout_seconds": 120}}
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    results: Dict[str, Any] = {label: {"exit_code": done.returncode, **lines, "stderr_tail": done.stderr.strip().splitlines()[-3:]}}
    if "seconds" in lines:
        results["seconds"] = float(lines["seconds"])
    return results


def _lora_merge_error(device: torch.device) -> Dict[str, Any]:
    """For an attention-shaped layer: the merged fp8 layer vs the bf16 layer plus LoRA, and the fp8
    quantization error of the bf16 layer alone (the bound the merge should stay within)."""
    from avatar_worker.fp8_linear import Fp8Linear, dequantize, quantize_per_channel

    generator = torch.Generator(device=device).manual_seed(1)
    n = k = 5120
    w = (torch.randn(n, k, device=device, generator=generator) * 0.02).to(torch.bfloat16)
    down = (torch.randn(32, k, device=device, generator=generator) * 0.01).to(torch.bfloat16)
    up = (torch.randn(n, 32, device=device, generator=generator) * 0.01).to(torch.bfloat16)
    x = torch.randn(4096, k, device=device, dtype=torch.bfloat16, generator=generator)
    reference = x.float() @ (w.float() + up.float() @ down.float()).t()
    data, scale = quantize_per_channel(w, torch.bfloat16)
    merged_data, merged_scale = quantize_per_channel(dequantize(data, scale).float() + up.float() @ down.float(), torch.bfloat16)
    merged = Fp8Linear(merged_data, merged_scale, None)
    plain = Fp8Linear(*quantize_per_channel(w.float() + up.float() @ down.float(), torch.bfloat16), None)
    return {
        "merged_fp8_vs_bf16_plus_lora": _relative_error(merged(x), reference),
        "fp8_of_bf16_plus_lora_vs_bf16_plus_lora": _relative_error(plain(x), reference),
    }


# --- main ------------------------------------------------------------------------------------------------------------


UPSTREAM_TORCH_GC: Dict[str, Any] = {}


def drop_page_cache() -> bool:
    """So the load reads the model files from disk, not from the page cache layout just filled."""
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def serve_and_measure(env_file: Path, out: Path, result: Result, phases: List[str], infinitetalk_home: str, measure_configs: str) -> None:
    """Main thread: the worker's serve path (blocking in the SDK). Driver thread: job, then measurements."""
    from avatar_worker import serve

    env = json.loads(env_file.read_text())
    env.update({"AVATAR_PIPELINE": "infinitetalk", "INFINITETALK_HOME": infinitetalk_home})
    os.environ.update(env)
    port = 8765
    sys.path.insert(0, infinitetalk_home)
    import wan.multitalk
    import wan.utils.multitalk_utils

    UPSTREAM_TORCH_GC.update({m.__name__: m.torch_gc for m in (wan.multitalk, wan.utils.multitalk_utils)})
    instrument_upstream_load()
    capture_delivery(out)
    cold = drop_page_cache()
    torch.cuda.reset_peak_memory_stats()
    started = time.monotonic()
    handler = serve.build_handler(env)
    result.set("load", {
        "seconds": round(time.monotonic() - started, 2), "page_cache_dropped_before": cold,
        "worker_load_report": handler.pipeline.load_report, "components": LOAD_TIMER.snapshot(), **memory(),
    })
    instrument_run(handler.pipeline._pipe)

    def driver() -> None:
        try:
            if "serve" in phases:
                torch.cuda.reset_peak_memory_stats()
                report = drive_job(port, infinitetalk_home, out)
                report["components"] = RUN_TIMER.snapshot()
                report.update(memory())
                report["torch_compile"] = _dynamo_report()
                result.set("serve", report)
        except BaseException as error:  # noqa: BLE001 - reported in the result
            result.error("serve", error)
        try:
            if "kernels" in phases:
                result.set("kernels", kernels())
        except BaseException as error:  # noqa: BLE001
            result.error("kernels", error)
        try:
            if "measure" in phases:
                result.set("measure", measure(handler, infinitetalk_home, Path("/tmp/harness-measure"), measure_configs))
        except BaseException as error:  # noqa: BLE001
            result.error("measure", error)
        result.flush()
        os._exit(0)

    threading.Thread(target=driver, daemon=True).start()
    import runpod

    sys.argv = [sys.argv[0], "--rp_serve_api", "--rp_api_host", "127.0.0.1", "--rp_api_port", str(port)]
    runpod.serverless.start({"handler": handler})


def main() -> int:
    parser = argparse.ArgumentParser(description="GPU harness (docker/gpu/README.md)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--env", required=True, help="endpoint-env.json from endpoint-env.ts")
    parser.add_argument("--root", default=None, help="model root (default: AVATAR_MODEL_ROOT of the endpoint env)")
    parser.add_argument("--phases", default="layout,serve,measure,kernels")
    parser.add_argument("--num-layers", type=int, default=None)
    parser.add_argument("--measure-configs", choices=["all", "preset"], default="all", help="every guidance configuration, or the endpoint preset's only")
    args = parser.parse_args()
    out = Path(args.out)
    result = Result(out)
    phases = args.phases.split(",")
    home = os.environ["INFINITETALK_HOME"]
    sys.path.insert(0, home)
    sys.path.insert(0, str(HERE))
    result.set("environment", environment(home))
    result.doc["arguments"] = vars(args)
    # Fail fast, before minutes of layout, if the environment cannot import what the worker imports.
    try:
        import optimum.quanto  # noqa: F401
        import runpod  # noqa: F401
        import wan  # noqa: F401
    except BaseException as error:  # noqa: BLE001
        result.error("imports", error)
        return 1
    env = json.loads(Path(args.env).read_text())
    root = Path(args.root or env["AVATAR_MODEL_ROOT"])
    if "layout" in phases:
        try:
            result.set("layout", layout(env["AVATAR_MODEL_MANIFEST"], root, args.num_layers, out))
        except BaseException as error:  # noqa: BLE001
            result.error("layout", error)
            return 1
    if {"serve", "measure", "kernels"} & set(phases):
        env["AVATAR_MODEL_ROOT"] = str(root)
        env_file = out / "endpoint-env.used.json"
        env_file.write_text(json.dumps(env))
        try:
            serve_and_measure(env_file, out, result, phases, home, args.measure_configs)
        except BaseException as error:  # noqa: BLE001
            result.error("load", error)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
