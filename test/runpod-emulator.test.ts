/**
 * The loopback RunPod REST v2 emulator itself: spec validation of requests (and, strict, of its own
 * responses), auth, rate limiting, pod lifecycle and logs, and the other resources.
 */
import { RunpodEmulator } from './runpod-emulator';

let emulator: RunpodEmulator;
let url: string;

beforeEach(async () => {
  emulator = new RunpodEmulator({ loud: false });
  ({ url } = await emulator.start());
});

afterEach(async () => {
  await emulator.stop();
});

interface Answer {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${emulator.apiKey}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

async function readEvents(path: string, headers: Record<string, string> = {}, max = Infinity): Promise<Array<{ id: string; data: any }>> {
  const controller = new AbortController();
  const response = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${emulator.apiKey}`, ...headers }, signal: controller.signal });
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const events: Array<{ id: string; data: any }> = [];
  let buffer = '';
  try {
    for await (const chunk of response.body as any) {
      buffer += Buffer.from(chunk).toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) events.push({ id, data: JSON.parse(data) });
      }
      if (events.length >= max) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return events;
}

const waitFor = async (condition: () => boolean, what: string): Promise<void> => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

function podBody(volumeId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'p', image: 'img', cpu: { id: 'cpu5c', vcpuCount: 2 }, cloud: 'SECURE', dataCenterIds: ['EU-RO-1'], mounts: { network: [{ volumeId, path: '/runpod-volume' }] }, ...extra };
}

describe('runpod emulator', () => {
  test('a request the spec rejects is answered 422 and recorded in specViolations', async () => {
    const { status, body, headers } = await call('POST', '/v2/pods', { name: 'p', image: 'img', cpu: { id: 'cpu5c', vcpuCount: 2 }, bogus: true, disk: 'big' });
    expect(status).toBe(422);
    expect(headers.get('content-type')).toBe('application/problem+json');
    expect(body).toMatchObject({ title: 'Unprocessable Entity', status: 422 });
    expect(body.errors.join('\n')).toMatch(/disk[\s\S]*must be integer|must be integer[\s\S]*disk/);
    expect(emulator.specViolations).toHaveLength(1);
    expect(emulator.specViolations[0]).toMatchObject({ kind: 'request', method: 'POST', path: '/v2/pods', operationId: 'createPod' });
    expect(emulator.specViolations[0].errors.join('\n')).toContain('bogus');
    expect(emulator.allPods).toEqual([]);
  });

  test('a bad query or header is a 400 violation', async () => {
    const { status } = await call('GET', '/v2/pods/abc/logs?tail=9000&source=stdout', undefined, { 'Last-Event-ID': 'not-a-time' });
    expect(status).toBe(400);
    const errors = emulator.specViolations[0].errors.join('\n');
    for (const name of ['tail', 'source', 'Last-Event-ID']) expect(errors).toContain(`'${name}'`);
  });

  test('auth: a missing or wrong bearer key is a 401 problem', async () => {
    const missing = await fetch(`${url}/v2/pods`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ title: 'Unauthorized', status: 401, detail: 'missing bearer token' });
    expect((await call('GET', '/v2/pods', undefined, { Authorization: 'Bearer wrong-key-000000000000' })).status).toBe(401);
    expect(emulator.specViolations).toEqual([]);
  });

  test('unknown paths (REST v1, GraphQL) are recorded loudly', async () => {
    expect((await call('POST', '/graphql', { query: '{ myself { id } }' })).status).toBe(404);
    expect((await call('GET', '/v1/pods')).status).toBe(404);
    expect(emulator.unknownRequests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /graphql', 'GET /v1/pods']);
  });

  test('RateLimit headers on every answer; scripted 429 storms carry Retry-After', async () => {
    const okAnswer = await call('GET', '/v2/pods');
    expect(okAnswer.headers.get('ratelimit')).toMatch(/^"minute";r=\d+;t=\d+, "hour"/);
    expect(okAnswer.headers.get('ratelimit-policy')).toContain('"minute";q=60;w=60');
    emulator.rateLimitNext(2, 7, { method: 'GET' });
    const limited = await call('GET', '/v2/pods');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('ratelimit')).toContain('"minute";r=0;t=7');
    expect((await call('GET', '/v2/pods')).status).toBe(429);
    expect((await call('GET', '/v2/pods')).status).toBe(200);
    expect(emulator.specViolations).toEqual([]);
  });

  test('pods: create, get, list, patch, actions with the spec transitions, delete', async () => {
    const volume = emulator.seedVolume({ size: 40, dataCenter: 'EU-RO-1' });
    emulator.scriptNextPod({ logs: ['one'], then: 'hang' });
    const created = await call('POST', '/v2/pods', podBody(volume.id));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'PROVISIONING', actions: ['stop', 'terminate'], dataCenterId: 'EU-RO-1', cpu: { id: 'cpu5c', vcpuCount: 2, memory: 4 } });
    const id = created.body.id;
    await waitFor(() => emulator.pod(id).status === 'RUNNING', 'RUNNING');
    expect((await call('GET', `/v2/pods/${id}`)).body).toMatchObject({ status: 'RUNNING', actions: ['stop', 'restart', 'terminate'] });
    expect((await call('GET', '/v2/pods')).body.pods).toHaveLength(1);
    expect((await call('PATCH', `/v2/pods/${id}`, { name: 'renamed', env: { A: 'b' } })).body).toMatchObject({ name: 'renamed', env: { A: 'b' } });
    expect((await call('PATCH', `/v2/pods/${id}`, { mounts: { network: [{ volumeId: 'other', path: '/x' }] } })).status).toBe(400);
    expect((await call('POST', `/v2/pods/${id}/action`, { action: 'start' })).status).toBe(409);
    expect((await call('POST', `/v2/pods/${id}/action`, { action: 'stop' })).body.status).toBe('EXITED');
    expect((await call('POST', `/v2/pods/${id}/action`, { action: 'restart' })).status).toBe(409);
    expect((await call('POST', `/v2/pods/${id}/action`, { action: 'start' })).body.status).toBe('RUNNING');
    const terminated = await call('POST', `/v2/pods/${id}/action`, { action: 'terminate' });
    expect(terminated.status).toBe(204);
    expect(terminated.body).toBeUndefined();
    expect((await call('GET', `/v2/pods/${id}`)).status).toBe(404);
    expect(emulator.pod(id).status).toBe('TERMINATED');
    expect(emulator.actionsReceived.map((a) => `${a.action}:${a.status}`)).toEqual(['start:409', 'stop:200', 'restart:409', 'start:200', 'terminate:204']);

    const second = (await call('POST', '/v2/pods', podBody(volume.id))).body.id;
    expect((await call('DELETE', `/v2/pods/${second}`)).status).toBe(204);
    expect(emulator.specViolations).toEqual([]);
  });

  test('pod create rules the handler enforces', async () => {
    const volume = emulator.seedVolume({ size: 40, dataCenter: 'EU-RO-1' });
    expect((await call('POST', '/v2/pods', podBody(volume.id, { gpu: { id: 'NVIDIA L40S', count: 1 } }))).status).toBe(400);
    expect((await call('POST', '/v2/pods', podBody(volume.id, { dataCenterIds: ['US-KS-2'] }))).status).toBe(400);
    expect((await call('POST', '/v2/pods', podBody('nope'))).status).toBe(404);
    expect((await call('POST', '/v2/pods', podBody(volume.id, { cpu: { id: 'cpu5c', vcpuCount: 6 } }))).status).toBe(400);
    expect((await call('POST', '/v2/pods', podBody(volume.id, { registry: 'missing' }))).status).toBe(404);
    expect(emulator.allPods).toEqual([]);
    expect(emulator.specViolations).toEqual([]);
  });

  test('pod logs: SSE with ids, tail, source filter and Last-Event-ID resume', async () => {
    const volume = emulator.seedVolume({ size: 40, dataCenter: 'EU-RO-1' });
    emulator.scriptNextPod({ logs: ['l1', 'l2', 'l3', 'l4'], then: 'exit' });
    const id = (await call('POST', '/v2/pods', podBody(volume.id))).body.id;
    await waitFor(() => emulator.pod(id).status === 'EXITED', 'EXITED');
    const all = await readEvents(`/v2/pods/${id}/logs?source=container`);
    expect(all.map((e) => e.data.line)).toEqual(['l1', 'l2', 'l3', 'l4']);
    for (const e of all) {
      expect(e.data).toEqual({ ts: e.id, source: 'container', line: e.data.line });
      expect(Number.isNaN(Date.parse(e.id))).toBe(false);
    }
    expect((await readEvents(`/v2/pods/${id}/logs?source=container&tail=2`)).map((e) => e.data.line)).toEqual(['l3', 'l4']);
    expect((await readEvents(`/v2/pods/${id}/logs?source=container`, { 'Last-Event-ID': all[1].id })).map((e) => e.data.line)).toEqual(['l3', 'l4']);
    const system = await readEvents(`/v2/pods/${id}/logs?source=system`);
    expect(system.map((e) => e.data.line)).toContain('container exited with code 0');
    expect(emulator.specViolations).toEqual([]);
  });

  test('a real command can be the container: its output becomes the pod log', async () => {
    const volume = emulator.seedVolume({ size: 40, dataCenter: 'EU-RO-1' });
    emulator.scriptNextPod({ command: [process.execPath, '-e', 'console.log(JSON.stringify({event:"log",message:process.env.AVATAR_MODE+" "+process.env.EXTRA})); console.log("done")'], env: { EXTRA: 'x' } });
    const id = (await call('POST', '/v2/pods', podBody(volume.id, { env: { AVATAR_MODE: 'init' } }))).body.id;
    await waitFor(() => emulator.pod(id).status === 'EXITED', 'the command to exit');
    const lines = emulator.podLogEvents(id).filter((e) => e.source === 'container').map((e) => e.line);
    expect(lines).toEqual(['{"event":"log","message":"init x"}', 'done']);
  });

  test('network volumes: CRUD, and size may only grow', async () => {
    const created = await call('POST', '/v2/network-volumes', { name: 'models', size: 40, dataCenter: 'EU-RO-1', type: 'STANDARD' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call('GET', `/v2/network-volumes/${id}`)).body).toEqual({ id, name: 'models', size: 40, dataCenter: 'EU-RO-1', type: 'STANDARD' });
    expect((await call('PATCH', `/v2/network-volumes/${id}`, { size: 60 })).body.size).toBe(60);
    expect((await call('PATCH', `/v2/network-volumes/${id}`, { size: 50 })).status).toBe(400);
    expect((await call('GET', '/v2/network-volumes')).body.networkVolumes).toHaveLength(1);
    expect((await call('DELETE', `/v2/network-volumes/${id}`)).status).toBe(204);
    expect((await call('GET', `/v2/network-volumes/${id}`)).status).toBe(404);
    expect((await call('POST', '/v2/network-volumes', { name: 'x', size: 40, dataCenter: 'MARS-1' })).status).toBe(400);
    expect(emulator.specViolations).toEqual([]);
  });

  test('conditional schemas: a QUEUE endpoint body passes, a LOAD_BALANCER one needs request-count scaling', async () => {
    const base = { name: 'e', image: 'img', gpu: { pools: ['ADA_48_PRO'] }, scaling: { type: 'QUEUE_DELAY', queueDelay: 4 } };
    expect((await call('POST', '/v2/serverless', { ...base, type: 'QUEUE' })).status).toBe(201);
    expect((await call('POST', '/v2/serverless', { ...base, type: 'LOAD_BALANCER' })).status).toBe(422);
    expect((await call('POST', '/v2/serverless', { ...base, type: 'QUEUE', bogus: 1 })).status).toBe(422);
    expect(emulator.specViolations).toHaveLength(2);
  });

  test('templates, registries and serverless endpoints', async () => {
    const template = await call('POST', '/v2/templates', { name: 't', image: 'img', serverless: true, env: { A: '1' } });
    expect(template.status).toBe(201);
    expect((await call('PATCH', `/v2/templates/${template.body.id}`, { env: { A: '2' } })).body.env).toEqual({ A: '2' });
    expect((await call('GET', '/v2/templates')).body.templates).toHaveLength(1);
    expect((await call('DELETE', `/v2/templates/${template.body.id}`)).status).toBe(204);

    const registry = await call('POST', '/v2/registries', { name: 'r', username: 'u', password: 'secret' });
    expect(registry.body).toEqual({ id: registry.body.id, name: 'r' });
    expect(JSON.stringify((await call('GET', '/v2/registries')).body)).not.toContain('secret');

    const volume = (await call('POST', '/v2/network-volumes', { name: 'v', size: 40, dataCenter: 'EU-RO-1' })).body;
    const endpoint = await call('POST', '/v2/serverless', {
      name: 'avatar',
      type: 'QUEUE',
      image: 'img@sha256:' + 'a'.repeat(64),
      gpu: { pools: ['ADA_48_PRO'], excludedTypes: ['NVIDIA L40', 'NVIDIA RTX 6000 Ada Generation'], count: 1 },
      workers: { min: 0, max: 2, idleTimeout: 60 },
      scaling: { type: 'QUEUE_DELAY', queueDelay: 4 },
      timeout: 1800,
      flashboot: 'FLASHBOOT',
      networkVolumes: [volume.id],
      dataCenterIds: ['EU-RO-1'],
      registry: registry.body.id,
      env: { AVATAR_MODE: 'serve' },
    });
    expect(endpoint.status).toBe(201);
    const id = endpoint.body.id;
    expect(endpoint.body.requestUrls.runSync).toBe(`https://api.runpod.ai/v2/${id}/runsync`);
    const patched = await call('PATCH', `/v2/serverless/${id}`, { image: 'img2@sha256:' + 'b'.repeat(64), workers: { max: 3 } });
    expect(patched.body).toMatchObject({ id, image: `img2@sha256:${'b'.repeat(64)}`, workers: { min: 0, max: 3, idleTimeout: 60 } });
    expect((await call('GET', '/v2/serverless')).body.endpoints).toHaveLength(1);
    expect((await call('GET', `/v2/serverless/${id}/workers`)).body.summary.total).toBe(0);
    expect((await call('DELETE', `/v2/serverless/${id}`)).status).toBe(204);
    expect((await call('DELETE', `/v2/registries/${registry.body.id}`)).status).toBe(204);
    expect(emulator.specViolations).toEqual([]);
  });

  test('catalog: L40S in ADA_48_PRO, CPU flavours, data centres; availability needs product', async () => {
    const gpus = (await call('GET', '/v2/catalog/gpus')).body.gpus;
    expect(gpus.find((g: any) => g.id === 'NVIDIA L40S')).toMatchObject({ pool: 'ADA_48_PRO', memory: 48 });
    expect((await call('GET', `/v2/catalog/gpus/${encodeURIComponent('NVIDIA L40S')}`)).body.name).toBe('L40S');
    expect((await call('GET', '/v2/catalog/gpus?include=AVAILABILITY')).status).toBe(400);
    expect((await call('GET', '/v2/catalog/gpus?include=AVAILABILITY&product=SERVERLESS')).body.gpus[0].availability).toBe('HIGH');
    expect((await call('GET', '/v2/catalog/cpus')).body.cpus.map((c: any) => c.id)).toContain('cpu5c');
    expect((await call('GET', '/v2/catalog/datacenters')).body.dataCenters.map((d: any) => d.id)).toContain('EU-RO-1');
    expect((await call('GET', '/v2/catalog/datacenters/EU-RO-1')).body.networkVolumeTypes).toContain('HIGH_PERFORMANCE');
    expect(emulator.specViolations).toEqual([]);
  });
});
