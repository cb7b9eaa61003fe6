/**
 * The constructs' side of the contract with the Python worker (`docker/avatar_worker/contract.py`).
 *
 * Each fact the constructs, the storage-init runner and the worker share has one definition here,
 * with no dependency; the worker has its own, and the shared test vectors
 * (`test/fixtures/contract-vectors.json`) tie the two together.
 *
 * It lives beside the runner because the runner ships alone, as the Terraform asset `lib/runner`, to
 * the machine that runs `cdktf deploy`; the constructs import it from here too.
 */

/** Where RunPod mounts a network volume, in serverless workers and in pods alike. */
export const VOLUME_MOUNT_PATH = '/runpod-volume';

/** Directory on the volume that holds the models unless `modelDirectory` says otherwise. */
export const DEFAULT_MODEL_DIRECTORY = 'infinitetalk';

/** Model root when `AVATAR_MODEL_ROOT` is unset. */
export const DEFAULT_MODEL_ROOT = `${VOLUME_MOUNT_PATH}/${DEFAULT_MODEL_DIRECTORY}`;
