import { GenerationPreset } from './generation-preset';
import { GpuMemoryNeeds, L40sMemory, L40sTiming } from './l40s-figures';
import { manifestDocument } from './manifest';
import { Resolution } from './resolution';
import {
  filePatternProblem,
  MAX_MODEL_BYTES,
  MODEL_NAME_PATTERN,
  NAME_PATTERN,
  pipelineProblem,
  RELATIVE_PATH_PATTERN,
  REPOSITORY_PATTERN,
  REVISION_PATTERN,
  WHOLE_REPOSITORY_PATTERNS,
} from './runner/worker-contract';
import { requireNumberInRange } from './validation';

const GB = 1_000_000_000;

/** One Hugging Face repository (or part of one) that a model set downloads. */
export interface HuggingFaceModel {
  /** Short name used in logs and in the lock file, e.g. `wan-i2v-14b-480p`. */
  readonly name: string;
  /** Repository id, e.g. `Wan-AI/Wan2.1-I2V-14B-480P`. */
  readonly repo: string;
  /**
   * Branch, tag, `refs/pr/N` or 40-hex commit. A branch or tag is resolved to a commit by the storage
   * init job and recorded in the lock file on the volume.
   */
  readonly revision: string;
  /** `fnmatch` patterns of the files to fetch, relative to the repository root. Never empty. */
  readonly include: string[];
  /** `fnmatch` patterns to leave out. @default - none */
  readonly exclude?: string[];
  /** Directory on the volume, relative to the model root. @default - the repository name after the slash */
  readonly directory?: string;
  /** Bytes the included files take, as the Hub lists them (decimal). */
  readonly expectedBytes: number;
}

/** Where the pipeline finds its files, relative to the model root. */
export interface PipelineFiles {
  /** The Wan2.1-I2V-14B-480P directory (`checkpoint_dir`). */
  readonly checkpointDirectory: string;
  /** The chinese-wav2vec2-base directory. */
  readonly wav2vecDirectory: string;
  /** `fp8`, `int8`, or unset for unquantized weights. @default - unquantized */
  readonly quantization?: string;
  /** The quantized DiT file (`quant_dir`), required with `quantization`. @default - none */
  readonly quantizedDitFile?: string;
  /** InfiniteTalk's own weights (`infinitetalk_dir`), required without quantization. @default - none */
  readonly infiniteTalkFile?: string;
  /** LoRA files merged at load (ignored by InfiniteTalk under quantization). @default - none */
  readonly loraFiles?: string[];
  /** Scale per LoRA file. @default - 1 for each */
  readonly loraScales?: number[];
}

/** Properties of a custom model set. */
export interface CustomModelSetProps {
  /** Name, lower-case letters, digits and dashes. */
  readonly name: string;
  /** The repositories to fetch. */
  readonly models: HuggingFaceModel[];
  /** Where the pipeline finds its files. */
  readonly pipeline: PipelineFiles;
  /** GPU memory needs by resolution. */
  readonly gpuMemory: GpuMemoryNeeds;
  /** Host RAM the load peaks at, in GB. */
  readonly hostRamGb: number;
  /**
   * Seconds a worker's load spends beyond reading the files from the volume (building the models,
   * casting, merging LoRAs, moving weights to the GPU); plans `RUNPOD_INIT_TIMEOUT`.
   * @default 60 (`L40sTiming.LOAD_OVERHEAD_SECONDS`)
   */
  readonly loadWorkSeconds?: number;
  /** Presets this set can run; the first is the default. */
  readonly presets: GenerationPreset[];
}

const WAN_480P_REPO = 'Wan-AI/Wan2.1-I2V-14B-480P';
const WAV2VEC_REPO = 'TencentGameMate/chinese-wav2vec2-base';
const INFINITETALK_REPO = 'MeiGen-AI/InfiniteTalk';

/** Tokenizer directories and the small config files both sets need from the Wan repo. */
const WAN_SHARED_FILES = ['config.json', 'google/umt5-xxl/*', 'xlm-roberta-large/*', 'Wan2.1_VAE.pth', 'models_clip_open-clip-xlm-roberta-large-vit-huge-14.pth'];

/**
 * wav2vec2 from revision `refs/pr/1`, which carries `model.safetensors`: transformers refuses to
 * `torch.load` the `.bin` on torch < 2.6. The fairseq checkpoint is never fetched.
 */
const WAV2VEC: HuggingFaceModel = {
  name: 'chinese-wav2vec2-base',
  repo: WAV2VEC_REPO,
  revision: 'refs/pr/1',
  include: ['config.json', 'preprocessor_config.json', 'model.safetensors'],
  exclude: ['chinese-wav2vec2-base-fairseq-ckpt.pt', 'pytorch_model.bin'],
  directory: 'chinese-wav2vec2-base',
  expectedBytes: 380_000_000,
};

/** The lightx2v step-distillation LoRA (rank 32) that InfiniteTalk's README links for 4-step sampling. */
const LIGHTX2V_LORA: HuggingFaceModel = {
  name: 'lightx2v-lora',
  repo: 'Kijai/WanVideo_comfy',
  revision: 'main',
  include: ['Wan21_T2V_14B_lightx2v_cfg_step_distill_lora_rank32.safetensors'],
  directory: 'WanVideo_comfy',
  expectedBytes: 317_000_000,
};
const LIGHTX2V_LORA_FILE = 'WanVideo_comfy/Wan21_T2V_14B_lightx2v_cfg_step_distill_lora_rank32.safetensors';

/** A deployable set of model files, with what it needs to run. */
export class ModelSet {
  /**
   * The fp8 set that fits an L40S at 480p with everything resident: Wan2.1 VAE, CLIP and tokenizers,
   * InfiniteTalk's fp8 DiT and fp8 T5, wav2vec2. About 32 GB on the volume (as the Hub lists the
   * files). Without a step-distillation LoRA it runs the 40-step presets (`FP8_LIGHTX2V` adds one).
   */
  public static readonly FP8 = new ModelSet({
    name: 'fp8',
    models: [
      {
        name: 'wan-i2v-14b-480p',
        repo: WAN_480P_REPO,
        revision: 'main',
        include: WAN_SHARED_FILES,
        directory: 'Wan2.1-I2V-14B-480P',
        expectedBytes: 5_330_000_000,
      },
      WAV2VEC,
      {
        name: 'infinitetalk-fp8',
        repo: INFINITETALK_REPO,
        revision: 'main',
        include: [
          'quant_models/infinitetalk_single_fp8.safetensors',
          'quant_models/infinitetalk_single_fp8.json',
          'quant_models/t5_fp8.safetensors',
          'quant_models/t5_map_fp8.json',
        ],
        directory: 'InfiniteTalk',
        expectedBytes: 26_230_000_000,
      },
    ],
    pipeline: {
      checkpointDirectory: 'Wan2.1-I2V-14B-480P',
      wav2vecDirectory: 'chinese-wav2vec2-base',
      quantization: 'fp8',
      quantizedDitFile: 'InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors',
    },
    gpuMemory: L40sMemory.FP8_GPU,
    hostRamGb: L40sMemory.FP8_HOST_RAM_GB,
    presets: [GenerationPreset.BALANCED_40STEP_CFG1, GenerationPreset.QUALITY_40STEP],
  });

  /**
   * The fp8 set plus the lightx2v 4-step LoRA (317 MB), which the worker merges into the fp8 DiT at
   * load (upstream InfiniteTalk ignores LoRAs under quantization; the worker does not). Runs the
   * 4-step presets with everything resident on one 48 GB GPU.
   */
  public static readonly FP8_LIGHTX2V = new ModelSet({
    name: 'fp8-lightx2v',
    models: [...ModelSet.FP8.models, LIGHTX2V_LORA],
    pipeline: {
      ...ModelSet.FP8.pipeline,
      loraFiles: [LIGHTX2V_LORA_FILE],
      loraScales: [1],
    },
    // The merged LoRA adds no memory: the fp8 set's figures.
    gpuMemory: L40sMemory.FP8_GPU,
    hostRamGb: L40sMemory.FP8_HOST_RAM_GB,
    presets: [GenerationPreset.LIGHTX2V_4STEP_AUDIO_CFG1, GenerationPreset.LIGHTX2V_4STEP],
  });

  /**
   * The unquantized bf16 set with the lightx2v 4-step LoRA: the full Wan2.1-I2V-14B-480P weights,
   * InfiniteTalk's single-speaker weights, wav2vec2 and the LoRA. About 94 GB on the volume. Fast
   * (4 steps), but its load needs far more host RAM than the fp8 set and the DiT must stream on
   * 48 GB (see `L40sMemory`).
   */
  public static readonly BF16_LIGHTX2V = new ModelSet({
    name: 'bf16-lightx2v',
    models: [
      {
        name: 'wan-i2v-14b-480p',
        repo: WAN_480P_REPO,
        revision: 'main',
        include: [
          ...WAN_SHARED_FILES,
          'models_t5_umt5-xxl-enc-bf16.pth',
          'diffusion_pytorch_model-*-of-00007.safetensors',
          'diffusion_pytorch_model.safetensors.index.json',
        ],
        exclude: ['examples/*', 'assets/*'],
        directory: 'Wan2.1-I2V-14B-480P',
        expectedBytes: 82_000_000_000,
      },
      WAV2VEC,
      {
        name: 'infinitetalk-single',
        repo: INFINITETALK_REPO,
        revision: 'main',
        include: ['single/infinitetalk.safetensors'],
        directory: 'InfiniteTalk',
        expectedBytes: 11_000_000_000,
      },
      LIGHTX2V_LORA,
    ],
    pipeline: {
      checkpointDirectory: 'Wan2.1-I2V-14B-480P',
      wav2vecDirectory: 'chinese-wav2vec2-base',
      infiniteTalkFile: 'InfiniteTalk/single/infinitetalk.safetensors',
      loraFiles: [LIGHTX2V_LORA_FILE],
      loraScales: [1],
    },
    gpuMemory: L40sMemory.BF16_GPU,
    hostRamGb: L40sMemory.BF16_HOST_RAM_GB,
    loadWorkSeconds: L40sTiming.BF16_LOAD_WORK_SECONDS,
    presets: [GenerationPreset.LIGHTX2V_4STEP_LOW_VRAM],
  });

  /** Every built-in model set. */
  public static builtIn(): ModelSet[] {
    return [ModelSet.FP8, ModelSet.FP8_LIGHTX2V, ModelSet.BF16_LIGHTX2V];
  }

  /** Bring your own set of files; validated like the built-in ones. */
  public static custom(props: CustomModelSetProps): ModelSet {
    return new ModelSet(props);
  }

  /** Name of the set. */
  public readonly name: string;
  /** Repositories it fetches, each with its directory resolved. */
  public readonly models: HuggingFaceModel[];
  /** Where the pipeline finds its files. */
  public readonly pipeline: PipelineFiles;
  /** GPU memory needs. */
  public readonly gpuMemory: GpuMemoryNeeds;
  /** Host RAM the load peaks at, in GB. */
  public readonly hostRamGb: number;
  /** Seconds a worker's load spends beyond reading the files. */
  public readonly loadWorkSeconds: number;
  /** Presets it can run; the first is the default. */
  public readonly presets: GenerationPreset[];

  private constructor(props: CustomModelSetProps) {
    if (!NAME_PATTERN.test(props.name)) {
      throw new Error(`model set name '${props.name}' is invalid: use lower-case letters, digits and dashes (at most 63).`);
    }
    if (props.models.length === 0) {
      throw new Error(`model set '${props.name}' lists no models: give at least one HuggingFaceModel in \`models\`.`);
    }
    if (props.presets.length === 0) {
      throw new Error(`model set '${props.name}' lists no presets: give at least one GenerationPreset in \`presets\`.`);
    }
    this.name = props.name;
    this.models = props.models.map((m) => validateModel(props.name, m));
    const names = new Set<string>();
    const sources = new Map<string, string>();
    for (const m of this.models) {
      if (names.has(m.name)) {
        throw new Error(`model set '${props.name}' has two models named '${m.name}': names must be unique.`);
      }
      names.add(m.name);
      // Two entries that take the same repository revision into one directory would race for its files.
      const source = `${m.repo}@${m.revision} -> ${m.directory}`;
      if (sources.has(source)) {
        throw new Error(`model set '${props.name}': models '${sources.get(source)}' and '${m.name}' both take ${m.repo}@${m.revision} into '${m.directory}': merge their include patterns into one model.`);
      }
      sources.set(source, m.name);
    }
    this.pipeline = props.pipeline;
    const rendered = manifestDocument(this);
    const problem = pipelineProblem(rendered.models, rendered.pipeline);
    if (problem) throw new Error(`model set '${props.name}', pipeline: ${problem}.`);
    this.gpuMemory = props.gpuMemory;
    for (const [key, value] of Object.entries(props.gpuMemory)) requireNumberInRange(`gpuMemory.${key}`, value, 1, 1024, 'give the peak GPU memory in GB.', false);
    requireNumberInRange('hostRamGb', props.hostRamGb, 1, 4096, 'give the peak host RAM of the load in GB.', false);
    this.hostRamGb = props.hostRamGb;
    this.loadWorkSeconds = props.loadWorkSeconds ?? L40sTiming.LOAD_OVERHEAD_SECONDS;
    requireNumberInRange('loadWorkSeconds', this.loadWorkSeconds, 0, 3600, 'give the seconds a load takes beyond reading the files.', false);
    this.presets = [...props.presets];
  }

  /** Estimated seconds a worker takes to read and load this set on one L40S (its cold start). */
  public get expectedLoadSeconds(): number {
    return L40sTiming.loadSeconds(this.expectedGb, this.loadWorkSeconds);
  }

  /** Bytes all files take on the volume, as the Hub lists them. */
  public get expectedBytes(): number {
    return this.models.reduce((sum, m) => sum + m.expectedBytes, 0);
  }

  /** Decimal GB all files take (rounded up to 0.1). */
  public get expectedGb(): number {
    return Math.ceil((this.expectedBytes / GB) * 10) / 10;
  }

  /** The preset used when none is chosen. */
  public get defaultPreset(): GenerationPreset {
    return this.presets[0];
  }

  /** Whether this set can run `preset`. */
  public supportsPreset(preset: GenerationPreset): boolean {
    return this.presets.some((p) => p.name === preset.name);
  }

  /** Peak GPU memory in GB at `resolution`, resident or streaming as `preset` says. */
  public gpuMemoryGb(resolution: Resolution, preset: GenerationPreset): number {
    const m = this.gpuMemory;
    if (resolution === Resolution.P480) return preset.lowVram ? m.lowVram480Gb : m.resident480Gb;
    return preset.lowVram ? m.lowVram720Gb : m.resident720Gb;
  }
}

function validateModel(set: string, m: HuggingFaceModel): HuggingFaceModel {
  const where = `model set '${set}', model '${m.name}'`;
  if (!MODEL_NAME_PATTERN.test(m.name)) {
    throw new Error(`${where}: name is invalid: use lower-case letters, digits, dots, dashes and underscores.`);
  }
  if (!REPOSITORY_PATTERN.test(m.repo)) {
    throw new Error(`${where}: repo '${m.repo}' is not a Hugging Face repository id like 'owner/name'.`);
  }
  if (!REVISION_PATTERN.test(m.revision) || m.revision.includes('..')) {
    throw new Error(`${where}: revision '${m.revision}' is not a branch, tag, refs/pr/N or commit.`);
  }
  if (m.include.length === 0) {
    throw new Error(`${where}: include is empty, which would download the whole repository; list the files or patterns you need.`);
  }
  for (const pattern of m.include) {
    if (WHOLE_REPOSITORY_PATTERNS.includes(pattern)) {
      throw new Error(`${where}: include pattern '${pattern}' fetches the whole repository; list the files or patterns you need.`);
    }
  }
  for (const pattern of [...m.include, ...(m.exclude ?? [])]) {
    const problem = filePatternProblem(pattern);
    if (problem) throw new Error(`${where}: ${problem}.`);
  }
  const directory = m.directory ?? m.repo.split('/')[1];
  if (!RELATIVE_PATH_PATTERN.test(directory)) {
    throw new Error(`${where}: directory '${directory}' must be a relative path of letters, digits, dots, dashes and underscores, each segment starting with a letter or digit.`);
  }
  requireNumberInRange(`${where}: expectedBytes`, m.expectedBytes, 1, MAX_MODEL_BYTES, 'give the bytes the included files take, as the Hub lists them.', true);
  return { ...m, include: [...m.include], exclude: [...(m.exclude ?? [])], directory };
}

