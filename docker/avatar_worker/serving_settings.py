"""Every environment variable the serving half reads, parsed once into :class:`ServingSettings`.

Reading the environment happens only here (and in ``manifest``/``storage`` for the model
variables); the handler, fetch, media and delivery modules take plain values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional, Tuple

from .errors import WorkerMisconfigured
from .fetch import FetchPolicy, IPNetwork, parse_allowed_networks
from .pipeline import DEFAULT_PRESET_DOCUMENT, Preset

MIB = 1024 * 1024


@dataclass(frozen=True)
class BucketSettings:
    """S3-compatible bucket for delivering videos (RunPod's ``BUCKET_*`` convention)."""

    endpoint_url: Optional[str]
    access_key_id: str
    secret_access_key: str = ""  # never logged: excluded from repr below
    bucket_name: str = ""
    region: Optional[str] = None
    key_prefix: str = ""

    def __repr__(self) -> str:
        return (
            f"BucketSettings(endpoint_url={self.endpoint_url!r}, bucket_name={self.bucket_name!r}, "
            f"region={self.region!r}, key_prefix={self.key_prefix!r}, access_key_id=<set>, secret_access_key=<hidden>)"
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
        preset_text = env.get("AVATAR_PRESET", "").strip()
        preset = Preset.from_json(preset_text) if preset_text else Preset.from_document(dict(DEFAULT_PRESET_DOCUMENT))
        pipeline = env.get("AVATAR_PIPELINE", "infinitetalk").strip() or "infinitetalk"
        if pipeline not in ("infinitetalk", "fake"):
            raise WorkerMisconfigured(f"AVATAR_PIPELINE is {pipeline!r}; expected 'infinitetalk' or 'fake'.")
        try:
            allow = parse_allowed_networks(env.get("AVATAR_FETCH_ALLOW_NETWORKS", ""))
        except ValueError as err:
            raise WorkerMisconfigured(f"AVATAR_FETCH_ALLOW_NETWORKS is not a list of CIDRs: {err}.") from err
        bucket = None
        if env.get("BUCKET_NAME") or env.get("BUCKET_ENDPOINT_URL") or env.get("BUCKET_ACCESS_KEY_ID"):
            missing = [k for k in ("BUCKET_NAME", "BUCKET_ACCESS_KEY_ID", "BUCKET_SECRET_ACCESS_KEY") if not env.get(k)]
            if missing:
                raise WorkerMisconfigured(
                    f"bucket delivery is half configured: {', '.join(missing)} not set (set all of BUCKET_NAME, "
                    "BUCKET_ACCESS_KEY_ID, BUCKET_SECRET_ACCESS_KEY, and BUCKET_ENDPOINT_URL unless AWS S3)."
                )
            bucket = BucketSettings(
                endpoint_url=env.get("BUCKET_ENDPOINT_URL") or None,
                access_key_id=env["BUCKET_ACCESS_KEY_ID"],
                secret_access_key=env["BUCKET_SECRET_ACCESS_KEY"],
                bucket_name=env["BUCKET_NAME"],
                region=env.get("BUCKET_REGION") or None,
                key_prefix=env.get("BUCKET_KEY_PREFIX", ""),
            )
        max_audio = _number(env, "AVATAR_MAX_AUDIO_SECONDS", 60.0, 1.0, 3600.0)
        return cls(
            pipeline=pipeline,
            preset=preset,
            max_audio_seconds=max_audio,
            min_audio_seconds=_number(env, "AVATAR_MIN_AUDIO_SECONDS", 0.5, 0.04, max_audio),
            max_image_bytes=int(_number(env, "AVATAR_MAX_IMAGE_BYTES", 20 * MIB, 1024, 1024 * MIB)),
            max_audio_bytes=int(_number(env, "AVATAR_MAX_AUDIO_BYTES", 50 * MIB, 1024, 4096 * MIB)),
            max_image_pixels=int(_number(env, "AVATAR_MAX_IMAGE_PIXELS", 40_000_000, 4096, 500_000_000)),
            fetch_deadline_seconds=_number(env, "AVATAR_FETCH_TIMEOUT_SECONDS", 120.0, 1.0, 3600.0),
            fetch_allow_networks=allow,
            inline_output_max_bytes=int(_number(env, "AVATAR_INLINE_OUTPUT_MAX_BYTES", 8_000_000, 0, 15_000_000)),
            url_expiry_seconds=int(_number(env, "AVATAR_URL_EXPIRY_SECONDS", 604800, 1, 604800)),
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


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise WorkerMisconfigured(f"{name} is {raw!r}; expected a number.") from None
    if not low <= value <= high:
        raise WorkerMisconfigured(f"{name} is {raw}; expected a value in [{low:g}, {high:g}].")
    return value
