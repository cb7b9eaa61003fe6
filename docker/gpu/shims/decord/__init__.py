"""Harness shim for decord (see ../README.md): importable, refuses to read video."""


def cpu(index: int = 0) -> int:
    return index


class VideoReader:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("decord shim: video inputs are not supported on the GPU harness")
