"""delivery: upload to a real S3-compatible server (moto on 127.0.0.1) and the inline rules."""

from __future__ import annotations

import base64
import dataclasses
import os

import pytest
import requests

from .serving_fixtures import S3_KEY_ID, S3_SECRET, TEST_BUCKET, s3_server  # noqa: F401 (fixture)
from .test_contract_vectors import VECTORS

from avatar_worker.delivery import bucket_from_s3_config, deliver
from avatar_worker.errors import DeliveryFailed, InputInvalid
from avatar_worker.serving_settings import BucketSettings, ServingSettings


def video_file(tmp_path: "os.PathLike[str]", size: int) -> str:
    path = os.path.join(str(tmp_path), "v.mp4")
    with open(path, "wb") as handle:
        handle.write(os.urandom(size))
    return path


def bucket(endpoint: str, name: str = TEST_BUCKET) -> BucketSettings:
    return BucketSettings(endpoint_url=endpoint, access_key_id=S3_KEY_ID, secret_access_key=S3_SECRET,
                          bucket_name=name, key_prefix="p/")


def test_upload_returns_a_working_presigned_url(s3_server: str, tmp_path: "os.PathLike[str]") -> None:
    path = video_file(tmp_path, 50_000)
    delivered = deliver(path, "job/../1", "auto", bucket(s3_server), 8_000_000, 3600)
    assert delivered.url and delivered.url.startswith(s3_server) and "X-Amz-Signature" in delivered.url
    assert delivered.key and delivered.key.startswith("p/") and delivered.key.endswith("/job_.._1.mp4")
    response = requests.get(delivered.url, timeout=10)
    assert response.status_code == 200
    assert response.content == open(path, "rb").read()
    assert response.headers["Content-Type"] == "video/mp4"


def test_inline_when_no_bucket_and_small(tmp_path: "os.PathLike[str]") -> None:
    path = video_file(tmp_path, 1000)
    delivered = deliver(path, "j", "auto", None, 8_000_000, 3600)
    assert delivered.base64 is not None and base64.b64decode(delivered.base64) == open(path, "rb").read()


def test_too_big_without_bucket_explains_how_to_configure_one(tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(DeliveryFailed, match="BUCKET_ENDPOINT_URL"):
        deliver(video_file(tmp_path, 5000), "j", "auto", None, 4000, 3600)


def test_url_without_bucket_fails(tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(DeliveryFailed, match="needs a bucket"):
        deliver(video_file(tmp_path, 10), "j", "url", None, 4000, 3600)


def test_base64_requested_with_a_bucket_stays_inline(s3_server: str, tmp_path: "os.PathLike[str]") -> None:
    assert deliver(video_file(tmp_path, 10), "j", "base64", bucket(s3_server), 4000, 3600).base64


def test_upload_failure_is_delivery_failed_without_the_secret(s3_server: str, tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(DeliveryFailed) as info:
        deliver(video_file(tmp_path, 10), "j", "url", bucket(s3_server, "no-such-bucket"), 4000, 3600)
    assert S3_SECRET not in info.value.message


@pytest.mark.parametrize("vector", VECTORS["runpodS3"]["volumeBuckets"], ids=lambda v: v["dataCenter"])
def test_the_volume_as_bucket_as_the_constructs_render_it(vector: dict, s3_server: str, tmp_path: "os.PathLike[str]") -> None:
    """``OutputBucket.runpodVolume``'s variables, with moto standing in for RunPod's S3 API at an IP address.

    An IP endpoint only works with path-style requests (``/<volume id>/<key>``), the addressing the
    worker uses for RunPod; RunPod's API serves no presigned URLs, so the job returns the location.
    """
    import boto3

    env = dict(vector["environment"])
    assert env["BUCKET_NAME"] == vector["volumeId"] and env["BUCKET_REGION"] == vector["dataCenter"]
    settings = ServingSettings.from_env(env).bucket
    assert settings is not None and settings.presigned_urls is False and settings.region == vector["dataCenter"]
    # The same settings pointed at moto, with real keys in place of the {{ RUNPOD_SECRET_… }} references.
    moto_bucket = dataclasses.replace(settings, endpoint_url=s3_server, access_key_id=S3_KEY_ID, secret_access_key=S3_SECRET)
    client = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id=S3_KEY_ID, aws_secret_access_key=S3_SECRET, region_name="us-east-1")
    client.create_bucket(Bucket=vector["volumeId"])
    path = video_file(tmp_path, 20_000)
    delivered = deliver(path, "job-7", "url", moto_bucket, 8_000_000, 3600)
    assert delivered.to_output() == {"video_s3": {
        "endpoint_url": s3_server, "region": vector["dataCenter"], "bucket": vector["volumeId"], "key": delivered.key,
    }}
    assert delivered.key is not None and delivered.key.startswith("avatar-videos/") and delivered.key.endswith("/job-7.mp4")
    stored = client.get_object(Bucket=vector["volumeId"], Key=delivered.key)
    assert stored["Body"].read() == open(path, "rb").read()
    assert stored["ContentType"] == "video/mp4"


def test_s3_config_from_the_request() -> None:
    settings = bucket_from_s3_config({"accessId": "a", "accessSecret": "top-secret-value", "bucketName": "b",
                                      "endpointUrl": "https://s3api-eu-ro-1.runpod.io"})
    assert settings is not None and settings.region == "EU-RO-1" and settings.bucket_name == "b"
    assert settings.presigned_urls is False
    assert "top-secret-value" not in repr(settings)
    with pytest.raises(InputInvalid):
        bucket_from_s3_config({"accessId": "a"})


def test_half_configured_bucket_env_is_refused() -> None:
    from avatar_worker.errors import WorkerMisconfigured

    with pytest.raises(WorkerMisconfigured, match="BUCKET_NAME"):
        ServingSettings.from_env({"BUCKET_ENDPOINT_URL": "http://x", "BUCKET_ACCESS_KEY_ID": "a",
                                  "BUCKET_SECRET_ACCESS_KEY": "s"})
    assert "never" not in repr(ServingSettings.from_env({
        "BUCKET_ENDPOINT_URL": "http://x", "BUCKET_ACCESS_KEY_ID": "a", "BUCKET_SECRET_ACCESS_KEY": "never",
        "BUCKET_NAME": "b"}).bucket)
