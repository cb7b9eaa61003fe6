/**
 * The constructs' side of the contract with the Python worker (`docker/avatar_worker/contract.py`).
 *
 * Each fact the constructs, the storage-init runner and the worker share has one definition here:
 * where the volume is mounted, the environment variable names, the bounds of every preset field,
 * worker setting and job field, and the rules a model manifest must follow. The worker has its own
 * definition of each; `test/fixtures/contract-vectors.json` (written by `npx projen contract:vectors`)
 * holds accepted and rejected inputs that both test suites run through their own side.
 *
 * It lives beside the runner and imports nothing, because the runner ships alone, as the Terraform
 * asset `lib/runner`, to the machine that runs `cdktf deploy`; the constructs import it from here.
 */

// ---------------------------------------------------------------------------------------------
// Where the models live
// ---------------------------------------------------------------------------------------------

/** Where RunPod mounts a network volume, in serverless workers and in pods alike. */
export const VOLUME_MOUNT_PATH = '/runpod-volume';

/** Directory on the volume that holds the models unless `modelDirectory` says otherwise. */
export const DEFAULT_MODEL_DIRECTORY = 'infinitetalk';

/** Model root when `AVATAR_MODEL_ROOT` is unset. */
export const DEFAULT_MODEL_ROOT = `${VOLUME_MOUNT_PATH}/${DEFAULT_MODEL_DIRECTORY}`;

// ---------------------------------------------------------------------------------------------
// Environment variables of the worker image
// ---------------------------------------------------------------------------------------------

/** Names of the environment variables the worker reads and the constructs or the runner set. */
export const WORKER_ENV = {
  /** `init`, `verify` or `serve`. */
  mode: 'AVATAR_MODE',
  /** The manifest JSON. */
  modelManifest: 'AVATAR_MODEL_MANIFEST',
  /** sha256 of the manifest JSON. */
  modelManifestSha256: 'AVATAR_MODEL_MANIFEST_SHA256',
  /** Where the models live. */
  modelRoot: 'AVATAR_MODEL_ROOT',
  /** The generation preset JSON. */
  preset: 'AVATAR_PRESET',
  /** Hugging Face token of the init pod. */
  huggingFaceToken: 'HF_TOKEN',
  /** Hugging Face Hub base URL of the init pod. */
  huggingFaceEndpoint: 'HF_ENDPOINT',
  /** `1`: the serving worker never calls the Hub. */
  huggingFaceOffline: 'HF_HUB_OFFLINE',
  /** Seconds RunPod lets a worker take to start. */
  runpodInitTimeout: 'RUNPOD_INIT_TIMEOUT',
  /** S3 API endpoint for the videos. */
  bucketEndpointUrl: 'BUCKET_ENDPOINT_URL',
  /** Bucket for the videos. */
  bucketName: 'BUCKET_NAME',
  /** Signing region of the bucket. */
  bucketRegion: 'BUCKET_REGION',
  /** Access key id of the bucket. */
  bucketAccessKeyId: 'BUCKET_ACCESS_KEY_ID',
  /** Secret access key of the bucket. */
  bucketSecretAccessKey: 'BUCKET_SECRET_ACCESS_KEY',
  /** Key prefix of the videos. */
  bucketKeyPrefix: 'BUCKET_KEY_PREFIX',
  /** `false` when the bucket serves no presigned URLs (RunPod's S3 API): the job returns the object's location instead. */
  bucketPresignedUrls: 'BUCKET_PRESIGNED_URLS',
} as const;

/** The worker's modes (`AVATAR_MODE`). */
export const WORKER_MODES = { init: 'init', verify: 'verify', serve: 'serve' } as const;

// ---------------------------------------------------------------------------------------------
// RunPod secrets
// ---------------------------------------------------------------------------------------------

/** The name of a secret in the RunPod console (referenced as `{{ RUNPOD_SECRET_<name> }}`). */
export const RUNPOD_SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** The value RunPod replaces with the secret `name` when it starts a pod or a worker. */
export function runpodSecretReference(name: string): string {
  return `{{ RUNPOD_SECRET_${name} }}`;
}

// ---------------------------------------------------------------------------------------------
// RunPod's S3 API
// ---------------------------------------------------------------------------------------------

/**
 * RunPod's S3 API endpoint of a data centre. Its buckets are the network volumes (bucket = volume
 * id), its region is the data centre id, and it serves no presigned URLs.
 */
export function runpodS3EndpointUrl(dataCenter: string): string {
  return `https://s3api-${dataCenter.toLowerCase()}.runpod.io`;
}

/** The data centre of a RunPod S3 API endpoint (`EU-RO-1` for `https://s3api-eu-ro-1.runpod.io`), or undefined for any other endpoint. */
export function runpodS3DataCenter(endpointUrl: string): string | undefined {
  const match = /^https:\/\/s3api-([a-z0-9]+(?:-[a-z0-9]+)*)\.runpod\.io\/?$/.exec(endpointUrl);
  return match ? match[1].toUpperCase() : undefined;
}

// ---------------------------------------------------------------------------------------------
// Bounds
// ---------------------------------------------------------------------------------------------

/** The accepted range of a number. */
export interface Bound {
  readonly min: number;
  readonly max: number;
  /** Only whole numbers. */
  readonly integer: boolean;
  /** `min` itself is refused (the value must be above it). */
  readonly minExclusive?: boolean;
}

/** Why `value` is outside `bound`, naming it `name`; undefined when it is inside. */
export function boundProblem(name: string, value: unknown, bound: Bound): string | undefined {
  const range = bound.minExclusive ? `above ${bound.min} and at most ${bound.max}` : `between ${bound.min} and ${bound.max}`;
  const wanted = `${bound.integer ? 'an integer' : 'a number'} ${range}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `\`${name}\` is ${JSON.stringify(value)} but must be ${wanted}`;
  const tooLow = bound.minExclusive ? value <= bound.min : value < bound.min;
  if (tooLow || value > bound.max || (bound.integer && !Number.isInteger(value))) return `\`${name}\` is ${value} but must be ${wanted}`;
  return undefined;
}

/** `Math.isclose(value, 1.0)` as Python computes it (relative tolerance 1e-9). */
export function isCloseToOne(value: number): boolean {
  return Math.abs(value - 1) <= 1e-9 * Math.max(Math.abs(value), 1);
}

// ---------------------------------------------------------------------------------------------
// InfiniteTalk facts and the generation preset (`AVATAR_PRESET`)
// ---------------------------------------------------------------------------------------------

/** Output frame rate. */
export const FPS = 25;

/** Frames per generated chunk (InfiniteTalk's `frame_num`). */
export const FRAMES_PER_CHUNK = 81;

/**
 * Shortest audio the model gets: InfiniteTalk needs more than one 81-frame chunk of audio features
 * (`int(seconds * 25) >= 82`, i.e. 3.28 s); the worker pads shorter audio with silence a little
 * past that so rounding never lands on 81.
 */
export const MODEL_MIN_AUDIO_SECONDS = 3.32;

/** Output resolutions (short side in pixels) InfiniteTalk has size buckets for. */
export const RESOLUTIONS: readonly number[] = [480, 720];

/** Most sampling steps a preset or a job may ask for. */
export const MAX_SAMPLE_STEPS = 50;

/** Largest text or audio guidance scale. */
export const MAX_GUIDANCE = 20;

/** Motion frames carried from one chunk into the next unless a preset says otherwise. */
export const DEFAULT_MOTION_FRAME = 9;

/** Bounds of the preset's fields, as the worker checks `AVATAR_PRESET`. */
export const PRESET_BOUNDS = {
  sampleSteps: { min: 1, max: MAX_SAMPLE_STEPS, integer: true },
  maxStepsAllowed: { min: 1, max: MAX_SAMPLE_STEPS, integer: true },
  textGuideScale: { min: 0, max: MAX_GUIDANCE, integer: false },
  audioGuideScale: { min: 0, max: MAX_GUIDANCE, integer: false },
  shift: { min: 0, max: 20, integer: false, minExclusive: true },
  colorCorrectionStrength: { min: 0, max: 1, integer: false },
  // 4n+1 below the chunk length: the VAE compresses 4 frames into one latent after the first.
  motionFrame: { min: 1, max: FRAMES_PER_CHUNK - 4, integer: true },
} as const satisfies Record<string, Bound>;

/** Why `motionFrame` is refused, or undefined: it must be 4n+1 within its bound. */
export function motionFrameProblem(value: unknown): string | undefined {
  const problem = boundProblem('motionFrame', value, PRESET_BOUNDS.motionFrame);
  if (problem) return problem;
  if (((value as number) - 1) % 4 !== 0) return `\`motionFrame\` is ${value} but must be 4n+1 (1, 5, 9, …, ${PRESET_BOUNDS.motionFrame.max}): InfiniteTalk's VAE packs 4 frames per latent after the first`;
  return undefined;
}

/**
 * DiT forward passes per sampling step: 3, one fewer when text guidance is 1 (upstream skips the
 * text-free pass) and one fewer when audio guidance is 1 (the worker skips the audio-free pass).
 */
export function ditPassesPerStep(textGuideScale: number, audioGuideScale: number): number {
  return 3 - (isCloseToOne(textGuideScale) ? 1 : 0) - (isCloseToOne(audioGuideScale) ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Job input (`job["input"]`)
// ---------------------------------------------------------------------------------------------

/** Every field a job input may carry; any other is refused. */
export const JOB_INPUT_FIELDS: readonly string[] = [
  'image_url', 'image_base64', 'audio_url', 'audio_base64', 'prompt', 'resolution', 'seed',
  'steps', 'text_guidance', 'audio_guidance', 'max_duration_seconds', 'output',
];

/** Prompt of a job that sends none. */
export const DEFAULT_PROMPT = 'A person is talking.';
/** Longest prompt, in characters. */
export const MAX_PROMPT_CHARS = 2000;
/** Longest image or audio URL, in characters. */
export const MAX_URL_CHARS = 8192;
/** Bound of `seed`. */
export const SEED_BOUND: Bound = { min: 0, max: 2 ** 31 - 1, integer: true };
/** Bound of `text_guidance` and `audio_guidance`. */
export const GUIDANCE_BOUND: Bound = { min: 0, max: MAX_GUIDANCE, integer: false };
/** How a job wants its video back. */
export const OUTPUT_MODES: readonly string[] = ['auto', 'url', 'base64'];

/** What an endpoint admits, as the worker reads it from `AVATAR_PRESET` and `AVATAR_MAX_AUDIO_SECONDS`. */
export interface JobLimits {
  /** Resolutions jobs may ask for. */
  readonly resolutions: readonly number[];
  /** Steps of a job that names none. */
  readonly sampleSteps: number;
  /** Most steps a job may ask for. */
  readonly maxStepsAllowed: number;
  /** The preset's text guidance: a job may not add a DiT pass the preset's guidance leaves out. */
  readonly textGuideScale: number;
  /** The preset's audio guidance. */
  readonly audioGuideScale: number;
  /** Longest audio, in seconds. */
  readonly maxAudioSeconds: number;
}

/** Why the worker refuses `input` under `limits` (the first problem), or undefined. */
export function jobInputProblem(input: unknown, limits: JobLimits): string | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return '`input` must be a JSON object';
  const data = input as Record<string, unknown>;
  const unknown = Object.keys(data).filter((k) => !JOB_INPUT_FIELDS.includes(k)).sort();
  if (unknown.length > 0) return `unknown input field(s) ${unknown.join(', ')}`;
  for (const kind of ['image', 'audio']) {
    const url = data[`${kind}_url`];
    const b64 = data[`${kind}_base64`];
    if (url !== undefined && url !== null && b64 !== undefined && b64 !== null) return `give either \`${kind}_url\` or \`${kind}_base64\`, not both`;
    const value = url ?? b64;
    if (value === undefined || value === null) return `\`${kind}_url\` or \`${kind}_base64\` is required`;
    if (typeof value !== 'string' || value.trim() === '') return `\`${kind}_${url != null ? 'url' : 'base64'}\` must be a non-empty string`;
    if (url != null && value.length > MAX_URL_CHARS) return `\`${kind}_url\` is longer than ${MAX_URL_CHARS} characters`;
  }
  // An explicit null is refused, as the worker refuses it: only a missing field takes the default.
  const prompt = 'prompt' in data ? data.prompt : DEFAULT_PROMPT;
  if (typeof prompt !== 'string' || prompt.trim() === '') return '`prompt` must be a non-empty string';
  const characters = [...prompt].length;
  if (characters > MAX_PROMPT_CHARS) return `\`prompt\` has ${characters} characters; at most ${MAX_PROMPT_CHARS} are accepted`;
  const integer = (name: string, bound: Bound): string | undefined => {
    const value = data[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) return `\`${name}\` must be an integer, got ${JSON.stringify(value)}`;
    return boundProblem(name, value, bound);
  };
  const number = (name: string, bound: Bound): string | undefined => {
    const value = data[name];
    if (value === undefined || value === null) return undefined;
    return boundProblem(name, value, bound);
  };
  const problem =
    integer('resolution', { min: 0, max: 10_000, integer: true }) ??
    (data.resolution != null && !limits.resolutions.includes(data.resolution as number)
      ? `\`resolution\` is ${data.resolution}; this endpoint allows ${limits.resolutions.join(' or ')}`
      : undefined) ??
    integer('seed', SEED_BOUND) ??
    integer('steps', { min: 1, max: limits.maxStepsAllowed, integer: true }) ??
    number('text_guidance', GUIDANCE_BOUND) ??
    number('audio_guidance', GUIDANCE_BOUND) ??
    passesProblem(
      (data.text_guidance as number | null | undefined) ?? limits.textGuideScale,
      (data.audio_guidance as number | null | undefined) ?? limits.audioGuideScale,
      limits,
    ) ??
    number('max_duration_seconds', { min: 0, max: limits.maxAudioSeconds, integer: false, minExclusive: true });
  if (problem) return problem;
  const output = 'output' in data ? data.output : 'auto';
  if (typeof output !== 'string' || !OUTPUT_MODES.includes(output)) return `\`output\` is ${JSON.stringify(output)}; expected one of ${OUTPUT_MODES.join(', ')}`;
  return undefined;
}

/** Why guidance that costs more DiT passes per step than the endpoint's preset is refused, or undefined. */
function passesProblem(text: number, audio: number, limits: JobLimits): string | undefined {
  const asked = ditPassesPerStep(text, audio);
  const sized = ditPassesPerStep(limits.textGuideScale, limits.audioGuideScale);
  if (asked <= sized) return undefined;
  return `text guidance ${text} and audio guidance ${audio} cost ${asked} DiT passes per step, but this endpoint's preset runs ${sized}, which its execution timeout is sized for`;
}

// ---------------------------------------------------------------------------------------------
// Worker settings (environment variables with defaults)
// ---------------------------------------------------------------------------------------------

/** One number the worker reads from its environment, with its default and bound. */
export interface WorkerSetting extends Bound {
  /** The environment variable. */
  readonly env: string;
  /** Value when the variable is unset. */
  readonly default: number;
}

const MIB = 1024 * 1024;

/** The serving worker's numeric settings; the endpoint sets them from `maxAudioSeconds` and `workerSettings`. */
export const SERVING_SETTINGS = {
  maxAudioSeconds: { env: 'AVATAR_MAX_AUDIO_SECONDS', default: 10, min: 1, max: 600, integer: false },
  // Also at most maxAudioSeconds.
  minAudioSeconds: { env: 'AVATAR_MIN_AUDIO_SECONDS', default: 0.5, min: 0.04, max: 600, integer: false },
  maxImageBytes: { env: 'AVATAR_MAX_IMAGE_BYTES', default: 20 * MIB, min: 1024, max: 1024 * MIB, integer: true },
  maxAudioBytes: { env: 'AVATAR_MAX_AUDIO_BYTES', default: 50 * MIB, min: 1024, max: 4096 * MIB, integer: true },
  maxImagePixels: { env: 'AVATAR_MAX_IMAGE_PIXELS', default: 40_000_000, min: 4096, max: 500_000_000, integer: true },
  fetchTimeoutSeconds: { env: 'AVATAR_FETCH_TIMEOUT_SECONDS', default: 120, min: 1, max: 3600, integer: false },
  // RunPod keeps /run results of at most 10 MB; base64 adds a third.
  inlineOutputMaxBytes: { env: 'AVATAR_INLINE_OUTPUT_MAX_BYTES', default: 8_000_000, min: 0, max: 15_000_000, integer: true },
  // Seven days is the longest a SigV4 presigned URL may live.
  urlExpirySeconds: { env: 'AVATAR_URL_EXPIRY_SECONDS', default: 604_800, min: 1, max: 604_800, integer: true },
} as const satisfies Record<string, WorkerSetting>;

/** Comma-separated CIDRs exempt from the worker's SSRF guard. */
export const FETCH_ALLOW_NETWORKS_ENV = 'AVATAR_FETCH_ALLOW_NETWORKS';

/** The init pod's numeric settings; `StorageInitJob` sets them. */
export const INIT_SETTINGS = {
  downloadAttempts: { env: 'AVATAR_DOWNLOAD_ATTEMPTS', default: 3, min: 1, max: 10, integer: true },
  downloadConcurrency: { env: 'AVATAR_DOWNLOAD_CONCURRENCY', default: 4, min: 1, max: 16, integer: true },
} as const satisfies Record<string, WorkerSetting>;

/** Why the environment value `raw` of `setting` is refused by the worker, or undefined. */
export function settingProblem(setting: WorkerSetting, raw: string): string | undefined {
  const text = raw.trim();
  const value = text === '' ? Number.NaN : Number(text);
  return boundProblem(setting.env, value, setting);
}

// ---------------------------------------------------------------------------------------------
// The model manifest
// ---------------------------------------------------------------------------------------------

/** Version of the manifest and lock-file format. */
export const MANIFEST_FORMAT_VERSION = 1;

/** Names of model sets and presets: lower-case letters, digits and dashes, at most 63. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Names of the models of a set (also in the lock file). */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** A Hugging Face repository id, `owner/name`. */
export const REPOSITORY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A branch, tag, `refs/pr/N` or commit (and never `..`). */
export const REVISION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
/** A full commit id, as the Hub returns them. */
export const COMMIT_PATTERN = /^[0-9a-f]{40}$/;
/** A relative path on the volume: segments of letters, digits, dots, dashes and underscores, each starting with a letter or digit (so never `..`). */
export const RELATIVE_PATH_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
/** Include and exclude patterns: printable ASCII with `*` and `?` as the only wildcards. */
export const FILE_PATTERN = /^[\x20-\x5a\x5e-\x7e]+$/;
/** Include patterns that would download a whole repository. */
export const WHOLE_REPOSITORY_PATTERNS: readonly string[] = ['*', '**', '**/*'];
/** Largest expected size of one model, in bytes. */
export const MAX_MODEL_BYTES = 4096 * 1_000_000_000;
/** Quantizations InfiniteTalk loads. */
export const QUANTIZATIONS: readonly string[] = ['fp8', 'int8'];
/**
 * Whether a quantized set may not list LoRAs. Upstream InfiniteTalk skips LoRAs under quantization;
 * the worker merges them into the fp8 DiT itself, so a quantized set may carry them.
 */
export const LORAS_IGNORED_UNDER_QUANTIZATION = false;

/** Why a file pattern is refused, or undefined. */
export function filePatternProblem(pattern: string): string | undefined {
  if (!FILE_PATTERN.test(pattern) || pattern.startsWith('/') || pattern.split('/').includes('..')) {
    return `pattern '${pattern}' must be a relative ASCII path pattern without '..', with * and ? as its only wildcards (no [ ] or \\)`;
  }
  return undefined;
}

/** Python's `fnmatch.fnmatch` for the patterns `FILE_PATTERN` admits: `*` matches any text, `/` included. */
export function fnmatch(name: string, pattern: string): boolean {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's').test(name);
}

/** A model of a manifest as the rules read it. */
export interface ManifestModelFiles {
  readonly name: string;
  readonly directory: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** Whether `path` (relative to the model root) is one of the files the models download. */
export function manifestCovers(models: readonly ManifestModelFiles[], path: string): boolean {
  // huggingface_hub's filter_repo_objects: a pattern ending in "/" means everything below it.
  const widen = (p: string) => (p.endsWith('/') ? `${p}*` : p);
  return models.some((m) => {
    if (!path.startsWith(`${m.directory}/`)) return false;
    const relative = path.slice(m.directory.length + 1);
    return m.include.some((p) => fnmatch(relative, widen(p))) && !m.exclude.some((p) => fnmatch(relative, widen(p)));
  });
}

/** The files InfiniteTalk reads beside a quantized DiT file: its quantization map and the quantized T5 pair. */
export function quantizedCompanionFiles(ditFile: string, quantization: string): { map: string; t5: string; t5Map: string } {
  const folder = ditFile.includes('/') ? ditFile.slice(0, ditFile.lastIndexOf('/') + 1) : '';
  return {
    map: ditFile.replace(/\.safetensors$/, '.json'),
    t5: `${folder}t5_${quantization}.safetensors`,
    t5Map: `${folder}t5_map_${quantization}.json`,
  };
}

/**
 * Why a quantized DiT file at `absolutePath` breaks InfiniteTalk, or undefined. Upstream finds the
 * map by replacing every `safetensors` in the absolute path with `json`, so the word may appear
 * only once, as the extension.
 */
export function quantizedDitPathProblem(absolutePath: string): string | undefined {
  if (!absolutePath.endsWith('.safetensors') || absolutePath.split('safetensors').length !== 2) {
    return `the quantized DiT file ${absolutePath} must end in '.safetensors' and contain 'safetensors' nowhere else (InfiniteTalk derives its map by replacing every 'safetensors' in the path with 'json')`;
  }
  return undefined;
}

/** Where the pipeline finds its files, as the manifest's `pipeline` section carries them. */
export interface ManifestPipelineFiles {
  readonly checkpointDirectory: string;
  readonly wav2vecDirectory: string;
  readonly quantization: string | null;
  readonly quantizedDitFile: string | null;
  readonly infiniteTalkFile: string | null;
  readonly loraFiles: readonly string[];
  readonly loraScales: readonly number[];
}

/** A model of the manifest document. */
export interface ManifestModel extends ManifestModelFiles {
  readonly repo: string;
  readonly revision: string;
  readonly revisionPinned: boolean;
  readonly expectedBytes: number;
}

/** The manifest document the init pod and the workers receive (`AVATAR_MODEL_MANIFEST`). */
export interface ManifestDocument {
  readonly formatVersion: number;
  readonly modelSet: string;
  readonly models: readonly ManifestModel[];
  readonly pipeline: ManifestPipelineFiles;
  readonly expectedBytes: number;
}

/** Why the `pipeline` section does not fit the models (the first problem), or undefined. */
export function pipelineProblem(models: readonly ManifestModelFiles[], p: ManifestPipelineFiles): string | undefined {
  const isModelDirectory = (dir: string) => models.some((m) => dir === m.directory || dir.startsWith(`${m.directory}/`));
  const notFetched = (key: string, file: string) =>
    `${key} '${file}' is not among the files the models download: add it to the include patterns of the model whose directory holds it`;
  for (const key of ['checkpointDirectory', 'wav2vecDirectory'] as const) {
    if (!RELATIVE_PATH_PATTERN.test(p[key])) return `${key} '${p[key]}' must be a relative path of letters, digits, dots, dashes and underscores`;
    if (!isModelDirectory(p[key])) return `${key} '${p[key]}' is not the directory of any model of the set`;
  }
  const files: Array<[string, string]> = [];
  if (p.quantization !== null) {
    if (!QUANTIZATIONS.includes(p.quantization)) return `quantization '${p.quantization}' is not supported: use ${QUANTIZATIONS.map((q) => `'${q}'`).join(', ')} or leave it unset`;
    if (p.quantizedDitFile === null) return `quantization '${p.quantization}' needs quantizedDitFile (e.g. InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors)`;
    if (!RELATIVE_PATH_PATTERN.test(p.quantizedDitFile)) return `quantizedDitFile '${p.quantizedDitFile}' must be a relative path`;
    const pathProblem = quantizedDitPathProblem(p.quantizedDitFile);
    if (pathProblem) return pathProblem;
    const companions = quantizedCompanionFiles(p.quantizedDitFile, p.quantization);
    files.push(['quantizedDitFile', p.quantizedDitFile], ['its quantization map', companions.map], ['the quantized T5', companions.t5], ['the quantized T5 map', companions.t5Map]);
    if (LORAS_IGNORED_UNDER_QUANTIZATION && p.loraFiles.length > 0) return 'LoRAs are ignored under quantization; drop loraFiles or use unquantized weights';
  } else {
    if (p.infiniteTalkFile === null) return 'unquantized weights need infiniteTalkFile (e.g. InfiniteTalk/single/infinitetalk.safetensors)';
  }
  if (p.infiniteTalkFile !== null) {
    if (!RELATIVE_PATH_PATTERN.test(p.infiniteTalkFile)) return `infiniteTalkFile '${p.infiniteTalkFile}' must be a relative path`;
    files.push(['infiniteTalkFile', p.infiniteTalkFile]);
  }
  for (const lora of p.loraFiles) {
    if (!RELATIVE_PATH_PATTERN.test(lora)) return `loraFiles entry '${lora}' must be a relative path`;
    files.push(['loraFiles entry', lora]);
  }
  if (p.loraScales.length !== p.loraFiles.length) return `loraScales has ${p.loraScales.length} entries for ${p.loraFiles.length} loraFiles; give one scale per file`;
  for (const scale of p.loraScales) {
    if (typeof scale !== 'number' || !Number.isFinite(scale)) return `loraScales entry ${scale} must be a finite number`;
  }
  for (const [key, file] of files) if (!manifestCovers(models, file)) return notFetched(key, file);
  return undefined;
}
