import { canonicalJson, GenerationPreset, MANIFEST_FORMAT_VERSION, ModelManifest, ModelSet, Resolution, renderPreset } from '../src';

describe('manifest', () => {
  test('the fp8 manifest lists every model with its directory and the pipeline files', () => {
    const manifest = JSON.parse(ModelManifest.of(ModelSet.FP8).json);
    expect(manifest.formatVersion).toBe(MANIFEST_FORMAT_VERSION);
    expect(manifest.modelSet).toBe('fp8');
    expect(manifest.models.map((m: any) => m.directory)).toEqual(['Wan2.1-I2V-14B-480P', 'chinese-wav2vec2-base', 'InfiniteTalk']);
    expect(manifest.pipeline.quantization).toBe('fp8');
    expect(manifest.pipeline.quantizedDitFile).toBe('InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors');
    expect(manifest.models[0].revisionPinned).toBe(false);
  });

  test('same set, same hash', () => {
    expect(ModelManifest.of(ModelSet.FP8).sha256).toBe(ModelManifest.of(ModelSet.FP8).sha256);
    expect(ModelManifest.of(ModelSet.FP8).sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  describe('any change of file, revision or pattern gives a new hash', () => {
    const base = ModelSet.FP8;
    const variant = (change: (m: any) => any) =>
      ModelManifest.of(
        ModelSet.custom({
          name: base.name,
          models: base.models.map((m, i) => (i === 0 ? change(m) : m)),
          pipeline: base.pipeline,
          gpuMemory: base.gpuMemory,
          hostRamGb: base.hostRamGb,
          presets: base.presets,
        }),
      ).sha256;
    const original = ModelManifest.of(base).sha256;

    test('rebuilding the same set through custom() keeps the hash', () => {
      expect(variant((m) => m)).toBe(original);
    });
    test('revision', () => expect(variant((m) => ({ ...m, revision: 'a'.repeat(40) }))).not.toBe(original));
    test('an added file', () => expect(variant((m) => ({ ...m, include: [...m.include, 'extra.json'] }))).not.toBe(original));
    test('a changed pattern', () => expect(variant((m) => ({ ...m, include: m.include.map((p: string) => p.replace('*', '*.json')) }))).not.toBe(original));
    test('an exclude pattern', () => expect(variant((m) => ({ ...m, exclude: ['assets/*'] }))).not.toBe(original));
    test('expected size', () => expect(variant((m) => ({ ...m, expectedBytes: m.expectedBytes + 1 }))).not.toBe(original));
  });

  test('canonical JSON sorts keys recursively and escapes non-ASCII like Python json.dumps(ensure_ascii=True)', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 'é' }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":"\\u00e9","z":1}]},"b":1}');
  });

  test('renders the preset the worker reads from AVATAR_PRESET', () => {
    const preset = JSON.parse(renderPreset(GenerationPreset.LIGHTX2V_4STEP_LOW_VRAM, [Resolution.P480]));
    expect(preset).toEqual({
      audioGuideScale: 2,
      colorCorrectionStrength: 1,
      maxStepsAllowed: 4,
      motionFrame: 9,
      name: 'lightx2v-4step-low-vram',
      numPersistentParamInDit: 0,
      offloadModel: false,
      resolutions: [480],
      sampleSteps: 4,
      shift: { 480: 2, 720: 2 },
      t5Cpu: false,
      textGuideScale: 1,
    });
  });
});
