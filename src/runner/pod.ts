import { RunnerConfig } from './config';
import { INIT_SETTINGS, runpodSecretReference, VOLUME_MOUNT_PATH, WORKER_ENV, WORKER_MODES } from './worker-contract';

/** Where the init pod mounts the network volume: the path serverless workers use, so the model root is the same. */
export const POD_VOLUME_MOUNT_PATH = VOLUME_MOUNT_PATH;

/** Environment variable that tags the pod with the runner's run id (to find it again after a lost response). */
export const RUN_ID_ENV = 'AVATAR_INIT_RUN_ID';

/** Container disk of the init pod, in GB: the models go to the volume; the container holds only the image and temporary files. */
export const INIT_POD_CONTAINER_DISK_GB = 30;

/** Statuses after which the container no longer runs. */
export const STOPPED_STATUSES: ReadonlySet<string> = new Set(['EXITED', 'ERROR', 'TERMINATED']);

/** The pod as the runner reads it (a subset of the spec's `Pod`). */
export interface PodView {
  readonly id: string;
  readonly name?: string;
  readonly status: string;
  readonly env?: Record<string, string>;
  readonly dataCenterId?: string | null;
  readonly cost?: number;
}

/**
 * The `POST /v2/pods` body (`CreatePodRequest`): the image with the volume mounted at
 * /runpod-volume, in the volume's data centre, on Secure Cloud (network volumes need it), running
 * the worker in `init` mode.
 */
export function createPodBody(config: RunnerConfig, runId: string): Record<string, unknown> {
  const env: Record<string, string> = {
    [WORKER_ENV.mode]: WORKER_MODES.init,
    [WORKER_ENV.modelManifest]: config.manifestJson,
    [WORKER_ENV.modelManifestSha256]: config.manifestSha256,
    [WORKER_ENV.modelRoot]: config.modelRoot,
    [INIT_SETTINGS.downloadAttempts.env]: String(config.downloadAttempts),
    [INIT_SETTINGS.downloadConcurrency.env]: String(config.downloadConcurrency),
    [RUN_ID_ENV]: runId,
  };
  const hfToken = huggingFaceToken(config);
  if (hfToken !== undefined) env[WORKER_ENV.huggingFaceToken] = hfToken;
  if (config.huggingFaceEndpoint) env[WORKER_ENV.huggingFaceEndpoint] = config.huggingFaceEndpoint;
  return {
    name: config.podName,
    image: config.image,
    ...(config.compute.gpu ? { gpu: { id: config.compute.gpu.id, count: config.compute.gpu.count } } : {}),
    ...(config.compute.cpu ? { cpu: { id: config.compute.cpu.id, vcpuCount: config.compute.cpu.vcpuCount } } : {}),
    cloud: 'SECURE',
    dataCenterIds: [config.dataCenter],
    mounts: { network: [{ volumeId: config.volumeId, path: POD_VOLUME_MOUNT_PATH }] },
    env,
    disk: INIT_POD_CONTAINER_DISK_GB,
    ports: [],
    ...(config.registryAuthId ? { registry: config.registryAuthId } : {}),
  };
}

/** The pod's HF_TOKEN: the RunPod secret reference if one is configured, else the deploy environment's token. */
export function huggingFaceToken(config: RunnerConfig): string | undefined {
  if (config.huggingFaceTokenSecret) return runpodSecretReference(config.huggingFaceTokenSecret);
  return config.huggingFaceToken;
}
