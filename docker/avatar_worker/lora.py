"""LoRA files read by InfiniteTalk's own key rules, applied one parameter at a time.

The rules are upstream's ``WanLoraWrapper._apply_lora_weights`` (``wan/wan_lora.py``): under the
``diffusion_model.`` prefix, a ``<name>.lora_down.weight`` / ``<name>.lora_up.weight`` pair adds
``up @ down * scale`` to ``<name>.weight``, ``<name>.diff_b`` adds ``diff_b * scale`` to
``<name>.bias`` and ``<name>.diff`` adds ``diff * scale`` to ``<name>.weight``. Tensors are read in
bf16 as upstream reads them; deltas are computed in float32. Other keys (e.g. ``.alpha``) are ignored,
as upstream ignores them.

:class:`LoraDeltas` hands out each parameter's delta once: the fp8 conversion asks for the weights of
the quantized layers (:func:`avatar_worker.fp8_linear.convert_quantized_linears`), then
:meth:`LoraDeltas.apply_remaining` adds the rest (biases, norms, unquantized layers) in place. A LoRA
entry that names no parameter of the model is an error, as it is upstream (``getattr`` fails there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch

PREFIX = "diffusion_model."

#: One LoRA entry: ``(down, up)`` factors of a low-rank weight delta, or a full delta tensor.
Entry = Union[Tuple[torch.Tensor, torch.Tensor], torch.Tensor]


def parse_entries(tensors: Dict[str, torch.Tensor]) -> Dict[str, Entry]:
    """Map model parameter names to LoRA entries, by upstream's key rules."""
    entries: Dict[str, Entry] = {}
    for key, value in tensors.items():
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX):]
        if key.endswith("lora_down.weight"):
            up_key = key.replace("lora_down.weight", "lora_up.weight")
            if up_key in tensors:
                entries[name.replace("lora_down.weight", "weight")] = (value, tensors[up_key])
        elif key.endswith("diff_b"):
            entries[name.replace("diff_b", "bias")] = value
        elif key.endswith("diff"):
            entries[name.replace("diff", "weight")] = value
    return entries


def entry_delta(entry: Entry, device: Optional[torch.device] = None) -> torch.Tensor:
    """The float32 delta an entry stands for (scale not applied), computed on ``device``."""
    if isinstance(entry, tuple):
        down, up = entry
        return up.to(device).float() @ down.to(device).float()
    return entry.to(device).float()


@dataclass
class LoraDeltas:
    """The entries of one or more LoRA files with their scales, keyed by model parameter name."""

    entries: Dict[str, List[Tuple[Entry, float]]]

    @classmethod
    def load(cls, paths: Sequence[str], scales: Sequence[float], dtype: torch.dtype = torch.bfloat16) -> "LoraDeltas":
        """Read ``paths`` (safetensors) in ``dtype``, one scale per file."""
        from safetensors import safe_open

        if len(paths) != len(scales):
            raise ValueError(f"{len(paths)} LoRA files but {len(scales)} scales: give one scale per file.")
        merged: Dict[str, List[Tuple[Entry, float]]] = {}
        for path, scale in zip(paths, scales):
            with safe_open(path, framework="pt") as handle:
                tensors = {key: handle.get_tensor(key).to(dtype) for key in handle.keys()}
            entries = parse_entries(tensors)
            if not entries:
                raise ValueError(f"LoRA file {path} has no '{PREFIX}…lora_down/lora_up/diff/diff_b' entries.")
            for name, entry in entries.items():
                merged.setdefault(name, []).append((entry, float(scale)))
        return cls(merged)

    def __len__(self) -> int:
        return len(self.entries)

    def take(self, name: str, device: Optional[torch.device] = None) -> Optional[torch.Tensor]:
        """The summed float32 delta for parameter ``name`` on ``device`` (removed from the set), or None."""
        found = self.entries.pop(name, None)
        if found is None:
            return None
        deltas = [entry_delta(entry, device) * scale for entry, scale in found]
        return torch.stack(deltas).sum(dim=0) if len(deltas) > 1 else deltas[0]

    @torch.no_grad()
    def apply_remaining(self, model: torch.nn.Module) -> int:
        """Add every delta not yet taken to ``model``'s parameters in place; returns how many.

        Raises ``ValueError`` naming the first entry that matches no parameter or buffer.
        """
        tensors: Dict[str, torch.Tensor] = dict(model.named_parameters())
        tensors.update(model.named_buffers())
        applied = 0
        for name in list(self.entries):
            target = tensors.get(name)
            if target is None:
                raise ValueError(f"the LoRA changes '{name}', which the model does not have: is it a LoRA for this model?")
            delta = self.take(name, target.device)
            assert delta is not None
            if tuple(delta.shape) != tuple(target.shape):
                raise ValueError(f"the LoRA delta for '{name}' is {tuple(delta.shape)} but the parameter is {tuple(target.shape)}.")
            target.add_(delta.to(target.device, target.dtype))
            applied += 1
        return applied
