/**
 * The RunPod Hub files (`docker/.runpod/hub.json`, `tests.json`) carry what a Hub deployment needs,
 * rendered by the constructs themselves: the fp8 manifest and its hash, the default preset, the
 * model root, the audio limit and the start timeout, exactly as `AvatarServerlessEndpoint` sets them
 * for a volume filled with `ModelSet.FP8`. `npx projen hub:files` rewrites those entries;
 * `test/hub-files.test.ts` fails when they are stale or when the Hub's test would not finish within
 * its timeout, and `docker/tests/test_hub_files.py` reads both files with the worker's own loaders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { AvatarServerlessEndpoint, InfiniteTalkImage, ModelSet, ModelVolume } from '../../src';
import { SERVING_SETTINGS, WORKER_ENV } from '../../src/runner/worker-contract';

const DOCKER = path.join(__dirname, '..', '..', 'docker');
/** The Hub's files. */
export const HUB_FILE = path.join(DOCKER, '.runpod', 'hub.json');
export const TESTS_FILE = path.join(DOCKER, '.runpod', 'tests.json');
/** The input `python handler.py` runs; the Hub's test sends it too. */
export const TEST_INPUT_FILE = path.join(DOCKER, 'test_input.json');

/** The Hub's test may ask for fewer steps than the preset's, so that one job fits the test's timeout on an L40S. */
export const HUB_TEST_OVERRIDES = { steps: 8, max_duration_seconds: 3, output: 'base64' } as const;

/** The model set a Hub deployment's volume holds. */
export const HUB_MODEL_SET = ModelSet.FP8;

/** The worker environment the endpoint renders for a volume holding the Hub's model set. */
export function hubEndpoint(): AvatarServerlessEndpoint {
  const stack = new TerraformStack(new App(), 'hub');
  const volume = ModelVolume.fromVolumeAttributes(stack, 'volume', { volumeId: 'hub', dataCenter: 'EU-RO-1', sizeGb: 40, modelSet: HUB_MODEL_SET });
  const image = InfiniteTalkImage.fromRegistry(stack, 'image', `runpod/hub@sha256:${'0'.repeat(64)}`);
  return new AvatarServerlessEndpoint(stack, 'endpoint', { volume, image });
}

/** Fixed values a Hub user does not choose. */
const FIXED = [
  WORKER_ENV.modelManifest,
  WORKER_ENV.modelManifestSha256,
  WORKER_ENV.preset,
  WORKER_ENV.huggingFaceOffline,
  WORKER_ENV.runpodInitTimeout,
];

type EnvEntry = { key: string; value?: string; input?: Record<string, unknown> };

function upsert(entries: EnvEntry[], entry: EnvEntry): EnvEntry[] {
  const index = entries.findIndex((e) => e.key === entry.key);
  if (index < 0) return [...entries, entry];
  return entries.map((e, i) => (i === index ? { ...e, ...entry, ...(entry.input ? { input: { ...e.input, ...entry.input } } : {}) } : e));
}

/** `hub.json` and `tests.json` with every entry the constructs render brought up to date. */
export function renderHubFiles(hub: any, tests: any, testInput: any): { hub: any; tests: any } {
  const env = hubEndpoint().environment;
  const maxAudio = SERVING_SETTINGS.maxAudioSeconds;
  let hubEnv: EnvEntry[] = hub.config.env;
  hubEnv = upsert(hubEnv, { key: WORKER_ENV.modelRoot, input: { default: env[WORKER_ENV.modelRoot] } });
  hubEnv = upsert(hubEnv, { key: maxAudio.env, input: { default: maxAudio.default, min: maxAudio.min, max: maxAudio.max } });
  for (const key of FIXED) hubEnv = upsert(hubEnv, { key, value: env[key] });
  let testsEnv: EnvEntry[] = tests.config.env;
  for (const key of [WORKER_ENV.modelRoot, maxAudio.env, ...FIXED]) testsEnv = upsert(testsEnv, { key, value: env[key] });
  return {
    hub: { ...hub, config: { ...hub.config, env: hubEnv } },
    tests: {
      ...tests,
      tests: tests.tests.map((t: any) => ({ ...t, input: { ...testInput.input, ...HUB_TEST_OVERRIDES } })),
      config: { ...tests.config, env: testsEnv },
    },
  };
}

/** The text of a Hub file. */
export function hubFileText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Reads the three files. */
export function readHubFiles(): { hub: any; tests: any; testInput: any } {
  const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
  return { hub: read(HUB_FILE), tests: read(TESTS_FILE), testInput: read(TEST_INPUT_FILE) };
}
