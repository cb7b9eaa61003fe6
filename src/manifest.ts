import { createHash } from 'crypto';
import { GenerationPreset, GenerationPresetProps } from './generation-preset';
import { HuggingFaceModel, ModelSet, PipelineFiles } from './model-set';
import { Resolution } from './resolution';
import { COMMIT_PATTERN, DEFAULT_MOTION_FRAME, ManifestDocument, MANIFEST_FORMAT_VERSION, MAX_SAMPLE_STEPS } from './runner/worker-contract';
import { requireInBound } from './validation';

export { MANIFEST_FORMAT_VERSION } from './runner/worker-contract';

/** The parts of a model set its manifest is made of. */
export interface ModelSetFiles {
  /** Name of the set. */
  readonly name: string;
  /** Repositories it fetches. */
  readonly models: HuggingFaceModel[];
  /** Where the pipeline finds its files. */
  readonly pipeline: PipelineFiles;
}

/**
 * The manifest document of a model set, as the worker receives it. Renders without checking:
 * `ModelSet` checks the rendered document against the contract's rules before it accepts a set.
 */
export function manifestDocument(set: ModelSetFiles): ManifestDocument {
  const p = set.pipeline;
  const models = set.models.map((m) => ({
    name: m.name,
    repo: m.repo,
    revision: m.revision,
    revisionPinned: COMMIT_PATTERN.test(m.revision),
    include: m.include,
    exclude: m.exclude ?? [],
    directory: m.directory ?? m.repo.split('/')[1],
    expectedBytes: m.expectedBytes,
  }));
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    modelSet: set.name,
    models,
    pipeline: {
      checkpointDirectory: p.checkpointDirectory,
      wav2vecDirectory: p.wav2vecDirectory,
      quantization: p.quantization ?? null,
      quantizedDitFile: p.quantizedDitFile ?? null,
      infiniteTalkFile: p.infiniteTalkFile ?? null,
      loraFiles: p.loraFiles ?? [],
      loraScales: p.loraScales ?? (p.loraFiles ?? []).map(() => 1),
    },
    expectedBytes: models.reduce((sum, m) => sum + m.expectedBytes, 0),
  };
}

/** The manifest of a model set: the one JSON document the init pod and the workers receive. */
export class ModelManifest {
  /** Render the manifest of `modelSet`. */
  public static of(modelSet: ModelSet): ModelManifest {
    return new ModelManifest(canonicalJson(manifestDocument(modelSet)));
  }

  /** Canonical JSON text (keys sorted, no whitespace, ASCII): what `AVATAR_MODEL_MANIFEST` carries. */
  public readonly json: string;
  /** sha256 (lower-case hex) of `json`: what `AVATAR_MODEL_MANIFEST_SHA256` carries. */
  public readonly sha256: string;

  private constructor(json: string) {
    this.json = json;
    this.sha256 = createHash('sha256').update(json, 'utf8').digest('hex');
  }
}

/**
 * The generation preset as the worker reads it from `AVATAR_PRESET`: the sampler settings, the
 * resolutions the endpoint allows and the most steps a job may ask for (`maxStepsPerJob`, at
 * least the preset's own steps; the endpoint sizes its execution timeout for that many).
 * @param maxStepsPerJob - @default the preset's sampleSteps
 */
export function renderPreset(preset: GenerationPreset, resolutions: Resolution[], maxStepsPerJob?: number): string {
  const maxSteps = maxStepsPerJob ?? preset.sampleSteps;
  requireInBound('maxStepsPerJob', maxSteps, { min: preset.sampleSteps, max: MAX_SAMPLE_STEPS, integer: true },
    `jobs may ask for the preset's ${preset.sampleSteps} steps or more, up to the worker's ${MAX_SAMPLE_STEPS}; leave it unset to allow exactly the preset's steps.`);
  return canonicalJson(presetDocument(preset, resolutions.map((r) => r.pixels), maxSteps));
}

/**
 * The `AVATAR_PRESET` document of preset settings `p`, rendered without checks: `GenerationPreset`
 * and `renderPreset` check them against the contract's bounds first.
 */
export function presetDocument(p: GenerationPresetProps, resolutions: number[], maxStepsAllowed: number): Record<string, unknown> {
  return {
    name: p.name,
    sampleSteps: p.sampleSteps,
    textGuideScale: p.textGuideScale,
    audioGuideScale: p.audioGuideScale,
    shift: { 480: p.shift480, 720: p.shift720 },
    motionFrame: p.motionFrame ?? DEFAULT_MOTION_FRAME,
    colorCorrectionStrength: p.colorCorrectionStrength ?? 1,
    offloadModel: false,
    t5Cpu: false,
    numPersistentParamInDit: p.lowVram ? 0 : null,
    resolutions,
    maxStepsAllowed,
  };
}

/**
 * JSON with keys sorted recursively and no whitespace; DEL and non-ASCII escaped as \uXXXX, exactly as
 * Python's `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
