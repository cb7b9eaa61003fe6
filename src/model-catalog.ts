/**
 * The model catalog: which files each deployable model set needs, how big they are, how much GPU
 * memory and host RAM they take, and how fast each generation preset runs on an L40S.
 *
 * This is the only list of models in the project. It is rendered to the manifest (see `manifest.ts`)
 * and handed to the storage init pod and to every worker by environment; the Python worker reads that
 * manifest and never keeps a list of its own.
 *
 * Figures come from the published evidence collected in the project's INFINITETALK reference: file
 * sizes as the Hub lists them (decimal bytes), memory from MeiGen-AI's efficiency tables, speed from a
 * measured Wan-14B-shaped DiT forward projected to the L40S (§9.1). They are estimates for planning
 * timeouts and rejecting combinations that cannot fit, not promises.
 */

import { NAME_PATTERN, RELATIVE_PATH_PATTERN, requireNumberInRange } from './validation';

const GB = 1_000_000_000;

/** Most sampling steps a preset or a job may ask for (the worker enforces the same cap). */
export const MAX_SAMPLE_STEPS = 50;

/** Output resolution of a generated video. */
export class Resolution {
  /** 480p buckets (e.g. 896x448 for 16:9, 640x640 for 1:1). */
  public static readonly P480 = new Resolution(480, 'infinitetalk-480');
  /** 720p buckets (e.g. 1280x704 for 16:9, 960x960 for 1:1). */
  public static readonly P720 = new Resolution(720, 'infinitetalk-720');

  /** All resolutions, smallest first. */
  public static all(): Resolution[] {
    return [Resolution.P480, Resolution.P720];
  }

  /** Look a resolution up by its short side in pixels (480 or 720). */
  public static of(pixels: number): Resolution {
    const found = Resolution.all().find((r) => r.pixels === pixels);
    if (!found) {
      throw new Error(`resolution ${pixels} is not supported: use 480 or 720 (Resolution.P480, Resolution.P720).`);
    }
    return found;
  }

  private constructor(
    /** Nominal short side in pixels: 480 or 720. */
    public readonly pixels: number,
    /** InfiniteTalk's size bucket name (`size_buckget`). */
    public readonly sizeBucket: string,
  ) {}

  /** `480p` or `720p`. */
  public toString(): string {
    return `${this.pixels}p`;
  }
}

/** Evidence-based L40S timing figures shared by every preset. */
export class L40sTiming {
  /** Seconds per job outside the chunks (wav2vec, T5/CLIP encode, ffmpeg, upload): 30 s. */
  public static readonly JOB_OVERHEAD_SECONDS = 30;

  /** Frames per chunk (InfiniteTalk's `frame_num`). */
  public static readonly FRAMES_PER_CHUNK = 81;

  /** New frames each chunk after the first adds (81 minus 9 motion frames). */
  public static readonly NEW_FRAMES_PER_EXTRA_CHUNK = 72;

  /** Output frame rate. */
  public static readonly FPS = 25;

  /**
   * Seconds of one DiT forward pass per 81-frame chunk on one L40S: 8.5 s at 480p, 30 s at 720p
   * (a measured Wan-14B-shaped forward on an H200 scaled to the L40S's dense BF16 throughput).
   */
  public static ditForwardSeconds(resolution: Resolution): number {
    return resolution === Resolution.P480 ? 8.5 : 30;
  }

  /** Seconds per chunk outside the DiT (VAE decode, encoders' share): 10 s at 480p, 25 s at 720p. */
  public static chunkOverheadSeconds(resolution: Resolution): number {
    return resolution === Resolution.P480 ? 10 : 25;
  }

  /** Number of 81-frame chunks needed for `audioSeconds` of audio: `1 + ceil((frames - 81) / 72)`. */
  public static chunksFor(audioSeconds: number): number {
    const frames = Math.ceil(audioSeconds * L40sTiming.FPS);
    if (frames <= L40sTiming.FRAMES_PER_CHUNK) return 1;
    return 1 + Math.ceil((frames - L40sTiming.FRAMES_PER_CHUNK) / L40sTiming.NEW_FRAMES_PER_EXTRA_CHUNK);
  }

  private constructor() {}
}

/** Properties of a generation preset. */
export interface GenerationPresetProps {
  /** Name users and logs see, e.g. `lightx2v-4step`. Lower-case letters, digits and dashes. */
  readonly name: string;
  /** One-line description of what the preset trades. */
  readonly description: string;
  /** Sampling steps per chunk (`sampling_steps`). */
  readonly sampleSteps: number;
  /** Text classifier-free guidance (`text_guide_scale`); 1 disables the text-free pass. */
  readonly textGuideScale: number;
  /** Audio classifier-free guidance (`audio_guide_scale`). */
  readonly audioGuideScale: number;
  /** Sampler shift at 480p (`shift`). */
  readonly shift480: number;
  /** Sampler shift at 720p (`shift`). */
  readonly shift720: number;
  /** Colour correction towards the reference image, 0..1. @default 1 */
  readonly colorCorrectionStrength?: number;
  /**
   * Stream DiT layers from host RAM instead of keeping them on the GPU (`num_persistent_param_in_dit = 0`).
   * Needed when the model set does not fit GPU memory at a resolution; about 25 % slower.
   * @default false
   */
  readonly lowVram?: boolean;
}

/** A named set of sampler settings, with its expected speed on an L40S. */
export class GenerationPreset {
  /**
   * Upstream defaults: 40 steps, text CFG 5, audio CFG 4 (three DiT passes per step). Best quality,
   * slowest: about 17 min per 480p chunk on an L40S.
   */
  public static readonly QUALITY_40STEP = new GenerationPreset({
    name: 'quality-40step',
    description: 'Upstream defaults (40 steps, text CFG 5, audio CFG 4): best quality, about 17 min per 480p chunk.',
    sampleSteps: 40,
    textGuideScale: 5,
    audioGuideScale: 4,
    shift480: 7,
    shift720: 11,
  });

  /** 40 steps with text CFG 1 (two DiT passes per step): about 11.5 min per 480p chunk. */
  public static readonly BALANCED_40STEP_CFG1 = new GenerationPreset({
    name: 'balanced-40step-cfg1',
    description: '40 steps, text CFG 1, audio CFG 4: two passes per step, about 11.5 min per 480p chunk.',
    sampleSteps: 40,
    textGuideScale: 1,
    audioGuideScale: 4,
    shift480: 7,
    shift720: 11,
  });

  /**
   * lightx2v step-distillation LoRA, 4 steps, text CFG 1, audio CFG 2, the DiT resident on the GPU:
   * the fast preset of the fp8 set with the LoRA merged at load (`ModelSet.FP8_LIGHTX2V`).
   */
  public static readonly LIGHTX2V_4STEP = new GenerationPreset({
    name: 'lightx2v-4step',
    description: 'lightx2v LoRA, 4 steps, text CFG 1, audio CFG 2, DiT resident on the GPU.',
    sampleSteps: 4,
    textGuideScale: 1,
    audioGuideScale: 2,
    shift480: 2,
    shift720: 2,
  });

  /**
   * The same sampler settings with DiT layers streamed from host RAM: how the 94 GB bf16 set runs
   * on a 48 GB GPU (`ModelSet.BF16_LIGHTX2V`).
   */
  public static readonly LIGHTX2V_4STEP_LOW_VRAM = new GenerationPreset({
    name: 'lightx2v-4step-low-vram',
    description: 'lightx2v LoRA, 4 steps, text CFG 1, audio CFG 2, DiT layers streamed from host RAM (bf16 set on 48 GB).',
    sampleSteps: 4,
    textGuideScale: 1,
    audioGuideScale: 2,
    shift480: 2,
    shift720: 2,
    lowVram: true,
  });

  /** Build a preset of your own; values are checked against InfiniteTalk's bounds. */
  public static custom(props: GenerationPresetProps): GenerationPreset {
    return new GenerationPreset(props);
  }

  /** Name users and logs see. */
  public readonly name: string;
  /** One-line description. */
  public readonly description: string;
  /** Sampling steps per chunk. */
  public readonly sampleSteps: number;
  /** Text guidance. */
  public readonly textGuideScale: number;
  /** Audio guidance. */
  public readonly audioGuideScale: number;
  /** Shift at 480p. */
  public readonly shift480: number;
  /** Shift at 720p. */
  public readonly shift720: number;
  /** Colour correction strength. */
  public readonly colorCorrectionStrength: number;
  /** Whether DiT layers stream from host RAM. */
  public readonly lowVram: boolean;

  private constructor(props: GenerationPresetProps) {
    if (!NAME_PATTERN.test(props.name)) {
      throw new Error(`preset name '${props.name}' is invalid: use lower-case letters, digits and dashes (at most 63).`);
    }
    requireNumberInRange('sampleSteps', props.sampleSteps, 1, MAX_SAMPLE_STEPS, 'InfiniteTalk accepts values in this range.', true);
    requireNumberInRange('textGuideScale', props.textGuideScale, 0, 20, 'InfiniteTalk accepts values in this range.', false);
    requireNumberInRange('audioGuideScale', props.audioGuideScale, 0, 20, 'InfiniteTalk accepts values in this range.', false);
    requireNumberInRange('shift480', props.shift480, 0, 20, 'InfiniteTalk accepts values in this range.', false);
    requireNumberInRange('shift720', props.shift720, 0, 20, 'InfiniteTalk accepts values in this range.', false);
    requireNumberInRange('colorCorrectionStrength', props.colorCorrectionStrength ?? 1, 0, 1, 'InfiniteTalk accepts values in this range.', false);
    this.name = props.name;
    this.description = props.description;
    this.sampleSteps = props.sampleSteps;
    this.textGuideScale = props.textGuideScale;
    this.audioGuideScale = props.audioGuideScale;
    this.shift480 = props.shift480;
    this.shift720 = props.shift720;
    this.colorCorrectionStrength = props.colorCorrectionStrength ?? 1;
    this.lowVram = props.lowVram ?? false;
  }

  /** DiT forward passes per sampling step: 3 with text guidance, 2 when text CFG is 1. */
  public get ditPassesPerStep(): number {
    return this.textGuideScale === 1 ? 2 : 3;
  }

  /** Expected seconds per 81-frame chunk on one L40S at `resolution` (warm worker, weights resident). */
  public expectedSecondsPerChunk(resolution: Resolution): number {
    const dit = this.sampleSteps * this.ditPassesPerStep * L40sTiming.ditForwardSeconds(resolution);
    // Streaming every DiT layer from host RAM: 44 s vs 35 s per step in MeiGen-AI's A100 table.
    const streaming = this.lowVram ? 1.26 : 1;
    return Math.round(dit * streaming + L40sTiming.chunkOverheadSeconds(resolution));
  }

  /** Expected seconds for a job with `audioSeconds` of audio at `resolution` on one warm L40S worker. */
  public expectedJobSeconds(resolution: Resolution, audioSeconds: number): number {
    return L40sTiming.JOB_OVERHEAD_SECONDS + L40sTiming.chunksFor(audioSeconds) * this.expectedSecondsPerChunk(resolution);
  }

  /** Sampler shift at `resolution`. */
  public shiftFor(resolution: Resolution): number {
    return resolution === Resolution.P480 ? this.shift480 : this.shift720;
  }
}

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

/** GPU memory a model set needs at each resolution, in GB. */
export interface GpuMemoryNeeds {
  /** Peak GB at 480p with the DiT resident on the GPU. */
  readonly resident480Gb: number;
  /** Peak GB at 720p with the DiT resident on the GPU. */
  readonly resident720Gb: number;
  /** Peak GB at 480p with DiT layers streamed from host RAM. */
  readonly lowVram480Gb: number;
  /** Peak GB at 720p with DiT layers streamed from host RAM. */
  readonly lowVram720Gb: number;
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
   * InfiniteTalk's fp8 DiT and fp8 T5, wav2vec2. About 32 GB on the volume, about 40 GB host RAM at load.
   * Without a step-distillation LoRA it runs the 40-step presets (`FP8_LIGHTX2V` adds one).
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
    // MeiGen-AI's quantized figures (A100): 30 GB at 480p, 51 GB at 720p; 15 / 33 GB streaming.
    gpuMemory: { resident480Gb: 30, resident720Gb: 51, lowVram480Gb: 15, lowVram720Gb: 33 },
    hostRamGb: 40,
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
    // The merged LoRA adds no memory: same figures as the fp8 set.
    gpuMemory: ModelSet.FP8.gpuMemory,
    hostRamGb: ModelSet.FP8.hostRamGb,
    presets: [GenerationPreset.LIGHTX2V_4STEP],
  });

  /**
   * The unquantized bf16 set with the lightx2v 4-step LoRA: the full Wan2.1-I2V-14B-480P weights,
   * InfiniteTalk's single-speaker weights, wav2vec2 and the LoRA. About 94 GB on the volume. Fast
   * (4 steps), but its load peaks above 100 GB of host RAM and the DiT must stream on 48 GB.
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
    // MeiGen-AI's bf16 figures (A100): 48 / 66 GB resident, 13 / 36 GB streaming.
    gpuMemory: { resident480Gb: 48, resident720Gb: 66, lowVram480Gb: 13, lowVram720Gb: 36 },
    hostRamGb: 128,
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
    for (const m of this.models) {
      if (names.has(m.name)) {
        throw new Error(`model set '${props.name}' has two models named '${m.name}': names must be unique.`);
      }
      names.add(m.name);
    }
    this.pipeline = validatePipeline(props.name, props.pipeline);
    this.gpuMemory = props.gpuMemory;
    for (const [key, value] of Object.entries(props.gpuMemory)) requireNumberInRange(`gpuMemory.${key}`, value, 1, 1024, 'InfiniteTalk accepts values in this range.', false);
    requireNumberInRange('hostRamGb', props.hostRamGb, 1, 4096, 'InfiniteTalk accepts values in this range.', false);
    this.hostRamGb = props.hostRamGb;
    this.presets = [...props.presets];
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
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(m.name)) {
    throw new Error(`${where}: name is invalid: use lower-case letters, digits, dots, dashes and underscores.`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(m.repo)) {
    throw new Error(`${where}: repo '${m.repo}' is not a Hugging Face repository id like 'owner/name'.`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(m.revision) || m.revision.includes('..')) {
    throw new Error(`${where}: revision '${m.revision}' is not a branch, tag, refs/pr/N or commit.`);
  }
  if (m.include.length === 0) {
    throw new Error(`${where}: include is empty, which would download the whole repository; list the files or patterns you need.`);
  }
  for (const pattern of [...m.include, ...(m.exclude ?? [])]) {
    if (pattern === '*' || pattern === '**' || pattern === '**/*') {
      if (m.include.includes(pattern)) {
        throw new Error(`${where}: include pattern '${pattern}' fetches the whole repository; list the files or patterns you need.`);
      }
    }
    if (!/^[\x20-\x7e]+$/.test(pattern) || pattern.startsWith('/') || pattern.split('/').includes('..')) {
      throw new Error(`${where}: pattern '${pattern}' must be a relative ASCII path pattern without '..'.`);
    }
  }
  const directory = m.directory ?? m.repo.split('/')[1];
  if (!RELATIVE_PATH_PATTERN.test(directory)) {
    throw new Error(`${where}: directory '${directory}' must be a relative path of letters, digits, dots, dashes and underscores.`);
  }
  requireNumberInRange(`${where}: expectedBytes`, m.expectedBytes, 1, 4096 * GB, 'InfiniteTalk accepts values in this range.', true);
  return { ...m, include: [...m.include], exclude: [...(m.exclude ?? [])], directory };
}

function validatePipeline(set: string, p: PipelineFiles): PipelineFiles {
  const where = `model set '${set}', pipeline`;
  if (p.quantization !== undefined && p.quantization !== 'fp8' && p.quantization !== 'int8') {
    throw new Error(`${where}: quantization '${p.quantization}' is not supported: use 'fp8', 'int8' or leave it unset.`);
  }
  if (p.quantization !== undefined && !p.quantizedDitFile) {
    throw new Error(`${where}: quantization '${p.quantization}' needs quantizedDitFile (e.g. InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors).`);
  }
  if (p.quantization === undefined && !p.infiniteTalkFile) {
    throw new Error(`${where}: unquantized weights need infiniteTalkFile (e.g. InfiniteTalk/single/infinitetalk.safetensors).`);
  }
  if (p.loraScales !== undefined && p.loraScales.length !== (p.loraFiles ?? []).length) {
    throw new Error(`${where}: loraScales has ${p.loraScales.length} entries for ${(p.loraFiles ?? []).length} loraFiles; give one scale per file.`);
  }
  return p;
}
