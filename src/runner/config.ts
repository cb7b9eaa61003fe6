import { DEFAULT_API_BASE_URL, normaliseBaseUrl } from './rest-client';
import { DEFAULT_MODEL_ROOT, INIT_SETTINGS, RUNPOD_SECRET_NAME_PATTERN, WorkerSetting } from './worker-contract';

/**
 * Everything the runner reads from its environment. The StorageInitJob construct sets the
 * `AVATAR_INIT_*` variables on the local-exec provisioner (non-secret values only); RUNPOD_API_KEY,
 * HF_TOKEN and HF_ENDPOINT come from the environment of `cdktf deploy`.
 */
export interface RunnerConfig {
  readonly apiKey: string;
  readonly apiBaseUrl: string;
  readonly image: string;
  readonly volumeId: string;
  readonly dataCenter: string;
  readonly modelRoot: string;
  readonly manifestJson: string;
  readonly manifestSha256: string;
  /** The compute fragment of the pod body: `{"cpu":{...}}` or `{"gpu":{...}}`. */
  readonly compute: { readonly cpu?: { id: string; vcpuCount: number }; readonly gpu?: { id: string; count: number } };
  readonly timeoutSeconds: number;
  readonly downloadAttempts: number;
  readonly downloadConcurrency: number;
  readonly podName: string;
  readonly registryAuthId?: string;
  readonly huggingFaceTokenSecret?: string;
  readonly huggingFaceToken?: string;
  readonly huggingFaceEndpoint?: string;
  readonly tuning: RunnerTuning;
}

/** Intervals and limits; the defaults suit a real deploy, tests shrink them. */
export interface RunnerTuning {
  /** AVATAR_RUNNER_POLL_MS: pod status poll interval (also the wait between log reconnects). */
  readonly pollMs: number;
  /** AVATAR_RUNNER_BACKOFF_MS: first backoff step of API retries. */
  readonly backoffBaseMs: number;
  /** AVATAR_RUNNER_BACKOFF_MAX_MS: longest backoff step. */
  readonly backoffMaxMs: number;
  /** AVATAR_RUNNER_MAX_RETRY_AFTER_MS: longest Retry-After honoured. */
  readonly maxRetryAfterMs: number;
  /** AVATAR_RUNNER_MAX_RETRIES: retries per API call for 429/5xx/network errors. */
  readonly maxRetries: number;
  /** AVATAR_RUNNER_REQUEST_TIMEOUT_MS: per-request timeout. */
  readonly requestTimeoutMs: number;
  /** AVATAR_RUNNER_MAX_RECONNECTS: consecutive log-stream failures tolerated while the pod runs. */
  readonly maxReconnects: number;
  /** AVATAR_RUNNER_PROGRESS_INTERVAL_MS: least time between plain (non-TTY) progress lines. */
  readonly progressIntervalMs: number;
  /** AVATAR_RUNNER_EXIT_GRACE_MS: how long to keep reading logs after the pod stopped. */
  readonly exitGraceMs: number;
  /** AVATAR_RUNNER_STREAM_IDLE_MS: a log stream silent this long while the pod runs is reopened. */
  readonly streamIdleMs: number;
}

/** The environment variables the runner reads, with meaning and default (for docs and errors). */
export const RUNNER_ENVIRONMENT: ReadonlyArray<{ name: string; meaning: string; default: string }> = [
  { name: 'RUNPOD_API_KEY', meaning: 'RunPod API key (from the deploy environment; never in Terraform JSON)', default: 'required' },
  { name: 'RUNPOD_API_BASE_URL', meaning: 'REST base URL, as the provider reads it (paths /v2/... are appended)', default: DEFAULT_API_BASE_URL },
  { name: 'HF_TOKEN', meaning: 'Hugging Face token passed to the pod when no RunPod secret is configured', default: 'unset: anonymous Hub access' },
  { name: 'HF_ENDPOINT', meaning: 'Hugging Face Hub base URL passed to the pod', default: 'unset: huggingface.co' },
  { name: 'AVATAR_INIT_IMAGE', meaning: 'worker image, by digest', default: 'required (set by StorageInitJob)' },
  { name: 'AVATAR_INIT_VOLUME_ID', meaning: 'network volume id', default: 'required (set by StorageInitJob)' },
  { name: 'AVATAR_INIT_DATA_CENTER', meaning: 'data centre of the volume; the pod is placed there', default: 'required (set by StorageInitJob)' },
  { name: 'AVATAR_INIT_MODEL_ROOT', meaning: 'model root on the volume as the pod sees it', default: DEFAULT_MODEL_ROOT },
  { name: 'AVATAR_INIT_MANIFEST', meaning: 'model manifest JSON', default: 'required (set by StorageInitJob)' },
  { name: 'AVATAR_INIT_MANIFEST_SHA256', meaning: 'sha256 of the manifest', default: 'required (set by StorageInitJob)' },
  { name: 'AVATAR_INIT_COMPUTE', meaning: 'pod compute as the REST body fragment, e.g. {"cpu":{"id":"cpu5c","vcpuCount":4}}', default: '{"cpu":{"id":"cpu5c","vcpuCount":4}}' },
  { name: 'AVATAR_INIT_TIMEOUT_MINUTES', meaning: 'whole-job timeout from pod creation to result, in minutes', default: '60' },
  { name: 'AVATAR_INIT_TIMEOUT_SECONDS', meaning: 'the same in seconds; wins over AVATAR_INIT_TIMEOUT_MINUTES (tests)', default: 'unset' },
  { name: 'AVATAR_INIT_DOWNLOAD_ATTEMPTS', meaning: 'attempts per file, passed to the pod as AVATAR_DOWNLOAD_ATTEMPTS', default: String(INIT_SETTINGS.downloadAttempts.default) },
  { name: 'AVATAR_INIT_DOWNLOAD_CONCURRENCY', meaning: 'files downloaded at once, passed to the pod as AVATAR_DOWNLOAD_CONCURRENCY', default: String(INIT_SETTINGS.downloadConcurrency.default) },
  { name: 'AVATAR_INIT_POD_NAME', meaning: 'pod name shown in the console', default: 'avatar-storage-init' },
  { name: 'AVATAR_INIT_REGISTRY_AUTH_ID', meaning: 'RunPod registry auth id for a private image', default: 'unset: public image' },
  { name: 'AVATAR_INIT_HF_TOKEN_SECRET', meaning: 'RunPod secret name; the pod gets HF_TOKEN={{ RUNPOD_SECRET_<name> }}', default: 'unset: HF_TOKEN from the deploy environment, if any' },
  { name: 'AVATAR_RUNNER_POLL_MS', meaning: 'pod status poll interval and log reconnect wait', default: '5000' },
  { name: 'AVATAR_RUNNER_BACKOFF_MS', meaning: 'first backoff step of API retries', default: '1000' },
  { name: 'AVATAR_RUNNER_BACKOFF_MAX_MS', meaning: 'longest backoff step', default: '30000' },
  { name: 'AVATAR_RUNNER_MAX_RETRY_AFTER_MS', meaning: 'longest Retry-After honoured', default: '120000' },
  { name: 'AVATAR_RUNNER_MAX_RETRIES', meaning: 'retries per API call for 429, 5xx and network errors', default: '8' },
  { name: 'AVATAR_RUNNER_REQUEST_TIMEOUT_MS', meaning: 'per-request timeout', default: '60000' },
  { name: 'AVATAR_RUNNER_MAX_RECONNECTS', meaning: 'consecutive log-stream failures tolerated', default: '20' },
  { name: 'AVATAR_RUNNER_PROGRESS_INTERVAL_MS', meaning: 'least time between plain progress lines (non-TTY)', default: '10000' },
  { name: 'AVATAR_RUNNER_EXIT_GRACE_MS', meaning: 'how long to keep reading logs after the pod stopped', default: '10000' },
  { name: 'AVATAR_RUNNER_STREAM_IDLE_MS', meaning: 'a log stream silent this long while the pod runs is reopened (Last-Event-ID)', default: '300000' },
];

/** Raised for a configuration the runner cannot work with; exit code 2. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`storage init runner is misconfigured:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_COMPUTE = { cpu: { id: 'cpu5c', vcpuCount: 4 } };

/** Reads and checks the configuration; throws ConfigError listing every problem. */
export function readConfig(env: NodeJS.ProcessEnv): RunnerConfig {
  const problems: string[] = [];
  const required = (name: string, fix: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      problems.push(`${name} is not set: ${fix}`);
      return '';
    }
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} is "${raw}" but must be an integer between ${min} and ${max}.`);
      return fallback;
    }
    return value;
  };
  const setting = (name: string, contract: WorkerSetting): number => integer(name, contract.default, contract.min, contract.max);
  const optional = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };

  const apiKey = required('RUNPOD_API_KEY', 'set RUNPOD_API_KEY in the environment of `cdktf deploy` to a RunPod API key (the same the provider uses).');
  const construct = 'the StorageInitJob construct sets it; run the runner through `cdktf deploy`.';
  const image = required('AVATAR_INIT_IMAGE', construct);
  const volumeId = required('AVATAR_INIT_VOLUME_ID', construct);
  const dataCenter = required('AVATAR_INIT_DATA_CENTER', construct);
  const manifestJson = required('AVATAR_INIT_MANIFEST', construct);
  const manifestSha256 = required('AVATAR_INIT_MANIFEST_SHA256', construct);
  if (manifestSha256 && !/^[0-9a-f]{64}$/.test(manifestSha256)) problems.push(`AVATAR_INIT_MANIFEST_SHA256 is "${manifestSha256}" but must be 64 lower-case hex digits.`);
  if (manifestJson) {
    try {
      JSON.parse(manifestJson);
    } catch (error) {
      problems.push(`AVATAR_INIT_MANIFEST is not JSON: ${(error as Error).message}`);
    }
  }

  let compute: RunnerConfig['compute'] = DEFAULT_COMPUTE;
  const rawCompute = optional('AVATAR_INIT_COMPUTE');
  if (rawCompute) {
    try {
      compute = checkCompute(JSON.parse(rawCompute));
    } catch (error) {
      problems.push(`AVATAR_INIT_COMPUTE is ${rawCompute} but ${(error as Error).message}`);
    }
  }

  const baseUrl = optional('RUNPOD_API_BASE_URL') ?? DEFAULT_API_BASE_URL;
  if (!/^https?:\/\/[^/]+/.test(baseUrl)) problems.push(`RUNPOD_API_BASE_URL is "${baseUrl}" but must be an http(s) URL such as ${DEFAULT_API_BASE_URL}.`);

  const secret = optional('AVATAR_INIT_HF_TOKEN_SECRET');
  if (secret && !RUNPOD_SECRET_NAME_PATTERN.test(secret)) problems.push(`AVATAR_INIT_HF_TOKEN_SECRET is "${secret}" but must be a RunPod secret name (letters, digits, _ and -).`);

  const config: RunnerConfig = {
    apiKey,
    apiBaseUrl: normaliseBaseUrl(baseUrl),
    image,
    volumeId,
    dataCenter,
    modelRoot: optional('AVATAR_INIT_MODEL_ROOT') ?? DEFAULT_MODEL_ROOT,
    manifestJson,
    manifestSha256,
    compute,
    timeoutSeconds: optional('AVATAR_INIT_TIMEOUT_SECONDS')
      ? integer('AVATAR_INIT_TIMEOUT_SECONDS', 3600, 1, 7 * 24 * 3600)
      : integer('AVATAR_INIT_TIMEOUT_MINUTES', 60, 1, 7 * 24 * 60) * 60,
    downloadAttempts: setting('AVATAR_INIT_DOWNLOAD_ATTEMPTS', INIT_SETTINGS.downloadAttempts),
    downloadConcurrency: setting('AVATAR_INIT_DOWNLOAD_CONCURRENCY', INIT_SETTINGS.downloadConcurrency),
    podName: optional('AVATAR_INIT_POD_NAME') ?? 'avatar-storage-init',
    registryAuthId: optional('AVATAR_INIT_REGISTRY_AUTH_ID'),
    huggingFaceTokenSecret: secret,
    huggingFaceToken: optional('HF_TOKEN'),
    huggingFaceEndpoint: optional('HF_ENDPOINT'),
    tuning: {
      pollMs: integer('AVATAR_RUNNER_POLL_MS', 5000, 1, 600_000),
      backoffBaseMs: integer('AVATAR_RUNNER_BACKOFF_MS', 1000, 1, 600_000),
      backoffMaxMs: integer('AVATAR_RUNNER_BACKOFF_MAX_MS', 30_000, 1, 3_600_000),
      maxRetryAfterMs: integer('AVATAR_RUNNER_MAX_RETRY_AFTER_MS', 120_000, 0, 3_600_000),
      maxRetries: integer('AVATAR_RUNNER_MAX_RETRIES', 8, 0, 100),
      requestTimeoutMs: integer('AVATAR_RUNNER_REQUEST_TIMEOUT_MS', 60_000, 100, 3_600_000),
      maxReconnects: integer('AVATAR_RUNNER_MAX_RECONNECTS', 20, 0, 10_000),
      progressIntervalMs: integer('AVATAR_RUNNER_PROGRESS_INTERVAL_MS', 10_000, 0, 3_600_000),
      exitGraceMs: integer('AVATAR_RUNNER_EXIT_GRACE_MS', 10_000, 0, 600_000),
      streamIdleMs: integer('AVATAR_RUNNER_STREAM_IDLE_MS', 300_000, 1, 86_400_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function checkCompute(value: any): RunnerConfig['compute'] {
  if (value?.cpu && !value.gpu) {
    const { id, vcpuCount } = value.cpu;
    if (typeof id !== 'string' || id === '' || !Number.isInteger(vcpuCount) || vcpuCount < 2 || !Number.isInteger(Math.log2(vcpuCount))) {
      throw new Error('cpu needs a non-empty "id" and a "vcpuCount" that is a power of two >= 2.');
    }
    return { cpu: { id, vcpuCount } };
  }
  if (value?.gpu && !value.cpu) {
    const { id, count } = value.gpu;
    if (typeof id !== 'string' || id === '' || !Number.isInteger(count) || count < 1) throw new Error('gpu needs a non-empty "id" and an integer "count" >= 1.');
    return { gpu: { id, count } };
  }
  throw new Error('it must hold exactly one of "cpu" or "gpu".');
}
