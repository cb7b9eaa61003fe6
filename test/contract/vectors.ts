/**
 * The shared contract vectors: inputs the constructs and the worker must judge alike.
 *
 * Each case is written here as what a TypeScript user gives (model set props, preset props, endpoint
 * options, a job input) with the verdict both sides must reach. `test/fixtures/contract-vectors.json`
 * is this module's output (`npx projen contract:vectors`): it carries the document the worker
 * receives for each case (the rendered manifest, `AVATAR_PRESET`, the environment), so the Python
 * suite (`docker/tests/test_contract_vectors.py`) judges exactly what the constructs would send,
 * and `test/contract-vectors.test.ts` judges the TypeScript side and fails when the file is stale.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { GenerationPresetProps } from '../../src/generation-preset';
import { canonicalJson, manifestDocument, ModelSetFiles, presetDocument } from '../../src/manifest';
import { HuggingFaceModel, ModelSet, PipelineFiles } from '../../src/model-set';
import { IModelVolume } from '../../src/model-volume';
import { OutputBucket } from '../../src/output-bucket';
import {
  Bound,
  DEFAULT_MODEL_ROOT,
  FPS,
  FRAMES_PER_CHUNK,
  INIT_SETTINGS,
  LORAS_IGNORED_UNDER_QUANTIZATION,
  MAX_MODEL_BYTES,
  MAX_PROMPT_CHARS,
  MAX_SAMPLE_STEPS,
  MAX_URL_CHARS,
  runpodS3EndpointUrl,
  PRESET_BOUNDS,
  RESOLUTIONS,
  SEED_BOUND,
  SERVING_SETTINGS,
  VOLUME_MOUNT_PATH,
  WORKER_ENV,
} from '../../src/runner/worker-contract';
import { SecretValue } from '../../src/secret-value';
import { WorkerSettings, workerSettingsEnvironment } from '../../src/worker-settings';

/** A case: what the user gives, and whether both sides accept it. */
interface Verdict {
  readonly name: string;
  readonly accepted: boolean;
}

/** A model set, given as the files its manifest is made of, optionally on a volume directory. */
export interface ManifestCase extends Verdict {
  readonly set: ModelSetFiles;
  /** `ModelVolume`'s `modelDirectory`. */
  readonly modelDirectory?: string;
}

/** A preset and the endpoint options that complete `AVATAR_PRESET`. */
export interface PresetCase extends Verdict {
  readonly preset: GenerationPresetProps;
  /** Highest resolution (480 or 720). */
  readonly maxResolution: number;
  readonly maxStepsPerJob?: number;
}

/** A job input sent to an endpoint with a valid preset. */
export interface JobCase extends Verdict {
  readonly endpoint: keyof typeof JOB_ENDPOINTS;
  readonly input: Record<string, unknown>;
}

/** Worker settings given to an endpoint, with its `maxAudioSeconds`. */
export interface WorkerSettingsCase extends Verdict {
  readonly settings: WorkerSettings;
  readonly maxAudioSeconds?: number;
}

/** The init pod's settings given to a `StorageInitJob`. */
export interface InitSettingsCase extends Verdict {
  readonly downloadAttempts?: number;
  readonly downloadConcurrency?: number;
}

/** An include pattern and a file path. */
export interface FnmatchCase {
  readonly pattern: string;
  readonly path: string;
  readonly matches: boolean;
}

// ---------------------------------------------------------------------------------------------
// Edges of a bound
// ---------------------------------------------------------------------------------------------

/** Values at and just past each end of `bound`, with whether they are inside. */
export function edges(bound: Bound): Array<{ value: number; accepted: boolean }> {
  const step = bound.integer ? 1 : 0.001;
  const round = (v: number) => Number(v.toFixed(6));
  const out = [
    { value: bound.max, accepted: true },
    { value: round(bound.max + step), accepted: false },
    ...(bound.minExclusive
      ? [{ value: bound.min, accepted: false }, { value: round(bound.min + step), accepted: true }]
      : [{ value: bound.min, accepted: true }, { value: round(bound.min - step), accepted: false }]),
  ];
  if (bound.integer) out.push({ value: bound.min + 0.5, accepted: false });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Manifests
// ---------------------------------------------------------------------------------------------

function files(set: ModelSet): ModelSetFiles {
  return { name: set.name, models: set.models.map((m) => ({ ...m })), pipeline: { ...set.pipeline } };
}

type ModelChange = Partial<HuggingFaceModel>;

function withModel(base: ModelSetFiles, index: number, change: ModelChange): ModelSetFiles {
  return { ...base, models: base.models.map((m, i) => (i === index ? { ...m, ...change } : m)) };
}

function withPipeline(base: ModelSetFiles, change: Partial<PipelineFiles>): ModelSetFiles {
  return { ...base, pipeline: { ...base.pipeline, ...change } };
}

function manifestCases(): ManifestCase[] {
  const fp8 = files(ModelSet.FP8);
  const bf16 = files(ModelSet.BF16_LIGHTX2V);
  // fp8: models[0] Wan (config, VAE, CLIP, tokenizers), [1] wav2vec2, [2] InfiniteTalk's quant_models.
  const quant = fp8.models[2];
  const cases: ManifestCase[] = [
    { name: 'the fp8 set', accepted: true, set: fp8 },
    { name: 'the bf16 + lightx2v set', accepted: true, set: bf16 },
    { name: 'set name of 63 characters', accepted: true, set: { ...fp8, name: 'a'.repeat(63) } },
    { name: 'set name of 64 characters', accepted: false, set: { ...fp8, name: 'a'.repeat(64) } },
    { name: 'set name with upper case', accepted: false, set: { ...fp8, name: 'FP8' } },
    { name: 'set name starting with a dash', accepted: false, set: { ...fp8, name: '-fp8' } },
    { name: 'model name of 63 characters', accepted: true, set: withModel(fp8, 0, { name: 'w'.repeat(63) }) },
    { name: 'model name of 64 characters', accepted: false, set: withModel(fp8, 0, { name: 'w'.repeat(64) }) },
    { name: 'model name with a space', accepted: false, set: withModel(fp8, 0, { name: 'wan model' }) },
    { name: 'repo without owner', accepted: false, set: withModel(fp8, 0, { repo: 'Wan2.1-I2V-14B-480P', directory: 'Wan2.1-I2V-14B-480P' }) },
    { name: 'repo with two slashes', accepted: false, set: withModel(fp8, 0, { repo: 'Wan-AI/Wan2.1/x' }) },
    { name: 'revision refs/pr/N', accepted: true, set: withModel(fp8, 0, { revision: 'refs/pr/7' }) },
    { name: 'revision pinned to a commit', accepted: true, set: withModel(fp8, 0, { revision: 'a'.repeat(40) }) },
    { name: 'revision with ..', accepted: false, set: withModel(fp8, 0, { revision: 'refs/../main' }) },
    { name: 'revision starting with a slash', accepted: false, set: withModel(fp8, 0, { revision: '/main' }) },
    { name: 'empty include list', accepted: false, set: withModel(fp8, 0, { include: [] }) },
    ...['*', '**', '**/*'].map((p) => ({ name: `include '${p}' (whole repository)`, accepted: false, set: withModel(fp8, 0, { include: [...fp8.models[0].include, p] }) })),
    { name: 'include with ..', accepted: false, set: withModel(fp8, 0, { include: ['../secrets.json'] }) },
    { name: 'include starting with a slash', accepted: false, set: withModel(fp8, 0, { include: ['/config.json'] }) },
    { name: 'include with a character class', accepted: false, set: withModel(fp8, 0, { include: [...fp8.models[0].include, 'model-[0-9].pth'] }) },
    { name: 'include with a backslash', accepted: false, set: withModel(fp8, 0, { include: [...fp8.models[0].include, 'google\\umt5-xxl'] }) },
    { name: 'include with non-ASCII text', accepted: false, set: withModel(fp8, 0, { include: [...fp8.models[0].include, 'modèle.pth'] }) },
    { name: 'exclude with ..', accepted: false, set: withModel(fp8, 0, { exclude: ['examples/../x'] }) },
    { name: 'directory ../escape', accepted: false, set: withModel(fp8, 0, { directory: '../escape' }) },
    { name: 'directory starting with a dot', accepted: false, set: withModel(fp8, 1, { directory: '.wav2vec' }) },
    { name: 'directory with an empty segment', accepted: false, set: withModel(fp8, 1, { directory: 'a//b' }) },
    { name: 'absolute directory', accepted: false, set: withModel(fp8, 1, { directory: '/runpod-volume/x' }) },
    {
      name: 'nested directories',
      accepted: true,
      set: withPipeline(withModel(fp8, 1, { directory: 'audio/chinese-wav2vec2-base' }), { wav2vecDirectory: 'audio/chinese-wav2vec2-base' }),
    },
    ...edges({ min: 1, max: MAX_MODEL_BYTES, integer: true }).map(({ value, accepted }) => ({ name: `expectedBytes ${value}`, accepted, set: withModel(fp8, 1, { expectedBytes: value }) })),
    { name: 'two models with one name', accepted: false, set: withModel(fp8, 1, { name: fp8.models[0].name }) },
    {
      name: "InfiniteTalk's files split over two models of one repository revision and directory",
      accepted: false,
      set: {
        ...fp8,
        models: [
          ...fp8.models.slice(0, 2),
          { ...quant, name: 'infinitetalk-dit', include: quant.include.filter((p) => p.includes('infinitetalk_single')) },
          { ...quant, name: 'infinitetalk-t5', include: quant.include.filter((p) => p.includes('t5_')) },
        ],
      },
    },
    {
      name: 'one directory filled from two revisions of a repository',
      accepted: true,
      set: {
        ...fp8,
        models: [
          fp8.models[0],
          { ...fp8.models[1], name: 'wav2vec-config', revision: 'main', include: ['config.json', 'preprocessor_config.json'] },
          { ...fp8.models[1], name: 'wav2vec-weights', include: ['model.safetensors'] },
          quant,
        ],
      },
    },
    { name: 'checkpointDirectory ../x', accepted: false, set: withPipeline(fp8, { checkpointDirectory: '../Wan2.1-I2V-14B-480P' }) },
    { name: 'checkpointDirectory of no model', accepted: false, set: withPipeline(fp8, { checkpointDirectory: 'Wan2.1-I2V-14B-720P' }) },
    {
      name: 'checkpointDirectory in a subfolder of a model directory',
      accepted: true,
      set: withPipeline(withModel(fp8, 0, { directory: 'wan-repo', include: fp8.models[0].include.map((p) => `Wan2.1-I2V-14B-480P/${p}`) }), { checkpointDirectory: 'wan-repo/Wan2.1-I2V-14B-480P' }),
    },
    { name: 'wav2vecDirectory of no model', accepted: false, set: withPipeline(fp8, { wav2vecDirectory: 'wav2vec' }) },
    { name: 'quantization fp4', accepted: false, set: withPipeline(fp8, { quantization: 'fp4' }) },
    { name: 'fp8 without quantizedDitFile', accepted: false, set: withPipeline(fp8, { quantizedDitFile: undefined }) },
    {
      name: 'quantized DiT file that is not .safetensors',
      accepted: false,
      set: withPipeline(withModel(fp8, 2, { include: [...quant.include, 'quant_models/infinitetalk_single_fp8.pt'] }), { quantizedDitFile: 'InfiniteTalk/quant_models/infinitetalk_single_fp8.pt' }),
    },
    {
      name: "quantized DiT file with 'safetensors' before the extension",
      accepted: false,
      set: withPipeline(withModel(fp8, 2, { include: ['safetensors_fp8/*'] }), { quantizedDitFile: 'InfiniteTalk/safetensors_fp8/infinitetalk_single_fp8.safetensors' }),
    },
    { name: 'quantized DiT file not downloaded', accepted: false, set: withModel(fp8, 2, { include: quant.include.filter((p) => !p.endsWith('fp8.safetensors') || p.includes('t5')) }) },
    { name: "quantized DiT's map not downloaded", accepted: false, set: withModel(fp8, 2, { include: quant.include.filter((p) => p !== 'quant_models/infinitetalk_single_fp8.json') }) },
    { name: 'quantized T5 not downloaded', accepted: false, set: withModel(fp8, 2, { include: quant.include.filter((p) => p !== 'quant_models/t5_fp8.safetensors') }) },
    { name: "quantized T5's map not downloaded", accepted: false, set: withModel(fp8, 2, { include: quant.include.filter((p) => p !== 'quant_models/t5_map_fp8.json') }) },
    { name: 'quantized T5 in another folder than the DiT', accepted: false, set: withModel(fp8, 2, { include: ['quant_models/infinitetalk_single_fp8.*', 't5/t5_fp8.safetensors', 't5/t5_map_fp8.json'] }) },
    { name: 'quantized files through one wildcard', accepted: true, set: withModel(fp8, 2, { include: ['quant_models/*fp8*'] }) },
    { name: 'quantized files through a directory pattern', accepted: true, set: withModel(fp8, 2, { include: ['quant_models/'], exclude: ['quant_models/*int8*'] }) },
    { name: 'quantized DiT excluded again', accepted: false, set: withModel(fp8, 2, { include: ['quant_models/*'], exclude: ['*single_fp8.safetensors'] }) },
    {
      name: 'int8 with its own T5 pair',
      accepted: true,
      set: withPipeline(
        withModel(fp8, 2, { include: ['quant_models/infinitetalk_single_int8.*', 'quant_models/t5_int8.safetensors', 'quant_models/t5_map_int8.json'] }),
        { quantization: 'int8', quantizedDitFile: 'InfiniteTalk/quant_models/infinitetalk_single_int8.safetensors' },
      ),
    },
    { name: 'int8 beside the fp8 T5 pair', accepted: false, set: withPipeline(fp8, { quantization: 'int8' }) },
    { name: 'unquantized without infiniteTalkFile', accepted: false, set: withPipeline(bf16, { infiniteTalkFile: undefined }) },
    { name: 'infiniteTalkFile not downloaded', accepted: false, set: withPipeline(bf16, { infiniteTalkFile: 'InfiniteTalk/multi/infinitetalk.safetensors' }) },
    { name: 'infiniteTalkFile ../x', accepted: false, set: withPipeline(bf16, { infiniteTalkFile: 'InfiniteTalk/../x.safetensors' }) },
    {
      name: 'a LoRA on quantized weights',
      accepted: !LORAS_IGNORED_UNDER_QUANTIZATION,
      set: {
        ...fp8,
        models: [...fp8.models, bf16.models[3]],
        pipeline: { ...fp8.pipeline, loraFiles: bf16.pipeline.loraFiles, loraScales: [1] },
      },
    },
    { name: 'a LoRA file not downloaded', accepted: false, set: withPipeline(bf16, { loraFiles: ['WanVideo_comfy/other_lora.safetensors'] }) },
    { name: 'two LoRA scales for one file', accepted: false, set: withPipeline(bf16, { loraScales: [1, 0.5] }) },
    { name: 'a LoRA scale that is not finite', accepted: false, set: withPipeline(bf16, { loraScales: [Number.POSITIVE_INFINITY] }) },
    { name: 'a LoRA scale of 0.5', accepted: true, set: withPipeline(bf16, { loraScales: [0.5] }) },
    { name: "fp8 under a model directory named 'safetensors'", accepted: false, set: fp8, modelDirectory: 'safetensors' },
    { name: "bf16 under a model directory named 'safetensors'", accepted: true, set: bf16, modelDirectory: 'safetensors' },
    { name: 'fp8 under a nested model directory', accepted: true, set: fp8, modelDirectory: 'models/infinitetalk' },
  ];
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------

const BASE_PRESET: GenerationPresetProps = {
  name: 'vector',
  description: 'a contract vector',
  sampleSteps: 8,
  textGuideScale: 1,
  audioGuideScale: 2,
  shift480: 2,
  shift720: 3,
};

function presetCases(): PresetCase[] {
  const one = (name: string, accepted: boolean, change: Partial<GenerationPresetProps>, options: Partial<PresetCase> = {}): PresetCase => ({
    name,
    accepted,
    preset: { ...BASE_PRESET, ...change },
    maxResolution: 480,
    ...options,
  });
  const bounded = (key: 'sampleSteps' | 'textGuideScale' | 'audioGuideScale' | 'colorCorrectionStrength', bound: Bound, extra: Partial<GenerationPresetProps> = {}) =>
    edges(bound).map(({ value, accepted }) => one(`${key} ${value}`, accepted, { ...extra, [key]: value }, key === 'sampleSteps' ? { maxStepsPerJob: Math.max(1, Math.min(MAX_SAMPLE_STEPS, Math.ceil(value))) } : {}));
  return [
    one('the base preset at 480p', true, {}),
    one('the base preset at 480p and 720p', true, {}, { maxResolution: 720 }),
    one('streamed DiT (lowVram)', true, { lowVram: true }),
    one('name with upper case', false, { name: 'Vector' }),
    one('name of 64 characters', false, { name: 'v'.repeat(64) }),
    ...bounded('sampleSteps', PRESET_BOUNDS.sampleSteps),
    ...bounded('textGuideScale', PRESET_BOUNDS.textGuideScale),
    ...bounded('audioGuideScale', PRESET_BOUNDS.audioGuideScale),
    ...bounded('colorCorrectionStrength', PRESET_BOUNDS.colorCorrectionStrength),
    ...edges(PRESET_BOUNDS.shift).map(({ value, accepted }) => one(`shift480 ${value}`, accepted, { shift480: value })),
    ...edges(PRESET_BOUNDS.shift).map(({ value, accepted }) => one(`shift720 ${value}`, accepted, { shift720: value }, { maxResolution: 720 })),
    ...[0, 1, 5, 9, 10, 25, 76, 77, 78, 81, 9.5].map((m) => one(`motionFrame ${m}`, m >= 1 && m <= FRAMES_PER_CHUNK - 4 && Number.isInteger(m) && (m - 1) % 4 === 0, { motionFrame: m })),
    one('maxStepsPerJob below the preset steps', false, {}, { maxStepsPerJob: 7 }),
    one('maxStepsPerJob equal to the preset steps', true, {}, { maxStepsPerJob: 8 }),
    one(`maxStepsPerJob ${MAX_SAMPLE_STEPS}`, true, {}, { maxStepsPerJob: MAX_SAMPLE_STEPS }),
    one(`maxStepsPerJob ${MAX_SAMPLE_STEPS + 1}`, false, {}, { maxStepsPerJob: MAX_SAMPLE_STEPS + 1 }),
    one('maxStepsPerJob 9.5', false, {}, { maxStepsPerJob: 9.5 }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

/** The endpoints the job cases are sent to: a preset, its options and the max audio seconds. */
export const JOB_ENDPOINTS = {
  'cfg1-4step-480': { preset: { ...BASE_PRESET, name: 'cfg1-4step', sampleSteps: 4 }, maxResolution: 480, maxStepsPerJob: 8, maxAudioSeconds: 10 },
  'one-pass-4step-480': { preset: { ...BASE_PRESET, name: 'one-pass-4step', sampleSteps: 4, audioGuideScale: 1 }, maxResolution: 480, maxStepsPerJob: 4, maxAudioSeconds: 10 },
  'cfg5-40step-720': { preset: { ...BASE_PRESET, name: 'cfg5-40step', sampleSteps: 40, textGuideScale: 5, audioGuideScale: 4 }, maxResolution: 720, maxStepsPerJob: 40, maxAudioSeconds: 30 },
} as const;

function jobCases(): JobCase[] {
  const media = { image_base64: 'aW1hZ2U=', audio_url: 'https://example.com/speech.wav' };
  const fast = (name: string, accepted: boolean, input: Record<string, unknown>): JobCase => ({ name, accepted, endpoint: 'cfg1-4step-480', input });
  const full = (name: string, accepted: boolean, input: Record<string, unknown>): JobCase => ({ name, accepted, endpoint: 'cfg5-40step-720', input });
  const url = (length: number) => `https://example.com/${'a'.repeat(length - 'https://example.com/'.length)}`;
  const cases: JobCase[] = [
    fast('image and audio only', true, media),
    fast('every field', true, { ...media, prompt: 'A woman is talking.', resolution: 480, seed: 7, steps: 8, text_guidance: 1, audio_guidance: 3, max_duration_seconds: 5, output: 'url' }),
    fast('not an object', false, ['image'] as unknown as Record<string, unknown>),
    fast('an unknown field', false, { ...media, audio_guidence: 2 }),
    fast('image by URL and by base64', false, { ...media, image_url: 'https://example.com/face.png' }),
    fast('no image', false, { audio_url: media.audio_url }),
    fast('no audio', false, { image_base64: media.image_base64 }),
    fast('image null and audio given', false, { image_url: null, audio_url: media.audio_url }),
    fast('empty image base64', false, { ...media, image_base64: '' }),
    fast('blank audio URL', false, { ...media, audio_url: '   ' }),
    fast('image as a number', false, { ...media, image_base64: 5 }),
    fast(`URL of ${MAX_URL_CHARS} characters`, true, { ...media, audio_url: url(MAX_URL_CHARS) }),
    fast(`URL of ${MAX_URL_CHARS + 1} characters`, false, { ...media, audio_url: url(MAX_URL_CHARS + 1) }),
    fast('empty prompt', false, { ...media, prompt: '' }),
    fast('null prompt', false, { ...media, prompt: null }),
    fast(`prompt of ${MAX_PROMPT_CHARS} characters`, true, { ...media, prompt: 'a'.repeat(MAX_PROMPT_CHARS) }),
    fast(`prompt of ${MAX_PROMPT_CHARS + 1} characters`, false, { ...media, prompt: 'a'.repeat(MAX_PROMPT_CHARS + 1) }),
    fast(`prompt of ${MAX_PROMPT_CHARS} non-ASCII characters`, true, { ...media, prompt: 'é'.repeat(MAX_PROMPT_CHARS) }),
    fast('resolution 720 on a 480p endpoint', false, { ...media, resolution: 720 }),
    full('resolution 720 on a 720p endpoint', true, { ...media, resolution: 720 }),
    full('resolution 1080', false, { ...media, resolution: 1080 }),
    fast('resolution as text', false, { ...media, resolution: '480' }),
    fast('resolution 480.5', false, { ...media, resolution: 480.5 }),
    ...edges(SEED_BOUND).map(({ value, accepted }) => fast(`seed ${value}`, accepted, { ...media, seed: value })),
    fast('seed true', false, { ...media, seed: true }),
    fast('seed null (random)', true, { ...media, seed: null }),
    ...edges({ min: 1, max: JOB_ENDPOINTS['cfg1-4step-480'].maxStepsPerJob, integer: true }).map(({ value, accepted }) => fast(`steps ${value} (max 8)`, accepted, { ...media, steps: value })),
    full('steps 40 on a 40-step endpoint', true, { ...media, steps: 40 }),
    full('steps 41 on a 40-step endpoint', false, { ...media, steps: 41 }),
    fast('text_guidance 1 on a CFG-1 endpoint', true, { ...media, text_guidance: 1 }),
    fast('text_guidance 1.5 on a CFG-1 endpoint (adds a pass)', false, { ...media, text_guidance: 1.5 }),
    fast('text_guidance 0 on a CFG-1 endpoint (adds a pass)', false, { ...media, text_guidance: 0 }),
    fast('text_guidance 5 with audio_guidance 1 on a CFG-1 endpoint (trades one pass for the other)', true, { ...media, text_guidance: 5, audio_guidance: 1 }),
    fast('audio_guidance 1 on a CFG-1 endpoint (saves a pass)', true, { ...media, audio_guidance: 1 }),
    { name: 'audio_guidance 2 on a one-pass endpoint (adds a pass)', accepted: false, endpoint: 'one-pass-4step-480', input: { ...media, audio_guidance: 2 } },
    { name: 'audio_guidance 1 on a one-pass endpoint', accepted: true, endpoint: 'one-pass-4step-480', input: { ...media, audio_guidance: 1 } },
    ...edges({ min: 0, max: 20, integer: false }).map(({ value, accepted }) => full(`text_guidance ${value}`, accepted, { ...media, text_guidance: value })),
    ...edges({ min: 0, max: 20, integer: false }).map(({ value, accepted }) => fast(`audio_guidance ${value}`, accepted, { ...media, audio_guidance: value })),
    fast('audio_guidance as text', false, { ...media, audio_guidance: '2' }),
    fast('audio_guidance false', false, { ...media, audio_guidance: false }),
    ...edges({ min: 0, max: JOB_ENDPOINTS['cfg1-4step-480'].maxAudioSeconds, integer: false, minExclusive: true }).map(({ value, accepted }) =>
      fast(`max_duration_seconds ${value} (max 10)`, accepted, { ...media, max_duration_seconds: value })),
    fast('output url', true, { ...media, output: 'url' }),
    fast('output base64', true, { ...media, output: 'base64' }),
    fast('output file', false, { ...media, output: 'file' }),
    fast('output null', false, { ...media, output: null }),
  ];
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Worker and init settings
// ---------------------------------------------------------------------------------------------

function workerSettingsCases(): WorkerSettingsCase[] {
  const numeric = ['maxImageBytes', 'maxAudioBytes', 'maxImagePixels', 'fetchTimeoutSeconds', 'inlineOutputMaxBytes', 'urlExpirySeconds'] as const;
  return [
    { name: 'no settings', accepted: true, settings: {} },
    ...edges(SERVING_SETTINGS.maxAudioSeconds).map(({ value, accepted }) => ({ name: `maxAudioSeconds ${value}`, accepted, settings: {}, maxAudioSeconds: value })),
    // The longest audio is raised so that only the setting's own bound is probed.
    ...edges(SERVING_SETTINGS.minAudioSeconds).map(({ value, accepted }) => ({ name: `minAudioSeconds ${value}`, accepted, settings: { minAudioSeconds: value }, maxAudioSeconds: 600 })),
    { name: 'minAudioSeconds above maxAudioSeconds', accepted: false, settings: { minAudioSeconds: 11 }, maxAudioSeconds: 10 },
    { name: 'minAudioSeconds equal to maxAudioSeconds', accepted: true, settings: { minAudioSeconds: 10 }, maxAudioSeconds: 10 },
    ...numeric.flatMap((key) => edges(SERVING_SETTINGS[key]).map(({ value, accepted }) => ({ name: `${key} ${value}`, accepted, settings: { [key]: value } }))),
    { name: 'fetchAllowNetworks of IPv4 and IPv6 networks', accepted: true, settings: { fetchAllowNetworks: ['10.0.0.0/8', 'fd00::/8', '192.168.1.7'] } },
    { name: 'fetchAllowNetworks with prefix /33', accepted: false, settings: { fetchAllowNetworks: ['10.0.0.0/33'] } },
    { name: 'fetchAllowNetworks with a host name', accepted: false, settings: { fetchAllowNetworks: ['intranet.example'] } },
  ];
}

function initSettingsCases(): InitSettingsCase[] {
  return [
    { name: 'defaults', accepted: true },
    ...edges(INIT_SETTINGS.downloadAttempts).map(({ value, accepted }) => ({ name: `downloadAttempts ${value}`, accepted, downloadAttempts: value })),
    ...edges(INIT_SETTINGS.downloadConcurrency).map(({ value, accepted }) => ({ name: `downloadConcurrency ${value}`, accepted, downloadConcurrency: value })),
  ];
}

/** What the init pod receives for `c` (the runner passes these through). */
export function initSettingsEnvironment(c: InitSettingsCase): Record<string, string> {
  return {
    [INIT_SETTINGS.downloadAttempts.env]: String(c.downloadAttempts ?? INIT_SETTINGS.downloadAttempts.default),
    [INIT_SETTINGS.downloadConcurrency.env]: String(c.downloadConcurrency ?? INIT_SETTINGS.downloadConcurrency.default),
  };
}

/** What the serving worker receives for `c`. */
export function servingEnvironment(c: WorkerSettingsCase): Record<string, string> {
  return {
    ...workerSettingsEnvironment(c.settings),
    [SERVING_SETTINGS.maxAudioSeconds.env]: String(c.maxAudioSeconds ?? SERVING_SETTINGS.maxAudioSeconds.default),
  };
}

// ---------------------------------------------------------------------------------------------
// RunPod's S3 API as an output bucket
// ---------------------------------------------------------------------------------------------

/** A volume in `dataCenter` whose id is known at synth time (imported), as `OutputBucket.runpodVolume` sees it. */
export function knownVolume(volumeId: string, dataCenter: string): IModelVolume {
  const modelSet = ModelSet.FP8;
  return {
    volumeId,
    dataCenter,
    sizeGb: 40,
    modelSet,
    manifest: undefined as never,
    mountPath: VOLUME_MOUNT_PATH,
    modelRoot: DEFAULT_MODEL_ROOT,
    modelPath: (name: string) => `${DEFAULT_MODEL_ROOT}/${name}`,
  };
}

/** The `BUCKET_*` variables `OutputBucket.runpodVolume` gives the workers, per data centre. */
function runpodVolumeBuckets(): Array<{ dataCenter: string; volumeId: string; environment: Record<string, string> }> {
  return ['EU-RO-1', 'EUR-IS-1', 'US-KS-2'].map((dataCenter, i) => {
    const volumeId = ['esn4slc1dk', 'q2w3e4r5t6', 'vol0abc123'][i];
    const bucket = OutputBucket.runpodVolume(knownVolume(volumeId, dataCenter), {
      accessKeyId: SecretValue.runpodSecret('s3_access_key'),
      secretAccessKey: SecretValue.runpodSecret('s3_secret_key'),
    });
    return { dataCenter, volumeId, environment: bucket._environment() };
  });
}

// ---------------------------------------------------------------------------------------------
// Glob matching and canonical JSON
// ---------------------------------------------------------------------------------------------

function fnmatchCases(): FnmatchCase[] {
  return [
    { pattern: 'config.json', path: 'config.json', matches: true },
    { pattern: 'config.json', path: 'sub/config.json', matches: false },
    { pattern: '*.json', path: 'sub/config.json', matches: true },
    { pattern: 'google/umt5-xxl/*', path: 'google/umt5-xxl/spiece.model', matches: true },
    { pattern: 'google/umt5-xxl/*', path: 'google/umt5-xxl/sub/x', matches: true },
    { pattern: 'google/', path: 'google/umt5-xxl/spiece.model', matches: true },
    { pattern: 'model-?.pth', path: 'model-1.pth', matches: true },
    { pattern: 'model-?.pth', path: 'model-10.pth', matches: false },
    { pattern: 'model.pth', path: 'modelxpth', matches: false },
    { pattern: 'diffusion_pytorch_model-*-of-00007.safetensors', path: 'diffusion_pytorch_model-00003-of-00007.safetensors', matches: true },
    { pattern: 'a+b(c)', path: 'a+b(c)', matches: true },
    { pattern: 'Config.json', path: 'config.json', matches: false },
  ];
}

function canonicalCases(): Array<{ value: unknown }> {
  return [
    { value: manifestDocument(files(ModelSet.FP8)) },
    { value: { b: 1, a: { d: [2, { z: 1, y: 'é' }], c: null } } },
    { value: { text: 'tab\there, del \u007f, emoji \u{1F600}, quote " and backslash \\' } },
    { value: { numbers: [0, -1, 1.5, 1e21, 123456789012] } },
  ];
}

// ---------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------

/** Every case, as the TypeScript side judges them (`test/contract-vectors.test.ts`). */
export function contractCases() {
  return {
    manifests: manifestCases(),
    presets: presetCases(),
    jobs: jobCases(),
    workerSettings: workerSettingsCases(),
    initSettings: initSettingsCases(),
    fnmatch: fnmatchCases(),
  };
}

/** The preset document an endpoint with `c`'s options sends, rendered without checks. */
export function presetCaseDocument(c: { preset: GenerationPresetProps; maxResolution: number; maxStepsPerJob?: number }): Record<string, unknown> {
  return presetDocument(c.preset, RESOLUTIONS.filter((r) => r <= c.maxResolution), c.maxStepsPerJob ?? c.preset.sampleSteps);
}

/** The JSON written to `test/fixtures/contract-vectors.json`. */
export function contractVectors(): Record<string, unknown> {
  const cases = contractCases();
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  return {
    about: 'Generated by test/contract/vectors.ts (npx projen contract:vectors); judged by test/contract-vectors.test.ts and docker/tests/test_contract_vectors.py.',
    constants: {
      volumeMountPath: VOLUME_MOUNT_PATH,
      defaultModelRoot: DEFAULT_MODEL_ROOT,
      fps: FPS,
      framesPerChunk: FRAMES_PER_CHUNK,
      resolutions: RESOLUTIONS,
      maxSampleSteps: MAX_SAMPLE_STEPS,
      lorasIgnoredUnderQuantization: LORAS_IGNORED_UNDER_QUANTIZATION,
      environment: WORKER_ENV,
      presetBounds: PRESET_BOUNDS,
      servingSettings: SERVING_SETTINGS,
      initSettings: INIT_SETTINGS,
    },
    canonicalJson: canonicalCases().map(({ value }) => ({ value, canonical: canonicalJson(value), sha256: sha256(canonicalJson(value)) })),
    fnmatch: cases.fnmatch,
    manifests: cases.manifests.map((c) => ({
      name: c.name,
      accepted: c.accepted,
      document: manifestDocument(c.set),
      ...(c.modelDirectory !== undefined ? { modelRoot: `${VOLUME_MOUNT_PATH}/${c.modelDirectory}` } : {}),
    })),
    presets: cases.presets.map((c) => ({ name: c.name, accepted: c.accepted, document: presetCaseDocument(c) })),
    jobs: cases.jobs.map((c) => {
      const endpoint = JOB_ENDPOINTS[c.endpoint];
      return { name: c.name, accepted: c.accepted, preset: presetCaseDocument(endpoint), maxAudioSeconds: endpoint.maxAudioSeconds, input: c.input };
    }),
    workerSettings: cases.workerSettings.map((c) => ({ name: c.name, accepted: c.accepted, environment: servingEnvironment(c) })),
    initSettings: cases.initSettings.map((c) => ({ name: c.name, accepted: c.accepted, environment: initSettingsEnvironment(c) })),
    runpodS3: {
      endpoints: ['EU-RO-1', 'EUR-IS-1', 'US-KS-2', 'EU-CZ-1'].map((dataCenter) => ({ dataCenter, endpointUrl: runpodS3EndpointUrl(dataCenter) })),
      notRunpod: ['https://s3.eu-central-1.amazonaws.com', 'http://s3api-eu-ro-1.runpod.io', 'https://s3api-eu-ro-1.runpod.io.example.com', 'https://acct.r2.cloudflarestorage.com'],
      volumeBuckets: runpodVolumeBuckets(),
    },
  };
}

/** Where the vectors live. */
export const VECTORS_FILE = path.join(__dirname, '..', 'fixtures', 'contract-vectors.json');

/** The file's text: indented for review (every hash inside is of canonical JSON, not of this text). */
export function vectorsText(vectors: Record<string, unknown>): string {
  return `${JSON.stringify(vectors, null, 2)}\n`;
}
