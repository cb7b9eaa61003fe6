"""Lay out a model root as the storage init job leaves it, with random weights at real shapes.

Every file a manifest's include patterns select on the Hub is written in its real format: the fp8
DiT and T5 as optimum-quanto safetensors with their quantization maps, the bf16 T5 and the VAE and
CLIP checkpoints as torch ``.pth`` state dicts, the unquantized DiT as seven fp32 safetensors shards
plus InfiniteTalk's own weights, wav2vec2 as ``config.json`` + ``preprocessor_config.json`` +
``model.safetensors``, the LoRA as safetensors with upstream's key names. Shapes come from
InfiniteTalk's own model classes (the tree on ``sys.path``) built from the Wan config; the weights are
random, so the output shows nothing, but every byte moves and every kernel runs as with real weights.

Two things cannot be had here and are synthetic, in the real file formats: the tokenizers (a small
vocabulary in ``tokenizer.json``; the real ones come from the Hub) and the Hub commit in the lock file.
The lock itself is written with the worker's own lock code, last, after hashing every file.

Run on the GPU harness machine: ``python layout.py --manifest m.json --root /data/models``.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # avatar_worker
if os.environ.get("INFINITETALK_HOME"):
    sys.path.insert(0, os.environ["INFINITETALK_HOME"])  # wan: the model classes the shapes come from

from avatar_worker.fp8_linear import quantize_per_channel  # noqa: E402

WAN_CONFIG_FILE = HERE / "fixtures" / "wan2.1-i2v-14b-480p.config.json"
QFLOAT8 = {"weights": "qfloat8_e4m3fn", "activations": "none"}
LORA_RANK = 32
#: Layers of each DiT block the lightx2v LoRA changes (the T2V LoRA has no image cross-attention keys).
LORA_TARGETS = ("self_attn.q", "self_attn.k", "self_attn.v", "self_attn.o", "cross_attn.q", "cross_attn.k", "cross_attn.v", "cross_attn.o", "ffn.0", "ffn.2")

Maker = Callable[[Path, "Context"], None]


class Context:
    """What the makers share: the device to build on, the DiT config, timings."""

    def __init__(self, device: str, num_layers: Optional[int]) -> None:
        self.device = torch.device(device)
        self.wan_config = json.loads(WAN_CONFIG_FILE.read_text())
        if num_layers is not None:
            self.wan_config["num_layers"] = num_layers
        self.seconds: Dict[str, float] = {}
        self._dit: Optional[Dict[str, torch.Tensor]] = None

    def dit_state(self) -> Dict[str, torch.Tensor]:
        """A random bf16 state dict of InfiniteTalk's DiT at the configured shape (built once)."""
        if self._dit is None:
            from wan.modules.multitalk_model import WanModel

            with torch.device(self.device):
                torch.set_default_dtype(torch.bfloat16)
                try:
                    model = WanModel(weight_init=True, **self.wan_config)
                finally:
                    torch.set_default_dtype(torch.float32)
            self._dit = {k: v.detach() for k, v in model.state_dict().items()}
        return self._dit


# --- writers -------------------------------------------------------------------------------------


def _save_safetensors(path: Path, tensors: Dict[str, torch.Tensor], metadata: Optional[Dict[str, str]] = None) -> None:
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}, str(path), metadata=metadata)


def quanto_fp8_state(state: Dict[str, torch.Tensor], linear_weights: List[str]) -> Tuple[Dict[str, torch.Tensor], Dict[str, Dict[str, str]]]:
    """optimum-quanto's serialization of a frozen ``quantize(model, weights=qfloat8)`` model.

    Each quantized Linear ``<m>`` is saved as ``<m>.weight._data`` (float8_e4m3fn),
    ``<m>.weight._scale`` (one scale per output channel, the weight's dtype), ``<m>.input_scale`` and
    ``<m>.output_scale`` (scalar ones), plus its bias; everything else as it is. The map names each
    quantized module (what quanto's ``quantization_map`` returns).
    """
    out: Dict[str, torch.Tensor] = {}
    qmap: Dict[str, Dict[str, str]] = {}
    quantized = set(linear_weights)
    for key, tensor in state.items():
        if key in quantized:
            module = key[: -len(".weight")]
            data, scale = quantize_per_channel(tensor, tensor.dtype)
            out[f"{module}.weight._data"] = data
            out[f"{module}.weight._scale"] = scale
            out[f"{module}.input_scale"] = torch.ones((), dtype=tensor.dtype)
            out[f"{module}.output_scale"] = torch.ones((), dtype=tensor.dtype)
            qmap[module] = dict(QFLOAT8)
        else:
            out[key] = tensor
    return out, qmap


def linear_weight_names(model: torch.nn.Module) -> List[str]:
    """``<module>.weight`` of every ``nn.Linear`` (what ``quantize(model, weights=qfloat8)`` quantizes)."""
    return [f"{name}.weight" for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)]


def make_wan_config(path: Path, ctx: Context) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ctx.wan_config, indent=2) + "\n")


def _tokenizer(path: Path, special: List[str], tokenizer_class: str, template: str, extra: Dict[str, Any]) -> None:
    """A small Unigram vocabulary (special tokens, then single characters) in tokenizer.json format."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    pieces = [(token, 0.0) for token in special]
    pieces += [(f"\u2581{c}", -2.0) for c in "abcdefghijklmnopqrstuvwxyz"]
    pieces += [(c, -3.0) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"-()"]
    unk = special.index("<unk>")
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=unk))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    vocab = {token: i for i, (token, _) in enumerate(pieces)}
    tokens = sorted({t for t in template.split() if not t.startswith("$")})
    tokenizer.post_processor = processors.TemplateProcessing(single=template, special_tokens=[(t, vocab[t]) for t in tokens])
    path.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(path / "tokenizer.json"))
    specials = {k: v for k, v in extra.items() if k.endswith("_token")}
    (path / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": tokenizer_class, "model_max_length": 512, **extra}, indent=2))
    (path / "special_tokens_map.json").write_text(json.dumps(specials, indent=2))


def make_umt5_tokenizer(path: Path, ctx: Context) -> None:
    _tokenizer(path, ["<pad>", "</s>", "<unk>"], "T5Tokenizer", "$A </s>",
               {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>", "extra_ids": 0})


def make_xlmr_tokenizer(path: Path, ctx: Context) -> None:
    _tokenizer(path, ["<s>", "<pad>", "</s>", "<unk>", "<mask>"], "XLMRobertaTokenizer", "<s> $A </s>",
               {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>"})


def make_vae(path: Path, ctx: Context) -> None:
    from wan.modules.vae import WanVAE_

    with torch.device(ctx.device):
        model = WanVAE_(dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[], temperal_downsample=[False, True, True], dropout=0.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.cpu() for k, v in model.state_dict().items()}, path)


def make_clip(path: Path, ctx: Context) -> None:
    from wan.modules.clip import clip_xlm_roberta_vit_h_14

    model, _ = clip_xlm_roberta_vit_h_14(pretrained=False, return_transforms=True, return_tokenizer=False, dtype=torch.float16, device=ctx.device)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.cpu() for k, v in model.state_dict().items()}, path)


def _t5_model(ctx: Context) -> torch.nn.Module:
    from wan.modules.t5 import umt5_xxl

    return umt5_xxl(encoder_only=True, return_tokenizer=False, dtype=torch.bfloat16, device=ctx.device)


def make_t5_fp8(path: Path, ctx: Context) -> None:
    """``t5_fp8.safetensors``; its map ``t5_map_fp8.json`` is written beside it."""
    model = _t5_model(ctx)
    state, qmap = quanto_fp8_state(model.state_dict(), linear_weight_names(model))
    _save_safetensors(path, state)
    (path.parent / "t5_map_fp8.json").write_text(json.dumps(qmap))


def make_t5_map(path: Path, ctx: Context) -> None:
    if not path.exists():
        raise RuntimeError(f"{path} is written with t5_fp8.safetensors; list that file first")


def make_t5_bf16(path: Path, ctx: Context) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.cpu() for k, v in _t5_model(ctx).state_dict().items()}, path)


def _dit_linear_weights(ctx: Context) -> List[str]:
    from wan.modules.multitalk_model import WanModel

    with torch.device("meta"):
        model = WanModel(weight_init=False, **ctx.wan_config)
    return linear_weight_names(model)


def make_dit_fp8(path: Path, ctx: Context) -> None:
    """``infinitetalk_single_fp8.safetensors``; its map (same name, ``.json``) is written beside it."""
    state, qmap = quanto_fp8_state(ctx.dit_state(), _dit_linear_weights(ctx))
    _save_safetensors(path, state)
    path.with_suffix(".json").write_text(json.dumps(qmap))


def make_dit_map(path: Path, ctx: Context) -> None:
    if not path.exists():
        raise RuntimeError(f"{path} is written with the fp8 DiT file; list that file first")


def _is_infinitetalk_key(key: str) -> bool:
    """Keys InfiniteTalk adds to Wan2.1-I2V-14B: the audio adapter and per-block audio attention."""
    return key.startswith("audio_proj.") or ".audio_cross_attn." in key or ".norm_x." in key


def make_dit_shard(path: Path, ctx: Context) -> None:
    """One of the seven fp32 Wan shards: the non-audio keys, split evenly in key order."""
    index = int(path.name.split("-")[1]) - 1
    keys = sorted(k for k in ctx.dit_state() if not _is_infinitetalk_key(k))
    mine = keys[index::7]
    _save_safetensors(path, {k: ctx.dit_state()[k].float() for k in mine})


def make_dit_index(path: Path, ctx: Context) -> None:
    keys = sorted(k for k in ctx.dit_state() if not _is_infinitetalk_key(k))
    weight_map = {k: f"diffusion_pytorch_model-{i % 7 + 1:05d}-of-00007.safetensors" for i, k in enumerate(keys)}
    path.write_text(json.dumps({"metadata": {}, "weight_map": weight_map}, indent=2))


def make_infinitetalk_single(path: Path, ctx: Context) -> None:
    _save_safetensors(path, {k: v for k, v in ctx.dit_state().items() if _is_infinitetalk_key(k)})


def make_lora(path: Path, ctx: Context) -> None:
    """A rank-32 LoRA with upstream's key names over every block's attention and FFN layers, plus a
    ``diff_b`` (bias) and a ``diff`` (norm weight) entry per block so every entry kind is exercised."""
    state = ctx.dit_state()
    generator = torch.Generator(device="cpu").manual_seed(7)
    tensors: Dict[str, torch.Tensor] = {}
    for block in range(ctx.wan_config["num_layers"]):
        for target in LORA_TARGETS:
            weight = state[f"blocks.{block}.{target}.weight"]
            out_features, in_features = weight.shape
            key = f"diffusion_model.blocks.{block}.{target}"
            tensors[f"{key}.lora_down.weight"] = (torch.randn(LORA_RANK, in_features, generator=generator) * 0.01).to(torch.bfloat16)
            tensors[f"{key}.lora_up.weight"] = (torch.randn(out_features, LORA_RANK, generator=generator) * 0.01).to(torch.bfloat16)
        bias = state[f"blocks.{block}.self_attn.q.bias"]
        tensors[f"diffusion_model.blocks.{block}.self_attn.q.diff_b"] = (torch.randn(bias.shape, generator=generator) * 0.001).to(torch.bfloat16)
        norm = state[f"blocks.{block}.self_attn.norm_q.weight"]
        tensors[f"diffusion_model.blocks.{block}.self_attn.norm_q.diff"] = (torch.randn(norm.shape, generator=generator) * 0.001).to(torch.bfloat16)
    _save_safetensors(path, tensors)


def make_wav2vec(directory: Path, ctx: Context) -> None:
    """chinese-wav2vec2-base's shape (wav2vec2-base: 12 layers, hidden 768): config, preprocessor, weights."""
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2Model

    config = Wav2Vec2Config()
    Wav2Vec2Model(config).save_pretrained(str(directory), safe_serialization=True)
    Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0, do_normalize=True, return_attention_mask=False).save_pretrained(str(directory))


#: Files of each repository the manifests' include patterns select, in the order they must be written.
REPO_FILES: Dict[str, List[Tuple[str, Maker]]] = {
    "Wan-AI/Wan2.1-I2V-14B-480P": [
        ("config.json", make_wan_config),
        ("google/umt5-xxl/tokenizer.json", make_umt5_tokenizer),
        ("xlm-roberta-large/tokenizer.json", make_xlmr_tokenizer),
        ("Wan2.1_VAE.pth", make_vae),
        ("models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth", make_clip),
        ("models_t5_umt5-xxl-enc-bf16.pth", make_t5_bf16),
        *[(f"diffusion_pytorch_model-{i:05d}-of-00007.safetensors", make_dit_shard) for i in range(1, 8)],
        ("diffusion_pytorch_model.safetensors.index.json", make_dit_index),
    ],
    "TencentGameMate/chinese-wav2vec2-base": [("model.safetensors", make_wav2vec)],
    "MeiGen-AI/InfiniteTalk": [
        ("quant_models/infinitetalk_single_fp8.safetensors", make_dit_fp8),
        ("quant_models/infinitetalk_single_fp8.json", make_dit_map),
        ("quant_models/t5_fp8.safetensors", make_t5_fp8),
        ("quant_models/t5_map_fp8.json", make_t5_map),
        ("single/infinitetalk.safetensors", make_infinitetalk_single),
    ],
    "Kijai/WanVideo_comfy": [("Wan21_T2V_14B_lightx2v_cfg_step_distill_lora_rank32.safetensors", make_lora)],
}

#: Makers that write a whole directory (several files) at once: they run for the first file listed.
DIRECTORY_MAKERS = {make_umt5_tokenizer, make_xlmr_tokenizer, make_wav2vec}


def _selected(path: str, include: List[str], exclude: List[str]) -> bool:
    return any(fnmatch.fnmatch(path, p) for p in include) and not any(fnmatch.fnmatch(path, p) for p in exclude)


def build(manifest: Dict[str, Any], root: Path, ctx: Context) -> List[Dict[str, Any]]:
    """Write every file of ``manifest`` under ``root``; returns per-model file lists (path, size)."""
    built = []
    for model in manifest["models"]:
        directory = root / model["directory"]
        candidates = REPO_FILES.get(model["repo"])
        if candidates is None:
            raise SystemExit(f"layout: no recipe for repository {model['repo']}")
        for name, maker in candidates:
            if not _selected(name, model["include"], model.get("exclude", [])):
                continue
            target = directory / name
            started = time.monotonic()
            maker(target.parent if maker in DIRECTORY_MAKERS else target, ctx)
            ctx.seconds[f"{model['name']}/{name}"] = round(time.monotonic() - started, 2)
        files = sorted(p for p in directory.rglob("*") if p.is_file())
        relative = [str(p.relative_to(directory)) for p in files]
        unmatched = [r for r in relative if not _selected(r, model["include"], model.get("exclude", []))]
        if unmatched:
            raise SystemExit(f"layout: {model['name']} wrote files its include patterns do not select: {unmatched}")
        empty = [p for p in model["include"] if not any(fnmatch.fnmatch(r, p) for r in relative)]
        if empty:
            raise SystemExit(f"layout: {model['name']}: include patterns {empty} select no file")
        built.append({"model": model, "files": [(r, (directory / r).stat().st_size) for r in relative]})
    return built


def write_lock(manifest_json: str, built: List[Dict[str, Any]], root: Path) -> Dict[str, Any]:
    """The lock file, written last, with the worker's own lock code (as ``init`` writes it)."""
    from avatar_worker.jsonlog import utc_timestamp
    from avatar_worker.manifest import load_manifest_from_env, manifest_sha256
    from avatar_worker.storage import LOCK_FILE_NAME, LockedFile, LockedModel, LockRecord, sha256_of_file
    from avatar_worker.storage.files import write_json_atomic

    sha256 = manifest_sha256(json.loads(manifest_json))
    manifest = load_manifest_from_env({"AVATAR_MODEL_MANIFEST": manifest_json, "AVATAR_MODEL_MANIFEST_SHA256": sha256})
    jobs = {(entry["model"]["directory"], name): root / entry["model"]["directory"] / name for entry in built for name, _ in entry["files"]}
    with ThreadPoolExecutor(max_workers=16) as pool:
        digests = dict(zip(jobs, pool.map(sha256_of_file, jobs.values())))
    models = []
    for entry in built:
        model = entry["model"]
        commit = hashlib.sha1(f"harness:{model['repo']}@{model['revision']}".encode()).hexdigest()
        files = tuple(LockedFile(path=name, size=size, sha256=digests[(model["directory"], name)]) for name, size in entry["files"])
        models.append(LockedModel(name=model["name"], repo=model["repo"], revision=model["revision"], commit=commit, directory=model["directory"], files=files))
    record = LockRecord(
        format_version=manifest.format_version,
        manifest_sha256=manifest.sha256,
        completed_at=utc_timestamp(),
        models=tuple(models),
        total_bytes=sum(f.size for m in models for f in m.files),
    )
    write_json_atomic(root / LOCK_FILE_NAME, record.to_document())
    return record.to_document()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True, help="file holding AVATAR_MODEL_MANIFEST as the construct renders it")
    parser.add_argument("--root", required=True)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--num-layers", type=int, help="fewer DiT blocks than the real 40 (disk-bound runs)")
    parser.add_argument("--report", help="write timings and sizes here (JSON)")
    args = parser.parse_args(argv)
    manifest_json = Path(args.manifest).read_text().strip()
    root = Path(args.root)
    root.mkdir(parents=True, exist_ok=True)
    ctx = Context(args.device, args.num_layers)
    started = time.monotonic()
    built = build(json.loads(manifest_json), root, ctx)
    written = time.monotonic()
    lock = write_lock(manifest_json, built, root)
    report = {
        "write_seconds": round(written - started, 1),
        "hash_and_lock_seconds": round(time.monotonic() - written, 1),
        "total_bytes": lock["totalBytes"],
        "files": {f"{m['directory']}/{f['path']}": f["size"] for m in lock["models"] for f in m["files"]},
        "seconds_per_file": ctx.seconds,
        "num_layers": ctx.wan_config["num_layers"],
    }
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "files"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
