"""``serve`` mode: check the volume, load the pipeline once, then hand jobs to RunPod.

The order matters. The worker first takes its lease on the volume (``storage/worker_lease.py``),
so that a storage init never removes files under it, and holds it until it stops. A worker whose
volume is not ready must stop at once with a message that tells the operator what to do, not after
minutes of loading or, worse, on the first job. The pipeline is loaded before
``runpod.serverless.start`` so the first job does not pay for it (the construct raises
``RUNPOD_INIT_TIMEOUT`` to cover this load).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Mapping, Optional

from .contract import DEFAULT_MODEL_ROOT
from .errors import WorkerError
from .handler import JobHandler
from .jsonlog import JsonLines
from .manifest import check_model_root, load_manifest_from_env
from .pipeline import create_pipeline
from .serving_settings import ServingSettings
from .storage import WorkerLease, verify_volume


def model_root(environ: Mapping[str, str]) -> str:
    """``AVATAR_MODEL_ROOT`` or the default on the serverless volume mount."""
    return environ.get("AVATAR_MODEL_ROOT") or DEFAULT_MODEL_ROOT


def build_handler(environ: Optional[Mapping[str, str]] = None, log: Optional[JsonLines] = None) -> JobHandler:
    """Verify the volume, build and load the pipeline, and return the job handler.

    Raises :class:`WorkerError` (with ``exit_code``) when the worker cannot serve.
    """
    env = os.environ if environ is None else environ
    log = log or JsonLines()
    settings = ServingSettings.from_env(env)
    manifest = load_manifest_from_env(env)
    root = model_root(env)
    check_model_root(manifest, root)
    with log.stage("verify", "checking the model volume", model_root=root):
        report = verify_volume(manifest, Path(root), hashes=False)
    problem = report.error()
    if problem is not None:
        # Keep the precise reason, its advice and the exit code of CONTRACTS.md §5; add the manual way.
        raise type(problem)(
            f"the model volume at {root} is not ready: {problem.message}. Without Terraform, run "
            "`python -m avatar_worker init` in a pod that mounts this volume, with this endpoint's "
            "AVATAR_MODEL_MANIFEST and AVATAR_MODEL_MANIFEST_SHA256. Then restart the workers.",
            details=problem.details,
        )
    # Every model file is on the volume: nothing may reach out to the Hub at load time.
    os.environ["HF_HUB_OFFLINE"] = "1"
    pipeline = create_pipeline(settings.pipeline, settings.preset, manifest.pipeline, root)
    started = time.monotonic()
    with log.stage("load", "loading the pipeline", pipeline=settings.pipeline, preset=settings.preset.name):
        pipeline.load()
    load_seconds = round(time.monotonic() - started, 3)
    return JobHandler(pipeline, settings, pipeline_load_seconds=load_seconds, log=log)


def hold_volume(root: str, log: JsonLines) -> Optional[WorkerLease]:
    """Take this worker's lease on the model root, or ``None`` when there is no volume to protect.

    A worker that cannot write its lease still serves (a read-only volume must not take the
    endpoint down), with a warning that a storage init could then remove files under it.
    """
    if not os.path.isdir(root):
        return None
    lease = WorkerLease(Path(root))
    try:
        lease.acquire()
    except OSError as error:
        log.warning(
            "serve",
            f"cannot write the worker lease {lease.path}: {error}; a storage init will not know this worker uses the volume",
        )
        return None
    return lease


def main() -> int:
    """Entry point of ``python -m avatar_worker serve`` and ``docker/handler.py``."""
    log = JsonLines()
    lease = hold_volume(model_root(os.environ), log)
    try:
        try:
            handler = build_handler(log=log)
        except WorkerError as err:
            log.log("error", "serve", err.message, code=err.code)
            print(f"avatar-worker: cannot serve: {err.message}", file=sys.stderr, flush=True)
            return err.exit_code
        import runpod

        log.info("serve", "pipeline resident; waiting for jobs", load_seconds=handler.pipeline_load_seconds)
        runpod.serverless.start({"handler": handler})
        return 0
    finally:
        if lease is not None:
            lease.release()
