"""Harness shim: the block-diagonal mask InfiniteTalk builds for sequence-parallel audio attention."""
from itertools import accumulate
from typing import List, Sequence, Tuple


def _ranges(lengths: Sequence[int]) -> List[Tuple[int, int]]:
    ends = list(accumulate(lengths))
    return [(end - length, end) for end, length in zip(ends, lengths)]


class BlockDiagonalMask:
    """Query block i attends key block i only."""

    def __init__(self, q_seqlen: Sequence[int], kv_seqlen: Sequence[int]) -> None:
        self.q_ranges = _ranges(q_seqlen)
        self.k_ranges = _ranges(kv_seqlen)

    @classmethod
    def from_seqlens(cls, q_seqlen: Sequence[int], kv_seqlen: Sequence[int]) -> "BlockDiagonalMask":
        return cls(q_seqlen, kv_seqlen)
