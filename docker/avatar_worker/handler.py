"""The serving job: input → fetch → decode → audio prep → generate → encode → deliver.

:class:`JobHandler` is what ``runpod.serverless.start`` calls for each job. It owns no model: the
resident :class:`~avatar_worker.pipeline.Pipeline` is loaded once by ``serve`` and passed in.

Errors. Every expected failure is a :class:`~avatar_worker.errors.WorkerError`; any other
exception is logged with its traceback and reported as ``INTERNAL`` (or ``PIPELINE_FAILED`` when
it came out of the model). The handler returns ``{"error": "<JSON text of {code, message}>"}``:
the SDK pops ``error`` and marks the job FAILED, and the platform transports ``error`` as a
string (the SDK's own uncaught-exception report is JSON text in the same place), so clients read
``json.loads(status["error"])`` → ``{"code", "message"}`` for both.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Optional

from . import delivery, fetch, media
from .errors import InternalError, PipelineFailed, WorkerError
from .job_input import JobInput, parse_job_input
from .jsonlog import JsonLines
from .pipeline import GenerationRequest, Pipeline
from .serving_settings import ServingSettings

ProgressSender = Callable[[Dict[str, Any], Dict[str, Any]], None]
STAGES = ("fetch", "decode", "audio_prep", "generate", "encode", "upload")


def runpod_progress_sender(job: Dict[str, Any], progress: Dict[str, Any]) -> None:
    """Send ``progress`` with the SDK when running on RunPod.

    Outside the platform (local API server, ``python handler.py``) the SDK would try to POST to a
    placeholder URL and log an error per stage; the JSON log line already carries the same data.
    """
    if not os.environ.get("RUNPOD_WEBHOOK_POST_OUTPUT"):
        return
    import runpod

    runpod.serverless.progress_update(job, progress)


def error_result(error: WorkerError) -> Dict[str, Any]:
    """The handler's return value for a failed job."""
    return {"error": json.dumps(error.to_dict(), ensure_ascii=False)}


class JobRun:
    """Per-job state: id, temp directory, stage timings and progress reporting."""

    def __init__(self, job: Dict[str, Any], work_root: Optional[str], log: JsonLines, send: ProgressSender) -> None:
        self.job = job
        self.job_id = str(job.get("id") or "local")
        self.log = log
        self._send = send
        self.started = time.monotonic()
        self.timings: Dict[str, float] = {}
        self.current_stage = "input"
        self.work_dir = tempfile.mkdtemp(prefix="avatar-job-", dir=work_root)

    def path(self, name: str) -> str:
        """A file inside this job's private temp directory."""
        return os.path.join(self.work_dir, name)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage, log it and report it as progress."""
        self.current_stage = name
        self.progress({})
        began = time.monotonic()
        yield
        self.timings[name] = round(time.monotonic() - began, 3)
        self.log.info(name, "stage done", job_id=self.job_id, seconds=self.timings[name])

    def progress(self, details: Dict[str, Any]) -> None:
        """Report where the job is; never lets a reporting problem fail the job."""
        body = {"stage": self.current_stage, "stage_index": STAGES.index(self.current_stage) + 1, "stages": len(STAGES)}
        body.update(details)
        try:
            self._send(self.job, body)
        except Exception as err:  # progress is best effort
            self.log.warning(self.current_stage, f"progress update failed: {err}", job_id=self.job_id)

    def total_seconds(self) -> float:
        """Seconds since the job started."""
        return round(time.monotonic() - self.started, 3)

    def cleanup(self) -> None:
        """Remove every file the job wrote."""
        shutil.rmtree(self.work_dir, ignore_errors=True)


class JobHandler:
    """Callable handed to ``runpod.serverless.start``; safe to call for any number of jobs."""

    def __init__(
        self,
        pipeline: Pipeline,
        settings: ServingSettings,
        *,
        pipeline_load_seconds: Optional[float] = None,
        progress_sender: ProgressSender = runpod_progress_sender,
        log: Optional[JsonLines] = None,
    ) -> None:
        self.pipeline = pipeline
        self.settings = settings
        self.pipeline_load_seconds = pipeline_load_seconds
        self.progress_sender = progress_sender
        self.log = log or JsonLines()
        self.jobs_started = 0

    def __call__(self, job: Dict[str, Any]) -> Dict[str, Any]:
        """Run one job; return its output, or ``{"error": ...}`` for any failure."""
        self.jobs_started += 1
        run = JobRun(job, self.settings.work_dir, self.log, self.progress_sender)
        self.log.info("job", "job started", job_id=run.job_id, job_number=self.jobs_started)
        try:
            output = self._run(run)
        except WorkerError as err:
            self.log.warning(run.current_stage, "job failed", job_id=run.job_id, code=err.code, error=err.message)
            return error_result(err)
        except Exception as err:
            self.log.log(
                "error", run.current_stage, "job crashed", job_id=run.job_id,
                error=f"{type(err).__name__}: {err}", traceback=traceback.format_exc(),
            )
            if run.current_stage == "generate":
                return error_result(PipelineFailed(f"generation failed: {type(err).__name__}: {err}"))
            return error_result(InternalError(f"unexpected {type(err).__name__} during {run.current_stage}; see the worker log."))
        finally:
            run.cleanup()
        self.log.info("job", "job done", job_id=run.job_id, timings=output["timings"])
        return output

    def _run(self, run: JobRun) -> Dict[str, Any]:
        settings = self.settings
        request = parse_job_input(run.job.get("input"), settings.preset, settings.max_audio_seconds)
        bucket = delivery.bucket_from_s3_config(run.job.get("s3Config")) or settings.bucket

        with run.stage("fetch"):
            image_file = fetch.fetch_input(
                request.image_url, request.image_base64, run.path("image.input"), "image",
                settings.fetch_policy(settings.max_image_bytes),
            )
            audio_file = fetch.fetch_input(
                request.audio_url, request.audio_base64, run.path("audio.input"), "audio",
                settings.fetch_policy(settings.max_audio_bytes),
            )

        with run.stage("decode"):
            image = media.decode_image(image_file.path, settings.max_image_pixels, _field(request, "image"))
            image_path = run.path("image.png")
            image.save(image_path, format="PNG")

        with run.stage("audio_prep"):
            audio = media.prepare_audio(
                audio_file.path, run.path("audio.16k.wav"),
                min_seconds=settings.min_audio_seconds,
                max_seconds=request.max_duration_seconds,
                field_name=_field(request, "audio"),
            )

        with run.stage("generate"):
            frames = self.pipeline.generate(
                GenerationRequest(
                    image_path=image_path,
                    image_size=image.size,
                    audio_wav_path=audio.model_wav_path,
                    audio_samples=audio.samples,
                    audio_seconds=audio.model_seconds,
                    prompt=request.prompt,
                    resolution=request.resolution,
                    seed=request.seed,
                    steps=request.steps,
                    text_guidance=request.text_guidance,
                    audio_guidance=request.audio_guidance,
                    work_dir=run.work_dir,
                ),
                run.progress,
            )

        with run.stage("encode"):
            # The fake pipeline yields frames lazily, so its rendering time lands here; a real
            # pipeline returns a finished tensor.
            video = media.encode_video(frames, audio_file.path, run.path("video.mp4"), log_path=run.path("ffmpeg.log"))

        with run.stage("upload"):
            delivered = delivery.deliver(
                video.path, run.job_id, request.output, bucket,
                settings.inline_output_max_bytes, settings.url_expiry_seconds,
            )

        return {
            **delivered.to_output(),
            "content_type": delivery.CONTENT_TYPE,
            "duration_seconds": round(video.seconds, 3),
            "audio_seconds": round(audio.seconds, 3),
            "resolution": {"width": video.width, "height": video.height},
            "frames": video.frames,
            "fps": media.FPS,
            "seed": request.seed,
            "preset": settings.preset.name,
            "steps": request.steps,
            "timings": {**{name: run.timings.get(name, 0.0) for name in STAGES}, "total": run.total_seconds()},
            "worker": {
                "pipeline": self.pipeline.name,
                "pipeline_load_count": getattr(self.pipeline, "load_count", None),
                "pipeline_load_seconds": self.pipeline_load_seconds,
                "job_number": self.jobs_started,
            },
        }


def _field(request: JobInput, prefix: str) -> str:
    """The input field a media error should name."""
    return f"{prefix}_url" if getattr(request, f"{prefix}_url") is not None else f"{prefix}_base64"
