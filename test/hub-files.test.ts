import * as fs from 'fs';
import { Resolution } from '../src';
import { HUB_FILE, HUB_MODEL_SET, HUB_TEST_OVERRIDES, hubFileText, readHubFiles, renderHubFiles, TESTS_FILE } from './contract/hub-files';
import { jobInputProblem, MODEL_MIN_AUDIO_SECONDS, WORKER_ENV } from '../src/runner/worker-contract';

const files = readHubFiles();

describe('RunPod Hub files (docker/.runpod)', () => {
  test('carry what the constructs render for a volume holding the fp8 set (else: npx projen hub:files)', () => {
    const rendered = renderHubFiles(files.hub, files.tests, files.testInput);
    expect(fs.readFileSync(HUB_FILE, 'utf8')).toBe(hubFileText(rendered.hub));
    expect(fs.readFileSync(TESTS_FILE, 'utf8')).toBe(hubFileText(rendered.tests));
    const keys = files.hub.config.env.map((e: any) => e.key);
    expect(keys).toEqual(expect.arrayContaining([WORKER_ENV.modelManifest, WORKER_ENV.modelManifestSha256, WORKER_ENV.preset]));
  });

  test.each(files.tests.tests.map((t: any) => [t.name, t]) as Array<[string, any]>)('the test "%s" is a valid job that finishes within its timeout on the test GPU (estimated)', (_name, t: any) => {
    const env = Object.fromEntries(files.tests.config.env.map((e: any) => [e.key, e.value]));
    const preset = JSON.parse(env[WORKER_ENV.preset]);
    expect(files.tests.config.gpuTypeId).toBe('NVIDIA L40S');
    expect(jobInputProblem(t.input, { ...preset, maxAudioSeconds: Number(env.AVATAR_MAX_AUDIO_SECONDS) })).toBeUndefined();
    // The worker refuses audio longer than max_duration_seconds and pads shorter audio to the model's minimum.
    const audioSeconds = Math.max(MODEL_MIN_AUDIO_SECONDS, HUB_TEST_OVERRIDES.max_duration_seconds);
    const job = HUB_MODEL_SET.defaultPreset.expectedJobSeconds(Resolution.P480, audioSeconds, t.input.steps);
    const coldStart = HUB_MODEL_SET.expectedLoadSeconds;
    expect(job + coldStart).toBeLessThan(t.timeout / 1000);
    // Without the step override the same job would not fit: the override is what makes the test finish.
    expect(HUB_MODEL_SET.defaultPreset.expectedJobSeconds(Resolution.P480, audioSeconds) + coldStart).toBeGreaterThan(t.timeout / 1000);
  });
});
