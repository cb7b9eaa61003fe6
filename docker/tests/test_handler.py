"""handler: the job story in process, with the real fetch/media/delivery code and the FakePipeline."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List

import pytest
import requests

from .serving_fixtures import (  # noqa: F401 (fixtures)
    S3_KEY_ID, S3_SECRET, TEST_BUCKET, b64, png_bytes, probe, s3_server, tone_bytes,
)

from avatar_worker import pipeline as pipeline_module
from avatar_worker.handler import JobHandler
from avatar_worker.pipeline import FakePipeline
from avatar_worker.serving_settings import ServingSettings

IMAGE = b64(png_bytes(320, 180))
AUDIO = b64(tone_bytes(1.2, "mp3"))


def make_handler(tmp_path: "os.PathLike[str]", env: Dict[str, str] | None = None, fake: Any = None) -> tuple:
    work = os.path.join(str(tmp_path), "work")
    os.makedirs(work, exist_ok=True)
    settings = ServingSettings.from_env({"AVATAR_PIPELINE": "fake", "AVATAR_WORK_DIR": work, **(env or {})})
    sent: List[Dict[str, Any]] = []
    fake = fake or FakePipeline()
    fake.load()
    handler = JobHandler(fake, settings, progress_sender=lambda job, body: sent.append(body))
    return handler, sent, work


def error_of(result: Dict[str, Any]) -> Dict[str, str]:
    assert set(result) == {"error"}, result
    return dict(json.loads(result["error"]))


def test_ten_jobs_one_load_and_no_leftovers(tmp_path: "os.PathLike[str]") -> None:
    before = pipeline_module.FAKE_LOAD_COUNT
    handler, sent, work = make_handler(tmp_path)
    for number in range(1, 11):
        output = handler({"id": f"job-{number}", "input": {"image_base64": IMAGE, "audio_base64": AUDIO, "seed": number}})
        assert "error" not in output, output
        assert output["worker"] == {"pipeline": "fake", "pipeline_load_count": 1, "pipeline_load_seconds": None, "job_number": number}
        assert output["seed"] == number and output["frames"] == 83 and output["fps"] == 25
    assert pipeline_module.FAKE_LOAD_COUNT - before == 1
    assert os.listdir(work) == []  # every job's temp dir removed
    assert [b["stage"] for b in sent if "frames_done" not in b][:6] == ["fetch", "decode", "audio_prep", "generate", "encode", "upload"]


def test_output_shape_inline(tmp_path: "os.PathLike[str]") -> None:
    handler, _, _ = make_handler(tmp_path)
    output = handler({"id": "j", "input": {"image_base64": IMAGE, "audio_base64": AUDIO, "resolution": 720}})
    assert output["video_base64"] and output["content_type"] == "video/mp4"
    assert output["resolution"] == {"width": 1280, "height": 704}
    assert output["preset"] == "upstream-40step" and output["steps"] == 40
    assert isinstance(output["seed"], int)
    assert set(output["timings"]) == {"fetch", "decode", "audio_prep", "generate", "encode", "upload", "total"}
    assert output["audio_seconds"] == pytest.approx(1.2, abs=0.1) and output["duration_seconds"] == pytest.approx(3.32)


def test_request_s3_config_is_honoured(s3_server: str, tmp_path: "os.PathLike[str]") -> None:
    handler, _, _ = make_handler(tmp_path)
    job = {"id": "s3-job", "input": {"image_base64": IMAGE, "audio_base64": AUDIO, "output": "url"},
           "s3Config": {"accessId": S3_KEY_ID, "accessSecret": S3_SECRET, "bucketName": TEST_BUCKET, "endpointUrl": s3_server}}
    output = handler(job)
    assert output["video_url"].startswith(s3_server)
    video = os.path.join(str(tmp_path), "got.mp4")
    with open(video, "wb") as handle:
        handle.write(requests.get(output["video_url"], timeout=10).content)
    assert {s["codec_type"] for s in probe(video)["streams"]} == {"video", "audio"}


@pytest.mark.parametrize("raw", ["just a string", ["a"], None, 5])
def test_input_that_is_not_an_object(raw: Any, tmp_path: "os.PathLike[str]") -> None:
    handler, _, _ = make_handler(tmp_path)
    assert error_of(handler({"id": "j", "input": raw}))["code"] == "INPUT_INVALID"


class ExplodingPipeline(FakePipeline):
    """Raises inside generate for the first call only."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def generate(self, request, progress):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("CUDA out of memory (simulated)")
        return super().generate(request, progress)


def test_pipeline_crash_is_reported_and_the_worker_keeps_serving(tmp_path: "os.PathLike[str]", capsys: pytest.CaptureFixture) -> None:
    handler, _, work = make_handler(tmp_path, fake=ExplodingPipeline())
    job = {"id": "j", "input": {"image_base64": IMAGE, "audio_base64": AUDIO}}
    error = error_of(handler(job))
    assert error["code"] == "PIPELINE_FAILED" and "out of memory" in error["message"]
    assert "Traceback" in capsys.readouterr().out  # the traceback goes to the worker log
    assert "video_base64" in handler(job)
    assert os.listdir(work) == []


def test_delivery_failure_when_too_big_for_inline(tmp_path: "os.PathLike[str]") -> None:
    handler, _, _ = make_handler(tmp_path, {"AVATAR_INLINE_OUTPUT_MAX_BYTES": "1000"})
    error = error_of(handler({"id": "j", "input": {"image_base64": IMAGE, "audio_base64": AUDIO}}))
    assert error["code"] == "DELIVERY_FAILED" and "BUCKET_NAME" in error["message"]
