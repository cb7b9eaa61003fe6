import { createHash } from 'crypto';
import * as fs from 'fs';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { AvatarServerlessEndpoint, GenerationPreset, InfiniteTalkImage, ModelSet, ModelVolume, Resolution, canonicalJson, renderPreset } from '../src';
import { readConfig } from '../src/runner/config';
import { createPodBody } from '../src/runner/pod';
import { jobInputProblem, manifestCovers, runpodS3DataCenter, runpodS3EndpointUrl } from '../src/runner/worker-contract';
import { StorageInitJob } from '../src/storage-init-job';
import { contractCases, contractVectors, initSettingsEnvironment, JOB_ENDPOINTS, servingEnvironment, VECTORS_FILE, vectorsText } from './contract/vectors';
import { ensureRunnerCompiled } from './runpod-emulator/compile-runner';
import { newStack } from './util';

const IMAGE = `docker.io/acme/infinitetalk-worker@sha256:${'e'.repeat(64)}`;
const cases = contractCases();
const file = JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8'));

function verdict(run: () => unknown): { accepted: boolean; reason?: string } {
  try {
    run();
    return { accepted: true };
  } catch (error) {
    return { accepted: false, reason: (error as Error).message };
  }
}

/** A custom set that runs `presets`: the fp8 files, with memory needs that fit 48 GB at 720p, so only the presets vary. */
function setWith(presets: GenerationPreset[]): ModelSet {
  const fp8 = ModelSet.FP8;
  const gpuMemory = { resident480Gb: 30, resident720Gb: 40, lowVram480Gb: 15, lowVram720Gb: 30 };
  return ModelSet.custom({ name: 'vectors', models: fp8.models, pipeline: fp8.pipeline, gpuMemory, hostRamGb: fp8.hostRamGb, presets });
}

describe('contract vectors (test/fixtures/contract-vectors.json)', () => {
  test('the file is what test/contract/vectors.ts generates (else: npx projen contract:vectors)', () => {
    expect(fs.readFileSync(VECTORS_FILE, 'utf8')).toBe(vectorsText(contractVectors()));
  });

  test('holds at least 40 rejected cases, and accepted ones beside them', () => {
    const all = [...file.manifests, ...file.presets, ...file.jobs, ...file.workerSettings, ...file.initSettings];
    expect(all.filter((c: any) => !c.accepted).length).toBeGreaterThanOrEqual(40);
    expect(all.filter((c: any) => c.accepted).length).toBeGreaterThanOrEqual(20);
    expect(new Set(all.map((c: any) => c.name)).size).toBeGreaterThan(all.length / 2);
  });

  test.each(cases.manifests.map((c) => [c.name, c] as const))('manifest: %s', (_name, c) => {
    const result = verdict(() => {
      const set = ModelSet.custom({ ...c.set, gpuMemory: ModelSet.FP8.gpuMemory, hostRamGb: 40, presets: [GenerationPreset.QUALITY_40STEP] });
      if (c.modelDirectory !== undefined) new ModelVolume(newStack(), 'volume', { dataCenter: 'EU-RO-1', modelSet: set, modelDirectory: c.modelDirectory });
    });
    expect(result, result.reason).toMatchObject({ accepted: c.accepted });
  });

  test.each(cases.presets.map((c) => [c.name, c] as const))('preset: %s', (name, c) => {
    let rendered: string | undefined;
    const result = verdict(() => {
      rendered = renderPreset(GenerationPreset.custom(c.preset), Resolution.all().filter((r) => r.pixels <= c.maxResolution), c.maxStepsPerJob);
    });
    expect(result, result.reason).toMatchObject({ accepted: c.accepted });
    if (c.accepted) expect(rendered).toBe(canonicalJson(file.presets.find((p: any) => p.name === name).document));
  });

  describe('jobs', () => {
    // The limits come from what a real endpoint renders, and the file must carry exactly that.
    const limits = Object.fromEntries(
      Object.entries(JOB_ENDPOINTS).map(([key, e]) => {
        const stack = newStack();
        new NullProvider(stack, 'null');
        const preset = GenerationPreset.custom(e.preset);
        const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1', modelSet: setWith([preset]) });
        const endpoint = new AvatarServerlessEndpoint(stack, 'avatar', {
          volume,
          image: InfiniteTalkImage.fromRegistry(stack, 'image', IMAGE),
          maxResolution: Resolution.of(e.maxResolution),
          maxStepsPerJob: e.maxStepsPerJob,
          maxAudioSeconds: e.maxAudioSeconds,
        });
        const document = JSON.parse(endpoint.environment.AVATAR_PRESET);
        return [key, { document, maxAudioSeconds: Number(endpoint.environment.AVATAR_MAX_AUDIO_SECONDS) }];
      }),
    );

    test('the file carries the preset and audio limit the endpoints render', () => {
      for (const job of file.jobs) {
        const c = cases.jobs.find((j) => j.name === job.name)!;
        expect(canonicalJson(job.preset)).toBe(canonicalJson(limits[c.endpoint].document));
        expect(job.maxAudioSeconds).toBe(limits[c.endpoint].maxAudioSeconds);
      }
    });

    test.each(cases.jobs.map((c) => [c.name, c] as const))('job: %s', (_name, c) => {
      const { document, maxAudioSeconds } = limits[c.endpoint];
      const problem = jobInputProblem(c.input, { ...document, maxAudioSeconds });
      expect({ accepted: problem === undefined, problem }).toMatchObject({ accepted: c.accepted });
    });
  });

  test.each(cases.workerSettings.map((c) => [c.name, c] as const))('worker settings: %s', (_name, c) => {
    let environment: Record<string, string> = {};
    const result = verdict(() => {
      const stack = newStack();
      const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
      const image = InfiniteTalkImage.fromRegistry(stack, 'image', IMAGE);
      environment = new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, workerSettings: c.settings, maxAudioSeconds: c.maxAudioSeconds }).environment;
    });
    expect(result, result.reason).toMatchObject({ accepted: c.accepted });
    if (c.accepted) expect(environment).toMatchObject(servingEnvironment(c));
  });

  describe('init settings', () => {
    beforeAll(() => ensureRunnerCompiled());
    test.each(cases.initSettings.map((c) => [c.name, c] as const))('init settings: %s', (_name, c) => {
      let job: StorageInitJob | undefined;
      const result = verdict(() => {
        const stack = newStack();
        new NullProvider(stack, 'null');
        const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
        job = new StorageInitJob(stack, 'fill', { volume, image: InfiniteTalkImage.fromRegistry(stack, 'image', IMAGE), downloadAttempts: c.downloadAttempts, downloadConcurrency: c.downloadConcurrency });
      });
      expect(result, result.reason).toMatchObject({ accepted: c.accepted });
      if (!c.accepted) return;
      // What the pod gets: the construct's local-exec environment through the runner's own config and pod body.
      const local = (job!.resource as any).provisioners[0].environment;
      const podEnv = createPodBody(readConfig({ ...local, RUNPOD_API_KEY: 'k'.repeat(32), AVATAR_INIT_VOLUME_ID: 'vol', AVATAR_INIT_DATA_CENTER: 'EU-RO-1' }), 'run').env as Record<string, string>;
      expect(podEnv).toMatchObject(initSettingsEnvironment(c));
    });
  });

  test.each(cases.fnmatch.map((c) => [`${c.pattern} ~ ${c.path}`, c] as const))('pattern %s', (_name, c) => {
    expect(manifestCovers([{ name: 'm', directory: 'm', include: [c.pattern], exclude: [] }], `m/${c.path}`)).toBe(c.matches);
  });

  test("RunPod's S3 API endpoints and their data centres", () => {
    for (const { dataCenter, endpointUrl } of file.runpodS3.endpoints) {
      expect(runpodS3EndpointUrl(dataCenter)).toBe(endpointUrl);
      expect(runpodS3DataCenter(endpointUrl)).toBe(dataCenter);
      expect(runpodS3DataCenter(`${endpointUrl}/`)).toBe(dataCenter);
    }
    for (const endpointUrl of file.runpodS3.notRunpod) expect(runpodS3DataCenter(endpointUrl)).toBeUndefined();
  });

  test('canonical JSON and its sha256', () => {
    for (const v of file.canonicalJson) {
      expect(canonicalJson(v.value)).toBe(v.canonical);
      expect(createHash('sha256').update(v.canonical, 'utf8').digest('hex')).toBe(v.sha256);
    }
  });
});
