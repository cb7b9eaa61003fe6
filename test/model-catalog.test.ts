import * as fs from 'fs';
import * as path from 'path';
import { GenerationPreset, L40sTiming, ModelManifest, ModelSet, Resolution } from '../src';
import { H200_MEASURED, H200ToL40s, L40sMemory } from '../src/l40s-figures';

describe('model catalog', () => {
  test('the fp8 set is about 32 GB and never fetches the whole InfiniteTalk repo or the fairseq checkpoint', () => {
    expect(ModelSet.FP8.expectedGb).toBeGreaterThan(30);
    expect(ModelSet.FP8.expectedGb).toBeLessThan(34);
    for (const set of ModelSet.builtIn()) {
      for (const model of set.models) {
        expect(model.include.length).toBeGreaterThan(0);
        expect(model.include).not.toContain('*');
        expect(model.include).not.toContain('chinese-wav2vec2-base-fairseq-ckpt.pt');
      }
      const wav2vec = set.models.find((m) => m.repo === 'TencentGameMate/chinese-wav2vec2-base');
      expect(wav2vec?.revision).toBe('refs/pr/1');
      expect(wav2vec?.exclude).toContain('chinese-wav2vec2-base-fairseq-ckpt.pt');
    }
  });

  test('the bf16 + lightx2v set is about 94 GB and carries the LoRA', () => {
    expect(ModelSet.BF16_LIGHTX2V.expectedGb).toBeGreaterThan(90);
    expect(ModelSet.BF16_LIGHTX2V.expectedGb).toBeLessThan(98);
    expect(ModelSet.BF16_LIGHTX2V.pipeline.loraFiles).toHaveLength(1);
    expect(ModelSet.BF16_LIGHTX2V.supportsPreset(GenerationPreset.LIGHTX2V_4STEP_LOW_VRAM)).toBe(true);
    expect(ModelSet.FP8_LIGHTX2V.supportsPreset(GenerationPreset.LIGHTX2V_4STEP)).toBe(true);
    expect(ModelSet.FP8_LIGHTX2V.pipeline.quantization).toBe('fp8');
    expect(ModelSet.FP8_LIGHTX2V.pipeline.loraFiles).toEqual(ModelSet.BF16_LIGHTX2V.pipeline.loraFiles);
    expect(ModelSet.FP8.supportsPreset(GenerationPreset.LIGHTX2V_4STEP)).toBe(false);
  });

  test('memory figures let constructs reject what cannot fit a 48 GB L40S', () => {
    const fp8 = ModelSet.FP8;
    // 480p measured on the H200 (peak reserved 38.56 GiB with the image's expandable segments), 720p
    // estimated from it (l40s-figures.ts).
    expect(fp8.gpuMemoryGb(Resolution.P480, fp8.defaultPreset)).toBe(41.4);
    expect(fp8.gpuMemoryGb(Resolution.P720, fp8.defaultPreset)).toBe(54.7);
    expect(ModelSet.FP8_LIGHTX2V.gpuMemoryGb(Resolution.P480, ModelSet.FP8_LIGHTX2V.defaultPreset)).toBeLessThan(48);
    // The bf16 set streamed: 480p measured with 2 and 6 DiT blocks (26.14 GiB reserved), 720p estimated.
    expect(ModelSet.BF16_LIGHTX2V.gpuMemoryGb(Resolution.P480, GenerationPreset.LIGHTX2V_4STEP_LOW_VRAM)).toBe(28.1);
    expect(ModelSet.BF16_LIGHTX2V.gpuMemoryGb(Resolution.P720, GenerationPreset.LIGHTX2V_4STEP_LOW_VRAM)).toBe(41.4);
    // Resident, the bf16 DiT's 37.8 GB come on top: more than 48 GB at either resolution.
    expect(L40sMemory.BF16_GPU.resident480Gb).toBe(65.8);
    expect(L40sMemory.BF16_GPU.resident720Gb).toBe(79.1);
    // Host RAM: 24.25 GiB with 2 blocks + 1.13 GiB per block, scaled to 40 (67.29 GiB).
    expect(ModelSet.BF16_LIGHTX2V.hostRamGb).toBe(72.3);
  });

  test('chunk times: the H200-measured forward projected to the L40S (14.6 s at 480p, 53.4 s at 720p) times steps and passes', () => {
    // Streamed (the bf16 set): (12.08 - 5.04 s copy) x 2.73 + 5.04 = 24.3 s per forward;
    // 4 steps x 2 passes x 24.3 s + 22.6 s outside the DiT (5.21 x 2.73 + 8.36).
    expect(L40sTiming.streamedDitForwardSeconds(Resolution.P480)).toBe(24.3);
    expect(L40sTiming.chunkOverheadSeconds(Resolution.P480, true)).toBe(22.6);
    // 720p, estimated: the compute share x 3.67, the copy as at 480p; outside the DiT x 2.25 (pixels).
    expect(L40sTiming.streamedDitForwardSeconds(Resolution.P720)).toBe(75.6);
    expect(L40sTiming.chunkOverheadSeconds(Resolution.P720, true)).toBe(50.7);
    expect(GenerationPreset.LIGHTX2V_4STEP_LOW_VRAM.expectedSecondsPerChunk(Resolution.P480)).toBe(217);
    // 40 steps x 3 passes x 14.6 s + 20.3 s = 29.5 min
    expect(GenerationPreset.QUALITY_40STEP.expectedSecondsPerChunk(Resolution.P480)).toBe(1772);
    expect(GenerationPreset.BALANCED_40STEP_CFG1.expectedSecondsPerChunk(Resolution.P720)).toBe(4318);
    // The fast default: one pass per step, 4 x 14.6 + 20.3 = 79 s per chunk; 10 s of audio in 346 s (< 6 min).
    expect(GenerationPreset.LIGHTX2V_4STEP_AUDIO_CFG1.expectedSecondsPerChunk(Resolution.P480)).toBe(79);
    expect(GenerationPreset.LIGHTX2V_4STEP_AUDIO_CFG1.expectedJobSeconds(Resolution.P480, 10)).toBe(346);
  });

  test('chunks follow 1 + ceil((frames - 81) / 72)', () => {
    expect(L40sTiming.chunksFor(3.24)).toBe(1);
    expect(L40sTiming.chunksFor(5)).toBe(2);
    expect(L40sTiming.chunksFor(10)).toBe(4);
    expect(L40sTiming.chunksFor(30)).toBe(11);
    expect(L40sTiming.chunksFor(40)).toBe(14);
  });

  test('Resolution.of names the supported values', () => {
    expect(Resolution.of(720)).toBe(Resolution.P720);
    expect(() => Resolution.of(1080)).toThrow(/1080 is not supported: use 480 or 720/);
  });

  describe('custom model sets', () => {
    const base = {
      name: 'mine',
      models: [{ name: 'one', repo: 'me/weights', revision: 'main', include: ['a.safetensors'], expectedBytes: 1_000_000_000 }],
      pipeline: { checkpointDirectory: 'weights', wav2vecDirectory: 'weights', infiniteTalkFile: 'weights/a.safetensors' },
      gpuMemory: { resident480Gb: 30, resident720Gb: 40, lowVram480Gb: 10, lowVram720Gb: 20 },
      hostRamGb: 40,
      presets: [GenerationPreset.QUALITY_40STEP],
    };

    test('a valid custom set defaults its directory to the repository name', () => {
      const set = ModelSet.custom(base);
      expect(set.models[0].directory).toBe('weights');
      expect(set.expectedGb).toBe(1);
    });

    test('fails when a model would fetch the whole repository', () => {
      expect(() => ModelSet.custom({ ...base, models: [{ ...base.models[0], include: [] }] })).toThrow(/include is empty/);
      expect(() => ModelSet.custom({ ...base, models: [{ ...base.models[0], include: ['*'] }] })).toThrow(/fetches the whole repository/);
    });

    test('fails on a malformed repo, revision or pattern', () => {
      expect(() => ModelSet.custom({ ...base, models: [{ ...base.models[0], repo: 'no-owner' }] })).toThrow(/not a Hugging Face repository id/);
      expect(() => ModelSet.custom({ ...base, models: [{ ...base.models[0], revision: '../x' }] })).toThrow(/revision/);
      expect(() => ModelSet.custom({ ...base, models: [{ ...base.models[0], include: ['../etc/passwd'] }] })).toThrow(/without '\.\.'/);
    });

    test('a LoRA on a quantized set is accepted: the worker merges it into the fp8 DiT', () => {
      const files = ['a.safetensors', 'q.safetensors', 'q.json', 't5_fp8.safetensors', 't5_map_fp8.json', 'l.safetensors'];
      const set = ModelSet.custom({
        ...base,
        models: [{ ...base.models[0], include: files }],
        pipeline: { ...base.pipeline, quantization: 'fp8', quantizedDitFile: 'weights/q.safetensors', loraFiles: ['weights/l.safetensors'] },
      });
      expect(set.pipeline.loraFiles).toEqual(['weights/l.safetensors']);
    });

    test('plans its cold start from loadWorkSeconds (default 60 s) and refuses a negative one', () => {
      const set = ModelSet.custom(base);
      expect(set.loadWorkSeconds).toBe(L40sTiming.LOAD_OVERHEAD_SECONDS);
      expect(set.expectedLoadSeconds).toBe(L40sTiming.loadSeconds(set.expectedGb));
      expect(ModelSet.custom({ ...base, loadWorkSeconds: 300 }).expectedLoadSeconds).toBe(set.expectedLoadSeconds + 240);
      expect(() => ModelSet.custom({ ...base, loadWorkSeconds: -1 })).toThrow(/`loadWorkSeconds` is -1/);
      // The bf16 set: 93.7 GB at 200 MB/s (469 s) plus the measured 271 s of load work, scaled from 2 and 6 blocks.
      expect(ModelSet.BF16_LIGHTX2V.expectedLoadSeconds).toBe(740);
    });

    test('fails on duplicate model names and empty preset lists', () => {
      expect(() => ModelSet.custom({ ...base, models: [base.models[0], base.models[0]] })).toThrow(/two models named 'one'/);
      expect(() => ModelSet.custom({ ...base, presets: [] })).toThrow(/lists no presets/);
    });

    test('fails on an out-of-range preset', () => {
      expect(() => GenerationPreset.custom({ name: 'x', description: '', sampleSteps: 0, textGuideScale: 1, audioGuideScale: 1, shift480: 1, shift720: 1 })).toThrow(
        /`sampleSteps` is 0 but must be an integer between 1 and 50/,
      );
    });

    test('its manifest hash differs from the built-in ones', () => {
      expect(ModelManifest.of(ModelSet.custom(base)).sha256).not.toBe(ModelManifest.of(ModelSet.FP8).sha256);
    });
  });
});

describe('the measured figures trace to the GPU result', () => {
  const readResult = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'docker', 'gpu', 'results', name), 'utf8'));

  test('H200_MEASURED is docker/gpu/results/2026-12-04-h200.json and …-bf16-lightx2v.json, field for field', () => {
    const result = readResult('2026-12-04-h200.json');
    const bf16 = readResult('2026-12-04-h200-bf16-lightx2v.json').derived;
    expect(H200_MEASURED).toEqual({
      ditForwardSeconds480: result.derived.seconds_per_dit_forward_480p,
      gpuOutsideDitPerChunk480: result.derived.of_which_gpu_encoders_and_vae_per_chunk,
      otherOutsideDitPerChunk480: result.derived.of_which_other_per_chunk,
      fp8PeakReservedGib480: result.derived.gpu_peak_reserved_gib_480p_in_the_image,
      fp8PeakAllocatedGib480: result.served_job.gpu_peak_allocated_gib,
      fp8WeightsGib: result.load_cold_page_cache.gpu_peak_allocated_gib,
      fp8HostRamGib: result.served_job.host_ram_peak_gib,
      bf16StreamedForwardSeconds480: bf16.seconds_per_dit_forward_streamed_480p_40_layers,
      bf16StreamedCopySeconds480: bf16.of_which_copy_seconds_40_layers,
      bf16DitBytes: bf16.bytes_streamed_per_forward_40_layers,
      bf16StreamedGpuOutsideDitPerChunk480: bf16.of_which_gpu_encoders_and_vae_per_chunk,
      bf16StreamedOtherOutsideDitPerChunk480: bf16.of_which_other_per_chunk,
      bf16StreamedPeakReservedGib480: bf16.gpu_peak_reserved_gib_480p,
      bf16HostRamGib: bf16.host_ram_peak_gib_40_layers,
      bf16LoadSeconds: bf16.load_seconds_40_layers_local_disk,
    });
    expect(result.served_job.status).toBe('COMPLETED');
    expect(readResult('2026-12-04-h200-bf16-lightx2v.json').served_job_2_layers.status).toBe('COMPLETED');
    expect(H200ToL40s.COMPUTE).toBeCloseTo(989 / 362, 6);
  });
});
