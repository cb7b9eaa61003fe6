"""The InfiniteTalk RunPod worker: model volume init/verify and the serverless handler.

Entry point: ``python -m avatar_worker {init,verify,serve}`` (see :mod:`avatar_worker.cli`).
Importing the package has no side effects; heavy modules (torch, the pipeline) are imported
only by ``serve``.
"""

__version__ = "0.1.0"
