import { Annotations, Op, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ServerlessEndpoint } from './gen/runpod/serverless-endpoint';
import { GenerationPreset } from './generation-preset';
import { IWorkerImage } from './infinitetalk-image';
import { L40sTiming } from './l40s-figures';
import { renderPreset } from './manifest';
import { ModelSet } from './model-set';
import { IModelVolume } from './model-volume';
import { OutputBucket } from './output-bucket';
import { Resolution } from './resolution';
import { SERVING_SETTINGS, WORKER_ENV, WORKER_MODES } from './runner/worker-contract';
import { StorageInitJob } from './storage-init-job';
import { isResolved, requireDataCenter, requireInBound, requireNonEmpty, requireNumberInRange } from './validation';
import { checkWorkerSettings, WorkerSettings, workerSettingsEnvironment } from './worker-settings';

/** Base URL of RunPod's serverless job API (note `.ai`). */
export const SERVERLESS_API_BASE_URL = 'https://api.runpod.ai/v2';

/** Options of `GpuSelection.pool`. */
export interface GpuPoolOptions {
  /** GPU type ids subtracted from the pool, e.g. `["NVIDIA L40"]`. @default - none */
  readonly exclude?: string[];
  /** Memory of the smallest GPU the selection admits, in GB; used to reject model sets that do not fit. */
  readonly memoryGb: number;
}

/** Which GPUs the endpoint's workers may run on. */
export class GpuSelection {
  /** L40S only: pool ADA_48_PRO minus "NVIDIA L40" and "NVIDIA RTX 6000 Ada Generation". */
  public static l40sOnly(): GpuSelection {
    return new GpuSelection('ADA_48_PRO', ['NVIDIA L40', 'NVIDIA RTX 6000 Ada Generation'], 48);
  }

  /**
   * The whole 48 GB Ada PRO pool (L40, L40S, RTX 6000 Ada) for more capacity. The L40 and RTX 6000 Ada
   * have the same memory but less throughput than the L40S, so jobs may take longer there.
   */
  public static ada48Pool(): GpuSelection {
    return new GpuSelection('ADA_48_PRO', [], 48);
  }

  /** Any RunPod serverless pool (e.g. `ADA_80_PRO`), minus the types you exclude. */
  public static pool(poolId: string, options: GpuPoolOptions): GpuSelection {
    if (!/^[A-Z0-9_]+$/.test(poolId)) {
      throw new Error(`GPU pool "${poolId}" is not a RunPod pool id like "ADA_48_PRO" (read \`pool\` from GET /v2/catalog/gpus).`);
    }
    requireNumberInRange('memoryGb', options.memoryGb, 8, 1024, 'give the memory of the smallest GPU in the pool.');
    return new GpuSelection(poolId, options.exclude ?? [], options.memoryGb);
  }

  private constructor(
    /** Serverless pool id. */
    public readonly poolId: string,
    /** GPU type ids subtracted from the pool. */
    public readonly excludedTypes: string[],
    /** Memory of the smallest admitted GPU, in GB. */
    public readonly memoryGb: number,
  ) {}
}

/** Properties of an AvatarServerlessEndpoint. */
export interface AvatarServerlessEndpointProps {
  /**
   * The job that fills the volume: the endpoint mounts the job's volume, runs in its data centre
   * and is created only after the job succeeded. Give this or `volume`.
   * @default - none: give `volume`, a volume that already holds the model set (workers refuse to start otherwise)
   */
  readonly storageInitJob?: StorageInitJob;
  /**
   * A volume that already holds the model set (filled by a job in another stack, say), when there is
   * no `storageInitJob` here. Give this or `storageInitJob`, not both: the job carries its volume.
   * @default - the storage init job's volume
   */
  readonly volume?: IModelVolume;
  /**
   * The worker image (`InfiniteTalkImage`, or `InfiniteTalkImage.fromRegistry` with a digest).
   * @default - the storage init job's image; required without `storageInitJob`
   */
  readonly image?: IWorkerImage;
  /** Generation preset. @default - the model set's default preset */
  readonly preset?: GenerationPreset;
  /** Highest resolution jobs may ask for. @default Resolution.P480 */
  readonly maxResolution?: Resolution;
  /** Longest audio a job may send, in seconds (1–600; shorter than 3.28 s is padded). @default 10 */
  readonly maxAudioSeconds?: number;
  /**
   * Most sampling steps one job may ask for (its `steps` field); at least the preset's steps, at
   * most 50. The execution timeout is sized for a job of this many steps, so raising it raises the
   * derived timeout. Nor may a job's guidance cost more DiT passes per step than the preset's (a
   * guidance of 1 saves its pass: text guidance 5 on a text-CFG-1 preset is refused).
   * @default - the preset's sampleSteps: jobs may ask for fewer steps, never more
   */
  readonly maxStepsPerJob?: number;
  /** GPUs the workers may run on. @default GpuSelection.l40sOnly() */
  readonly gpu?: GpuSelection;
  /** Data centre of the workers; must be the volume's. @default - the volume's data centre */
  readonly dataCenter?: string;
  /** Endpoint name shown in the RunPod console. @default - the construct path */
  readonly name?: string;
  /** Workers kept running when idle (billed continuously). @default 0 */
  readonly workersMin?: number;
  /** Most workers at once (≤ 50). @default 5 */
  readonly workersMax?: number;
  /** Seconds a worker stays up after its last job (1–3600); cold starts take minutes. @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** Queue delay in seconds that adds a worker (QUEUE_DELAY scaling, ≥ 0.5). @default 4 */
  readonly queueDelaySeconds?: number;
  /**
   * Execution timeout of one job in seconds (5 s – 7 days). It must cover the worst job the endpoint
   * admits: `maxStepsPerJob` steps on `maxAudioSeconds` of audio at `maxResolution`.
   * @default - that worst job's estimated time on an L40S plus 25 %, rounded up to a minute, at least 600
   */
  readonly executionTimeoutSeconds?: number;
  /** FlashBoot keeps worker state after spin-down for faster revival. @default true */
  readonly flashBoot?: boolean;
  /** Container disk per worker in GB (image layers and per-job temporary files). @default 30 */
  readonly containerDiskGb?: number;
  /**
   * Where videos are uploaded: `OutputBucket.runpodVolume(volume, …)` or `OutputBucket.s3Compatible(…)`.
   * @default - none: videos come back inline as base64 while they are small enough
   */
  readonly outputBucket?: OutputBucket;
  /**
   * The worker's own knobs (input size caps, fetch deadline, inline output limit, URL lifetime, …),
   * checked with the worker's bounds. @default - the worker's defaults (docs/CONFIGURATION.md)
   */
  readonly workerSettings?: WorkerSettings;
  /**
   * Extra environment variables for the worker, for what is not the worker's own: the managed
   * `AVATAR_*`, `BUCKET_*`, `RUNPOD_*` and `HF_*` names are refused (use the matching prop or
   * `workerSettings`). @default - none
   */
  readonly environment?: { [key: string]: string };
  /** Create Terraform outputs for the endpoint id and its URLs. @default true */
  readonly createOutputs?: boolean;
}

const MAX_WORKERS_BOUND = 50;
const MANAGED_ENV_PREFIXES = ['AVATAR_', 'BUCKET_', 'RUNPOD_', 'HF_'];

/** Seconds a worker may take to start (`RUNPOD_INIT_TIMEOUT`): its estimated load plus 50 %, rounded up to a minute, at least RunPod's 600. */
export function initTimeoutSeconds(modelSet: ModelSet): number {
  return Math.max(600, Math.ceil((modelSet.expectedLoadSeconds * 1.5) / 60) * 60);
}

/**
 * The serverless endpoint that serves InfiniteTalk on L40S. It carries the image (by digest) and its
 * environment itself rather than through a template, so an image or setting change updates it in
 * place: its id, and so its URLs, never change. Only `endpoint_type` or a GPU/CPU switch replaces it.
 */
export class AvatarServerlessEndpoint extends Construct {
  /** The `runpod_serverless_endpoint` resource, for escape hatches. No template is created, by design. */
  public readonly endpoint: ServerlessEndpoint;
  /** Endpoint id. */
  public readonly endpointId: string;
  /** `POST` here to queue a job. */
  public readonly runUrl: string;
  /** `POST` here to run a job and wait (≤ 20 MB payloads, short jobs only). */
  public readonly runSyncUrl: string;
  /** `GET <statusUrl>/<job id>` for a job's state and output. */
  public readonly statusUrl: string;
  /** `GET` for queue and worker counts. */
  public readonly healthUrl: string;
  /** The preset the workers run. */
  public readonly preset: GenerationPreset;
  /** Most sampling steps one job may ask for. */
  public readonly maxStepsPerJob: number;
  /** Execution timeout in seconds. */
  public readonly executionTimeoutSeconds: number;
  /** Environment given to the workers (secrets appear as references or tokens only). */
  public readonly environment: { [key: string]: string };

  constructor(scope: Construct, id: string, props: AvatarServerlessEndpointProps) {
    super(scope, id);
    const { volume, image } = volumeAndImage(props);
    const modelSet = volume.modelSet;
    const preset = props.preset ?? modelSet.defaultPreset;
    const resolution = props.maxResolution ?? Resolution.P480;
    const gpu = props.gpu ?? GpuSelection.l40sOnly();
    const maxAudioSeconds = props.maxAudioSeconds ?? SERVING_SETTINGS.maxAudioSeconds.default;
    const maxStepsPerJob = props.maxStepsPerJob ?? preset.sampleSteps;
    const workersMin = props.workersMin ?? 0;
    const workersMax = props.workersMax ?? 5;
    const idleTimeout = props.idleTimeoutSeconds ?? 60;
    const queueDelay = props.queueDelaySeconds ?? 4;
    const disk = props.containerDiskGb ?? 30;
    const dataCenter = props.dataCenter ?? volume.dataCenter;

    if (!modelSet.supportsPreset(preset)) {
      throw new Error(
        `\`preset\` is ${preset.name} but the ${modelSet.name} model set runs ${modelSet.presets.map((p) => p.name).join(', ')}: pick one of those or a volume with another model set.`,
      );
    }
    const needsGb = modelSet.gpuMemoryGb(resolution, preset);
    if (needsGb > gpu.memoryGb) {
      const fitting = modelSet.presets.filter((p) => p.lowVram && modelSet.gpuMemoryGb(resolution, p) <= gpu.memoryGb).map((p) => p.name);
      const fixes = [
        ...(resolution === Resolution.P480 ? [] : ['set `maxResolution` to Resolution.P480']),
        ...(fitting.length > 0 ? [`use the low-VRAM preset ${fitting.join(' or ')}`] : []),
        'pick a pool with more memory',
      ];
      throw new Error(
        `the ${modelSet.name} model set needs about ${needsGb} GB of GPU memory at ${resolution} with preset ${preset.name}, more than the ${gpu.memoryGb} GB of ${gpu.poolId}: ${fixes.join(', or ')}.`,
      );
    }
    requireDataCenter('dataCenter', dataCenter);
    if (isResolved(dataCenter) && isResolved(volume.dataCenter) && dataCenter !== volume.dataCenter) {
      throw new Error(
        `\`dataCenter\` is ${dataCenter} but the volume is in ${volume.dataCenter}: workers can only mount a volume in their own data centre; leave \`dataCenter\` unset or use a volume there.`,
      );
    }
    if (isResolved(volume.sizeGb) && volume.sizeGb < modelSet.expectedGb) {
      throw new Error(`the volume is ${volume.sizeGb} GB but the ${modelSet.name} model set needs ${modelSet.expectedGb} GB: grow the volume (RunPod volumes only grow).`);
    }
    requireNumberInRange('workersMin', workersMin, 0, MAX_WORKERS_BOUND, 'idle workers are billed continuously; 0 scales to zero.');
    requireNumberInRange('workersMax', workersMax, 1, MAX_WORKERS_BOUND, `raise the account quota with RunPod first if you need more than ${MAX_WORKERS_BOUND}.`);
    if (isResolved(workersMin) && isResolved(workersMax) && workersMin > workersMax) {
      throw new Error(`\`workersMin\` is ${workersMin} but \`workersMax\` is ${workersMax}: the minimum cannot exceed the maximum; raise workersMax or lower workersMin.`);
    }
    requireNumberInRange('idleTimeoutSeconds', idleTimeout, 1, 3600, 'RunPod accepts 1 to 3600 seconds.');
    requireNumberInRange('queueDelaySeconds', queueDelay, 0.5, 3600, 'RunPod needs at least 0.5 seconds of queue delay.', false);
    requireNumberInRange('containerDiskGb', disk, 10, 500, 'the image and per-job files need at least 10 GB.');
    requireInBound('maxAudioSeconds', maxAudioSeconds, SERVING_SETTINGS.maxAudioSeconds, 'the worker accepts this range; every 2.88 s beyond the first 3.24 s costs one more generation chunk.');
    const presetJson = renderPreset(preset, Resolution.all().filter((r) => r.pixels <= resolution.pixels), maxStepsPerJob);

    // The worst job the endpoint admits: the most steps on the longest audio at the highest resolution.
    const expected = preset.expectedJobSeconds(resolution, maxAudioSeconds, maxStepsPerJob);
    const derivedTimeout = Math.max(600, Math.ceil((expected * 1.25) / 60) * 60);
    const timeout = props.executionTimeoutSeconds ?? derivedTimeout;
    requireNumberInRange('executionTimeoutSeconds', timeout, 5, 7 * 24 * 3600, 'RunPod accepts 5 seconds to 7 days.');
    if (isResolved(timeout) && timeout < expected) {
      throw new Error(
        `\`executionTimeoutSeconds\` is ${timeout} but preset ${preset.name} is estimated to take about ${expected} s for ${maxAudioSeconds} s of audio at ${resolution} with ${maxStepsPerJob} steps on an L40S (${L40sTiming.chunksFor(maxAudioSeconds, preset.motionFrame)} chunks of ~${preset.expectedSecondsPerChunk(resolution, maxStepsPerJob)} s): raise it to at least ${Math.ceil(expected / 60) * 60}, lower \`maxAudioSeconds\` or \`maxStepsPerJob\`, or leave it unset.`,
      );
    }
    if (modelSet.hostRamGb > 64) {
      Annotations.of(this).addWarning(
        `the ${modelSet.name} model set peaks at about ${modelSet.hostRamGb} GB of host RAM while loading; RunPod does not document serverless host RAM on L40S, so check a worker's first start.`,
      );
    }
    if (!image.pinnedByDigest) {
      Annotations.of(this).addWarning('the image is not pinned by digest: workers may run different code over time; use a digest reference.');
    }
    if (props.storageInitJob === undefined) {
      Annotations.of(this).addInfo('no storageInitJob given: workers refuse to start until the volume holds a verified model set.');
    }
    if (props.name !== undefined) requireNonEmpty('name', props.name, 'give the endpoint a name or leave it unset.');

    const environment: { [key: string]: string } = {
      [WORKER_ENV.mode]: WORKER_MODES.serve,
      [WORKER_ENV.modelManifest]: volume.manifest.json,
      [WORKER_ENV.modelManifestSha256]: volume.manifest.sha256,
      [WORKER_ENV.modelRoot]: volume.modelRoot,
      [WORKER_ENV.preset]: presetJson,
      [SERVING_SETTINGS.maxAudioSeconds.env]: Token.isUnresolved(maxAudioSeconds) ? Token.asString(maxAudioSeconds) : String(maxAudioSeconds),
      [WORKER_ENV.huggingFaceOffline]: '1',
      [WORKER_ENV.runpodInitTimeout]: String(initTimeoutSeconds(modelSet)),
    };
    if (props.outputBucket) {
      Object.assign(environment, props.outputBucket._environment());
      for (const note of props.outputBucket._notes) Annotations.of(this).addInfo(note);
      for (const warning of props.outputBucket._warnings) Annotations.of(this).addWarning(warning);
    }
    checkWorkerSettings(this, props.workerSettings ?? {}, maxAudioSeconds);
    Object.assign(environment, workerSettingsEnvironment(props.workerSettings ?? {}));
    for (const [key, value] of Object.entries(props.environment ?? {})) {
      if (MANAGED_ENV_PREFIXES.some((prefix) => key.startsWith(prefix))) {
        throw new Error(
          `\`environment\` sets ${key}, which the construct manages: use the matching prop or \`workerSettings\` (docs/CONFIGURATION.md lists which sets what) instead.`,
        );
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new Error(`\`environment\` key "${key}" is not a valid variable name: use letters, digits and '_'.`);
      }
      environment[key] = value;
    }
    this.environment = environment;
    this.preset = preset;
    this.maxStepsPerJob = maxStepsPerJob;
    this.executionTimeoutSeconds = timeout;

    this.endpoint = new ServerlessEndpoint(this, 'Resource', {
      name: props.name ?? this.node.path.replace(/\//g, '-'),
      endpointType: 'QUEUE',
      image: image.imageUri,
      registry: image.registryAuthId,
      computeType: 'GPU',
      gpuPools: [gpu.poolId],
      excludedTypes: gpu.excludedTypes,
      gpuCount: 1,
      minCudaVersion: '12.1',
      workersMin,
      workersMax,
      idleTimeout,
      scalingType: 'QUEUE_DELAY',
      scalingValue: queueDelay,
      // RunPod takes milliseconds; a token (a Terraform variable) is converted by Terraform itself.
      timeout: Token.isUnresolved(timeout) ? Op.mul(timeout, 1000) : timeout * 1000,
      flashboot: props.flashBoot === false ? 'OFF' : 'FLASHBOOT',
      networkVolumes: [volume.volumeId],
      dataCenterIds: [dataCenter],
      disk,
      env: environment,
      dependsOn: props.storageInitJob ? [props.storageInitJob.resource] : undefined,
    });
    this.endpointId = this.endpoint.id;
    this.runUrl = `${SERVERLESS_API_BASE_URL}/${this.endpointId}/run`;
    this.runSyncUrl = `${SERVERLESS_API_BASE_URL}/${this.endpointId}/runsync`;
    this.statusUrl = `${SERVERLESS_API_BASE_URL}/${this.endpointId}/status`;
    this.healthUrl = `${SERVERLESS_API_BASE_URL}/${this.endpointId}/health`;

    if (props.createOutputs ?? true) {
      new TerraformOutput(this, 'endpoint_id', { value: this.endpointId, description: 'RunPod serverless endpoint id' });
      new TerraformOutput(this, 'run_url', { value: this.runUrl, description: 'POST a job here (async)' });
      new TerraformOutput(this, 'runsync_url', { value: this.runSyncUrl, description: 'POST a short job here and wait' });
      new TerraformOutput(this, 'status_url', { value: this.statusUrl, description: 'GET <status_url>/<job id>' });
      new TerraformOutput(this, 'health_url', { value: this.healthUrl, description: 'GET queue and worker counts' });
    }
  }
}

/** The volume and image of the endpoint: the storage init job's, or the ones given without a job. */
function volumeAndImage(props: AvatarServerlessEndpointProps): { volume: IModelVolume; image: IWorkerImage } {
  const job = props.storageInitJob;
  if (job !== undefined && props.volume !== undefined) {
    throw new Error('give `storageInitJob` or `volume`, not both: the storage init job carries the volume it fills, which the endpoint mounts.');
  }
  const volume = job?.volume ?? props.volume;
  if (volume === undefined) {
    throw new Error('give `storageInitJob` (the job that fills the volume) or, for a volume filled elsewhere, `volume`.');
  }
  const image = props.image ?? job?.image;
  if (image === undefined) {
    throw new Error('give `image`: without a `storageInitJob` there is no image to take the worker image from.');
  }
  return { volume, image };
}
