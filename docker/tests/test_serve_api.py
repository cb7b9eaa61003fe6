"""End to end over HTTP: ``python docker/handler.py --rp_serve_api`` (the RunPod SDK's own local
API server) with the real handler, the FakePipeline, a tiny verified volume, a loopback file
server and a moto S3 server.

Two workers run: an "open" one whose fetch guard allows 127.0.0.1 (test-only
``AVATAR_FETCH_ALLOW_NETWORKS``) and delivers to S3, and a "guarded" one with the default guard
and inline delivery, which receives the hostile inputs.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import wave
from typing import Any, Dict, Iterator

import pytest
import requests
from PIL import Image

from .serving_fixtures import (  # noqa: F401 (fixtures)
    DOCKER_DIR, FileServer, WorkerServer, b64, bucket_env, file_server, jpeg_bytes, job_error, png_bytes, probe,
    s3_server, tiny_volume, tone_bytes, write_tiny_volume,
)

SMALL_IMAGE = b64(png_bytes(160, 90))
SMALL_AUDIO = b64(tone_bytes(1.0, "mp3"))
VALID = {"image_base64": SMALL_IMAGE, "audio_base64": SMALL_AUDIO, "seed": 1}


@pytest.fixture(scope="module")
def open_worker(tiny_volume: Dict[str, str], s3_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerServer]:
    env = {**tiny_volume, **bucket_env(s3_server), "AVATAR_PIPELINE": "fake", "AVATAR_FETCH_ALLOW_NETWORKS": "127.0.0.1/32"}
    server = WorkerServer(env, str(tmp_path_factory.mktemp("open") / "worker.log"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def guarded_worker(tiny_volume: Dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerServer]:
    env = {**tiny_volume, "AVATAR_PIPELINE": "fake", "AVATAR_MAX_IMAGE_BYTES": "1000000", "AVATAR_MAX_AUDIO_SECONDS": "20"}
    server = WorkerServer(env, str(tmp_path_factory.mktemp("guarded") / "worker.log"))
    yield server
    server.stop()


def download(url: str, path: str) -> str:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "video/mp4"
    with open(path, "wb") as handle:
        handle.write(response.content)
    return path


def streams_by_type(info: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {s["codec_type"]: s for s in info["streams"]}


# --- happy paths ------------------------------------------------------------------------------------


def test_url_inputs_to_presigned_mp4(open_worker: WorkerServer, file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    image_url = file_server.add("/e2e/face.png", png_bytes(1280, 720), "image/png")
    audio_url = file_server.add("/e2e/voice.mp3", tone_bytes(5.0, "mp3"), "audio/mpeg")
    body = open_worker.runsync({"image_url": image_url, "audio_url": audio_url, "seed": 7, "resolution": 480})
    assert body["status"] == "COMPLETED", body
    output = body["output"]
    assert output["resolution"] == {"width": 896, "height": 448} and output["seed"] == 7
    video = download(output["video_url"], os.path.join(str(tmp_path), "out.mp4"))
    info = probe(video)
    streams = streams_by_type(info)
    assert (streams["video"]["width"], streams["video"]["height"]) == (896, 448)
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    # InfiniteTalk makes int(seconds x 25) frames (the pipeline's frame_count): the video ends within
    # one frame before the decoded audio does (mp3 adds up to ~50 ms of encoder padding to the 5 s).
    duration = float(info["format"]["duration"])
    assert 0 <= output["audio_seconds"] - duration < 1 / 25 + 0.001
    assert abs(duration - 5.0) <= 0.1
    assert output["frames"] == round(duration * 25)


def test_portrait_720_with_a_redirect_hop(open_worker: WorkerServer, file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    target = file_server.add("/e2e/portrait.jpg", jpeg_bytes(540, 960), "image/jpeg")
    image_url = file_server.add_redirect("/e2e/short-link", target)
    body = open_worker.runsync({"image_url": image_url, "audio_base64": b64(tone_bytes(2.0, "wav")), "resolution": 720})
    assert body["status"] == "COMPLETED", body
    info = probe(download(body["output"]["video_url"], os.path.join(str(tmp_path), "p.mp4")))
    video = streams_by_type(info)["video"]
    assert (video["width"], video["height"]) == (704, 1280)
    assert abs(float(info["format"]["duration"]) - 3.32) <= 0.08  # padded to the model's minimum


def test_redirect_from_an_allowed_server_to_private_addresses(open_worker: WorkerServer, file_server: FileServer) -> None:
    for index, location in enumerate(["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/x", "http://[::1]/x"]):
        url = file_server.add_redirect(f"/e2e/evil-{index}", location)
        body = open_worker.runsync({"image_url": url, "audio_base64": SMALL_AUDIO})
        assert job_error(body) is not None and job_error(body)["code"] == "FETCH_FORBIDDEN", body  # type: ignore[index]
        assert open_worker.runsync(VALID)["status"] == "COMPLETED"


def test_run_then_status(open_worker: WorkerServer) -> None:
    queued = requests.post(f"{open_worker.base}/run", json={"input": VALID}, timeout=30).json()
    assert queued["status"] == "IN_PROGRESS"
    status = requests.post(f"{open_worker.base}/status/{queued['id']}", timeout=120).json()
    assert status["status"] == "COMPLETED" and status["output"]["video_url"].startswith("http://127.0.0.1:")


def test_ten_consecutive_jobs_load_the_pipeline_once(open_worker: WorkerServer) -> None:
    numbers = []
    for seed in range(10):
        body = open_worker.runsync({**VALID, "seed": seed})
        assert body["status"] == "COMPLETED", body
        assert body["output"]["worker"]["pipeline_load_count"] == 1
        numbers.append(body["output"]["worker"]["job_number"])
    assert numbers == list(range(numbers[0], numbers[0] + 10))
    log = open_worker.log_text()
    assert log.count("loading the pipeline: started") == 1


# --- hostile and malformed inputs (default guard) ----------------------------------------------------------


def _truncated_png() -> str:
    return b64(png_bytes(400, 300)[:500])


def _empty_wav() -> str:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    return b64(buffer.getvalue())


def _gif() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buffer, format="GIF")
    return b64(buffer.getvalue())


IMG, AUD = {"image_base64": SMALL_IMAGE}, {"audio_base64": SMALL_AUDIO}
HOSTILE = [
    ("missing-image", {**AUD}, "INPUT_INVALID"),
    ("missing-audio", {**IMG}, "INPUT_INVALID"),
    ("unknown-key", {**IMG, **AUD, "audio_guidence": 3}, "INPUT_INVALID"),
    ("both-url-and-base64", {**IMG, **AUD, "image_url": "https://example.com/a.png"}, "INPUT_INVALID"),
    ("image-wrong-type", {"image_base64": 12345, **AUD}, "INPUT_INVALID"),
    ("audio-empty-string", {**IMG, "audio_base64": ""}, "INPUT_INVALID"),
    ("bad-base64", {"image_base64": "!!!definitely not base64!!!", **AUD}, "INPUT_INVALID"),
    ("truncated-png", {"image_base64": _truncated_png(), **AUD}, "MEDIA_UNDECODABLE"),
    ("text-as-image", {"image_base64": b64(b"#!/bin/sh\necho not an image\n" * 10), **AUD}, "MEDIA_UNDECODABLE"),
    ("gif-image", {"image_base64": _gif(), **AUD}, "MEDIA_UNDECODABLE"),
    ("png-as-audio", {**IMG, "audio_base64": b64(png_bytes())}, "MEDIA_UNDECODABLE"),
    ("wav-without-samples", {**IMG, "audio_base64": _empty_wav()}, "MEDIA_UNDECODABLE"),
    ("oversize-image", {"image_base64": b64(os.urandom(1_500_000)), **AUD}, "INPUT_TOO_LARGE"),
    ("too-short-audio", {**IMG, "audio_base64": b64(tone_bytes(0.2, "wav"))}, "AUDIO_TOO_SHORT"),
    ("too-long-audio", {**IMG, "audio_base64": b64(tone_bytes(25.0, "mp3"))}, "AUDIO_TOO_LONG"),
    ("longer-than-requested", {**IMG, "audio_base64": b64(tone_bytes(3.0, "mp3")), "max_duration_seconds": 2}, "AUDIO_TOO_LONG"),
    ("max-duration-over-cap", {**IMG, **AUD, "max_duration_seconds": 600}, "INPUT_INVALID"),
    ("resolution-1080", {**IMG, **AUD, "resolution": 1080}, "INPUT_INVALID"),
    ("resolution-string", {**IMG, **AUD, "resolution": "480"}, "INPUT_INVALID"),
    ("steps-zero", {**IMG, **AUD, "steps": 0}, "INPUT_INVALID"),
    ("steps-too-many", {**IMG, **AUD, "steps": 1000}, "INPUT_INVALID"),
    ("steps-bool", {**IMG, **AUD, "steps": True}, "INPUT_INVALID"),
    ("seed-negative", {**IMG, **AUD, "seed": -1}, "INPUT_INVALID"),
    ("guidance-string", {**IMG, **AUD, "text_guidance": "high"}, "INPUT_INVALID"),
    ("output-mode", {**IMG, **AUD, "output": "ftp"}, "INPUT_INVALID"),
    ("prompt-too-long", {**IMG, **AUD, "prompt": "x" * 5000}, "INPUT_INVALID"),
    ("url-loopback", {"image_url": "http://127.0.0.1:9/a.png", **AUD}, "FETCH_FORBIDDEN"),
    ("url-rfc1918", {"image_url": "http://10.0.0.1/a.png", **AUD}, "FETCH_FORBIDDEN"),
    ("url-metadata", {"image_url": "http://169.254.169.254/latest/meta-data/", **AUD}, "FETCH_FORBIDDEN"),
    ("url-ipv6-loopback", {"image_url": "http://[::1]/a.png", **AUD}, "FETCH_FORBIDDEN"),
    ("url-v4-mapped", {**IMG, "audio_url": "http://[::ffff:10.0.0.1]/a.wav"}, "FETCH_FORBIDDEN"),
    ("url-cgnat", {**IMG, "audio_url": "http://100.64.1.1/a.wav"}, "FETCH_FORBIDDEN"),
    ("url-name-to-private", {"image_url": "http://localhost:9/a.png", **AUD}, "FETCH_FORBIDDEN"),
    ("url-file", {"image_url": "file:///etc/passwd", **AUD}, "FETCH_FORBIDDEN"),
    ("url-gopher", {"image_url": "gopher://127.0.0.1:70/_x", **AUD}, "FETCH_FORBIDDEN"),
    ("url-ftp", {"image_url": "ftp://example.com/a.png", **AUD}, "FETCH_FORBIDDEN"),
    ("url-credentials", {"image_url": "https://user:pw@example.com/a.png", **AUD}, "FETCH_FORBIDDEN"),
    ("url-malformed", {"image_url": "http://[not-an-ip/a.png", **AUD}, "INPUT_INVALID"),
]


@pytest.mark.parametrize("job_input,code", [(case[1], case[2]) for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_hostile_input_fails_cleanly_and_the_worker_keeps_serving(guarded_worker: WorkerServer, job_input: dict, code: str) -> None:
    body = guarded_worker.runsync(job_input)
    error = job_error(body)
    assert error is not None, body
    assert error["code"] == code, error
    assert error["message"]
    follow_up = guarded_worker.runsync(VALID)
    assert follow_up["status"] == "COMPLETED", follow_up
    assert follow_up["output"]["video_base64"]


def test_guarded_worker_loaded_once_after_all_that(guarded_worker: WorkerServer) -> None:
    body = guarded_worker.runsync(VALID)
    assert body["output"]["worker"]["pipeline_load_count"] == 1
    assert guarded_worker.log_text().count("loading the pipeline: started") == 1


# --- serve refuses an unready volume --------------------------------------------------------------------


def run_serve(env: Dict[str, str]) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AVATAR_", "BUCKET_", "RUNPOD_"))}
    full_env.update({"AVATAR_PIPELINE": "fake", **env})
    return subprocess.run([sys.executable, os.path.join(DOCKER_DIR, "handler.py")], env=full_env,
                          capture_output=True, text=True, timeout=120, cwd=DOCKER_DIR)


def test_serve_without_lock_exits_2_and_says_what_to_do(tmp_path: "os.PathLike[str]") -> None:
    env = write_tiny_volume(str(tmp_path))
    os.remove(os.path.join(str(tmp_path), "avatar-models.lock.json"))
    result = run_serve(env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "storage init" in result.stderr and "python -m avatar_worker init" in result.stderr


def test_serve_with_a_lock_for_another_manifest_exits_3(tmp_path: "os.PathLike[str]") -> None:
    env = write_tiny_volume(str(tmp_path))
    manifest = json.loads(env["AVATAR_MODEL_MANIFEST"])
    manifest["modelSet"] = "bf16"
    from avatar_worker.manifest import manifest_sha256

    env.update(AVATAR_MODEL_MANIFEST=json.dumps(manifest), AVATAR_MODEL_MANIFEST_SHA256=manifest_sha256(manifest))
    assert run_serve(env).returncode == 3


def test_serve_with_a_missing_file_exits_4(tmp_path: "os.PathLike[str]") -> None:
    env = write_tiny_volume(str(tmp_path))
    os.remove(os.path.join(str(tmp_path), "chinese-wav2vec2-base", "config.json"))
    assert run_serve(env).returncode == 4


def test_serve_with_a_bad_preset_exits_64(tiny_volume: Dict[str, str]) -> None:
    result = run_serve({**tiny_volume, "AVATAR_PRESET": '{"name": "x"}'})
    assert result.returncode == 64 and "AVATAR_PRESET" in result.stderr


def test_handler_py_runs_test_input_json(tiny_volume: Dict[str, str]) -> None:
    """``python handler.py`` in the SDK's local mode runs docker/test_input.json once and exits 0."""
    result = run_serve(dict(tiny_volume))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert '"frames"' in result.stdout or "frames" in result.stdout
