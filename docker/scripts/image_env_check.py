"""Check the worker image's Python environment on CPU: what would break at image build or first job.

Run through ``docker/scripts/image-env.sh`` (``npx projen test:image-env``), which installs
``requirements/image.lock.txt`` into a cached Python 3.10 venv with the Dockerfile's own pip command
and then runs this file in that venv. Each check prints one line; failures print why and where it
would bite (image build, worker start, first job). Exit status 1 when any check fails.

What it proves, and how:

* the Dockerfile's builder stage installs the lock the way image-env.sh did (the install command is
  read from the Dockerfile, never copied), and the venv holds exactly the lock's pins;
* the InfiniteTalk source tree (``INFINITETALK_ARCHIVE``, checked against the sha256 its SOURCES.md
  lists) imports, through the worker's own ``InfiniteTalkPipeline.load``;
* the worker's calls into upstream bind to upstream's real signatures, and its audio path (loudness,
  wav2vec2 with random weights at the real shape, embedding) runs;
* the pipeline's models build on the meta device at real shapes: parameter counts and bytes;
* with the ENV lines of the Dockerfile's final stage and no C compiler, upstream's ``@torch.compile``
  function runs eagerly; without those lines the same call tries to compile (the control);
* optimum-quanto's CUDA kernels (fp8 Marlin) are not shipped prebuilt: the wheel builds them at first
  use, and without nvcc and a C++ compiler that build raises.

CPU-only stand-ins, each named where it is used: ``torch.cuda.current_device`` answers 0 while
upstream is imported (it is evaluated as a default argument at import time), the 0107cd9 tree's
``torch_gc`` inside the compiled function is skipped (it calls ``torch.cuda.ipc_collect``; a1aa6e9
comments those calls out), and ``wan.InfiniteTalkPipeline`` is replaced by a recorder after the worker
has imported it, because building it needs a GPU and 32 GB of weights.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

# Only the standard library above this line: image-env.sh runs `--print-pip-install` with the bare
# Python 3.10 before the venv exists.

DOCKER_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = DOCKER_DIR.parent
DOCKERFILE = DOCKER_DIR / "Dockerfile"
LOCK_FILE = DOCKER_DIR / "requirements" / "image.lock.txt"
WAN_CONFIG_FILE = DOCKER_DIR / "gpu" / "fixtures" / "wan2.1-i2v-14b-480p.config.json"
CACHE_DIR = Path.home() / ".cache" / "cdktf-runpod-avatar"
DEFAULT_ARCHIVE_NAME = "InfiniteTalk-0107cd96.tar.gz"
#: Dockerfile ENV variables that name locations inside the image; the check maps them onto this
#: machine (the venv, the unpacked tree) instead of applying them literally.
IMAGE_LOCATION_VARIABLES = ("PATH", "PYTHONPATH")
#: Executables a CUDA *runtime* image does not have; removed from PATH where the check emulates it.
COMPILER_NAME = re.compile(r"(^|[-_])(gcc|g\+\+|cc|c\+\+|cpp|clang|clang\+\+|nvcc|tcc|icc|icx)(-[\d.]+)?$")


# --- Dockerfile reading ---------------------------------------------------------------------------


@dataclass
class DockerStage:
    """One FROM ... stage: its base, ARG defaults in scope and instructions in order."""

    base: str
    name: Optional[str]
    args: Dict[str, str]
    instructions: List[Tuple[str, str]] = field(default_factory=list)


def dockerfile_stages(text: str) -> List[DockerStage]:
    """Split a Dockerfile into stages; continuation lines joined, comment lines dropped (as Docker does)."""
    logical: List[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    if pending:
        logical.append(pending)
    global_args: Dict[str, str] = {}
    stages: List[DockerStage] = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        rest = rest.strip()
        if keyword == "ARG":
            name, _, default = rest.partition("=")
            scope = stages[-1].args if stages else global_args
            scope[name.strip()] = default.strip() or global_args.get(name.strip(), "")
        elif keyword == "FROM":
            words = rest.split()
            alias = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(DockerStage(base=_expand(words[0], global_args), name=alias, args={}))
        elif stages:
            stages[-1].instructions.append((keyword, rest))
    return stages


def _expand(value: str, variables: Dict[str, str]) -> str:
    """Docker's ${VAR} / $VAR substitution; unknown names are left as written."""

    def replace(match: "re.Match[str]") -> str:
        name = match.group(1) or match.group(2)
        return variables.get(name, match.group(0))

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, value)


def stage_env(stage: DockerStage) -> Dict[str, str]:
    """The variables the stage's ENV lines set, in order, with ARG defaults substituted."""
    env: Dict[str, str] = {}
    for keyword, rest in stage.instructions:
        if keyword != "ENV":
            continue
        tokens = shlex.split(rest)
        if tokens and "=" not in tokens[0]:  # legacy form: ENV NAME value with spaces
            env[tokens[0]] = _expand(rest[len(tokens[0]):].strip(), {**stage.args, **env})
            continue
        for token in tokens:
            name, _, value = token.partition("=")
            env[name] = _expand(value, {**stage.args, **env})
    return env


def builder_pip_install(stages: List[DockerStage]) -> Tuple[List[str], bool]:
    """The builder's ``pip install`` arguments with the lock path mapped to this checkout.

    Returns the arguments after ``pip`` and whether the same RUN goes on to ``pip check``.
    """
    for stage in stages:
        copies: Dict[str, str] = {}
        for keyword, rest in stage.instructions:
            if keyword == "COPY":
                words = [w for w in shlex.split(rest) if not w.startswith("--")]
                if len(words) == 2:
                    copies[words[1]] = words[0]
            if keyword != "RUN" or "pip install" not in rest:
                continue
            commands = [part.strip() for part in rest.split("&&")]
            install = next(c for c in commands if "pip install" in c)
            words = shlex.split(install)
            arguments = words[words.index("install"):]
            for index, word in enumerate(arguments):
                if arguments[index - 1] in ("-r", "--requirement") and index > 0:
                    source = copies.get(word)
                    if source is None:
                        raise ValueError(f"the Dockerfile installs -r {word}, which no COPY in its stage provides")
                    arguments[index] = str((DOCKER_DIR / source).resolve())
            checks = any(re.search(r"\bpip check\b", c) for c in commands[commands.index(install) + 1:])
            return arguments, checks
    raise ValueError("no `RUN ... pip install` found in docker/Dockerfile")


# --- findings -------------------------------------------------------------------------------------


@dataclass
class Finding:
    """One check's outcome. ``bites`` says when a failure would show: image build, worker start, first job."""

    name: str
    ok: bool
    bites: str
    lines: List[str]
    seconds: float


class Report:
    """Collects findings, prints each as it completes, and the summary at the end."""

    def __init__(self) -> None:
        self.findings: List[Finding] = []
        self.facts: Dict[str, Any] = {}

    def run(self, name: str, bites: str, check: Callable[[], List[str]]) -> bool:
        """Run ``check``; its returned lines are details, an exception is the failure and its reason."""
        started = time.monotonic()
        try:
            lines, ok = check(), True
        except CheckFailed as failure:
            lines, ok = failure.lines, False
        except Exception as error:  # an unexpected error is a finding too, with where it came from
            frames = traceback.extract_tb(error.__traceback__)
            where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
            lines, ok = [f"{type(error).__name__} at {where}: {error}"], False
        finding = Finding(name, ok, bites, lines, round(time.monotonic() - started, 1))
        self.findings.append(finding)
        status = "ok  " if ok else "FAIL"
        print(f"[{status}] {name} ({finding.seconds} s)" + ("" if ok else f" — would break at {bites}"), flush=True)
        for line in lines:
            print(f"       {line}", flush=True)
        return ok

    def summary(self) -> int:
        """Print what would break, and return the exit status."""
        failed = [f for f in self.findings if not f.ok]
        print()
        if not failed:
            print(f"image-env: all {len(self.findings)} checks passed")
            return 0
        print(f"image-env: {len(failed)} of {len(self.findings)} checks failed:")
        for finding in failed:
            print(f"  - {finding.name}: would break at {finding.bites}: {finding.lines[0] if finding.lines else ''}")
        return 1


class CheckFailed(Exception):
    """A check's own verdict: ``lines`` explain what is wrong and what to change."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0] if lines else "")
        self.lines = list(lines)


# --- the InfiniteTalk tree ------------------------------------------------------------------------


def locate_archive() -> Path:
    """``INFINITETALK_ARCHIVE``, else the vendored archive in shared/ (in or beside the checkout)."""
    configured = os.environ.get("INFINITETALK_ARCHIVE")
    if configured:
        return Path(configured).resolve()
    for shared in (REPO_DIR / "shared", REPO_DIR.parent / "shared"):
        candidate = shared / "vendor" / "infinitetalk" / DEFAULT_ARCHIVE_NAME
        if candidate.is_file():
            return candidate
    raise CheckFailed(
        f"{DEFAULT_ARCHIVE_NAME} is not in shared/vendor/infinitetalk/ in or beside this checkout.",
        "Set INFINITETALK_ARCHIVE to an InfiniteTalk source archive listed in the SOURCES.md beside it.",
    )


def sources_entry(archive: Path) -> Dict[str, str]:
    """The row of the SOURCES.md table beside ``archive`` that names it (header cells as keys)."""
    sources = archive.parent / "SOURCES.md"
    if not sources.is_file():
        raise CheckFailed(f"{sources} is missing: every archive needs its provenance (commit, sha256) there.")
    header: Optional[List[str]] = None
    for line in sources.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif cells and cells[0] == archive.name:
            return dict(zip(header, cells))
    raise CheckFailed(f"{sources} has no table row for {archive.name}: add its commit and sha256 there.")


def unpack_tree(archive: Path, entry: Dict[str, str]) -> Path:
    """Verify the archive's sha256 against SOURCES.md and unpack it once into the cache."""
    expected = next((v for k, v in entry.items() if k.startswith("sha256")), "")
    digest = hashlib.sha256()
    with archive.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        raise CheckFailed(
            f"{archive.name} has sha256 {digest.hexdigest()}, SOURCES.md lists {expected or 'none'}.",
            "The archive is not the one recorded: fetch it again or record the new one with its provenance.",
        )
    target = CACHE_DIR / f"infinitetalk-{expected[:16]}"
    if not (target / ".unpacked").is_file():
        staging = Path(f"{target}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        (staging / ".unpacked").touch()
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    roots = [p for p in target.iterdir() if p.is_dir()]
    if len(roots) != 1 or not (roots[0] / "wan" / "multitalk.py").is_file():
        raise CheckFailed(f"{archive.name} does not unpack into one directory holding wan/multitalk.py.")
    return roots[0]


# --- CPU stand-ins ---------------------------------------------------------------------------------


@contextlib.contextmanager
def cuda_device_index_without_driver() -> Iterator[None]:
    """Let upstream import on a machine without a GPU.

    wan/modules/t5.py evaluates ``torch.cuda.current_device()`` as a default argument when the module
    is imported; without a driver that raises. On the GPU it returns 0, which is what this answers.
    """
    import torch

    real = torch.cuda.current_device
    torch.cuda.current_device = lambda: 0  # type: ignore[assignment]
    try:
        yield
    finally:
        torch.cuda.current_device = real  # type: ignore[assignment]


def toolchain_free_bin(directory: Path) -> Path:
    """A directory of links to every program on PATH except compilers: a CUDA runtime image's view."""
    directory.mkdir(parents=True, exist_ok=True)
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not entry or not os.path.isdir(entry):
            continue
        for name in os.listdir(entry):
            source = os.path.join(entry, name)
            target = directory / name
            if target.exists() or not os.access(source, os.X_OK) or os.path.isdir(source):
                continue
            if COMPILER_NAME.search(name) or COMPILER_NAME.search(os.path.basename(os.path.realpath(source))):
                continue
            target.symlink_to(source)
    return directory


# --- checks ---------------------------------------------------------------------------------------


class ImageEnvCheck:
    """The checks, in order; later ones use what earlier ones established."""

    def __init__(self, venv: Path, report: Report, workdir: Path) -> None:
        self.venv = venv
        self.report = report
        self.workdir = workdir
        self.stages = dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))
        self.tree: Optional[Path] = None
        self.tree_commit = "?"

    def dockerfile_install(self) -> List[str]:
        """The builder installs the lock binary-only, without resolving, and runs pip check."""
        arguments, checks = builder_pip_install(self.stages)
        problems = []
        for flag in ("--no-deps", "--only-binary=:all:"):
            if flag not in arguments:
                problems.append(f"the builder's pip install lacks {flag}: the lock would be resolved or built at image build")
        if not checks:
            problems.append("the builder's RUN does not run `pip check` after installing")
        if str(LOCK_FILE.resolve()) not in arguments:
            problems.append(f"the builder installs {arguments}, not requirements/image.lock.txt")
        if problems:
            raise CheckFailed(*problems)
        return [f"pip {' '.join(a if a != str(LOCK_FILE.resolve()) else 'requirements/image.lock.txt' for a in arguments)} && pip check"]

    def venv_matches_lock(self) -> List[str]:
        """Every lock line is an exact pin, and the venv holds those versions and nothing else."""
        import importlib.metadata as metadata

        def canonical(name: str) -> str:
            return re.sub(r"[-_.]+", "-", name).lower()

        pins: Dict[str, str] = {}
        for line in LOCK_FILE.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if not re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!_-]+", line):
                raise CheckFailed(f"image.lock.txt line {line!r} is not an exact `name==version` pin.")
            name, version = line.split("==")
            pins[canonical(name)] = version
        installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
        # The venv's own installer tools come with `python -m venv`, as in the Dockerfile.
        extra = sorted(set(installed) - set(pins) - {"pip", "setuptools", "wheel"})
        missing = sorted(set(pins) - set(installed))
        moved = sorted(n for n in set(pins) & set(installed) if pins[n] != installed[n])
        problems = [f"not installed: {', '.join(missing)}"] if missing else []
        problems += [f"{n} is {installed[n]}, the lock pins {pins[n]}" for n in moved]
        problems += [f"installed but not in the lock: {', '.join(extra)}"] if extra else []
        if problems:
            raise CheckFailed(*problems)
        self.report.facts["python"] = sys.version.split()[0]
        import torch

        self.report.facts["torch"] = torch.__version__
        self.report.facts["torch_cuda"] = torch.version.cuda
        return [
            f"{len(pins)} pins installed exactly (Python {sys.version.split()[0]}); pip check passed before this ran",
            f"torch {torch.__version__} built for CUDA {torch.version.cuda}",
        ]

    def infinitetalk_tree(self) -> List[str]:
        """Locate, verify and unpack the InfiniteTalk archive; say how it differs from the image's pin."""
        archive = locate_archive()
        entry = sources_entry(archive)
        self.tree = unpack_tree(archive, entry)
        self.tree_commit = entry.get("commit", "?")
        self.report.facts["infinitetalk_tree"] = {"archive": archive.name, "commit": self.tree_commit, "path": str(self.tree)}
        pinned = _expand("${INFINITETALK_COMMIT}", self.stages[-1].args)
        lines = [f"{archive.name} (sha256 as in SOURCES.md), commit {self.tree_commit}, at {self.tree}"]
        if not pinned.startswith(self.tree_commit[:7]):
            lines.append(
                f"the image pins {pinned[:7]}; this tree is {self.tree_commit[:7]} (differences: shared/reference/INFINITETALK.md §1; "
                "at 0107cd9 self-attention asserts flash-attn, which the lock leaves out; a1aa6e9 falls back to SDPA)"
            )
        return lines

    def worker_modules_import(self) -> List[str]:
        """Every module of the worker package imports with the image's packages."""
        import importlib
        import pkgutil

        sys.path.insert(0, str(DOCKER_DIR))
        import avatar_worker

        names = sorted(m.name for m in pkgutil.iter_modules(avatar_worker.__path__) if m.name != "__main__")
        failed = []
        for name in names:
            try:
                importlib.import_module(f"avatar_worker.{name}")
            except Exception as error:
                failed.append(f"avatar_worker.{name}: {type(error).__name__}: {error}")
        if failed:
            raise CheckFailed(*failed)
        return [f"{len(names)} modules: {', '.join(names)}"]

    def worker_load_and_generate(self) -> List[str]:
        """The worker's own load() and generate(), up to the call into upstream's GPU constructor."""
        assert self.tree is not None, "the tree check must pass first"
        import torch
        from avatar_worker import pipeline as worker
        from avatar_worker.preset import DEFAULT_PRESET_DOCUMENT, Preset

        root = self.workdir / "model-root"
        paths = self._cpu_model_root(root)
        preset = Preset.from_document(DEFAULT_PRESET_DOCUMENT)
        lines: List[str] = []

        # First pass: the real class. Everything load() imports is imported by load() itself; the
        # constructor then gets as far as the first weight file, which a CPU root does not have.
        first = worker.InfiniteTalkPipeline(paths, preset, home=str(self.tree))
        with cuda_device_index_without_driver():
            try:
                first.load()
            except FileNotFoundError as expected:
                lines.append(f"load() imported wan, built wav2vec2 and entered upstream's constructor (stopped at: {expected})")
            else:
                raise CheckFailed("load() completed on a CPU model root without weights: the check no longer tests what it claims.")
        import wan

        real = wan.InfiniteTalkPipeline
        recorder = _recorder_for(real)
        wan.InfiniteTalkPipeline = recorder
        try:
            pipeline = worker.InfiniteTalkPipeline(paths, preset, home=str(self.tree))
            pipeline.load()
            lines.append(f"constructor arguments bind to upstream's signature: {', '.join(sorted(recorder.last_kwargs))}")
            request = self._request(worker)
            pipeline.generate(request, progress=lambda update: None)
        finally:
            wan.InfiniteTalkPipeline = real
        call = recorder.last_generate
        lines.append(f"generate_infinitetalk arguments bind to upstream's signature: {', '.join(sorted(call['kwargs']))}")

        source = inspect.getsource(real.generate_infinitetalk)
        read_attributes = sorted(set(re.findall(r"extra_args\.(\w+)", source)))
        missing = [a for a in read_attributes if not hasattr(call["kwargs"]["extra_args"], a)]
        # Keys indexed outside an `if "key" in input_data` guard are required.
        indexed = set(re.findall(r"input_data\[['\"](\w+)['\"]\]", source))
        required_keys = sorted(indexed - set(re.findall(r"['\"](\w+)['\"] in input_data", source)))
        absent = [k for k in required_keys if k not in call["input_data"]]
        embedding = torch.load(call["input_data"]["cond_audio"]["person1"], weights_only=True)
        expected_frames = int(len(request.audio_samples) / 16000 * worker.FPS)
        problems = []
        if missing:
            problems.append(f"upstream reads extra_args.{', extra_args.'.join(missing)}, which the worker's ExtraArgs lacks")
        if absent:
            problems.append(f"upstream reads input_data[{absent}], which the worker does not pass")
        if tuple(embedding.shape) != (expected_frames, 12, 768):
            problems.append(f"audio embedding is {tuple(embedding.shape)}, upstream expects ({expected_frames}, 12, 768)")
        if problems:
            raise CheckFailed(*problems, *lines)
        lines.append(f"extra_args attributes upstream reads are all set: {', '.join(read_attributes)}")
        lines.append(f"input_data keys upstream indexes are all given: {', '.join(required_keys)}")
        lines.append(
            f"audio path ran on CPU: {len(request.audio_samples) / 16000:.2f} s of speech -> embedding {tuple(embedding.shape)}"
            f" (upstream's int(seconds x 25) = {expected_frames}; GenerationRequest.frame_count = {request.frame_count})"
        )
        return lines

    def _cpu_model_root(self, root: Path) -> Any:
        """A model root with what a CPU can use: the Wan config and a wav2vec2 at its real shape."""
        from avatar_worker.pipeline import PipelinePaths
        from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2Model

        checkpoint = root / "Wan2.1-I2V-14B-480P"
        wav2vec = root / "chinese-wav2vec2-base"
        checkpoint.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(WAN_CONFIG_FILE, checkpoint / "config.json")
        if not (wav2vec / "model.safetensors").is_file():
            # transformers' Wav2Vec2Config defaults are the wav2vec2-base shape (12 layers x 768), which
            # is what upstream's (T, 12, 768) embedding needs; the weights are random.
            torch_model = Wav2Vec2Model(Wav2Vec2Config())
            torch_model.save_pretrained(wav2vec, safe_serialization=True)
            Wav2Vec2FeatureExtractor().save_pretrained(wav2vec)
        quant = root / "quant_models"
        quant.mkdir(exist_ok=True)
        return PipelinePaths(
            checkpoint_dir=str(checkpoint),
            wav2vec_dir=str(wav2vec),
            quant="fp8",
            quant_dir=str(quant / "infinitetalk_single_fp8.safetensors"),
            infinitetalk_dir=None,
            lora_dir=None,
            lora_scales=None,
        )

    def _request(self, worker: Any) -> Any:
        """A GenerationRequest over upstream's sample speech and image, prepared as the handler does."""
        from avatar_worker import media
        from PIL import Image

        assert self.tree is not None
        examples = self.tree / "examples" / "single"
        work = self.workdir / "job"
        work.mkdir(exist_ok=True)
        audio = media.prepare_audio(str(examples / "1.wav"), str(work / "audio.16k.wav"), min_seconds=0.5, max_seconds=60.0)
        image = examples / "ref_image.png"
        with Image.open(image) as opened:
            size = opened.size
        return worker.GenerationRequest(
            image_path=str(image), image_size=size, audio_wav_path=audio.model_wav_path,
            audio_samples=audio.samples, audio_seconds=audio.model_seconds, prompt="a person talking", resolution=480,
            seed=42, steps=4, text_guidance=1.0, audio_guidance=2.0, work_dir=str(work),
        )

    def meta_build(self) -> List[str]:
        """Build every model at its real shape on the meta device, with upstream's own builders."""
        assert self.tree is not None
        import torch
        from unittest import mock

        with cuda_device_index_without_driver():
            from wan.configs import WAN_CONFIGS
            from wan.modules import vae as vae_module
            from wan.modules.clip import clip_xlm_roberta_vit_h_14
            from wan.modules.multitalk_model import WanModel
            from wan.modules.t5 import umt5_xxl
        config = WAN_CONFIGS["infinitetalk-14B"]
        wan_config = json.loads(WAN_CONFIG_FILE.read_text(encoding="utf-8"))
        rows: List[Tuple[str, Dict[str, Any]]] = []
        # As the quantized path of wan/multitalk.py builds it; params are cast to param_dtype afterwards.
        with torch.device("meta"):
            dit = WanModel(weight_init=False, **wan_config)
        rows.append(("DiT WanModel (+audio)", _sizes(dit, config.param_dtype)))
        # As T5EncoderModel's quantized path builds it.
        with torch.device("meta"):
            t5 = umt5_xxl(encoder_only=True, return_tokenizer=False, dtype=config.t5_dtype, device=torch.device("meta"))
        rows.append(("T5 umt5-xxl encoder", _sizes(t5, config.t5_dtype)))
        clip, _ = clip_xlm_roberta_vit_h_14(pretrained=False, return_transforms=True, return_tokenizer=False, dtype=config.clip_dtype, device="meta")
        rows.append(("CLIP xlm-roberta ViT-H/14", _sizes(clip, config.clip_dtype, quantizable=False)))
        # _video_vae builds on meta, then loads its checkpoint: skip only the load.
        with mock.patch.object(torch, "load", return_value={}), mock.patch.object(vae_module.WanVAE_, "load_state_dict", return_value=None):
            vae = vae_module._video_vae(pretrained_path="(not read)", z_dim=16)
        rows.append(("VAE (Wan2.1)", _sizes(vae, torch.float32, quantizable=False)))
        from transformers import Wav2Vec2Config, Wav2Vec2Model

        with torch.device("meta"):
            wav2vec = Wav2Vec2Model(Wav2Vec2Config())
        rows.append(("wav2vec2-base", _sizes(wav2vec, torch.float32, quantizable=False)))
        self.report.facts["components"] = {name: sizes for name, sizes in rows}
        lines = [f"{'component':<26} {'parameters':>15} {'dtype':>9} {'bytes':>9}  {'fp8 Linear weights [est]':>24}"]
        for name, sizes in rows:
            fp8 = f"{sizes['fp8_bytes'] / 1e9:.2f} GB" if "fp8_bytes" in sizes else "-"
            lines.append(f"{name:<26} {sizes['parameters']:>15,} {sizes['dtype']:>9} {sizes['bytes'] / 1e9:>6.2f} GB  {fp8:>24}")
        lines.append("GB = 1e9 bytes; fp8 column: every nn.Linear weight at 1 byte plus one bf16 scale per output row, the rest in bf16")
        return lines

    def compile_off(self) -> List[str]:
        """Upstream's @torch.compile function under the final stage's ENV, without a C compiler."""
        assert self.tree is not None
        image_env = stage_env(self.stages[-1])
        applied = {k: v for k, v in image_env.items() if k not in IMAGE_LOCATION_VARIABLES}
        no_compiler = {"CC": "/bin/false", "CXX": "/bin/false"}
        with_image = self._probe("compile", {**applied, **no_compiler})
        control = self._probe("compile", no_compiler)
        lines = [
            f"final-stage ENV applied: {', '.join(f'{k}={v}' for k, v in applied.items())} "
            f"({', '.join(IMAGE_LOCATION_VARIABLES)} mapped to this venv and tree)",
            "PATH without gcc/cc/g++/c++/clang/nvcc; CC=/bin/false, CXX=/bin/false",
            f"with the image's ENV: {with_image}",
            f"control, without it: {control}",
        ]
        eager = with_image.get("ok") and with_image.get("frames_compiled") == 0 and not with_image.get("compile_cache_files")
        control_compiles = control.get("frames_compiled", 0) > 0 or not control.get("ok")
        if not eager:
            raise CheckFailed(
                "calculate_x_ref_attn_map did not run eagerly with the final stage's ENV: the first DiT forward of the "
                "first job would make Triton build a C launcher, and the image has no C compiler or Python headers.",
                "Add `ENV TORCH_COMPILE_DISABLE=1` to the final stage of docker/Dockerfile.", *lines,
            )
        if not control_compiles:
            raise CheckFailed("the control did not try to compile: this check no longer shows what the ENV changes.", *lines)
        return lines

    def quanto_kernels(self) -> List[str]:
        """optimum-quanto's CUDA kernels: shipped prebuilt, or built at first use (and with what)?"""
        import optimum.quanto as quanto

        package = Path(quanto.__file__).parent
        prebuilt = sorted(str(p.relative_to(package)) for p in package.rglob("*.so"))
        sources = sorted(str(p.relative_to(package)) for p in (package / "library" / "extensions" / "cuda").rglob("*.cu"))
        probe = self._probe("quanto", {})
        lines = [
            f"optimum-quanto {getattr(quanto, '__version__', '?')}: prebuilt extension binaries in the wheel: {prebuilt or 'none'}",
            f"CUDA sources compiled at first use: {', '.join(sources)}",
            f"building quanto_cuda as on the GPU, without nvcc or a C++ compiler: {probe}",
            "on a GPU of compute capability >= 8 (L40S 8.9, H200 9.0) moving the fp8 DiT/T5 to CUDA repacks every "
            "Linear weight for the Marlin kernel, which builds this extension first (see docker/README.md); the "
            "worker converts those layers to its own Fp8Linear on the CPU, before any move (checked on an H200: docker/gpu/results)",
        ]
        if prebuilt or probe.get("ok"):
            raise CheckFailed("quanto_cuda is shipped or built here: the README's account of the fp8 path is out of date.", *lines)
        return lines

    # probes run in a fresh interpreter, so environment variables read at import time take effect -----
    def _probe(self, kind: str, extra_env: Dict[str, str]) -> Dict[str, Any]:
        assert self.tree is not None
        bin_dir = toolchain_free_bin(self.workdir / "bin-without-compilers")
        scratch = Path(tempfile.mkdtemp(prefix=f"probe-{kind}-", dir=self.workdir))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TORCH", "TRITON", "PYTHON", "CUDA", "CC", "CXX"))}
        env.update(extra_env)
        env.update(
            PATH=f"{self.venv / 'bin'}{os.pathsep}{bin_dir}",
            PYTHONPATH=f"{self.tree}{os.pathsep}{DOCKER_DIR}",
            TORCHINDUCTOR_CACHE_DIR=str(scratch / "inductor"),
            TRITON_CACHE_DIR=str(scratch / "triton"),
            # As in a CUDA runtime image: /usr/local/cuda exists, without bin/nvcc or headers.
            CUDA_HOME=str(scratch / "cuda"),
        )
        (scratch / "cuda" / "lib64").mkdir(parents=True)
        completed = subprocess.run(
            [sys.executable, __file__, "--probe", kind, "--scratch", str(scratch)],
            env=env, capture_output=True, text=True, timeout=900, check=False,
        )
        result_file = scratch / "result.json"
        if not result_file.is_file():
            return {"ok": False, "error": f"probe exited {completed.returncode}: {completed.stderr.strip()[-400:]}"}
        return json.loads(result_file.read_text(encoding="utf-8"))


def _recorder_for(real: Any) -> Any:
    """A stand-in for ``wan.InfiniteTalkPipeline`` that binds every call against the real signatures."""

    class InfiniteTalkPipelineRecorder:
        last_kwargs: Dict[str, Any] = {}
        last_generate: Dict[str, Any] = {}

        def __init__(self, config: Any, **kwargs: Any) -> None:
            import types

            import torch

            inspect.signature(real).bind(config, **kwargs)  # TypeError names a wrong or missing argument
            type(self).last_kwargs = kwargs
            self.vram_management = False
            # What load() uses of the built pipeline besides the calls recorded: the device and the two
            # models it converts and moves (stand-ins: nothing to convert, nothing to move on a CPU).
            self.device = torch.device("cpu")
            self.model = torch.nn.Linear(2, 2)
            self.text_encoder = types.SimpleNamespace(model=torch.nn.Linear(2, 2))

        def enable_vram_management(self, **kwargs: Any) -> None:
            inspect.signature(real.enable_vram_management).bind(self, **kwargs)

        def generate_infinitetalk(self, input_data: Dict[str, Any], **kwargs: Any) -> Any:
            import torch

            inspect.signature(real.generate_infinitetalk).bind(self, input_data, **kwargs)
            type(self).last_generate = {"input_data": input_data, "kwargs": kwargs}
            return torch.zeros(3, 1, 8, 8)

    return InfiniteTalkPipelineRecorder


def _sizes(module: Any, dtype: Any, quantizable: bool = True) -> Dict[str, Any]:
    """Parameter count and bytes at ``dtype``; for quantizable models also the fp8 estimate."""
    import torch

    parameters = sum(p.numel() for p in module.parameters())
    buffers = sum(b.numel() for b in module.buffers())
    width = torch.empty((), dtype=dtype).element_size()
    sizes: Dict[str, Any] = {"parameters": parameters, "buffers": buffers, "dtype": str(dtype).replace("torch.", ""), "bytes": (parameters + buffers) * width}
    if quantizable:
        linear_weights = 0
        scales = 0
        for sub in module.modules():
            if isinstance(sub, torch.nn.Linear):
                linear_weights += sub.weight.numel()
                scales += sub.out_features
        sizes["linear_weight_parameters"] = linear_weights
        sizes["fp8_bytes"] = linear_weights + 2 * scales + 2 * (parameters + buffers - linear_weights)
    return sizes


# --- probes (run in a subprocess by ImageEnvCheck._probe) ----------------------------------------------


def probe_compile(scratch: Path) -> Dict[str, Any]:
    """Call upstream's compiled ``calculate_x_ref_attn_map`` on small CPU tensors."""
    import torch
    from torch._dynamo.utils import counters

    with cuda_device_index_without_driver():
        from wan.utils import multitalk_utils
    # At 0107cd9 the function calls torch_gc() (torch.cuda.ipc_collect needs a driver); a1aa6e9
    # comments those calls out. Skipping it changes nothing about compilation.
    multitalk_utils.torch_gc = lambda: None
    generator = torch.Generator().manual_seed(0)
    visual_q = torch.randn(1, 32, 4, 16, generator=generator)
    ref_k = torch.randn(1, 32, 4, 16, generator=generator)
    masks = (torch.rand(2, 32, generator=generator) > 0.5).float()
    result: Dict[str, Any] = {"dynamo_disable": bool(torch._dynamo.config.disable)}
    try:
        output = multitalk_utils.calculate_x_ref_attn_map(visual_q, ref_k, masks)
        eager = multitalk_utils.calculate_x_ref_attn_map._torchdynamo_orig_callable(visual_q, ref_k, masks)
        result.update(ok=True, same_as_uncompiled=bool(torch.equal(output, eager)))
    except Exception as error:
        cause = getattr(error, "inner_exception", None) or error.__cause__ or error
        lines = str(cause).strip().splitlines() or [""]
        result.update(ok=False, error=f"{type(error).__name__} from {type(cause).__name__}: {lines[0][:160]}")
    result["frames_compiled"] = int(counters["frames"]["total"])
    result["compile_cache_files"] = sum(len(files) for cache in ("inductor", "triton") for _, _, files in os.walk(scratch / cache))
    return result


def probe_quanto(scratch: Path) -> Dict[str, Any]:
    """Build quanto's CUDA extension the way its first use on a GPU does, into a scratch directory."""
    import optimum.quanto.library.extensions.cuda as quanto_cuda

    quanto_cuda.ext.build_directory = str(scratch / "quanto-build")
    try:
        quanto_cuda.ext.lib
    except BaseException as error:  # torch raises RuntimeError or lets subprocess errors through
        message = str(error).strip().splitlines()
        return {"ok": False, "raises": type(error).__name__, "message": (message[-1] if message else "")[:200]}
    return {"ok": True}


# --- entry ----------------------------------------------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    """Parse arguments and run the checks (or one probe, or print the Dockerfile's install command)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="the venv this runs in (image-env.sh passes it)")
    parser.add_argument("--print-pip-install", action="store_true", help="print the builder's pip install arguments, one a line")
    parser.add_argument("--report-json", type=Path, help="also write the findings and figures here")
    parser.add_argument("--probe", choices=("compile", "quanto"), help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.print_pip_install:
        print("\n".join(builder_pip_install(dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8")))[0]))
        return 0
    if args.probe:
        probe = probe_compile if args.probe == "compile" else probe_quanto
        result = probe(args.scratch)
        (args.scratch / "result.json").write_text(json.dumps(result), encoding="utf-8")
        return 0

    report = Report()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="image-env-") as workdir:
        check = ImageEnvCheck(args.venv or Path(sys.prefix), report, Path(workdir))
        report.run("Dockerfile installs the lock as image-env.sh did", "image build", check.dockerfile_install)
        report.run("venv holds exactly the lock's pins", "image build", check.venv_matches_lock)
        tree_ok = report.run("InfiniteTalk source tree", "image build", check.infinitetalk_tree)
        report.run("every worker module imports", "worker start", check.worker_modules_import)
        if tree_ok:
            report.run("worker load() and generate() reach upstream with valid arguments", "worker start / first job", check.worker_load_and_generate)
            report.run("models build at real shapes on the meta device", "worker start", check.meta_build)
            report.run("torch.compile is off in the final stage (no C compiler needed)", "first job", check.compile_off)
            report.run("optimum-quanto fp8 kernels: prebuilt or built at first use", "first job", check.quanto_kernels)
    report.facts["seconds"] = round(time.monotonic() - started, 1)
    if args.report_json:
        args.report_json.write_text(
            json.dumps({"facts": report.facts, "findings": [f.__dict__ for f in report.findings]}, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
