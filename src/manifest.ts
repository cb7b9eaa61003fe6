import { createHash } from 'crypto';
import { GenerationPreset, MAX_SAMPLE_STEPS, ModelSet, Resolution } from './model-catalog';

/**
 * Version of the manifest and of the lock file the storage init job writes. Part of the manifest
 * hash, so bumping it re-runs the storage init job on the next deploy.
 */
export const MANIFEST_FORMAT_VERSION = 1;

/** The manifest of a model set: the one JSON document the init pod and the workers receive. */
export class ModelManifest {
  /** Render the manifest of `modelSet`. */
  public static of(modelSet: ModelSet): ModelManifest {
    const p = modelSet.pipeline;
    const document = {
      formatVersion: MANIFEST_FORMAT_VERSION,
      modelSet: modelSet.name,
      models: modelSet.models.map((m) => ({
        name: m.name,
        repo: m.repo,
        revision: m.revision,
        revisionPinned: /^[0-9a-f]{40}$/.test(m.revision),
        include: m.include,
        exclude: m.exclude ?? [],
        directory: m.directory,
        expectedBytes: m.expectedBytes,
      })),
      pipeline: {
        checkpointDirectory: p.checkpointDirectory,
        wav2vecDirectory: p.wav2vecDirectory,
        quantization: p.quantization ?? null,
        quantizedDitFile: p.quantizedDitFile ?? null,
        infiniteTalkFile: p.infiniteTalkFile ?? null,
        loraFiles: p.loraFiles ?? [],
        loraScales: p.loraScales ?? (p.loraFiles ?? []).map(() => 1),
      },
      expectedBytes: modelSet.expectedBytes,
    };
    return new ModelManifest(canonicalJson(document));
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
 * The generation preset as the worker reads it from `AVATAR_PRESET`: the sampler settings plus the
 * resolutions the endpoint allows.
 */
export function renderPreset(preset: GenerationPreset, resolutions: Resolution[]): string {
  return canonicalJson({
    name: preset.name,
    sampleSteps: preset.sampleSteps,
    textGuideScale: preset.textGuideScale,
    audioGuideScale: preset.audioGuideScale,
    shift: { 480: preset.shift480, 720: preset.shift720 },
    motionFrame: 9,
    colorCorrectionStrength: preset.colorCorrectionStrength,
    offloadModel: false,
    t5Cpu: false,
    numPersistentParamInDit: preset.lowVram ? 0 : null,
    resolutions: resolutions.map((r) => r.pixels),
    maxStepsAllowed: MAX_SAMPLE_STEPS,
  });
}

/**
 * JSON with keys sorted recursively and no whitespace; non-ASCII escaped as \uXXXX, exactly as
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
