/**
 * The storage-init runner, run as a real child process (`node lib/runner/storage-init-runner.js`)
 * against the loopback RunPod emulator. The core invariant checked everywhere: the pod ends
 * TERMINATED whatever happens, and no request breaks the REST v2 spec.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { ensureRunnerCompiled, RunpodEmulator } from './runpod-emulator';
import { ModelManifest } from '../src/manifest';
import { ModelSet } from '../src/model-set';
import { readConfig } from '../src/runner/config';
import { createPodBody } from '../src/runner/pod';
import { renderBar, renderPlain } from '../src/runner/progress';
import { parseRateLimit, parseRetryAfter, retryDelayMs } from '../src/runner/rest-client';
import { SseParser } from '../src/runner/sse';
import { parseWorkerLog, WorkerOutput } from '../src/runner/worker-output';

const MANIFEST = ModelManifest.of(ModelSet.FP8);
const IMAGE = `docker.io/acme/infinitetalk-worker@sha256:${'a'.repeat(64)}`;

const log = (message: string, stage = 'init'): string => JSON.stringify({ event: 'log', level: 'info', stage, message });
const progress = (bytesDone: number, bytesTotal = 32e9): string =>
  JSON.stringify({ event: 'progress', stage: 'download', file: 'Wan2.1-I2V-14B-480P/model.safetensors', bytesDone, bytesTotal, rateBytesPerSecond: 150e6, etaSeconds: (bytesTotal - bytesDone) / 150e6 });
const resultOk = JSON.stringify({ event: 'result', mode: 'init', ok: true, manifestSha256: MANIFEST.sha256, totalBytes: 32e9, downloadedBytes: 12e9, files: 42, seconds: 321.5, lockFile: '/runpod-volume/infinitetalk/avatar-models.lock.json' });
const resultFailed = JSON.stringify({ event: 'result', mode: 'init', ok: false, error: { code: 'DOWNLOAD_FAILED', message: 'Wan-AI/Wan2.1-I2V-14B-480P: 3 attempts failed (HTTP 503)' } });

let runnerJs: string;
let emulator: RunpodEmulator;
let url: string;
let volumeId: string;

beforeAll(() => {
  runnerJs = ensureRunnerCompiled();
});

beforeEach(async () => {
  emulator = new RunpodEmulator({ loud: false });
  ({ url } = await emulator.start());
  volumeId = emulator.seedVolume({ size: 40, dataCenter: 'EU-RO-1', name: 'models' }).id;
});

afterEach(async () => {
  await emulator.stop();
});

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stdout(): string;
}

function baseEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    RUNPOD_API_KEY: emulator.apiKey,
    RUNPOD_API_BASE_URL: url,
    AVATAR_INIT_IMAGE: IMAGE,
    AVATAR_INIT_VOLUME_ID: volumeId,
    AVATAR_INIT_DATA_CENTER: 'EU-RO-1',
    AVATAR_INIT_MODEL_ROOT: '/runpod-volume/infinitetalk',
    AVATAR_INIT_MANIFEST: MANIFEST.json,
    AVATAR_INIT_MANIFEST_SHA256: MANIFEST.sha256,
    AVATAR_INIT_COMPUTE: JSON.stringify({ cpu: { id: 'cpu5c', vcpuCount: 4 } }),
    AVATAR_INIT_TIMEOUT_SECONDS: '60',
    AVATAR_INIT_DOWNLOAD_ATTEMPTS: '3',
    AVATAR_INIT_POD_NAME: 'test-storage-init',
    AVATAR_RUNNER_POLL_MS: '20',
    AVATAR_RUNNER_BACKOFF_MS: '10',
    AVATAR_RUNNER_BACKOFF_MAX_MS: '50',
    AVATAR_RUNNER_PROGRESS_INTERVAL_MS: '0',
    AVATAR_RUNNER_EXIT_GRACE_MS: '200',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function startRunner(overrides: Record<string, string | undefined> = {}): Run {
  const child = spawn(process.execPath, [runnerJs], { env: baseEnv(overrides), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function expectAllPodsTerminated(): void {
  expect(emulator.allPods.length).toBeGreaterThan(0);
  for (const pod of emulator.allPods) expect(pod.status).toBe('TERMINATED');
  const terminates = emulator.actionsReceived.filter((a) => a.action === 'terminate');
  expect(terminates.map((a) => a.status)).toContain(204);
}

function expectSpecClean(): void {
  expect(emulator.specViolations).toEqual([]);
  expect(emulator.unknownRequests).toEqual([]);
}

describe('storage-init runner against the emulator', () => {
  test('success: exit 0, progress printed, the pod terminated', async () => {
    emulator.scriptNextPod({ logs: [log('resolving revisions'), progress(0), progress(16e9), progress(32e9), log('verifying'), resultOk], then: 'exit' });
    const run = startRunner();
    const { code, stdout, stderr } = await run.done;
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toContain('[init] resolving revisions');
    expect(stderr).toMatch(/progress: 16\.0 GB\/32\.0 GB \(50%\) at 150\.0 MB\/s, ETA 1m47s/);
    expect(stdout).toMatch(/storage init: OK: 32\.0 GB verified on volume \w+, 12\.0 GB downloaded/);
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('sends the pod body that the REST v2 spec and the worker init mode call for', async () => {
    const run = startRunner({ HF_TOKEN: 'hf_runnerTestToken000000000000000', HF_ENDPOINT: 'https://hub.example.invalid' });
    expect((await run.done).code).toBe(0);
    const [create] = emulator.requestsFor('createPod');
    const body = create.body as any;
    expect(body).toEqual({
      name: 'test-storage-init',
      image: IMAGE,
      cpu: { id: 'cpu5c', vcpuCount: 4 },
      cloud: 'SECURE',
      dataCenterIds: ['EU-RO-1'],
      mounts: { network: [{ volumeId, path: '/runpod-volume' }] },
      env: {
        AVATAR_MODE: 'init',
        AVATAR_MODEL_MANIFEST: MANIFEST.json,
        AVATAR_MODEL_MANIFEST_SHA256: MANIFEST.sha256,
        AVATAR_MODEL_ROOT: '/runpod-volume/infinitetalk',
        AVATAR_DOWNLOAD_ATTEMPTS: '3',
        AVATAR_DOWNLOAD_CONCURRENCY: '4',
        AVATAR_INIT_RUN_ID: expect.stringMatching(/^[0-9a-f-]{36}$/),
        HF_TOKEN: 'hf_runnerTestToken000000000000000',
        HF_ENDPOINT: 'https://hub.example.invalid',
      },
      disk: 30,
      ports: [],
    });
    expect(create.headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
    expectSpecClean();
  });

  test('a RunPod secret name becomes the HF_TOKEN reference; a GPU compute and a registry are passed through', async () => {
    const registry = emulator.seedRegistry();
    const run = startRunner({
      HF_TOKEN: 'hf_mustNotBeSent00000000000000000',
      AVATAR_INIT_HF_TOKEN_SECRET: 'hf_token',
      AVATAR_INIT_COMPUTE: JSON.stringify({ gpu: { id: 'NVIDIA L40S', count: 1 } }),
      AVATAR_INIT_REGISTRY_AUTH_ID: registry.id,
    });
    expect((await run.done).code).toBe(0);
    const body = emulator.requestsFor('createPod')[0].body as any;
    expect(body.env.HF_TOKEN).toBe('{{ RUNPOD_SECRET_hf_token }}');
    expect(JSON.stringify(emulator.requests)).not.toContain('hf_mustNotBeSent');
    expect(body.gpu).toEqual({ id: 'NVIDIA L40S', count: 1 });
    expect(body.cpu).toBeUndefined();
    expect(body.registry).toBe(registry.id);
    expectSpecClean();
  });

  test('init failure: non-zero exit with the log tail and the error code, the pod terminated', async () => {
    emulator.scriptNextPod({ logs: [log('downloading'), progress(1e9), log('HTTP 503 from the Hub, retrying', 'download'), resultFailed], then: 'fail' });
    const { code, stderr } = await startRunner().done;
    expect(code).toBe(1);
    expect(stderr).toContain('last ');
    expect(stderr).toContain('| [download] HTTP 503 from the Hub, retrying');
    expect(stderr).toContain('FAILED (DOWNLOAD_FAILED: Wan-AI/Wan2.1-I2V-14B-480P: 3 attempts failed (HTTP 503))');
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('a pod that stops without a result line fails the job', async () => {
    emulator.scriptNextPod({ logs: [log('starting'), 'Traceback (most recent call last):', 'MemoryError'], then: 'error' });
    const { code, stderr } = await startRunner().done;
    expect(code).toBe(1);
    expect(stderr).toContain('without writing a result line');
    expect(stderr).toContain('| MemoryError');
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('timeout: a hanging pod is terminated and the runner exits 124 with the tail', async () => {
    emulator.scriptNextPod({ logs: [log('downloading'), progress(5e9)], then: 'hang' });
    const { code, stderr } = await startRunner({ AVATAR_INIT_TIMEOUT_SECONDS: '1' }).done;
    expect(code).toBe(124);
    expect(stderr).toContain('TIMED OUT');
    expect(stderr).toContain('| [init] downloading');
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('a dropped log stream is resumed with Last-Event-ID: no line lost or duplicated', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => log(`line ${String(i).padStart(2, '0')}`));
    emulator.scriptNextPod({ logs: [...lines, resultOk], then: 'exit', dropStreamAfter: 10, lineIntervalMs: 5 });
    const { code, stdout } = await startRunner().done;
    expect(code).toBe(0);
    const streams = emulator.requestsFor('getPodLogs');
    expect(streams.length).toBeGreaterThanOrEqual(2);
    expect(streams[0].headers['last-event-id']).toBeUndefined();
    expect(streams[1].headers['last-event-id']).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (let i = 0; i < 30; i++) {
      const occurrences = stdout.split(`[init] line ${String(i).padStart(2, '0')}\n`).length - 1;
      expect({ line: i, occurrences }).toEqual({ line: i, occurrences: 1 });
    }
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('a stream dropped in the backlog of a pod that already exited is resumed to the result', async () => {
    emulator.scriptNextPod({ logs: [log('one'), progress(1e9), log('two'), resultOk], then: 'exit', dropStreamAfter: 2, lineIntervalMs: 1, startupMs: 1 });
    const { code, stdout } = await startRunner({ AVATAR_RUNNER_POLL_MS: '100' }).done;
    expect(code).toBe(0);
    expect(stdout.match(/\[init\] one/g)).toHaveLength(1);
    expect(stdout.match(/\[init\] two/g)).toHaveLength(1);
    expect(emulator.requestsFor('getPodLogs')[1].headers['last-event-id']).toBeDefined();
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('a silent stream to a running pod is reopened with Last-Event-ID', async () => {
    emulator.scriptNextPod({ logs: [log('quiet now')], then: 'hang' });
    const { code, stderr } = await startRunner({ AVATAR_RUNNER_STREAM_IDLE_MS: '150', AVATAR_INIT_TIMEOUT_SECONDS: '1' }).done;
    expect(code).toBe(124);
    expect(stderr).toContain('no log output from pod');
    const streams = emulator.requestsFor('getPodLogs');
    expect(streams.length).toBeGreaterThanOrEqual(2);
    expect(streams[1].headers['last-event-id']).toBeDefined();
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('a 429 storm: waits for Retry-After three times, then succeeds', async () => {
    emulator.rateLimitNext(3, 1, { method: 'POST', path: /^\/v2\/pods$/ });
    const { code, stderr } = await startRunner().done;
    expect(code).toBe(0);
    const creates = emulator.requestsFor('createPod');
    expect(creates.map((r) => r.status)).toEqual([429, 429, 429, 201]);
    for (let i = 1; i < creates.length; i++) expect(creates[i].at - creates[i - 1].at).toBeGreaterThanOrEqual(990);
    expect(stderr).toContain('429 Too Many Requests; retrying in 1.');
    expect(emulator.allPods).toHaveLength(1);
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('5xx answers while following are retried', async () => {
    emulator.failNext(2, 503, { method: 'GET', path: /^\/v2\/pods\/[^/]+$/ });
    emulator.scriptNextPod({ logs: [log('a'), resultOk], then: 'exit', startupMs: 60 });
    const { code } = await startRunner().done;
    expect(code).toBe(0);
    expect(emulator.requestsFor('getPod').filter((r) => r.status === 503)).toHaveLength(2);
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-run terminates the pod and exits %i', async (signal, exitCode) => {
    emulator.scriptNextPod({ logs: [log('downloading forever'), progress(1e9)], then: 'hang' });
    const run = startRunner();
    await waitFor(() => run.stdout().includes('downloading forever'), 'the runner to follow the pod');
    run.child.kill(signal);
    const { code, stderr } = await run.done;
    expect(code).toBe(exitCode);
    expect(stderr).toContain(`INTERRUPTED by ${signal}`);
    expectAllPodsTerminated();
    expectSpecClean();
  });

  test('a bad key: 401 becomes "set RUNPOD_API_KEY", and no pod is created', async () => {
    const { code, stderr } = await startRunner({ RUNPOD_API_KEY: 'not-the-right-key-0123456789' }).done;
    expect(code).toBe(1);
    expect(stderr).toContain('set RUNPOD_API_KEY');
    expect(stderr).toContain('401');
    expect(emulator.allPods).toEqual([]);
    expectSpecClean();
  });

  test('no key at all: exit 2 before any request', async () => {
    const { code, stderr } = await startRunner({ RUNPOD_API_KEY: undefined }).done;
    expect(code).toBe(2);
    expect(stderr).toContain('RUNPOD_API_KEY is not set');
    expect(emulator.requests).toEqual([]);
  });

  test('--parse-log prints the parsed outcome as JSON', () => {
    const input = [log('hello'), 'not json', progress(1), progress(2), resultFailed, ''].join('\n');
    const out = spawnSync(process.execPath, [runnerJs, '--parse-log'], { input, encoding: 'utf8' });
    expect(out.status).toBe(1);
    expect(JSON.parse(out.stdout)).toEqual({
      ok: false,
      result: JSON.parse(resultFailed),
      progressEvents: 2,
      logEvents: 1,
      ignoredLines: 1,
    });
    const good = spawnSync(process.execPath, [runnerJs, '--parse-log'], { input: `${progress(1)}\n${resultOk}\n`, encoding: 'utf8' });
    expect(good.status).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, progressEvents: 1 });
  });
});

describe('runner units', () => {
  test('SSE parser: ids, multi-line data, comments, CRLF and split chunks', () => {
    const parser = new SseParser();
    const events = [
      ...parser.feed(': ping\n\nid: 1\ndata: {"line":"a"}\n\nid: 2\r\ndata: x\r\ndata: y\r\n'),
      ...parser.feed('\r\nid: 3\nda'),
      ...parser.feed('ta: z\n\n'),
    ];
    expect(events).toEqual([
      { id: '1', event: 'message', data: '{"line":"a"}' },
      { id: '2', event: 'message', data: 'x\ny' },
      { id: '3', event: 'message', data: 'z' },
    ]);
    expect(parser.lastEventId).toBe('3');
  });

  test('RateLimit and Retry-After parsing drive the retry delay', () => {
    expect(parseRateLimit('"minute";r=0;t=12, "hour";r=2800;t=1812')).toEqual([
      { window: 'minute', remaining: 0, resetSeconds: 12 },
      { window: 'hour', remaining: 2800, resetSeconds: 1812 },
    ]);
    expect(parseRetryAfter('7')).toBe(7);
    const options = { backoffBaseMs: 100, backoffMaxMs: 1000, maxRetryAfterMs: 60_000, random: () => 0 };
    expect(retryDelayMs(new Headers({ 'retry-after': '3' }), 0, options)).toBe(3000);
    expect(retryDelayMs(new Headers({ ratelimit: '"minute";r=0;t=12' }), 0, options)).toBe(12_000);
    expect(retryDelayMs(undefined, 0, options)).toBe(50);
    expect(retryDelayMs(undefined, 3, options)).toBe(400);
    expect(retryDelayMs(undefined, 10, { ...options, random: () => 0.999 })).toBeLessThanOrEqual(1000);
  });

  test('worker output: result, progress, log tail', () => {
    const output = new WorkerOutput(3);
    for (const line of [log('one'), log('two'), progress(5), 'raw', log('three'), resultOk]) output.accept(line);
    expect(output.result?.ok).toBe(true);
    expect(output.progressEvents).toBe(1);
    expect(output.logTail()).toEqual(['raw', '[init] three', resultOk]);
    expect(parseWorkerLog('{"event":"result"}\n[]\n')).toMatchObject({ ok: false, result: null, ignoredLines: 2 });
  });

  test('progress rendering', () => {
    const event = JSON.parse(progress(8e9));
    expect(renderPlain(event)).toBe('progress: 8.0 GB/32.0 GB (25%) at 150.0 MB/s, ETA 2m40s (Wan2.1-I2V-14B-480P/model.safetensors)');
    expect(renderBar(event, 100)).toMatch(/^\[#+\.+\] 8\.0 GB\/32\.0 GB 25%/);
  });

  test('pod body: the secret reference wins over a deploy-time token', () => {
    const config = readConfig(baseEnv({ RUNPOD_API_KEY: 'k'.repeat(20), RUNPOD_API_BASE_URL: 'http://127.0.0.1:1/v2/', HF_TOKEN: 'hf_x', AVATAR_INIT_HF_TOKEN_SECRET: 'hf' }));
    expect(config.apiBaseUrl).toBe('http://127.0.0.1:1');
    expect((createPodBody(config, 'run').env as any).HF_TOKEN).toBe('{{ RUNPOD_SECRET_hf }}');
  });

  test('config errors list every problem', () => {
    expect(() => readConfig({ AVATAR_INIT_COMPUTE: '{"cpu":{"id":"cpu5c","vcpuCount":3}}', AVATAR_INIT_HF_TOKEN_SECRET: '{{ x }}' })).toThrow(
      /RUNPOD_API_KEY is not set[\s\S]*AVATAR_INIT_COMPUTE[\s\S]*power of two[\s\S]*AVATAR_INIT_HF_TOKEN_SECRET/,
    );
  });
});
