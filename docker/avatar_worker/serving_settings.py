"""Every environment variable the serving half reads, parsed once into :class:`ServingSettings`.

Reading the environment happens only here (and in ``manifest``/``storage`` for the model
variables); the handler, fetch, media and delivery modules take plain values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional, Tuple

from .contract import SERVING_SETTINGS, Env, Setting, runpod_s3_data_center, setting_value
from .errors import WorkerMisconfigured
from .fetch import FetchPolicy, IPNetwork, parse_allowed_networks
from .preset import DEFAULT_PRESET_DOCUMENT, Preset


@dataclass(frozen=True)
class BucketSettings:
    """S3-compatible bucket for delivering videos (RunPod's ``BUCKET_*`` convention)."""

    endpoint_url: Optional[str]
    access_key_id: str
    secret_access_key: str = ""  # never logged: excluded from repr below
    bucket_name: str = ""
    region: Optional[str] = None
    key_prefix: str = ""
    #: False for buckets that serve no presigned URLs (RunPod's S3 API): jobs return the object's location.
    presigned_urls: bool = True

    def __repr__(self) -> str:
        return (
            f"BucketSettings(endpoint_url={self.endpoint_url!r}, bucket_name={self.bucket_name!r}, "
            f"region={self.region!r}, key_prefix={self.key_prefix!r}, presigned_urls={self.presigned_urls}, "
            "access_key_id=<set>, secret_access_key=<hidden>)"
        )

    @classmethod
    def of(cls, endpoint_url: Optional[str], access_key_id: str, secret_access_key: str, bucket_name: str,
           region: Optional[str] = None, key_prefix: str = "", presigned_urls: Optional[bool] = None) -> "BucketSettings":
        """Settings with RunPod's S3 API recognised by its endpoint: region = data centre, no presigned URLs."""
        data_center = runpod_s3_data_center(endpoint_url) if endpoint_url else None
        return cls(
            endpoint_url=endpoint_url,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            bucket_name=bucket_name,
            region=region or data_center,
            key_prefix=key_prefix,
            presigned_urls=data_center is None if presigned_urls is None else presigned_urls,
        )


@dataclass(frozen=True)
class ServingSettings:
    """The serving configuration of one worker."""

    pipeline: str
    preset: Preset
    max_audio_seconds: float
    min_audio_seconds: float
    max_image_bytes: int
    max_audio_bytes: int
    max_image_pixels: int
    fetch_deadline_seconds: float
    fetch_allow_networks: Tuple[IPNetwork, ...]
    inline_output_max_bytes: int
    url_expiry_seconds: int
    bucket: Optional[BucketSettings]
    work_dir: Optional[str]

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "ServingSettings":
        """Parse the environment; raise :class:`WorkerMisconfigured` naming the bad variable."""
        env = os.environ if environ is None else environ
        preset_text = env.get(Env.PRESET, "").strip()
        preset = Preset.from_json(preset_text) if preset_text else Preset.from_document(dict(DEFAULT_PRESET_DOCUMENT))
        pipeline = env.get("AVATAR_PIPELINE", "infinitetalk").strip() or "infinitetalk"
        if pipeline not in ("infinitetalk", "fake"):
            raise WorkerMisconfigured(f"AVATAR_PIPELINE is {pipeline!r}; expected 'infinitetalk' or 'fake'.")
        try:
            allow = parse_allowed_networks(env.get(Env.FETCH_ALLOW_NETWORKS, ""))
        except ValueError as err:
            raise WorkerMisconfigured(f"{Env.FETCH_ALLOW_NETWORKS} is not a list of CIDRs: {err}.") from err
        bucket = None
        if env.get(Env.BUCKET_NAME) or env.get(Env.BUCKET_ENDPOINT_URL) or env.get(Env.BUCKET_ACCESS_KEY_ID):
            needed = (Env.BUCKET_NAME, Env.BUCKET_ACCESS_KEY_ID, Env.BUCKET_SECRET_ACCESS_KEY)
            missing = [k for k in needed if not env.get(k)]
            if missing:
                raise WorkerMisconfigured(
                    f"bucket delivery is half configured: {', '.join(missing)} not set (set all of {', '.join(needed)}, "
                    f"and {Env.BUCKET_ENDPOINT_URL} unless AWS S3)."
                )
            presigned = env.get(Env.BUCKET_PRESIGNED_URLS, "").strip().lower()
            if presigned not in ("", "true", "false"):
                raise WorkerMisconfigured(f"{Env.BUCKET_PRESIGNED_URLS} is {presigned!r}; expected true or false.")
            bucket = BucketSettings.of(
                endpoint_url=env.get(Env.BUCKET_ENDPOINT_URL) or None,
                access_key_id=env[Env.BUCKET_ACCESS_KEY_ID],
                secret_access_key=env[Env.BUCKET_SECRET_ACCESS_KEY],
                bucket_name=env[Env.BUCKET_NAME],
                region=env.get(Env.BUCKET_REGION) or None,
                key_prefix=env.get(Env.BUCKET_KEY_PREFIX, ""),
                presigned_urls=None if not presigned else presigned == "true",
            )
        value = {name: _setting(env, setting) for name, setting in SERVING_SETTINGS.items()}
        if value["minAudioSeconds"] > value["maxAudioSeconds"]:
            raise WorkerMisconfigured(
                f"{SERVING_SETTINGS['minAudioSeconds'].env} is {value['minAudioSeconds']:g} but "
                f"{SERVING_SETTINGS['maxAudioSeconds'].env} is {value['maxAudioSeconds']:g}: the shortest accepted audio "
                "cannot be longer than the longest."
            )
        return cls(
            pipeline=pipeline,
            preset=preset,
            max_audio_seconds=float(value["maxAudioSeconds"]),
            min_audio_seconds=float(value["minAudioSeconds"]),
            max_image_bytes=int(value["maxImageBytes"]),
            max_audio_bytes=int(value["maxAudioBytes"]),
            max_image_pixels=int(value["maxImagePixels"]),
            fetch_deadline_seconds=float(value["fetchTimeoutSeconds"]),
            fetch_allow_networks=allow,
            inline_output_max_bytes=int(value["inlineOutputMaxBytes"]),
            url_expiry_seconds=int(value["urlExpirySeconds"]),
            bucket=bucket,
            work_dir=env.get("AVATAR_WORK_DIR") or None,
        )

    def fetch_policy(self, max_bytes: int) -> FetchPolicy:
        """The SSRF/size/time policy for one input of at most ``max_bytes``."""
        return FetchPolicy(
            max_bytes=max_bytes,
            deadline_seconds=self.fetch_deadline_seconds,
            allowed_networks=self.fetch_allow_networks,
        )


def _setting(env: Mapping[str, str], setting: Setting) -> float:
    value, problem = setting_value(setting, env.get(setting.env))
    if problem is not None:
        raise WorkerMisconfigured(f"{problem}.")
    return value
