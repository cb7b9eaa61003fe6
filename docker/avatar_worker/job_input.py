"""The job input schema: strict parsing with defaults, one clear message per mistake.

Written by hand rather than with ``rp_validator``: that validator accepts ``True`` as an integer,
needs a default for every optional key and cannot express "exactly one of image_url /
image_base64". Unknown keys are refused so that a typo (``audio_guidence``) never silently falls
back to a default.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

from .contract import (
    DEFAULT_PROMPT, GUIDANCE_BOUND, JOB_INPUT_FIELDS as FIELDS, MAX_PROMPT_CHARS, MAX_URL_CHARS, OUTPUT_MODES,
    SEED_BOUND, dit_passes_per_step,
)
from .errors import InputInvalid
from .preset import Preset

MAX_SEED = int(SEED_BOUND.max)


@dataclass(frozen=True)
class JobInput:
    """A validated job input with every default filled in."""

    image_url: Optional[str]
    image_base64: Optional[str]
    audio_url: Optional[str]
    audio_base64: Optional[str]
    prompt: str
    resolution: int
    seed: int
    seed_was_random: bool
    steps: int
    text_guidance: float
    audio_guidance: float
    max_duration_seconds: float
    output: str


def parse_job_input(raw: Any, preset: Preset, server_max_seconds: float) -> JobInput:
    """Validate ``job["input"]``; raise :class:`InputInvalid` naming the first bad field."""
    if not isinstance(raw, Mapping):
        raise InputInvalid("`input` must be a JSON object.")
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    if unknown:
        raise InputInvalid(f"unknown input field(s) {', '.join(unknown)}; accepted: {', '.join(FIELDS)}.")
    data: Dict[str, Any] = dict(raw)

    image_url, image_base64 = _one_of(data, "image")
    audio_url, audio_base64 = _one_of(data, "audio")

    prompt = data.get("prompt", DEFAULT_PROMPT)
    if not isinstance(prompt, str) or not prompt.strip():
        raise InputInvalid("`prompt` must be a non-empty string.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InputInvalid(f"`prompt` has {len(prompt)} characters; at most {MAX_PROMPT_CHARS} are accepted.")

    default_resolution = 480 if 480 in preset.resolutions else preset.resolutions[0]
    resolution = _integer(data, "resolution", default_resolution, 0, 10_000)
    if resolution not in preset.resolutions:
        allowed = " or ".join(str(r) for r in preset.resolutions)
        raise InputInvalid(f"`resolution` is {resolution}; this endpoint's preset {preset.name!r} allows {allowed}.")

    seed_was_random = data.get("seed") is None
    seed = secrets.randbelow(MAX_SEED + 1) if seed_was_random else _integer(data, "seed", 0, 0, MAX_SEED)

    steps = _integer(data, "steps", preset.sample_steps, 1, preset.max_steps_allowed)
    text_guidance = _number(data, "text_guidance", preset.text_guide_scale, GUIDANCE_BOUND.min, GUIDANCE_BOUND.max)
    audio_guidance = _number(data, "audio_guidance", preset.audio_guide_scale, GUIDANCE_BOUND.min, GUIDANCE_BOUND.max)
    asked = dit_passes_per_step(text_guidance, audio_guidance)
    sized = dit_passes_per_step(preset.text_guide_scale, preset.audio_guide_scale)
    if asked > sized:
        raise InputInvalid(
            f"text guidance {text_guidance:g} and audio guidance {audio_guidance:g} cost {asked} DiT passes per step, "
            f"but this endpoint's preset {preset.name!r} runs {sized}, which its execution timeout is sized for; "
            "leave them unset or choose guidance that costs no more passes (a guidance of 1 saves its pass)."
        )
    max_seconds = _number(data, "max_duration_seconds", server_max_seconds, 0.0, server_max_seconds, open_low=True)

    output = data.get("output", "auto")
    if output not in OUTPUT_MODES:
        raise InputInvalid(f"`output` is {output!r}; expected one of {', '.join(OUTPUT_MODES)}.")

    return JobInput(
        image_url=image_url,
        image_base64=image_base64,
        audio_url=audio_url,
        audio_base64=audio_base64,
        prompt=prompt,
        resolution=resolution,
        seed=seed,
        seed_was_random=seed_was_random,
        steps=steps,
        text_guidance=text_guidance,
        audio_guidance=audio_guidance,
        max_duration_seconds=max_seconds,
        output=output,
    )


def _one_of(data: Mapping[str, Any], prefix: str) -> "tuple[Optional[str], Optional[str]]":
    url, b64 = data.get(f"{prefix}_url"), data.get(f"{prefix}_base64")
    if url is not None and b64 is not None:
        raise InputInvalid(f"give either `{prefix}_url` or `{prefix}_base64`, not both.")
    if url is None and b64 is None:
        raise InputInvalid(f"`{prefix}_url` or `{prefix}_base64` is required.")
    name, value = (f"{prefix}_url", url) if url is not None else (f"{prefix}_base64", b64)
    if not isinstance(value, str) or not value.strip():
        raise InputInvalid(f"`{name}` must be a non-empty string.")
    if url is not None and len(url) > MAX_URL_CHARS:
        raise InputInvalid(f"`{name}` is longer than {MAX_URL_CHARS} characters.")
    return (url, None) if url is not None else (None, b64)


def _integer(data: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name)
    if value is None:
        return default
    # bool is an int subclass in Python: `true` must not become 1.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
        raise InputInvalid(f"`{name}` must be an integer, got {value!r}.")
    value = int(value)
    if not low <= value <= high:
        raise InputInvalid(f"`{name}` is {value}; expected {low}..{high}.")
    return value


def _number(data: Mapping[str, Any], name: str, default: float, low: float, high: float, open_low: bool = False) -> float:
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputInvalid(f"`{name}` must be a number, got {value!r}.")
    too_low = value <= low if open_low else value < low
    if too_low or value > high:
        bound = f"more than {low:g}" if open_low else f"at least {low:g}"
        raise InputInvalid(f"`{name}` is {value:g}; expected {bound} and at most {high:g}.")
    return float(value)
