"""Benchmark (not a test): the worker's per-job overhead outside the model.

For a 5 s clip at 480p, with the FakePipeline's frames rendered beforehand (so the generator costs
nothing), run the real job path: fetch both inputs from a loopback HTTP server, decode, prepare
the audio, encode + mux, upload to a moto S3 server. Compare with a bare ``ffmpeg`` encode of the
same frames (rawvideo → libx264, same preset/CRF), which is the floor any worker has to pay.

    python docker/bench/bench_job.py [--seconds 5] [--resolution 480] [--repeat 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

DOCKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, DOCKER_DIR)

from avatar_worker import media  # noqa: E402
from avatar_worker.handler import JobHandler  # noqa: E402
from avatar_worker.pipeline import FakePipeline, GenerationRequest  # noqa: E402
from avatar_worker.serving_settings import ServingSettings  # noqa: E402
from tests.serving_fixtures import (  # noqa: E402
    S3_KEY_ID, S3_SECRET, TEST_BUCKET, FileServer, png_bytes, tone_bytes,
)


class PrecomputedPipeline(FakePipeline):
    """FakePipeline whose frames are rendered once, before timing starts."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: List = []

    def prepare(self, request: GenerationRequest) -> None:
        self.frames = list(super().generate(request, lambda _: None))

    def generate(self, request, progress):  # type: ignore[no-untyped-def]
        return self.frames


def bare_ffmpeg_seconds(frames: List, path: str) -> float:
    height, width = frames[0].shape[:2]
    started = time.monotonic()
    process = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
         "-r", "25", "-i", "pipe:0", "-c:v", "libx264", "-preset", media.X264_PRESET, "-crf", str(media.X264_CRF),
         "-pix_fmt", "yuv420p", path],
        stdin=subprocess.PIPE,
    )
    assert process.stdin is not None
    for frame in frames:
        process.stdin.write(frame.tobytes())
    process.stdin.close()
    process.wait()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--resolution", type=int, default=480)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log

    from moto.server import ThreadedMotoServer
    import boto3

    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    s3.start()
    host, port = s3.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=S3_KEY_ID, aws_secret_access_key=S3_SECRET,
                 region_name="us-east-1").create_bucket(Bucket=TEST_BUCKET)
    files = FileServer()
    image_url = files.add("/face.png", png_bytes(1280, 720), "image/png")
    audio_bytes = tone_bytes(args.seconds, "mp3")
    audio_url = files.add("/voice.mp3", audio_bytes, "audio/mpeg")

    work = tempfile.mkdtemp(prefix="avatar-bench-")
    settings = ServingSettings.from_env({
        "AVATAR_PIPELINE": "fake", "AVATAR_FETCH_ALLOW_NETWORKS": "127.0.0.1/32", "AVATAR_WORK_DIR": work,
        "BUCKET_ENDPOINT_URL": endpoint, "BUCKET_ACCESS_KEY_ID": S3_KEY_ID, "BUCKET_SECRET_ACCESS_KEY": S3_SECRET,
        "BUCKET_NAME": TEST_BUCKET,
    })
    pipeline = PrecomputedPipeline()
    pipeline.load()
    # Render the frames the job will ask for, outside the timed region.
    audio_path = os.path.join(work, "a.mp3")
    with open(audio_path, "wb") as handle:
        handle.write(audio_bytes)
    image_path = os.path.join(work, "i.png")
    with open(image_path, "wb") as handle:
        handle.write(png_bytes(1280, 720))
    prepared = media.prepare_audio(audio_path, os.path.join(work, "a.wav"), 0.5, 60)
    pipeline.prepare(GenerationRequest(
        image_path=image_path, image_size=(1280, 720), audio_wav_path=prepared.model_wav_path,
        audio_samples=prepared.samples, audio_seconds=prepared.model_seconds, prompt="", resolution=args.resolution,
        seed=0, steps=1, text_guidance=1, audio_guidance=1, work_dir=work,
    ))
    handler = JobHandler(pipeline, settings, progress_sender=lambda job, body: None,
                         log=_QuietLog())
    runs: List[Dict[str, float]] = []
    bare: List[float] = []
    for index in range(args.repeat):
        output = handler({"id": f"bench-{index}", "input": {"image_url": image_url, "audio_url": audio_url,
                                                             "resolution": args.resolution, "output": "url"}})
        assert "error" not in output, output
        runs.append(output["timings"])
        bare.append(bare_ffmpeg_seconds(pipeline.frames, os.path.join(work, f"bare-{index}.mp4")))
    files.close()
    s3.stop()

    frames = len(pipeline.frames)
    height, width = pipeline.frames[0].shape[:2]
    print(f"clip: {args.seconds:g} s audio, {frames} frames {width}x{height}, x264 preset={media.X264_PRESET} "
          f"crf={media.X264_CRF}, median of {args.repeat} runs, {os.cpu_count()} CPUs")
    for stage in ("fetch", "decode", "audio_prep", "generate", "encode", "upload", "total"):
        print(f"  {stage:<11} {statistics.median(r[stage] for r in runs):7.3f} s")
    overhead = statistics.median(r["total"] - r["generate"] for r in runs)
    floor = statistics.median(bare)
    print(f"  job overhead outside the pipeline: {overhead:.3f} s")
    print(f"  bare ffmpeg encode of the same frames: {floor:.3f} s")
    print(f"  ratio overhead / bare encode: {overhead / floor:.2f}x")


class _QuietLog:
    """A JsonLines stand-in that drops lines, so the benchmark output stays readable."""

    def info(self, *args: object, **kwargs: object) -> None:
        pass

    warning = log = info


if __name__ == "__main__":
    main()
