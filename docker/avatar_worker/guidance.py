"""Skip the DiT pass whose guidance term is zero.

Each sampling step of ``InfiniteTalkPipeline.generate_infinitetalk`` runs the DiT once per guidance
branch and combines the outputs:

- text guidance 1:  ``drop_audio + a * (cond - drop_audio)``                      (2 passes)
- otherwise:        ``uncond + t * (cond - drop_text) + a * (drop_text - uncond)``  (3 passes)

where the last pass of each step differs from the one before it only by dropping the audio. With
audio guidance ``a == 1`` that pass cancels out: substituting the previous pass's output for it gives
``cond`` and ``drop_text + t * (cond - drop_text)``, the same combination with one DiT forward fewer
per step (upstream already skips the text-free pass when ``t == 1``, but runs this one).

:func:`skip_audio_free_pass` installs that substitution around one ``generate_infinitetalk`` call by
wrapping the DiT's ``forward`` (upstream's own technique for its sequence-parallel forward). A pass is
recognised by its inputs, not by its position: same latents, timestep and text context as the
previous pass, other audio. Everything else runs as upstream wrote it.
"""

from __future__ import annotations

import types
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Tuple

from .contract import guidance_is_neutral


@dataclass
class PassCounter:
    """DiT forwards run and skipped during one generation."""

    run: int = 0
    skipped: int = 0


def _signature(args: Tuple[Any, ...], kwargs: dict) -> Tuple[Any, Any, Any, Any]:
    """Identity of what a DiT pass is given: latents, timestep, text context, audio."""
    latents = args[0] if args else kwargs.get("x")
    context = kwargs.get("context")
    text = context[0] if isinstance(context, (list, tuple)) and context else context
    return id(latents), id(kwargs.get("t")), id(text), id(kwargs.get("audio"))


@contextmanager
def skip_audio_free_pass(model: Any, audio_guidance: float, counter: Optional[PassCounter] = None) -> Iterator[PassCounter]:
    """Within the block, ``model``'s audio-free pass returns the previous pass's output when audio
    guidance is 1; every forward is counted either way."""
    counter = counter if counter is not None else PassCounter()
    skip = guidance_is_neutral(audio_guidance)
    original = model.forward
    previous: dict = {"signature": None, "output": None}

    def forward(self: Any, *args: Any, **kwargs: Any) -> Any:
        signature = _signature(args, kwargs)
        last = previous["signature"]
        audio_dropped_only = last is not None and signature[:3] == last[:3] and signature[3] != last[3]
        if skip and audio_dropped_only:
            counter.skipped += 1
            previous["signature"] = None  # the next pass starts a new comparison
            return previous["output"]
        output = original(*args, **kwargs)
        counter.run += 1
        previous["signature"], previous["output"] = signature, output
        return output

    model.forward = types.MethodType(forward, model)
    try:
        yield counter
    finally:
        # Restore the class's forward (or whatever instance attribute was there before).
        if isinstance(original, types.MethodType) and original.__func__ is type(model).forward:
            del model.forward
        else:
            model.forward = original
