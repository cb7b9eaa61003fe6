"""Harness shim: one GPU, no sequence parallelism."""


def get_sequence_parallel_rank() -> int:
    return 0


def get_sequence_parallel_world_size() -> int:
    return 1


def get_sp_group() -> object:
    raise RuntimeError("xfuser shim: sequence parallelism is not available on the harness")
