"""Skipping the DiT pass whose guidance term is zero (avatar_worker/guidance.py), counted on CPU.

``sample`` re-enacts one chunk of upstream's sampling loop (``generate_infinitetalk`` in
wan/multitalk.py): the same four argument dicts built once per chunk, the same calls per step in the
same order, the same vanilla-CFG combinations. The GPU harness counts the same passes on the real
pipeline (docker/gpu/results).
"""

from __future__ import annotations

import math
from typing import Any, Dict, List

import pytest
import torch

from avatar_worker.guidance import PassCounter, skip_audio_free_pass


class FakeDiT(torch.nn.Module):
    """Deterministic in every input upstream passes, so a wrong substitution changes the result."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, x: List[torch.Tensor], t: torch.Tensor, context: List[torch.Tensor], clip_fea: torch.Tensor,
                seq_len: int, y: torch.Tensor, audio: torch.Tensor, ref_target_masks: torch.Tensor) -> List[torch.Tensor]:
        self.calls += 1
        return [x[0] * torch.cos(t / 300) + context[0].mean() * 0.3 + audio.mean() * 0.7 + clip_fea.mean() * 0.1]


def sample(model: torch.nn.Module, text_guide_scale: float, audio_guide_scale: float, steps: int = 4) -> torch.Tensor:
    """One chunk of upstream's loop (argument dicts and CFG as in wan/multitalk.py)."""
    torch.manual_seed(0)
    latent = torch.randn(16, 3, 4, 4)
    context, context_null = torch.randn(7, 8), torch.randn(7, 8)
    audio_embs = torch.randn(1, 9, 5, 12, 8)
    common = {"clip_fea": torch.randn(1, 3), "seq_len": 48, "y": torch.randn(1, 20, 3, 4, 4), "ref_target_masks": torch.ones(3, 4, 4)}
    arg_c = {"context": [context], "audio": audio_embs, **common}
    arg_null_text = {"context": [context_null], "audio": audio_embs, **common}
    arg_null_audio = {"context": [context], "audio": torch.zeros_like(audio_embs)[-1:], **common}
    arg_null = {"context": [context_null], "audio": torch.zeros_like(audio_embs)[-1:], **common}
    timesteps = [torch.tensor([t]) for t in torch.linspace(1000, 1, steps).tolist()] + [torch.tensor([0.0])]
    for i in range(steps):
        timestep = timesteps[i]
        latent_model_input = [latent]
        noise_pred_cond = model(latent_model_input, t=timestep, **arg_c)[0]
        if math.isclose(text_guide_scale, 1.0):
            noise_pred_drop_audio = model(latent_model_input, t=timestep, **arg_null_audio)[0]
            noise_pred = noise_pred_drop_audio + audio_guide_scale * (noise_pred_cond - noise_pred_drop_audio)
        else:
            noise_pred_drop_text = model(latent_model_input, t=timestep, **arg_null_text)[0]
            noise_pred_uncond = model(latent_model_input, t=timestep, **arg_null)[0]
            noise_pred = noise_pred_uncond + text_guide_scale * (noise_pred_cond - noise_pred_drop_text) + audio_guide_scale * (
                noise_pred_drop_text - noise_pred_uncond)
        latent = latent + (-noise_pred) * ((timesteps[i] - timesteps[i + 1]) / 1000)
    return latent


@pytest.mark.parametrize(
    "text, audio, passes_per_step, skipped_per_step",
    [
        (1.0, 1.0, 1, 1),  # cond only: the audio-free pass is multiplied by zero
        (5.0, 1.0, 2, 1),  # cond + text-free; the fully unconditional pass cancels out
        (1.0, 2.0, 2, 0),  # the lightx2v preset: both passes needed
        (5.0, 4.0, 3, 0),  # upstream defaults: all three needed
    ],
)
def test_passes_run_and_result_unchanged(text: float, audio: float, passes_per_step: int, skipped_per_step: int) -> None:
    steps = 4
    reference_model = FakeDiT()
    expected = sample(reference_model, text, audio, steps)
    model = FakeDiT()
    with skip_audio_free_pass(model, audio) as counter:
        result = sample(model, text, audio, steps)
    assert model.calls == counter.run == passes_per_step * steps
    assert counter.skipped == skipped_per_step * steps
    assert reference_model.calls == (passes_per_step + skipped_per_step) * steps
    torch.testing.assert_close(result, expected, rtol=0, atol=1e-6)


def test_forward_is_restored_and_counts_accumulate() -> None:
    model = FakeDiT()
    counter = PassCounter()
    with skip_audio_free_pass(model, 1.0, counter):
        sample(model, 1.0, 1.0, 2)
    with skip_audio_free_pass(model, 1.0, counter):
        sample(model, 1.0, 1.0, 2)
    assert (counter.run, counter.skipped) == (4, 4)
    assert "forward" not in vars(model)  # the class's forward again
    sample(model, 1.0, 1.0, 2)
    assert model.calls == 8


def test_an_instance_forward_installed_by_someone_else_is_put_back() -> None:
    model = FakeDiT()
    seen: Dict[str, Any] = {"calls": 0}
    original = model.forward

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen["calls"] += 1
        return original(*args, **kwargs)

    model.forward = counting  # type: ignore[method-assign]
    with skip_audio_free_pass(model, 2.0):
        sample(model, 1.0, 2.0, 1)
    assert model.forward is counting and seen["calls"] == 2
