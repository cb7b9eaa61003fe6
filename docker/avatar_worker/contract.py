"""The worker's side of the contract with the construct library (``src/worker-contract.ts``).

Each fact the constructs and the worker share has one definition here; the TypeScript side has its
own, and the shared test vectors (``test/fixtures/contract-vectors.json``) tie the two together.
"""

#: Where RunPod mounts a network volume, in serverless workers and in pods alike.
VOLUME_MOUNT_PATH = "/runpod-volume"

#: Directory on the volume that holds the models unless ``ModelVolume``'s ``modelDirectory`` says otherwise.
DEFAULT_MODEL_DIRECTORY = "infinitetalk"

#: Model root when ``AVATAR_MODEL_ROOT`` is unset.
DEFAULT_MODEL_ROOT = f"{VOLUME_MOUNT_PATH}/{DEFAULT_MODEL_DIRECTORY}"

#: The ``AvatarServerlessEndpoint`` prop that keeps workers running (the fix named by VOLUME_IN_USE).
ENDPOINT_WORKERS_MIN_PROP = "workersMin"

#: The ``ModelVolume`` prop that sets the volume's size (the fix named by INSUFFICIENT_SPACE and DISK_FULL).
VOLUME_SIZE_PROP = "sizeGb"
