import { L40sTiming } from './l40s-figures';
import { Resolution } from './resolution';
import { DEFAULT_MOTION_FRAME, ditPassesPerStep, motionFrameProblem, NAME_PATTERN, PRESET_BOUNDS } from './runner/worker-contract';
import { requireInBound } from './validation';

export { MAX_SAMPLE_STEPS } from './runner/worker-contract';

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
   * Frames each chunk carries over from the previous one (`motion_frame`): 4n+1, below 81. More
   * frames give smoother joins but each chunk then adds fewer new frames, so a clip needs more chunks.
   * @default 9
   */
  readonly motionFrame?: number;
  /**
   * Stream DiT layers from host RAM instead of keeping them on the GPU (`num_persistent_param_in_dit = 0`).
   * Needed when the model set does not fit GPU memory at a resolution; about 25 % slower.
   * @default false
   */
  readonly lowVram?: boolean;
}

/**
 * A named set of sampler settings, with its expected speed on an L40S (`expectedSecondsPerChunk`,
 * estimated from the figures in `L40sTiming`).
 */
export class GenerationPreset {
  /** Upstream defaults: 40 steps, text CFG 5, audio CFG 4 (three DiT passes per step). Best quality, slowest. */
  public static readonly QUALITY_40STEP = new GenerationPreset({
    name: 'quality-40step',
    description: 'Upstream defaults (40 steps, text CFG 5, audio CFG 4): best quality, slowest (three DiT passes per step).',
    sampleSteps: 40,
    textGuideScale: 5,
    audioGuideScale: 4,
    shift480: 7,
    shift720: 11,
  });

  /** 40 steps with text CFG 1: two DiT passes per step instead of three. */
  public static readonly BALANCED_40STEP_CFG1 = new GenerationPreset({
    name: 'balanced-40step-cfg1',
    description: '40 steps, text CFG 1, audio CFG 4: two DiT passes per step instead of three.',
    sampleSteps: 40,
    textGuideScale: 1,
    audioGuideScale: 4,
    shift480: 7,
    shift720: 11,
  });

  /**
   * lightx2v step-distillation LoRA, 4 steps, text and audio CFG 1: one DiT pass per step (the worker
   * skips the audio-free pass, whose guidance term is zero). The fast default of `ModelSet.FP8_LIGHTX2V`:
   * about 1.3 min per 480p chunk on an L40S, projected from the H200 measurement (l40s-figures.ts).
   * Audio CFG 1 is what community 4-step settings use; lip-sync strength against `LIGHTX2V_4STEP`
   * (audio CFG 2, twice the DiT work) was not judged here (random weights).
   */
  public static readonly LIGHTX2V_4STEP_AUDIO_CFG1 = new GenerationPreset({
    name: 'lightx2v-4step-audio-cfg1',
    description: 'lightx2v LoRA, 4 steps, text CFG 1, audio CFG 1: one DiT pass per step, DiT resident on the GPU.',
    sampleSteps: 4,
    textGuideScale: 1,
    audioGuideScale: 1,
    shift480: 2,
    shift720: 2,
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
  /** Frames each chunk carries over from the previous one. */
  public readonly motionFrame: number;

  private constructor(props: GenerationPresetProps) {
    if (!NAME_PATTERN.test(props.name)) {
      throw new Error(`preset name '${props.name}' is invalid: use lower-case letters, digits and dashes (at most 63).`);
    }
    const fix = 'the worker refuses presets outside this range.';
    requireInBound('sampleSteps', props.sampleSteps, PRESET_BOUNDS.sampleSteps, fix);
    requireInBound('textGuideScale', props.textGuideScale, PRESET_BOUNDS.textGuideScale, fix);
    requireInBound('audioGuideScale', props.audioGuideScale, PRESET_BOUNDS.audioGuideScale, fix);
    requireInBound('shift480', props.shift480, PRESET_BOUNDS.shift, fix);
    requireInBound('shift720', props.shift720, PRESET_BOUNDS.shift, fix);
    requireInBound('colorCorrectionStrength', props.colorCorrectionStrength ?? 1, PRESET_BOUNDS.colorCorrectionStrength, fix);
    const motionFrame = props.motionFrame ?? DEFAULT_MOTION_FRAME;
    const motionProblem = motionFrameProblem(motionFrame);
    if (motionProblem) throw new Error(`${motionProblem}; leave it unset for ${DEFAULT_MOTION_FRAME}.`);
    this.name = props.name;
    this.description = props.description;
    this.sampleSteps = props.sampleSteps;
    this.textGuideScale = props.textGuideScale;
    this.audioGuideScale = props.audioGuideScale;
    this.shift480 = props.shift480;
    this.shift720 = props.shift720;
    this.colorCorrectionStrength = props.colorCorrectionStrength ?? 1;
    this.lowVram = props.lowVram ?? false;
    this.motionFrame = motionFrame;
  }

  /** DiT forward passes per sampling step: 3, one fewer at text guidance 1 and one fewer at audio guidance 1. */
  public get ditPassesPerStep(): number {
    return ditPassesPerStep(this.textGuideScale, this.audioGuideScale);
  }

  /**
   * Estimated seconds per 81-frame chunk on one L40S at `resolution` (warm worker, figures from
   * `L40sTiming`), for `steps` sampling steps.
   * @param steps - @default the preset's sampleSteps
   */
  public expectedSecondsPerChunk(resolution: Resolution, steps?: number): number {
    const forward = this.lowVram ? L40sTiming.streamedDitForwardSeconds(resolution) : L40sTiming.ditForwardSeconds(resolution);
    return Math.round((steps ?? this.sampleSteps) * this.ditPassesPerStep * forward + L40sTiming.chunkOverheadSeconds(resolution, this.lowVram));
  }

  /**
   * Estimated seconds for a job with `audioSeconds` of audio at `resolution` on one warm L40S
   * worker, for `steps` sampling steps.
   * @param steps - @default the preset's sampleSteps
   */
  public expectedJobSeconds(resolution: Resolution, audioSeconds: number, steps?: number): number {
    return L40sTiming.JOB_OVERHEAD_SECONDS + L40sTiming.chunksFor(audioSeconds, this.motionFrame) * this.expectedSecondsPerChunk(resolution, steps);
  }

  /** Sampler shift at `resolution`. */
  public shiftFor(resolution: Resolution): number {
    return resolution === Resolution.P480 ? this.shift480 : this.shift720;
  }
}
