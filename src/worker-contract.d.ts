/**
 * The constructs' side of the contract with the Python worker (`docker/avatar_worker/contract.py`).
 *
 * Each fact the constructs, the storage-init runner and the worker share has one definition here,
 * with no dependency (the runner imports it too); the worker has its own, and the shared test
 * vectors (`test/fixtures/contract-vectors.json`) tie the two together.
 */
/** Where RunPod mounts a network volume, in serverless workers and in pods alike. */
export declare const VOLUME_MOUNT_PATH = "/runpod-volume";
/** Directory on the volume that holds the models unless `modelDirectory` says otherwise. */
export declare const DEFAULT_MODEL_DIRECTORY = "infinitetalk";
/** Model root when `AVATAR_MODEL_ROOT` is unset. */
export declare const DEFAULT_MODEL_ROOT = "/runpod-volume/infinitetalk";
