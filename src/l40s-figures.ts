/**
 * Every L40S timing and memory figure the constructs use, in one place: the execution timeouts,
 * the GPU-memory checks and the per-preset tables of the docs derive from what is here.
 *
 * Where they come from:
 * - MEASURED on an H200 with random weights at real shapes (docker/gpu, result
 *   docker/gpu/results/2026-12-04-h200.json, `derived` and `served_job`): the 480p DiT forward, the
 *   time outside the DiT per chunk, the fp8 sets' peak GPU memory at 480p and host RAM. No L40S was
 *   used: times are PROJECTED to the L40S with `H200ToL40s` (datasheet throughput), memory is the same
 *   on both GPUs. A test ties these numbers to the result file.
 * - ESTIMATED: everything at 720p (the 480p measurement scaled by tokens or pixels), the bf16 set's
 *   memory and streaming factor (MeiGen-AI's published A100 efficiency figures for the same backbone
 *   and loader), the per-job allowance and the cold start (RunPod's quoted volume read rate).
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
   * Seconds of one DiT forward pass per 81-frame chunk on one L40S. 480p: 5.332 s measured on the
   * H200 (all 16 forwards of the guidance configurations, fp8 weights multiplied dequantized) times
   * `H200ToL40s.COMPUTE`: 14.6 s. 720p, estimated: that times 3.67, the 720p/480p ratio of a
   * Wan-14B-shaped forward timed on an H200 (11.3 s / 3.08 s): 53.5 s.
   */
  public static ditForwardSeconds(resolution: Resolution): number {
    const at480 = H200_MEASURED.ditForwardSeconds480 * H200ToL40s.COMPUTE;
    return round1(resolution === Resolution.P480 ? at480 : at480 * (11.3 / 3.08));
  }

  /**
   * Seconds per chunk outside the DiT on one L40S. 480p: the H200's VAE, CLIP and T5 time per chunk
   * (5.139 s) times `H200ToL40s.COMPUTE`, plus the rest (6.226 s: audio embedding, colour
   * correction on the CPU, transfers) as measured: 20.3 s. 720p, estimated: that times 2.25, the
   * ratio of pixels per frame (1280x704 against 896x448): 45.5 s.
   */
  public static chunkOverheadSeconds(resolution: Resolution): number {
    const at480 = H200_MEASURED.gpuOutsideDitPerChunk480 * H200ToL40s.COMPUTE + H200_MEASURED.otherOutsideDitPerChunk480;
    return round1(resolution === Resolution.P480 ? at480 : at480 * ((1280 * 704) / (896 * 448)));
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

/** How a time measured on an H200 is projected to an L40S: one ratio, from NVIDIA's datasheets. */
export class H200ToL40s {
  /** H200 (SXM) dense BF16 tensor throughput, TFLOP/s (1,979 with sparsity). */
  public static readonly H200_BF16_TFLOPS = 989;
  /** L40S dense BF16 tensor throughput, TFLOP/s (733 with sparsity). */
  public static readonly L40S_BF16_TFLOPS = 362;
  /**
   * The compute-bound slowdown, 2.73: the DiT (matmuls and attention) and the VAE and encoders are
   * compute-bound at these sizes, and fp8 weights are multiplied in BF16 (fp8_linear.py).
   */
  public static readonly COMPUTE = H200ToL40s.H200_BF16_TFLOPS / H200ToL40s.L40S_BF16_TFLOPS;

  private constructor() {}
}

/** The H200 figures the projections start from, copied from docker/gpu/results/2026-12-04-h200.json. */
export const H200_MEASURED = {
  /** `derived.seconds_per_dit_forward_480p`. */
  ditForwardSeconds480: 5.332,
  /** `derived.of_which_gpu_encoders_and_vae_per_chunk`. */
  gpuOutsideDitPerChunk480: 5.139,
  /** `derived.of_which_other_per_chunk`. */
  otherOutsideDitPerChunk480: 6.226,
  /** `served_job.gpu_peak_reserved_gib`: the fp8 set with the LoRA merged, 480p, serving the sample job. */
  fp8PeakReservedGib480: 43.95,
  /** `served_job.gpu_peak_allocated_gib`. */
  fp8PeakAllocatedGib480: 36.71,
  /** `load_cold_page_cache.gpu_peak_allocated_gib`: the weights alone, before a job. */
  fp8WeightsGib: 26.76,
  /** `served_job.host_ram_peak_gib`: load and job. */
  fp8HostRamGib: 23.18,
} as const;

const GIB = 1.073741824;
const round1 = (value: number): number => Math.round(value * 10) / 10;

/** Memory of the built-in model sets (see the top of this file for their source). */
export class L40sMemory {
  /**
   * The fp8 sets. 480p resident: MEASURED, the peak the allocator reserved (43.95 GiB = 47.2 GB; 36.71
   * GiB allocated). 720p resident, estimated: the weights (26.76 GiB) plus the 480p activations
   * scaled by tokens (73,920 against 32,928) plus the 480p gap between reserved and allocated: 60.5 GB.
   * Streamed: MeiGen-AI's quantized A100 figures (15 / 33 GB); the worker runs fp8 sets resident.
   */
  public static readonly FP8_GPU: GpuMemoryNeeds = {
    resident480Gb: round1(H200_MEASURED.fp8PeakReservedGib480 * GIB),
    resident720Gb: round1(
      (H200_MEASURED.fp8WeightsGib + (H200_MEASURED.fp8PeakAllocatedGib480 - H200_MEASURED.fp8WeightsGib) * (73_920 / 32_928) +
        (H200_MEASURED.fp8PeakReservedGib480 - H200_MEASURED.fp8PeakAllocatedGib480)) * GIB,
    ),
    lowVram480Gb: 15,
    lowVram720Gb: 33,
  };

  /** The fp8 sets' host RAM, MEASURED: the worker process's peak resident memory through load and a job (23.18 GiB = 24.9 GB). */
  public static readonly FP8_HOST_RAM_GB = round1(H200_MEASURED.fp8HostRamGib * GIB);

  /** The bf16 set: MeiGen-AI's bf16 A100 figures, 48 / 66 GB resident at 480p / 720p, 13 / 36 GB streamed. */
  public static readonly BF16_GPU: GpuMemoryNeeds = { resident480Gb: 48, resident720Gb: 66, lowVram480Gb: 13, lowVram720Gb: 36 };

  /**
   * The bf16 set's host RAM while loading: 128 GB, since the loader merges every shard of the
   * ~94 GB set in host memory before it moves anything to the GPU.
   */
  public static readonly BF16_HOST_RAM_GB = 128;

  private constructor() {}
}
