"""Return the finished video: upload to an S3-compatible bucket (presigned URL) or inline base64.

Rules, in order:

1. ``output: "base64"`` → inline if the file is at most ``AVATAR_INLINE_OUTPUT_MAX_BYTES``, else
   DELIVERY_FAILED (RunPod's /run accepts 10 MB results at most; base64 adds a third).
2. ``output: "url"`` → upload; without a bucket (worker ``BUCKET_*`` env or the request's
   ``s3Config``) DELIVERY_FAILED.
3. ``output: "auto"`` (default) → upload when a bucket is configured, else inline when small
   enough, else DELIVERY_FAILED explaining how to configure a bucket.

An upload returns a presigned GET URL (``video_url``), except for buckets that serve none
(RunPod's S3 API, whose buckets are network volumes): there the output is the object's location
(``video_s3``: endpoint, region, bucket, key) for a client holding an S3 API key.

boto3 is used directly instead of ``runpod.serverless.utils.rp_upload`` because the latter
silently "uploads" to a local folder when credentials are missing, defaults the bucket to the
current ``MM-YY`` and forces image content types.
"""

from __future__ import annotations

import base64
import os
import re
import time
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

from .errors import DeliveryFailed, InputInvalid
from .serving_settings import BucketSettings

CONTENT_TYPE = "video/mp4"


@dataclass(frozen=True)
class Delivery:
    """Where the video went: inline ``base64``, or uploaded to ``bucket``/``key`` (with a presigned ``url`` when the bucket serves them)."""

    url: Optional[str] = None
    base64: Optional[str] = None
    bucket: Optional[str] = None
    key: Optional[str] = None
    endpoint_url: Optional[str] = None
    region: Optional[str] = None

    def to_output(self) -> Dict[str, Any]:
        """The job-output fields for this delivery."""
        if self.url is not None:
            return {"video_url": self.url}
        if self.key is not None:
            return {"video_s3": {"endpoint_url": self.endpoint_url, "region": self.region, "bucket": self.bucket, "key": self.key}}
        return {"video_base64": self.base64}


def bucket_from_s3_config(s3_config: Any) -> Optional[BucketSettings]:
    """Read a request's top-level ``s3Config`` ({accessId, accessSecret, bucketName, endpointUrl})."""
    if s3_config is None:
        return None
    if not isinstance(s3_config, Mapping):
        raise InputInvalid("`s3Config` must be an object with accessId, accessSecret, bucketName, endpointUrl.")
    values = {}
    for key in ("accessId", "accessSecret", "bucketName", "endpointUrl"):
        value = s3_config.get(key)
        if not isinstance(value, str) or not value:
            raise InputInvalid(f"`s3Config.{key}` must be a non-empty string.")
        values[key] = value
    return BucketSettings.of(
        endpoint_url=values["endpointUrl"],
        access_key_id=values["accessId"],
        secret_access_key=values["accessSecret"],
        bucket_name=values["bucketName"],
    )


def object_key(bucket: BucketSettings, job_id: str) -> str:
    """``<prefix><YYYY-MM-DD>/<job id>.mp4``; the job id is reduced to safe characters."""
    safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", job_id)[:128] or "job"
    day = time.strftime("%Y-%m-%d", time.gmtime())
    return f"{bucket.key_prefix}{day}/{safe_id}.mp4"


def upload(video_path: str, bucket: BucketSettings, key: str, expiry_seconds: int) -> Optional[str]:
    """Upload with ``ContentType: video/mp4``; return a presigned GET URL, or None when the bucket serves none."""
    import boto3
    from botocore.config import Config
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    config = Config(
        signature_version="s3v4",
        retries={"max_attempts": 4, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        # Custom endpoints (RunPod, MinIO, R2) rarely serve virtual-host bucket names.
        s3={"addressing_style": "path" if bucket.endpoint_url else "auto"},
    )
    client = boto3.client(
        "s3",
        endpoint_url=bucket.endpoint_url,
        aws_access_key_id=bucket.access_key_id,
        aws_secret_access_key=bucket.secret_access_key,
        region_name=bucket.region or "us-east-1",
        config=config,
    )
    try:
        client.upload_file(video_path, bucket.bucket_name, key, ExtraArgs={"ContentType": CONTENT_TYPE})
        if not bucket.presigned_urls:
            return None
        return str(
            client.generate_presigned_url(
                "get_object", Params={"Bucket": bucket.bucket_name, "Key": key}, ExpiresIn=expiry_seconds
            )
        )
    except (Boto3Error, BotoCoreError, ClientError, OSError) as err:
        # str(err) from botocore names the operation and the error code, never the secret.
        raise DeliveryFailed(
            f"uploading the video to bucket {bucket.bucket_name!r} at {bucket.endpoint_url or 'AWS S3'} failed: {err}"
        ) from err


def deliver(
    video_path: str,
    job_id: str,
    mode: str,
    bucket: Optional[BucketSettings],
    inline_max_bytes: int,
    expiry_seconds: int,
) -> Delivery:
    """Apply the delivery rules of this module's docstring."""
    size = os.path.getsize(video_path)
    if mode == "base64" or (mode == "auto" and bucket is None):
        if size > inline_max_bytes:
            raise DeliveryFailed(
                f"the video is {size} bytes, above the {inline_max_bytes}-byte inline limit "
                "(AVATAR_INLINE_OUTPUT_MAX_BYTES; RunPod results are capped at 10 MB): configure a bucket "
                "(BUCKET_ENDPOINT_URL, BUCKET_ACCESS_KEY_ID, BUCKET_SECRET_ACCESS_KEY, BUCKET_NAME on the "
                "endpoint, or s3Config in the request) and ask for output \"url\", or send shorter audio."
            )
        with open(video_path, "rb") as handle:
            return Delivery(base64=base64.b64encode(handle.read()).decode("ascii"))
    if bucket is None:
        raise DeliveryFailed(
            "output \"url\" needs a bucket: set BUCKET_ENDPOINT_URL, BUCKET_ACCESS_KEY_ID, "
            "BUCKET_SECRET_ACCESS_KEY and BUCKET_NAME on the endpoint, or send s3Config with the request."
        )
    key = object_key(bucket, job_id)
    url = upload(video_path, bucket, key, expiry_seconds)
    return Delivery(url=url, bucket=bucket.bucket_name, key=key, endpoint_url=bucket.endpoint_url, region=bucket.region)
