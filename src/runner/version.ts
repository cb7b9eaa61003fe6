/**
 * Version of the storage-init runner's protocol with the init pod (the pod body it sends and the
 * result it requires). It is one of the `StorageInitJob` triggers, so bumping it re-runs the job on
 * every existing deployment: bump it only when a change must re-fill or re-verify volumes, not for
 * fixes to output formatting or retries.
 */
export const RUNNER_VERSION = '1';
