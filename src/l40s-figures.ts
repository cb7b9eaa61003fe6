/**
 * Every L40S timing and memory figure the constructs use, in one place: the execution timeouts,
 * the GPU-memory checks and the per-preset tables of the docs derive from what is here.
 *
 * Where they come from:
 * - MEASURED on an H200 with random weights at real shapes (docker/gpu): for the fp8 sets
 *   (docker/gpu/results/2026-12-04-h200.json, `derived` and `served_job`) the 480p DiT forward, the
 *   time outside the DiT per chunk, the peak GPU memory at 480p and host RAM; for the bf16 set with
 *   its DiT streamed from host RAM (docker/gpu/results/2026-12-04-h200-bf16-lightx2v.json, `derived`),
 *   the same, run with 2 and 6 of the DiT's 40 blocks and SCALED to 40 per block. No L40S was used:
 *   times are PROJECTED to the L40S with `H200ToL40s` (datasheet throughput), memory is the same on
 *   both GPUs. A test ties these numbers to the result files.
 * - ESTIMATED: everything at 720p (the 480p measurement scaled by tokens or pixels), the bf16 set's
 *   resident memory (its streamed peak plus the DiT's measured bf16 bytes), the per-job allowance and
 *   the cold start (RunPod's quoted volume read rate).
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

/**
 * The ratio of a 720p to a 480p DiT forward, ESTIMATED from a Wan-14B-shaped forward timed on an H200
 * (11.3 s against 3.08 s): 720p has 73,920 tokens against 32,928, and attention grows with their square.
 */
const WAN_FORWARD_720_OVER_480 = 11.3 / 3.08;

/**
 * The H200 figures the projections start from, copied from docker/gpu/results/2026-12-04-h200.json
 * (the fp8 sets) and docker/gpu/results/2026-12-04-h200-bf16-lightx2v.json (the bf16 set, `bf16…`).
 */
export const H200_MEASURED = {
  /** `derived.seconds_per_dit_forward_480p`. */
  ditForwardSeconds480: 5.332,
  /** `derived.of_which_gpu_encoders_and_vae_per_chunk`. */
  gpuOutsideDitPerChunk480: 5.139,
  /** `derived.of_which_other_per_chunk`. */
  otherOutsideDitPerChunk480: 6.226,
  /**
   * `derived.gpu_peak_reserved_gib_480p_in_the_image`: the fp8 set with the LoRA merged, 480p, with the
   * image's `PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True` (42.09 GiB without it; the served job,
   * without it, 43.95).
   */
  fp8PeakReservedGib480: 38.56,
  /** `served_job.gpu_peak_allocated_gib`. */
  fp8PeakAllocatedGib480: 36.71,
  /** `load_cold_page_cache.gpu_peak_allocated_gib`: the weights alone, before a job. */
  fp8WeightsGib: 26.76,
  /** `served_job.host_ram_peak_gib`: load and job. */
  fp8HostRamGib: 23.18,
  /** `derived.seconds_per_dit_forward_streamed_480p_40_layers`: 0.2994 s per block times 40, plus 0.106 s. */
  bf16StreamedForwardSeconds480: 12.082,
  /** `derived.of_which_copy_seconds_40_layers`: the DiT's bf16 bytes at the measured pageable copy rate. */
  bf16StreamedCopySeconds480: 5.039,
  /** `derived.bytes_streamed_per_forward_40_layers`: the whole DiT in bf16, 40 blocks and the rest. */
  bf16DitBytes: 37_764_093_568,
  /** `derived.of_which_gpu_encoders_and_vae_per_chunk`: the served job with the DiT streamed. */
  bf16StreamedGpuOutsideDitPerChunk480: 5.21,
  /** `derived.of_which_other_per_chunk`. */
  bf16StreamedOtherOutsideDitPerChunk480: 8.363,
  /** `derived.gpu_peak_reserved_gib_480p`: the same with 2 and 6 blocks (one block on the GPU at a time). */
  bf16StreamedPeakReservedGib480: 26.14,
  /** `derived.host_ram_peak_gib_40_layers`: 24.25 GiB with 2 blocks plus 1.13 GiB per further block. */
  bf16HostRamGib: 67.29,
  /** `derived.load_seconds_40_layers_local_disk`: 70.85 s with 2 blocks plus 5.28 s per further block. */
  bf16LoadSeconds: 271.3,
} as const;

/** Estimated L40S timing figures shared by every preset (see the top of this file for their source). */
export class L40sTiming {
  /** Seconds per job outside the chunks (wav2vec, T5/CLIP encode, ffmpeg, upload): 30 s, an allowance. */
  public static readonly JOB_OVERHEAD_SECONDS = 30;

  /** Frames per chunk (InfiniteTalk's `frame_num`). */
  public static readonly FRAMES_PER_CHUNK = FRAMES_PER_CHUNK;

  /** Output frame rate. */
  public static readonly FPS = FPS;

  /** Typical read rate of a STANDARD network volume, in MB/s: the low end of RunPod's "200–400 MB/s typical". */
  public static readonly VOLUME_READ_MB_PER_SECOND = 200;

  /**
   * Seconds a worker's load takes beyond reading the files (requantizing, moving weights to the GPU):
   * 60 s, an allowance; the fp8 sets' whole load measured 21.9 s on the H200 harness's local disk.
   */
  public static readonly LOAD_OVERHEAD_SECONDS = 60;

  /**
   * The bf16 set's load beyond reading the volume: MEASURED on the H200 harness's host (16 cores,
   * local disk, page cache dropped) with 2 and 6 DiT blocks, 5.28 s per block, scaled to 40: 271 s
   * (T5 from its `.pth` alone 54 s; the fp32 shards cast block by block). Host CPUs differ, so not
   * projected; the local disk's own reads are in it too, which errs long.
   */
  public static readonly BF16_LOAD_WORK_SECONDS = Math.round(H200_MEASURED.bf16LoadSeconds);

  /**
   * Seconds of one DiT forward pass per 81-frame chunk on one L40S. 480p: 5.332 s measured on the
   * H200 (all 16 forwards of the guidance configurations, fp8 weights multiplied dequantized) times
   * `H200ToL40s.COMPUTE`: 14.6 s. 720p, estimated: that times 3.67, the 720p/480p ratio of a
   * Wan-14B-shaped forward timed on an H200 (11.3 s / 3.08 s): 53.5 s.
   */
  public static ditForwardSeconds(resolution: Resolution): number {
    const at480 = H200_MEASURED.ditForwardSeconds480 * H200ToL40s.COMPUTE;
    return round1(resolution === Resolution.P480 ? at480 : at480 * WAN_FORWARD_720_OVER_480);
  }

  /**
   * Seconds of one DiT forward pass per 81-frame chunk on one L40S with every DiT layer streamed from
   * host RAM (`num_persistent_param_in_dit = 0`, the bf16 set). 480p: 12.08 s measured on the H200
   * (0.299 s per block times 40, plus the rest), of which 5.04 s copy the DiT's 37.8 GB of bf16
   * weights from pageable host memory (7.5 GB/s measured); the copy is taken as it is (the host's
   * staging copy bounds it, not the link: pinned copies ran at 55 GB/s, and the L40S's PCIe Gen4 x16
   * carries 32 GB/s a direction by its datasheet's 64 GB/s both ways), the rest times `H200ToL40s.COMPUTE`: 24.3 s. 720p, estimated: the
   * compute share times the 720p/480p ratio of `ditForwardSeconds`, the copy as at 480p: 75.6 s.
   */
  public static streamedDitForwardSeconds(resolution: Resolution): number {
    const copy = H200_MEASURED.bf16StreamedCopySeconds480;
    const compute = (H200_MEASURED.bf16StreamedForwardSeconds480 - copy) * H200ToL40s.COMPUTE;
    return round1((resolution === Resolution.P480 ? compute : compute * WAN_FORWARD_720_OVER_480) + copy);
  }

  /**
   * Seconds per chunk outside the DiT on one L40S. 480p: the H200's VAE, CLIP and T5 time per chunk
   * (5.139 s) times `H200ToL40s.COMPUTE`, plus the rest (6.226 s: audio embedding, colour
   * correction on the CPU, transfers) as measured: 20.3 s. With the DiT streamed (the bf16 set's
   * served job: 5.210 s on the GPU, 8.363 s the rest, 2.1 s more than resident, not broken down
   * further): 22.6 s. 720p, estimated: that times 2.25, the ratio of pixels per frame
   * (1280x704 against 896x448): 45.5 s, streamed 50.7 s.
   * @param streamed - whether DiT layers stream from host RAM @default false
   */
  public static chunkOverheadSeconds(resolution: Resolution, streamed?: boolean): number {
    const at480 = streamed
      ? H200_MEASURED.bf16StreamedGpuOutsideDitPerChunk480 * H200ToL40s.COMPUTE + H200_MEASURED.bf16StreamedOtherOutsideDitPerChunk480
      : H200_MEASURED.gpuOutsideDitPerChunk480 * H200ToL40s.COMPUTE + H200_MEASURED.otherOutsideDitPerChunk480;
    return round1(resolution === Resolution.P480 ? at480 : at480 * ((1280 * 704) / (896 * 448)));
  }

  /**
   * Estimated seconds a worker takes to read and load a model set of `expectedGb` (its cold start):
   * the read at `VOLUME_READ_MB_PER_SECOND` plus `workSeconds`.
   * @param workSeconds - the load's work beyond the read @default LOAD_OVERHEAD_SECONDS
   */
  public static loadSeconds(expectedGb: number, workSeconds: number = L40sTiming.LOAD_OVERHEAD_SECONDS): number {
    return Math.round((expectedGb * 1000) / L40sTiming.VOLUME_READ_MB_PER_SECOND + workSeconds);
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

const GIB = 1.073741824;
const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * GB more GPU memory a 720p chunk needs than a 480p one, ESTIMATED: the fp8 set's measured 480p
 * activations (peak allocated minus the weights, 9.95 GiB) scaled by tokens (73,920 against 32,928).
 */
const ACTIVATION_GROWTH_720_GB = (H200_MEASURED.fp8PeakAllocatedGib480 - H200_MEASURED.fp8WeightsGib) * (73_920 / 32_928 - 1) * GIB;

/** Memory of the built-in model sets (see the top of this file for their source). */
export class L40sMemory {
  /**
   * The fp8 sets. 480p resident: MEASURED, the peak the allocator reserved with the image's allocator
   * setting (38.56 GiB = 41.4 GB; 36.71 GiB allocated, the same in every run). 720p resident,
   * estimated: that plus the activation growth to 720p: 54.7 GB.
   * Streamed: MeiGen-AI's quantized A100 figures (15 / 33 GB); the worker runs fp8 sets resident.
   */
  public static readonly FP8_GPU: GpuMemoryNeeds = {
    resident480Gb: round1(H200_MEASURED.fp8PeakReservedGib480 * GIB),
    resident720Gb: round1(H200_MEASURED.fp8PeakReservedGib480 * GIB + ACTIVATION_GROWTH_720_GB),
    lowVram480Gb: 15,
    lowVram720Gb: 33,
  };

  /** The fp8 sets' host RAM, MEASURED: the worker process's peak resident memory through load and a job (23.18 GiB = 24.9 GB). */
  public static readonly FP8_HOST_RAM_GB = round1(H200_MEASURED.fp8HostRamGib * GIB);

  /**
   * The bf16 set. Streamed at 480p: MEASURED, the peak the allocator reserved with 2 and 6 DiT blocks
   * (26.14 GiB = 28.1 GB; streaming holds one block at a time, so 40 blocks peak the same). Streamed
   * at 720p, estimated: that plus the activation growth the fp8 sets' 720p figure uses: 41.4 GB.
   * Resident, estimated: the streamed peaks plus the DiT's 37.8 GB of bf16 weights (measured bytes),
   * 65.8 / 79.1 GB, more than a 48 GB GPU holds.
   */
  public static readonly BF16_GPU: GpuMemoryNeeds = (() => {
    const streamed480 = H200_MEASURED.bf16StreamedPeakReservedGib480 * GIB;
    const streamed720 = streamed480 + ACTIVATION_GROWTH_720_GB;
    const dit = H200_MEASURED.bf16DitBytes / 1e9;
    return {
      resident480Gb: round1(streamed480 + dit),
      resident720Gb: round1(streamed720 + dit),
      lowVram480Gb: round1(streamed480),
      lowVram720Gb: round1(streamed720),
    };
  })();

  /**
   * The bf16 set's host RAM, MEASURED with 2 and 6 DiT blocks and scaled to 40: the worker's peak
   * resident memory comes while loading (the fp32 shards are read and cast), 67.29 GiB = 72.3 GB.
   */
  public static readonly BF16_HOST_RAM_GB = round1(H200_MEASURED.bf16HostRamGib * GIB);

  private constructor() {}
}
