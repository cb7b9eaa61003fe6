/**
 * The docs say what the code does: every figure they quote from the catalog is the catalog's, the
 * HTTP statuses they explain are the ones RunPod's spec lists, and what they say survives a
 * `cdktf destroy` is what the synthesized resources keep. When a catalog figure changes, the failing
 * test prints the text to paste.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { GenerationPreset, InfiniteTalkImage, L40sTiming, ModelSet, ModelVolume, Resolution, StorageInitJob } from '../src';
import { ensureRunnerCompiled } from './runpod-emulator/compile-runner';
import { newStack, onlyResource, synthJson } from './util';
import { describeError } from '../src/runner/rest-client';
import { SERVING_SETTINGS } from '../src/runner/worker-contract';

const REPO = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(REPO, file), 'utf8');

/** RunPod's list price of the 48 GB PRO pool (L40, L40S, RTX 6000 Ada) on serverless flex workers, per GPU-second. */
const USD_PER_GPU_SECOND = 0.00053;
/** The example app's defaults: the fp8 set with the lightx2v LoRA, its default preset, up to 10 s of audio at 480p. */
const EXAMPLE = { modelSet: ModelSet.FP8_LIGHTX2V, audioSeconds: SERVING_SETTINGS.maxAudioSeconds.default, resolution: Resolution.P480 };

const minutes = (seconds: number) => (seconds < 1200 ? `~${(seconds / 60).toFixed(1)} min` : `~${Math.round(seconds / 60)} min`);
const dollars = (seconds: number) => `~$${(seconds * USD_PER_GPU_SECOND).toFixed(2)}`;

function describePreset(p: GenerationPreset): string {
  return `\`${p.name}\` (${p.sampleSteps} steps, text CFG ${p.textGuideScale}, audio CFG ${p.audioGuideScale}${p.lowVram ? ', DiT streamed from host RAM' : ''})`;
}

/** The per-preset table of docs/ARCHITECTURE.md §5, from the catalog. */
function speedTable(): string {
  const audio = EXAMPLE.audioSeconds;
  const rows = ModelSet.builtIn().flatMap((set) =>
    set.presets.map((p) => {
      const at720 = set.gpuMemoryGb(Resolution.P720, p) <= 48 ? minutes(p.expectedSecondsPerChunk(Resolution.P720)) : `does not fit 48 GB (${set.gpuMemoryGb(Resolution.P720, p)} GB)`;
      const job = p.expectedJobSeconds(Resolution.P480, audio);
      return `| ${describePreset(p)} | ${set.name} | ${minutes(p.expectedSecondsPerChunk(Resolution.P480))} | ${at720} | ${minutes(job)} | ${dollars(job)} |`;
    }),
  );
  return [
    `| preset | model set | 480p per chunk | 720p per chunk | ${audio} s of audio at 480p (${L40sTiming.chunksFor(audio)} chunks) | that job at the list price |`,
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The cold-start sentence, from the catalog. */
function coldStarts(): string {
  return ModelSet.builtIn()
    .filter((set, i, all) => all.findIndex((s) => s.expectedGb === set.expectedGb) === i)
    .map((set) => `${minutes(set.expectedLoadSeconds)} for ${set.name} (${set.expectedGb} GB)`)
    .join(', ');
}

/** What one job of the example's defaults is estimated to take and cost. */
function exampleJob(): string {
  const preset = EXAMPLE.modelSet.defaultPreset;
  const job = preset.expectedJobSeconds(EXAMPLE.resolution, EXAMPLE.audioSeconds);
  const cold = EXAMPLE.modelSet.expectedLoadSeconds;
  return (
    `one job of up to ${EXAMPLE.audioSeconds} s of audio at 480p with preset \`${preset.name}\` is estimated at ${minutes(job)} on one L40S ` +
    `(${dollars(job)} at the list price of $${USD_PER_GPU_SECOND} per GPU-second), plus ${minutes(cold)} (${dollars(cold)}) when it has to start a worker`
  );
}

function expectContains(file: string, expected: string): void {
  const text = read(file);
  if (!text.includes(expected)) throw new Error(`${file} does not carry the catalog's figures; paste this:\n\n${expected}\n`);
}

describe('docs', () => {
  test('ARCHITECTURE.md §5: the per-preset table, estimated from the catalog', () => {
    expectContains('docs/ARCHITECTURE.md', speedTable());
    expectContains('docs/ARCHITECTURE.md', `a cold start adds ${coldStarts()}`);
  });

  test('the README, DEPLOYMENT and the example say what one job of the example costs, from the catalog', () => {
    for (const file of ['examples/l40s-deployment/README.md', 'docs/DEPLOYMENT.md']) expectContains(file, exampleJob());
    const fast = EXAMPLE.modelSet.defaultPreset.expectedSecondsPerChunk(Resolution.P480);
    const slow = GenerationPreset.QUALITY_40STEP.expectedSecondsPerChunk(Resolution.P480);
    expectContains('README.md', `about ${minutes(fast).slice(1)} at 480p with the example's default (the fp8 set with the lightx2v LoRA merged, 4 steps, one DiT pass per step) and about ${minutes(slow).slice(1)} with the upstream 40-step defaults`);
  });

  test('TROUBLESHOOTING explains the statuses RunPod answers where it says it does, as the runner does', () => {
    const spec = JSON.parse(read('test/fixtures/runpod-rest-v2-openapi.json'));
    const statuses = (p: string) => Object.keys(spec.paths[p].post.responses);
    const text = read('docs/TROUBLESHOOTING.md');
    const row = (status: string, when: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`| \`${status}\` when ${when}`));
      if (!line) throw new Error(`TROUBLESHOOTING.md has no row for ${status} when ${when}`);
      return line;
    };
    // Creating a pod: 400 (capacity, cross-field rules) and 422 (schema); never 409.
    expect(statuses('/v2/pods')).toEqual(expect.arrayContaining(['400', '422']));
    expect(statuses('/v2/pods')).not.toContain('409');
    expect(row('400', 'creating the pod')).toMatch(/capacity/);
    expect(describeError(400, undefined, 'POST', '/v2/pods', 'create the pod')).toMatch(/no capacity/);
    expect(row('422', 'creating the pod')).toMatch(/field/);
    // Terminating a pod: 409 is a state conflict, which the runner resolves itself.
    expect(statuses('/v2/pods/{id}/action')).toContain('409');
    expect(row('409', 'terminating the pod')).toMatch(/state/);
    expect(describeError(409, undefined, 'POST', '/v2/pods/x/action', 'terminate')).toMatch(/state/);
    expect(text).not.toMatch(/`409` when creating/);
  });

  test('DEPLOYMENT\'s teardown: pushed images stay, the init job leaves nothing to destroy', () => {
    ensureRunnerCompiled();
    const stack = newStack();
    new NullProvider(stack, 'null');
    new DockerProvider(stack, 'docker', {});
    const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
    const image = new InfiniteTalkImage(stack, 'image', { repository: 'docker.io/acme/infinitetalk-worker' });
    new StorageInitJob(stack, 'fill', { volume, image });
    const json = synthJson(stack);
    expect(onlyResource(json, 'docker_registry_image').keep_remotely).toBe(true);
    expect(onlyResource(json, 'docker_image').keep_locally).toBe(true);
    expect(onlyResource(json, 'null_resource').provisioner.every((p: any) => p['local-exec'].when !== 'destroy')).toBe(true);
    const teardown = read('docs/DEPLOYMENT.md').split('## Tearing down')[1] ?? '';
    for (const fact of ['pushed image', 'RunPod secrets', 'RUNPOD_API_KEY', 'TF_VAR_', 'keepRemotely']) expect(teardown).toContain(fact);
  });

  test('CONFIGURATION.md names the workerSettings prop, default and range of every worker setting', () => {
    const lines = read('docs/CONFIGURATION.md').split('\n');
    for (const [prop, setting] of Object.entries(SERVING_SETTINGS)) {
      const line = lines.find((l) => l.startsWith(`| \`${setting.env}\` |`) && l.includes(`\`${prop}\``));
      if (prop === 'maxAudioSeconds') continue; // an endpoint prop of its own, documented beside the table
      expect(line, `${setting.env} / ${prop}`).toBeDefined();
    }
    expect(read('docs/CONFIGURATION.md')).toContain(`\`AVATAR_MAX_AUDIO_SECONDS\` comes from the endpoint's \`maxAudioSeconds\` (default ${SERVING_SETTINGS.maxAudioSeconds.default}, range ${SERVING_SETTINGS.maxAudioSeconds.min}–${SERVING_SETTINGS.maxAudioSeconds.max})`);
  });

  test('the Calling the endpoint section quotes the worker\'s own limits', () => {
    const calling = read('docs/DEPLOYMENT.md').split('## Calling the endpoint')[1]?.split('\n## ')[0] ?? '';
    expect(calling).toContain(`${SERVING_SETTINGS.inlineOutputMaxBytes.default.toLocaleString('en-US')} bytes`);
    expect(calling).toContain(`${SERVING_SETTINGS.urlExpirySeconds.default / 86400} days`);
    for (const fact of ['Authorization: Bearer', '/run', '/status/', '10 MB', '30 minutes', 'video_s3']) expect(calling).toContain(fact);
  });
});
