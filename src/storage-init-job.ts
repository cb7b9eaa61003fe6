import * as fs from 'fs';
import * as path from 'path';
import { Resource } from '@cdktf/provider-null/lib/resource';
import { Annotations, AssetType, TerraformAsset, Token } from 'cdktf';
import { Construct } from 'constructs';
import { IWorkerImage } from './infinitetalk-image';
import { IModelVolume } from './model-volume';
import { RUNNER_VERSION } from './runner/version';
import { INIT_SETTINGS } from './runner/worker-contract';
import { requireHttpUrl, requireInBound, requireNonEmpty, requireNumberInRange, requireRunpodSecretName } from './validation';

/** Options of a CPU init pod. */
export interface CpuInitComputeOptions {
  /** RunPod CPU flavour id (`GET /v2/catalog/cpus`). @default "cpu5c" (compute-optimised, 5th gen) */
  readonly cpuTypeId?: string;
  /** vCPUs: a power of two, at least 2, valid for the flavour. @default 4 */
  readonly vcpuCount?: number;
}

/**
 * What the storage-init pod runs on. Filling a volume is network- and disk-bound, so a CPU pod
 * (which may mount a network volume on Secure Cloud) is the default: it is cheaper and does not
 * compete for L40S capacity.
 */
export class InitCompute {
  /** A CPU pod. */
  public static cpu(options: CpuInitComputeOptions = {}): InitCompute {
    const id = options.cpuTypeId ?? 'cpu5c';
    const vcpuCount = options.vcpuCount ?? 4;
    requireNonEmpty('compute.cpuTypeId', id, 'give a CPU flavour id from GET /v2/catalog/cpus, e.g. "cpu5c".');
    requireNumberInRange('compute.vcpuCount', vcpuCount, 2, 64, 'use a power of two such as 2, 4 or 8.');
    if (!Token.isUnresolved(vcpuCount) && !Number.isInteger(Math.log2(vcpuCount))) {
      throw new Error(`\`compute.vcpuCount\` is ${vcpuCount} but RunPod CPU pods take a power of two: use 2, 4, 8, 16 or 32.`);
    }
    return new InitCompute('cpu', id, vcpuCount);
  }

  /** A GPU pod, e.g. when no CPU capacity is left in the data centre. */
  public static gpu(gpuTypeId: string = 'NVIDIA L40S'): InitCompute {
    requireNonEmpty('compute.gpuTypeId', gpuTypeId, 'give a GPU type id from GET /v2/catalog/gpus, e.g. "NVIDIA L40S".');
    return new InitCompute('gpu', gpuTypeId, 1);
  }

  private constructor(
    /** `cpu` or `gpu`. */
    public readonly kind: string,
    /** The CPU flavour or GPU type id. */
    public readonly typeId: string,
    /** vCPUs (CPU) or GPUs (GPU). */
    public readonly count: number,
  ) {}

  /** @internal The `cpu`/`gpu` fragment of the REST v2 pod body, as JSON. */
  public _render(): string {
    return this.kind === 'cpu'
      ? JSON.stringify({ cpu: { id: this.typeId, vcpuCount: this.count } })
      : JSON.stringify({ gpu: { id: this.typeId, count: this.count } });
  }
}

/** Properties of a StorageInitJob. */
export interface StorageInitJobProps {
  /** The volume to fill; its manifest says what goes on it. */
  readonly volume: IModelVolume;
  /**
   * The worker image (`InfiniteTalkImage`, or `InfiniteTalkImage.fromRegistry` with a digest). Its
   * `init` mode downloads and verifies the model set and writes the lock file; a private image is
   * pulled with the image's `registryAuthId`.
   */
  readonly image: IWorkerImage;
  /** Compute of the init pod. @default InitCompute.cpu() - cpu5c with 4 vCPUs */
  readonly compute?: InitCompute;
  /**
   * Minutes the whole job may take, from pod creation to the verified result (10–1440). The default
   * allows 30 minutes for scheduling, the image pull and hashing, plus one minute per 2 GB of the
   * model set (a conservative 35 MB/s from the Hub): 46 minutes for fp8, 77 for bf16-lightx2v.
   * @default - 30 + ceil(model set GB / 2)
   */
  readonly timeoutMinutes?: number;
  /** Attempts per file before the download fails (1–10; the pod's `AVATAR_DOWNLOAD_ATTEMPTS`). @default 3 */
  readonly downloadAttempts?: number;
  /** Files the init pod downloads at once (1–16; the pod's `AVATAR_DOWNLOAD_CONCURRENCY`). @default 4 */
  readonly downloadConcurrency?: number;
  /**
   * Name of a RunPod secret holding a Hugging Face token; the pod gets
   * `HF_TOKEN={{ RUNPOD_SECRET_<name> }}`, so the token never passes through Terraform.
   * @default - HF_TOKEN from the environment of `cdktf deploy` if set, else anonymous Hub access
   */
  readonly huggingFaceTokenSecret?: string;
  /**
   * RunPod REST base URL for the runner (an emulator in tests).
   * @default - RUNPOD_API_BASE_URL from the environment of `cdktf deploy`, else https://api.runpod.io
   */
  readonly apiBaseUrl?: string;
  /** Name of the init pod in the RunPod console. @default - `<construct path>-storage-init` */
  readonly podName?: string;
}

/** Seconds per GB the default timeout allows: 1 minute per 2 GB (~35 MB/s). */
const SECONDS_PER_GB = 30;
/** Fixed part of the default timeout: scheduling, image pull, verification. */
const BASE_TIMEOUT_MINUTES = 30;

/** The default timeout for a model set of `expectedGb`: 30 min + 1 min per 2 GB, rounded up. */
export function defaultInitTimeoutMinutes(expectedGb: number): number {
  return BASE_TIMEOUT_MINUTES + Math.ceil((expectedGb * SECONDS_PER_GB) / 60);
}

/**
 * Fills a model volume once, at deploy time: a `null_resource` whose `local-exec` provisioner runs
 * the storage-init runner (`node <asset>/storage-init-runner.js`). The runner creates a pod
 * (`POST /v2/pods`) from the worker image with the volume mounted at `/runpod-volume` and
 * `AVATAR_MODE=init`, follows its logs with a progress bar, requires the worker's verified `result`
 * line, and terminates the pod in every outcome (success, failure, timeout, Ctrl-C).
 *
 * Credentials are read by the runner from the environment of `cdktf deploy` (RUNPOD_API_KEY and,
 * unless `huggingFaceTokenSecret` is set, HF_TOKEN); none appears in the synthesized JSON.
 *
 * The stack needs a `NullProvider` (from `@cdktf/provider-null`), as it needs a `RunpodProvider`.
 * Make the endpoint depend on `resource` so workers start only after the volume is ready.
 */
export class StorageInitJob extends Construct {
  /** The `null_resource` that runs the job: make the endpoint `dependsOn` it. */
  public readonly resource: Resource;
  /** Timeout of the job in minutes. */
  public readonly timeoutMinutes: number;
  /** Name of the init pod. */
  public readonly podName: string;
  /** The volume the job fills. */
  public readonly volume: IModelVolume;
  /** The worker image the init pod runs. */
  public readonly image: IWorkerImage;

  constructor(scope: Construct, id: string, props: StorageInitJobProps) {
    super(scope, id);
    const volume = props.volume;
    const image = props.image;
    this.volume = volume;
    this.image = image;
    if (!image.pinnedByDigest) {
      Annotations.of(this).addWarning(
        `the image "${image.imageUri}" is not pinned by digest: the init pod and the endpoint may run different builds of a re-pushed tag. Use an InfiniteTalkImage or "repository@sha256:…".`,
      );
    }
    const expectedGb = volume.modelSet.expectedGb;
    this.timeoutMinutes = props.timeoutMinutes ?? defaultInitTimeoutMinutes(expectedGb);
    requireNumberInRange('timeoutMinutes', this.timeoutMinutes, 10, 1440, `leave it unset to size it from the model set (${defaultInitTimeoutMinutes(expectedGb)} minutes for ${volume.modelSet.name}).`);
    const downloadAttempts = props.downloadAttempts ?? INIT_SETTINGS.downloadAttempts.default;
    requireInBound('downloadAttempts', downloadAttempts, INIT_SETTINGS.downloadAttempts, `the worker's init accepts this range (${INIT_SETTINGS.downloadAttempts.default} by default).`);
    const downloadConcurrency = props.downloadConcurrency ?? INIT_SETTINGS.downloadConcurrency.default;
    requireInBound('downloadConcurrency', downloadConcurrency, INIT_SETTINGS.downloadConcurrency, `the worker's init accepts this range (${INIT_SETTINGS.downloadConcurrency.default} by default).`);
    if (props.huggingFaceTokenSecret !== undefined && !Token.isUnresolved(props.huggingFaceTokenSecret)) {
      const secret = props.huggingFaceTokenSecret;
      requireRunpodSecretName('huggingFaceTokenSecret', secret);
      if (/^hf_[A-Za-z0-9]{20,}$/.test(secret)) {
        throw new Error('`huggingFaceTokenSecret` looks like a Hugging Face token, not a secret name: store the token as a RunPod secret and give its name here.');
      }
    }
    requireHttpUrl(props.apiBaseUrl, `\`apiBaseUrl\` is "${props.apiBaseUrl}" but must be an http(s) URL such as "https://api.runpod.io"; leave it unset for RunPod's.`);
    this.podName = props.podName ?? `${this.node.path.replace(/\//g, '-')}-storage-init`;
    requireNonEmpty('podName', this.podName, 'give the pod a name or leave it unset.');
    const compute = props.compute ?? InitCompute.cpu();

    const asset = new TerraformAsset(this, 'runner', { path: runnerDirectory(), type: AssetType.DIRECTORY });

    const environment: Record<string, string> = {
      AVATAR_INIT_IMAGE: image.imageUri,
      AVATAR_INIT_VOLUME_ID: volume.volumeId,
      AVATAR_INIT_DATA_CENTER: volume.dataCenter,
      AVATAR_INIT_MODEL_ROOT: volume.modelRoot,
      AVATAR_INIT_MANIFEST: volume.manifest.json,
      AVATAR_INIT_MANIFEST_SHA256: volume.manifest.sha256,
      AVATAR_INIT_COMPUTE: compute._render(),
      AVATAR_INIT_TIMEOUT_MINUTES: Token.isUnresolved(this.timeoutMinutes) ? Token.asString(this.timeoutMinutes) : String(this.timeoutMinutes),
      AVATAR_INIT_DOWNLOAD_ATTEMPTS: String(downloadAttempts),
      AVATAR_INIT_DOWNLOAD_CONCURRENCY: String(downloadConcurrency),
      AVATAR_INIT_POD_NAME: this.podName,
    };
    if (props.apiBaseUrl !== undefined) environment.RUNPOD_API_BASE_URL = props.apiBaseUrl;
    if (image.registryAuthId !== undefined) environment.AVATAR_INIT_REGISTRY_AUTH_ID = image.registryAuthId;
    if (props.huggingFaceTokenSecret !== undefined) environment.AVATAR_INIT_HF_TOKEN_SECRET = props.huggingFaceTokenSecret;

    this.resource = new Resource(this, 'Resource', {
      // What must be on the volume, which volume, and the runner's protocol: a change to any of
      // them re-runs the job. The image is deliberately NOT a trigger: a new image digest (a code
      // change to the handler) does not change the files the volume must hold, and re-running
      // would start a pod that downloads nothing but still costs an image pull and a verification.
      // The endpoint picks the new image up in place; the lock's manifest hash keeps them honest.
      triggers: {
        manifest_sha256: volume.manifest.sha256,
        volume_id: volume.volumeId,
        model_root: volume.modelRoot,
        runner_version: RUNNER_VERSION,
      },
      provisioners: [
        {
          type: 'local-exec',
          command: `node "${asset.path}/storage-init-runner.js"`,
          environment,
        },
      ],
    });
  }
}

/**
 * The compiled runner directory: `lib/runner` next to this file when running from the package, or
 * `<package root>/lib/runner` when running from `src/` under a test runner (there is no .js there).
 */
function runnerDirectory(): string {
  const candidates = [path.join(__dirname, 'runner'), path.resolve(__dirname, '..', 'lib', 'runner')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'storage-init-runner.js')));
  if (!found) {
    throw new Error(
      `StorageInitJob cannot find its runner (storage-init-runner.js) in ${candidates.join(' or ')}: compile the library first (\`npx projen compile\`).`,
    );
  }
  return found;
}
