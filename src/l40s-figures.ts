/**
 * Every L40S timing and memory figure the constructs use, in one place: the execution timeouts,
 * the GPU-memory checks and the per-preset tables of the docs derive from what is here.
 *
 * All of them are ESTIMATES; none was measured on an L40S:
 * - DiT time: one Wan-14B-shaped DiT forward (real shapes, random weights) timed on an H200
 *   (3.08 s at 480p, 11.3 s at 720p per 81-frame chunk) and scaled to the L40S's dense BF16
 *   throughput at the same share of peak;
 * - streaming factor, GPU memory and host RAM: MeiGen-AI's published A100 efficiency figures for
 *   the same Wan-14B backbone and loader (seconds per step and peak memory, resident and streamed,
 *   bf16 and quantized);
 * - overheads: allowances for wav2vec, the text and image encoders, VAE decode, ffmpeg and upload.
 *
 * They plan timeouts and reject combinations that cannot fit; they are not promises.
 */
import { Resolution } from './resolution';
import { DEFAULT_MOTION_FRAME, FPS, FRAMES_PER_CHUNK } from './runner/worker-contract';

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

/** Estimated L40S timing figures shared by every preset (see the top of this file for their source). */
export class L40sTiming {
  /** Seconds per job outside the chunks (wav2vec, T5/CLIP encode, ffmpeg, upload): 30 s, an allowance. */
  public static readonly JOB_OVERHEAD_SECONDS = 30;

  /** Frames per chunk (InfiniteTalk's `frame_num`). */
  public static readonly FRAMES_PER_CHUNK = FRAMES_PER_CHUNK;

  /** Output frame rate. */
  public static readonly FPS = FPS;

  /**
   * Slowdown when every DiT layer streams from host RAM (`num_persistent_param_in_dit = 0`):
   * 44 s against 35 s per step at 480p in MeiGen-AI's A100 table.
   */
  public static readonly STREAMING_FACTOR = 1.26;

  /** Typical read rate of a STANDARD network volume, in MB/s: the low end of RunPod's "200–400 MB/s typical". */
  public static readonly VOLUME_READ_MB_PER_SECOND = 200;

  /** Seconds a worker's load takes beyond reading the files (requantizing, moving weights to the GPU): 60 s, an allowance. */
  public static readonly LOAD_OVERHEAD_SECONDS = 60;

  /**
   * Seconds of one DiT forward pass per 81-frame chunk on one L40S: 8.5 s at 480p, 30 s at 720p
   * (the H200 timing scaled to the L40S's dense BF16 throughput).
   */
  public static ditForwardSeconds(resolution: Resolution): number {
    return resolution === Resolution.P480 ? 8.5 : 30;
  }

  /** Seconds per chunk outside the DiT (VAE decode, encoders' share): 10 s at 480p, 25 s at 720p, allowances. */
  public static chunkOverheadSeconds(resolution: Resolution): number {
    return resolution === Resolution.P480 ? 10 : 25;
  }

  /** Estimated seconds a worker takes to read and load a model set of `expectedGb` (its cold start). */
  public static loadSeconds(expectedGb: number): number {
    return Math.round((expectedGb * 1000) / L40sTiming.VOLUME_READ_MB_PER_SECOND + L40sTiming.LOAD_OVERHEAD_SECONDS);
  }

  /**
   * Number of 81-frame chunks InfiniteTalk generates for `audioSeconds` of audio: each chunk after
   * the first carries `motionFrame` frames over, so it adds `81 - motionFrame` new ones
   * (`1 + ceil((frames - 81) / 72)` with the default 9).
   * @param motionFrame - @default 9
   */
  public static chunksFor(audioSeconds: number, motionFrame: number = DEFAULT_MOTION_FRAME): number {
    const frames = Math.ceil(audioSeconds * FPS);
    if (frames <= FRAMES_PER_CHUNK) return 1;
    return 1 + Math.ceil((frames - FRAMES_PER_CHUNK) / (FRAMES_PER_CHUNK - motionFrame));
  }

  private constructor() {}
}

/** Estimated memory of the built-in model sets (see the top of this file for their source). */
export class L40sMemory {
  /** The fp8 set: MeiGen-AI's quantized A100 figures, 30 / 51 GB resident at 480p / 720p, 15 / 33 GB streamed. */
  public static readonly FP8_GPU: GpuMemoryNeeds = { resident480Gb: 30, resident720Gb: 51, lowVram480Gb: 15, lowVram720Gb: 33 };

  /** The fp8 set's host RAM while loading: 40 GB, above MeiGen-AI's quantized 36–39 GB. */
  public static readonly FP8_HOST_RAM_GB = 40;

  /** The bf16 set: MeiGen-AI's bf16 A100 figures, 48 / 66 GB resident at 480p / 720p, 13 / 36 GB streamed. */
  public static readonly BF16_GPU: GpuMemoryNeeds = { resident480Gb: 48, resident720Gb: 66, lowVram480Gb: 13, lowVram720Gb: 36 };

  /**
   * The bf16 set's host RAM while loading: 128 GB, since the loader merges every shard of the
   * ~94 GB set in host memory before it moves anything to the GPU.
   */
  public static readonly BF16_HOST_RAM_GB = 128;

  private constructor() {}
}
