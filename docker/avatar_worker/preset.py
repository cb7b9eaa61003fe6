"""The generation preset the construct renders into ``AVATAR_PRESET``, parsed and checked.

Every bound comes from :mod:`avatar_worker.contract`; the construct library checks the same bounds
before it renders the preset, and the shared contract vectors prove both sides agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from .contract import NAME_PATTERN, PRESET_BOUNDS, RESOLUTIONS, Env, bound_problem, motion_frame_problem
from .errors import WorkerMisconfigured

_PRESET_KEYS = {
    "name", "sampleSteps", "textGuideScale", "audioGuideScale", "shift", "motionFrame",
    "colorCorrectionStrength", "offloadModel", "t5Cpu", "numPersistentParamInDit", "resolutions",
    "maxStepsAllowed",
}


@dataclass(frozen=True)
class Preset:
    """Sampler settings rendered by the TypeScript side into ``AVATAR_PRESET``.

    ``sample_steps`` / guidance scales are the per-job defaults; a job may ask for up to
    ``max_steps_allowed`` steps (the endpoint's execution timeout is sized for that many).
    ``shift`` maps each allowed resolution to the sampler shift.
    """

    name: str
    sample_steps: int
    text_guide_scale: float
    audio_guide_scale: float
    shift: Mapping[int, float]
    motion_frame: int
    color_correction_strength: float
    offload_model: bool
    t5_cpu: bool
    num_persistent_param_in_dit: Optional[int]
    resolutions: Tuple[int, ...]
    max_steps_allowed: int

    @classmethod
    def from_json(cls, text: str) -> "Preset":
        """Parse and validate ``AVATAR_PRESET``; raise :class:`WorkerMisconfigured` naming the field."""
        try:
            document = json.loads(text)
        except ValueError as err:
            raise WorkerMisconfigured(f"{Env.PRESET} is not valid JSON: {err}.") from err
        return cls.from_document(document)

    @classmethod
    def from_document(cls, doc: Any) -> "Preset":
        """Validate an already-parsed preset object."""
        if not isinstance(doc, dict):
            raise WorkerMisconfigured(f"{Env.PRESET} must be a JSON object.")
        unknown = sorted(set(doc) - _PRESET_KEYS)
        missing = sorted(_PRESET_KEYS - set(doc))
        if unknown or missing:
            raise WorkerMisconfigured(
                f"{Env.PRESET} has unknown keys {unknown} / lacks keys {missing}: the worker image and "
                "the construct library versions do not match."
            )

        def checked(key: str, problem: Optional[str]) -> Any:
            if problem is not None:
                raise WorkerMisconfigured(f"{Env.PRESET}.{problem}.")
            return doc[key]

        def bounded(key: str) -> Any:
            return checked(key, bound_problem(key, doc[key], PRESET_BOUNDS[key]))

        def boolean(key: str) -> bool:
            return bool(checked(key, None if isinstance(doc[key], bool) else f"{key} is {doc[key]!r}; expected true or false"))

        name = doc["name"]
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise WorkerMisconfigured(f"{Env.PRESET}.name is {name!r}; expected lower-case letters, digits and dashes (at most 63).")
        resolutions = doc["resolutions"]
        if (
            not isinstance(resolutions, list)
            or not resolutions
            or any(isinstance(r, bool) or r not in RESOLUTIONS for r in resolutions)
        ):
            raise WorkerMisconfigured(f"{Env.PRESET}.resolutions is {resolutions!r}; expected a non-empty subset of {list(RESOLUTIONS)}.")
        raw_shift = doc["shift"]
        if not isinstance(raw_shift, dict):
            raise WorkerMisconfigured(f"{Env.PRESET}.shift must map resolutions (\"480\", \"720\") to numbers.")
        shift: Dict[int, float] = {}
        for key, value in raw_shift.items():
            if key not in {str(r) for r in RESOLUTIONS}:
                raise WorkerMisconfigured(f"{Env.PRESET}.shift has the key {key!r}; expected \"480\" or \"720\".")
            checked("shift", bound_problem(f"shift[{key!r}]", value, PRESET_BOUNDS["shift"]))
            shift[int(key)] = float(value)
        lacking = [r for r in resolutions if r not in shift]
        if lacking:
            raise WorkerMisconfigured(f"{Env.PRESET}.shift has no value for resolutions {lacking}.")
        max_steps = int(bounded("maxStepsAllowed"))
        steps = int(bounded("sampleSteps"))
        if steps > max_steps:
            raise WorkerMisconfigured(
                f"{Env.PRESET}.sampleSteps is {steps} but maxStepsAllowed is {max_steps}: jobs that name no steps would be refused."
            )
        persistent = doc["numPersistentParamInDit"]
        if persistent is not None and (isinstance(persistent, bool) or not isinstance(persistent, int) or persistent < 0):
            raise WorkerMisconfigured(f"{Env.PRESET}.numPersistentParamInDit is {persistent!r}; expected null or an integer >= 0.")
        return cls(
            name=name,
            sample_steps=steps,
            text_guide_scale=float(bounded("textGuideScale")),
            audio_guide_scale=float(bounded("audioGuideScale")),
            shift=shift,
            motion_frame=int(checked("motionFrame", motion_frame_problem(doc["motionFrame"]))),
            color_correction_strength=float(bounded("colorCorrectionStrength")),
            offload_model=boolean("offloadModel"),
            t5_cpu=boolean("t5Cpu"),
            num_persistent_param_in_dit=persistent,
            resolutions=tuple(sorted(set(resolutions))),
            max_steps_allowed=max_steps,
        )


#: Used when ``AVATAR_PRESET`` is unset (local runs): upstream InfiniteTalk's CLI defaults.
DEFAULT_PRESET_DOCUMENT: Dict[str, Any] = {
    "name": "upstream-40step",
    "sampleSteps": 40,
    "textGuideScale": 5.0,
    "audioGuideScale": 4.0,
    "shift": {"480": 7, "720": 11},
    "motionFrame": 9,
    "colorCorrectionStrength": 1.0,
    "offloadModel": False,
    "t5Cpu": False,
    "numPersistentParamInDit": None,
    "resolutions": [480, 720],
    "maxStepsAllowed": 40,
}
