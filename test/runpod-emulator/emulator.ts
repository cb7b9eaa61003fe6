/**
 * A stateful loopback RunPod REST v2 emulator (node:http, no framework) for tests of the storage
 * init runner and, later, of the provider. Every request is validated against the OpenAPI spec
 * (test/fixtures/runpod-rest-v2-openapi.json); violations are answered 400/422 problem+json AND
 * recorded in `specViolations` so a test can fail on them. With `strict` (default) every response
 * is validated too. Requests to paths the spec does not know (REST v1, GraphQL) are logged loudly and
 * recorded in `unknownRequests`.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { CPU_TYPES, DATA_CENTERS, GPU_TYPES } from './catalog';
import { OpenApiSpec, RoutedOperation } from './spec';

/** How a scripted pod behaves once RUNNING. */
export interface PodScript {
  /** Lines the container writes on stdout (one log event each), in order. */
  readonly logs?: string[];
  /** What happens after the lines: exit (EXITED), fail (EXITED after a failing run), error (ERROR), hang (stays RUNNING). @default 'exit' */
  readonly then?: 'exit' | 'fail' | 'error' | 'hang';
  /** Close the first log stream abruptly after this many events have been sent on it. */
  readonly dropStreamAfter?: number;
  /** Run a real command as the container instead: its stdout and stderr lines become log events. */
  readonly command?: string[];
  /** Extra environment for `command` (added to the pod's env). */
  readonly env?: Record<string, string>;
  /** Working directory of `command`. */
  readonly cwd?: string;
  /** Milliseconds between two scripted lines. @default 2 */
  readonly lineIntervalMs?: number;
  /** Milliseconds in PROVISIONING and in STARTING each. @default 20 */
  readonly startupMs?: number;
}

/** Emulator options. */
export interface RunpodEmulatorOptions {
  /** The API key clients must send as `Authorization: Bearer <key>`. @default 'emulator-test-key-0123456789' */
  readonly apiKey?: string;
  /** Validate responses against the spec too (violations are recorded). @default true */
  readonly strict?: boolean;
  /** Print unknown-path requests and spec violations on stderr. @default true */
  readonly loud?: boolean;
}

/** A recorded request. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
  status?: number;
  readonly operationId?: string;
  /** Date.now() when it arrived. */
  readonly at: number;
}

/** A recorded contract violation. */
export interface SpecViolation {
  readonly kind: 'request' | 'response';
  readonly method: string;
  readonly path: string;
  readonly operationId?: string;
  readonly errors: string[];
}

/** One pod log event. */
export interface PodLogEvent {
  readonly id: string;
  readonly ts: string;
  readonly source: 'container' | 'system';
  readonly line: string;
}

interface PodState {
  pod: any;
  script: PodScript;
  events: PodLogEvent[];
  listeners: Set<(event: PodLogEvent | 'end') => void>;
  streamsOpened: number;
  timers: NodeJS.Timeout[];
  child?: ChildProcess;
  exitCode?: number | null;
  deleted: boolean;
}

interface ScriptedFailure {
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
  method?: string;
  path?: RegExp;
}

class HttpProblem extends Error {
  constructor(public readonly status: number, public readonly title: string, public readonly detail: string, public readonly errors?: string[]) {
    super(detail);
  }
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable' };
const ACTIONS_BY_STATUS: Record<string, string[]> = { RUNNING: ['stop', 'restart', 'terminate'], EXITED: ['start', 'terminate'], ERROR: ['start', 'terminate'], PROVISIONING: ['stop', 'terminate'], STARTING: ['stop', 'terminate'], TERMINATED: [] };
const RATE_LIMIT_POLICY = '"minute";q=60;w=60, "hour";q=3000;w=3600, "day";q=50000;w=86400';

function newId(length = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** The emulator. */
export class RunpodEmulator {
  /** Every request received, in order. */
  public readonly requests: RecordedRequest[] = [];
  /** Requests or responses that broke the spec. */
  public readonly specViolations: SpecViolation[] = [];
  /** Requests to paths the spec does not define (REST v1, GraphQL...). */
  public readonly unknownRequests: RecordedRequest[] = [];
  /** Pod actions received: `{podId, action, status}` (status = the answer). */
  public readonly actionsReceived: Array<{ podId: string; action: string; status: number }> = [];
  public readonly apiKey: string;
  public readonly spec: OpenApiSpec;

  private readonly strict: boolean;
  private readonly loud: boolean;
  private server: http.Server | undefined;
  private baseUrl = '';
  private readonly pods = new Map<string, PodState>();
  private readonly volumes = new Map<string, any>();
  private readonly templates = new Map<string, any>();
  private readonly endpoints = new Map<string, any>();
  private readonly registries = new Map<string, any>();
  private readonly podScripts: PodScript[] = [];
  private readonly failures: ScriptedFailure[] = [];
  private readonly sockets = new Set<import('net').Socket>();
  private eventSeq = 0;
  private readonly epoch = Date.UTC(2026, 10, 29, 3, 0, 0);
  private minuteWindowStart = Date.now();
  private minuteCount = 0;

  constructor(options: RunpodEmulatorOptions = {}) {
    this.apiKey = options.apiKey ?? 'emulator-test-key-0123456789';
    this.strict = options.strict ?? true;
    this.loud = options.loud ?? true;
    this.spec = new OpenApiSpec();
  }

  /** Starts listening on a free loopback port. */
  public async start(): Promise<{ url: string }> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) this.problem(res, undefined, new HttpProblem(500, 'Internal Server Error', `emulator error: ${(error as Error).message}`));
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return { url: this.baseUrl };
  }

  /** Stops the server, kills pod commands, closes streams. */
  public async stop(): Promise<void> {
    for (const state of this.pods.values()) this.halt(state);
    for (const socket of this.sockets) socket.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** The URL clients use (RUNPOD_API_BASE_URL). */
  public get url(): string {
    return this.baseUrl;
  }

  // ---------------------------------------------------------------- scripting and inspection

  /** The next created pod behaves like this (scripts queue up, one per pod). */
  public scriptNextPod(script: PodScript): void {
    this.podScripts.push(script);
  }

  /** The next `count` requests matching (method, path) get 429 with Retry-After. */
  public rateLimitNext(count: number, retryAfterSeconds = 1, match: { method?: string; path?: RegExp } = {}): void {
    this.failures.push({ remaining: count, status: 429, retryAfterSeconds, ...match });
  }

  /** The next `count` requests matching (method, path) get `status` (e.g. 500, 503). */
  public failNext(count: number, status: number, match: { method?: string; path?: RegExp } = {}): void {
    this.failures.push({ remaining: count, status, ...match });
  }

  /** Pods as the API would return them (including terminated ones, for inspection). */
  public get allPods(): any[] {
    return [...this.pods.values()].map((s) => s.pod);
  }

  /** One pod by id. */
  public pod(id: string): any | undefined {
    return this.pods.get(id)?.pod;
  }

  /** The log events of a pod. */
  public podLogEvents(id: string): PodLogEvent[] {
    return [...(this.pods.get(id)?.events ?? [])];
  }

  /** Requests for one operation id. */
  public requestsFor(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /** Adds a network volume directly (as if made elsewhere). */
  public seedVolume(volume: { id?: string; name?: string; size: number; dataCenter: string; type?: string }): any {
    const v = { id: volume.id ?? newId(10), name: volume.name ?? 'seeded-volume', size: volume.size, dataCenter: volume.dataCenter, type: volume.type ?? 'STANDARD' };
    this.volumes.set(v.id, v);
    return v;
  }

  /** Adds a registry auth directly. */
  public seedRegistry(name = 'seeded-registry'): any {
    const r = { id: newId(10), name };
    this.registries.set(r.id, { ...r, username: 'u', password: 'p' });
    return r;
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    const routed = this.spec.route(method, url.pathname);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.search,
      headers: { ...req.headers },
      body: rawBody ? safeJson(rawBody) : undefined,
      operationId: routed.kind === 'operation' ? routed.route.operationId : undefined,
      at: Date.now(),
    };
    this.requests.push(record);

    if (routed.kind === 'unknown-path') {
      this.unknownRequests.push(record);
      if (this.loud) process.stderr.write(`\n[runpod-emulator] !!! UNKNOWN PATH ${method} ${url.pathname}${url.search} (not in the REST v2 spec: REST v1 / GraphQL?)\n`);
      return this.problem(res, record, new HttpProblem(404, 'Not Found', `no such path in RunPod REST v2: ${method} ${url.pathname}`));
    }
    if (!this.authorised(req)) {
      const auth = req.headers.authorization;
      return this.problem(res, record, new HttpProblem(401, 'Unauthorized', auth ? 'invalid api key' : 'missing bearer token'), routed.kind === 'operation' ? routed.route : undefined, false);
    }
    if (routed.kind === 'method-not-allowed') {
      res.setHeader('Allow', routed.allowed.join(', '));
      this.violation('request', method, url.pathname, undefined, [`method ${method} is not defined for ${routed.template}`]);
      return this.problem(res, record, new HttpProblem(405, 'Method Not Allowed', 'The requested method is not allowed for this path.'));
    }
    const route = routed.route;
    const scripted = this.takeFailure(method, url.pathname);
    if (scripted) {
      if (scripted.status === 429) {
        res.setHeader('Retry-After', String(scripted.retryAfterSeconds ?? 1));
        return this.problem(res, record, new HttpProblem(429, 'Too Many Requests', 'rate limit exceeded for the minute window'), route, true, `"minute";r=0;t=${scripted.retryAfterSeconds ?? 1}, "hour";r=2800;t=1812, "day";r=49500;t=45012`);
      }
      return this.problem(res, record, new HttpProblem(scripted.status, TITLES[scripted.status] ?? 'Error', 'scripted failure'), route);
    }

    const checked = this.spec.validateRequest(route, url.searchParams, req.headers, rawBody, req.headers['content-type']);
    if (checked.errors.length > 0) {
      this.violation('request', method, url.pathname, route.operationId, checked.errors);
      return this.problem(res, record, new HttpProblem(checked.status, TITLES[checked.status], 'Request validation failed.', checked.errors), route);
    }
    try {
      const result = this.dispatch(route, checked.body, checked.query, req, res, record);
      if (result === 'streaming') return;
      this.send(res, record, route, result.status, result.body);
    } catch (error) {
      if (error instanceof HttpProblem) return this.problem(res, record, error, route);
      throw error;
    }
  }

  private authorised(req: http.IncomingMessage): boolean {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    return Boolean(m && m[1] === this.apiKey);
  }

  private takeFailure(method: string, path: string): ScriptedFailure | undefined {
    const f = this.failures.find((x) => x.remaining > 0 && (!x.method || x.method === method) && (!x.path || x.path.test(path)));
    if (f) f.remaining--;
    return f;
  }

  private rateLimitHeaders(res: http.ServerResponse, override?: string): void {
    const now = Date.now();
    if (now - this.minuteWindowStart >= 60_000) {
      this.minuteWindowStart = now;
      this.minuteCount = 0;
    }
    this.minuteCount++;
    const reset = Math.max(1, Math.ceil((this.minuteWindowStart + 60_000 - now) / 1000));
    // the emulator never rate-limits on its own: `r` floors at 1 so clients are not told to wait
    res.setHeader('RateLimit', override ?? `"minute";r=${Math.max(1, 60 - this.minuteCount)};t=${reset}, "hour";r=2900;t=1800, "day";r=49900;t=45000`);
    res.setHeader('RateLimit-Policy', RATE_LIMIT_POLICY);
  }

  private send(res: http.ServerResponse, record: RecordedRequest, route: RoutedOperation, status: number, body: unknown): void {
    this.rateLimitHeaders(res);
    record.status = status;
    if (this.strict) {
      const errors = this.spec.validateResponse(route, status, body === undefined ? undefined : 'application/json', body);
      if (errors.length > 0) this.violation('response', record.method, record.path, route.operationId, errors);
    }
    if (body === undefined) {
      res.writeHead(status);
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private problem(
    res: http.ServerResponse,
    record: RecordedRequest | undefined,
    problem: HttpProblem,
    route?: RoutedOperation,
    withRateLimit = true,
    rateLimit?: string,
  ): void {
    if (withRateLimit) this.rateLimitHeaders(res, rateLimit);
    const body: Record<string, unknown> = { title: problem.title, status: problem.status, detail: problem.detail };
    if (problem.errors) body.errors = problem.errors;
    if (record) record.status = problem.status;
    if (this.strict && route) {
      const errors = this.spec.validateResponse(route, problem.status, 'application/problem+json', body);
      if (errors.length > 0) this.violation('response', route.method, record?.path ?? route.template, route.operationId, errors);
    }
    res.writeHead(problem.status, { 'Content-Type': 'application/problem+json' });
    res.end(JSON.stringify(body));
  }

  private violation(kind: 'request' | 'response', method: string, path: string, operationId: string | undefined, errors: string[]): void {
    this.specViolations.push({ kind, method, path, operationId, errors });
    if (this.loud) process.stderr.write(`[runpod-emulator] spec violation (${kind}) ${method} ${path}: ${errors.join('; ')}\n`);
  }

  // ---------------------------------------------------------------- operations

  private dispatch(route: RoutedOperation, body: any, query: Record<string, unknown>, req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest): { status: number; body?: unknown } | 'streaming' {
    const id = route.params.id;
    switch (route.operationId) {
      case 'listPods':
        return ok({ pods: [...this.pods.values()].filter((s) => !s.deleted).map((s) => s.pod) });
      case 'createPod':
        return { status: 201, body: this.createPod(body) };
      case 'getPod':
        return ok(this.livePod(id).pod);
      case 'updatePod':
        return ok(this.updatePod(this.livePod(id), body));
      case 'deletePod':
        this.terminate(this.livePod(id));
        return { status: 204 };
      case 'podAction':
        return this.podAction(id, body.action);
      case 'getPodLogs':
        this.streamLogs(this.livePod(id), query, req, res, record, route);
        return 'streaming';

      case 'listNetworkVolumes':
        return ok({ networkVolumes: [...this.volumes.values()] });
      case 'createNetworkVolume': {
        if (!DATA_CENTERS.some((d) => d.id === body.dataCenter)) throw new HttpProblem(400, 'Bad Request', `unknown data center '${body.dataCenter}'`);
        const type = body.type ?? 'STANDARD';
        if (!DATA_CENTERS.find((d) => d.id === body.dataCenter)!.networkVolumeTypes.includes(type)) throw new HttpProblem(400, 'Bad Request', `${type} volumes are not offered in ${body.dataCenter}`);
        const v = { id: newId(10), name: body.name, size: body.size, dataCenter: body.dataCenter, type };
        this.volumes.set(v.id, v);
        return { status: 201, body: v };
      }
      case 'getNetworkVolume':
        return ok(this.find(this.volumes, id, 'network volume'));
      case 'updateNetworkVolume': {
        const v = this.find(this.volumes, id, 'network volume');
        if (body.size !== undefined && body.size < v.size) throw new HttpProblem(400, 'Bad Request', `network volumes can only grow: size ${body.size} < current ${v.size}`);
        Object.assign(v, body);
        return ok(v);
      }
      case 'deleteNetworkVolume':
        this.find(this.volumes, id, 'network volume');
        this.volumes.delete(id);
        return { status: 204 };

      case 'listTemplates':
        return ok({ templates: [...this.templates.values()] });
      case 'createTemplate': {
        if (body.registry && !this.registries.has(body.registry)) throw new HttpProblem(404, 'Not Found', `registry ${body.registry} not found`);
        const t = { id: newId(10), args: '', disk: 20, mounts: {}, ports: [], env: {}, registry: null, serverless: false, public: false, category: 'NVIDIA', startSsh: false, startJupyter: false, allowedCudaVersions: [], ...body };
        this.templates.set(t.id, t);
        return { status: 201, body: t };
      }
      case 'getTemplate':
        return ok(this.find(this.templates, id, 'template'));
      case 'updateTemplate':
        return ok(Object.assign(this.find(this.templates, id, 'template'), body));
      case 'deleteTemplate':
        this.find(this.templates, id, 'template');
        this.templates.delete(id);
        return { status: 204 };

      case 'listEndpoints':
        return ok({ endpoints: [...this.endpoints.values()] });
      case 'createEndpoint':
        return { status: 201, body: this.createEndpoint(body) };
      case 'getEndpoint':
        return ok(this.find(this.endpoints, id, 'endpoint'));
      case 'updateEndpoint':
        return ok(this.updateEndpoint(this.find(this.endpoints, id, 'endpoint'), body));
      case 'deleteEndpoint':
        this.find(this.endpoints, id, 'endpoint');
        this.endpoints.delete(id);
        return { status: 204 };
      case 'listEndpointWorkers':
        this.find(this.endpoints, id, 'endpoint');
        return ok({ workers: [], summary: { running: 0, idle: 0, initializing: 0, throttled: 0, unhealthy: 0, total: 0 }, endpointVersion: 1 });

      case 'listRegistries':
        return ok({ registries: [...this.registries.values()].map(({ id: rid, name }) => ({ id: rid, name })) });
      case 'createRegistry': {
        const r = { id: newId(10), name: body.name, username: body.username, password: body.password };
        this.registries.set(r.id, r);
        return { status: 201, body: { id: r.id, name: r.name } };
      }
      case 'getRegistry': {
        const r = this.find(this.registries, id, 'registry');
        return ok({ id: r.id, name: r.name });
      }
      case 'deleteRegistry':
        this.find(this.registries, id, 'registry');
        this.registries.delete(id);
        return { status: 204 };

      case 'listGpuTypes':
        return ok({ gpus: this.gpuCatalog(query) });
      case 'getGpuType': {
        const g = this.gpuCatalog(query).find((x) => x.id === id);
        if (!g) throw new HttpProblem(404, 'Not Found', `GPU type '${id}' not found`);
        return ok(g);
      }
      case 'listCpuTypes':
        this.availabilityParams(query);
        return ok({ cpus: CPU_TYPES });
      case 'getCpuType': {
        const c = CPU_TYPES.find((x) => x.id === id);
        if (!c) throw new HttpProblem(404, 'Not Found', `CPU type '${id}' not found`);
        return ok(c);
      }
      case 'listDataCenters':
        return ok({ dataCenters: DATA_CENTERS });
      case 'getDataCenter': {
        const d = DATA_CENTERS.find((x) => x.id === id);
        if (!d) throw new HttpProblem(404, 'Not Found', `data center '${id}' not found`);
        return ok(d);
      }
      case 'listPublicTemplates':
        return ok({ templates: [] });
      default:
        if (this.loud) process.stderr.write(`[runpod-emulator] operation ${route.operationId} (${route.method} ${route.template}) is in the spec but not emulated\n`);
        throw new HttpProblem(501, 'Not Implemented', `the emulator does not implement ${route.operationId}`);
    }
  }

  private find(map: Map<string, any>, id: string, what: string): any {
    const v = map.get(id);
    if (!v) throw new HttpProblem(404, 'Not Found', `${what} ${id} not found`);
    return v;
  }

  private availabilityParams(query: Record<string, unknown>): boolean {
    const include = (query.include as string[] | undefined) ?? [];
    if (include.includes('AVAILABILITY') !== (query.product !== undefined)) {
      throw new HttpProblem(400, 'Bad Request', 'include=AVAILABILITY requires product, and product is valid only with it');
    }
    return include.includes('AVAILABILITY');
  }

  private gpuCatalog(query: Record<string, unknown>): any[] {
    const withAvailability = this.availabilityParams(query);
    return GPU_TYPES.map((g) => (withAvailability ? { ...g, availability: 'HIGH', dataCenters: DATA_CENTERS.map((d) => ({ id: d.id, name: d.name, availability: 'HIGH' })) } : g));
  }

  // ---------------------------------------------------------------- pods

  private livePod(id: string): PodState {
    const state = this.pods.get(id);
    if (!state || state.deleted) throw new HttpProblem(404, 'Not Found', 'pod not found');
    return state;
  }

  private createPod(body: any): any {
    if (Boolean(body.gpu) === Boolean(body.cpu)) throw new HttpProblem(400, 'Bad Request', 'exactly one of gpu or cpu must be set');
    if (body.gpu && !GPU_TYPES.some((g) => g.id === body.gpu.id)) throw new HttpProblem(400, 'Bad Request', `unknown GPU type '${body.gpu.id}'`);
    if (body.cpu) {
      const flavour = CPU_TYPES.find((c) => c.id === body.cpu.id);
      if (!flavour) throw new HttpProblem(400, 'Bad Request', `unknown CPU flavor '${body.cpu.id}'`);
      const n = body.cpu.vcpuCount;
      if (!Number.isInteger(Math.log2(n)) || n < flavour.vcpu.min || n > flavour.vcpu.max) throw new HttpProblem(400, 'Bad Request', `vcpuCount ${n} is not a power of two within ${flavour.vcpu.min}..${flavour.vcpu.max}`);
    }
    if (body.mounts?.persistent && body.mounts?.network) throw new HttpProblem(400, 'Bad Request', 'mounts.persistent and mounts.network are mutually exclusive');
    if (body.mounts?.persistent && body.cpu) throw new HttpProblem(400, 'Bad Request', 'mounts.persistent is invalid on CPU pods');
    let dataCenterId: string = body.dataCenterIds?.[0] ?? 'EU-RO-1';
    const network = body.mounts?.network?.[0];
    if (network) {
      const volume = this.volumes.get(network.volumeId);
      if (!volume) throw new HttpProblem(404, 'Not Found', `network volume ${network.volumeId} not found`);
      if (body.cloud === 'COMMUNITY') throw new HttpProblem(400, 'Bad Request', 'network volumes require cloud SECURE');
      if (body.dataCenterIds?.length && !body.dataCenterIds.includes(volume.dataCenter)) {
        throw new HttpProblem(400, 'Bad Request', `network volume ${volume.id} is in ${volume.dataCenter}, not in dataCenterIds ${body.dataCenterIds.join(',')}`);
      }
      dataCenterId = volume.dataCenter;
    }
    if (body.registry && !this.registries.has(body.registry)) throw new HttpProblem(404, 'Not Found', `registry ${body.registry} not found`);
    if (body.templateId && !this.templates.has(body.templateId)) throw new HttpProblem(404, 'Not Found', `template ${body.templateId} not found`);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const id = newId(10);
    const pod: any = {
      id,
      name: body.name,
      image: body.image ?? this.templates.get(body.templateId)?.image ?? '',
      args: body.args ?? '',
      disk: body.disk ?? 20,
      ports: body.ports ?? [],
      env: body.env ?? {},
      registry: body.registry ?? null,
      status: 'PROVISIONING',
      actions: ACTIONS_BY_STATUS.PROVISIONING,
      mounts: body.mounts ?? {},
      ...(body.gpu ? { gpu: { id: body.gpu.id, count: body.gpu.count ?? 1 } } : {}),
      ...(body.cpu
        ? { cpu: { id: body.cpu.id, vcpuCount: body.cpu.vcpuCount, memory: body.cpu.vcpuCount * ramPerVcpu(body.cpu.id) } }
        : {}),
      cloud: body.cloud ?? 'SECURE',
      dataCenterId,
      cudaVersion: body.gpu ? '12.8' : null,
      ssh: { proxy: null, direct: null },
      template: null,
      cost: body.gpu ? GPU_TYPES.find((g) => g.id === body.gpu.id)!.price.secure : 0.16,
      locked: false,
      globalNetworking: { enabled: Boolean(body.globalNetworking) },
      runtime: null,
      createdAt: now,
      startedAt: null,
    };
    const script = this.podScripts.shift() ?? defaultScript();
    const state: PodState = { pod, script, events: [], listeners: new Set(), streamsOpened: 0, timers: [], deleted: false };
    this.pods.set(id, state);
    this.lifecycle(state);
    return pod;
  }

  private setStatus(state: PodState, status: string): void {
    state.pod.status = status;
    state.pod.actions = ACTIONS_BY_STATUS[status];
    state.pod.runtime = status === 'RUNNING' ? { uptime: 0, ports: [] } : null;
    if (status === 'EXITED' || status === 'TERMINATED' || status === 'ERROR') state.pod.cost = 0;
    if (status === 'RUNNING' && !state.pod.startedAt) state.pod.startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private emit(state: PodState, line: string, source: 'container' | 'system' = 'container'): void {
    const ts = new Date(this.epoch + ++this.eventSeq).toISOString();
    const event: PodLogEvent = { id: ts, ts, source, line };
    state.events.push(event);
    for (const listener of state.listeners) listener(event);
  }

  private later(state: PodState, ms: number, fn: () => void): void {
    state.timers.push(setTimeout(fn, ms));
  }

  private lifecycle(state: PodState): void {
    const script = state.script;
    const startup = script.startupMs ?? 20;
    this.emit(state, `pulling image ${state.pod.image}`, 'system');
    this.later(state, startup, () => {
      this.setStatus(state, 'STARTING');
      this.later(state, startup, () => {
        this.setStatus(state, 'RUNNING');
        this.emit(state, 'container started', 'system');
        if (script.command) this.runCommand(state);
        else this.playLines(state, 0);
      });
    });
  }

  private playLines(state: PodState, index: number): void {
    const script = state.script;
    const lines = script.logs ?? [];
    if (state.pod.status !== 'RUNNING') return;
    if (index < lines.length) {
      this.emit(state, lines[index]);
      this.later(state, script.lineIntervalMs ?? 2, () => this.playLines(state, index + 1));
      return;
    }
    const then = script.then ?? 'exit';
    if (then === 'hang') return;
    this.containerExited(state, then === 'exit' ? 0 : 1, then === 'error' ? 'ERROR' : 'EXITED');
  }

  private runCommand(state: PodState): void {
    const [cmd, ...args] = state.script.command!;
    const child = spawn(cmd, args, { cwd: state.script.cwd, env: { ...process.env, ...state.pod.env, ...state.script.env, RUNPOD_POD_ID: state.pod.id, RUNPOD_DC_ID: state.pod.dataCenterId }, stdio: ['ignore', 'pipe', 'pipe'] });
    state.child = child;
    const pump = (stream: NodeJS.ReadableStream): void => {
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          this.emit(state, buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      });
      stream.on('end', () => buffer && this.emit(state, buffer));
    };
    pump(child.stdout!);
    pump(child.stderr!);
    child.on('close', (code) => {
      state.child = undefined;
      if (state.pod.status === 'RUNNING') this.containerExited(state, code, 'EXITED');
    });
    child.on('error', (error) => this.emit(state, `exec failed: ${error.message}`, 'system'));
  }

  private containerExited(state: PodState, code: number | null, status: 'EXITED' | 'ERROR'): void {
    state.exitCode = code;
    this.emit(state, `container exited with code ${code}`, 'system');
    this.setStatus(state, status);
    for (const listener of state.listeners) listener('end');
  }

  private halt(state: PodState): void {
    for (const t of state.timers) clearTimeout(t);
    state.timers = [];
    if (state.child) {
      state.child.kill('SIGKILL');
      state.child = undefined;
    }
  }

  private terminate(state: PodState): void {
    this.halt(state);
    this.setStatus(state, 'TERMINATED');
    state.deleted = true;
    for (const listener of state.listeners) listener('end');
  }

  private podAction(id: string, action: string): { status: number; body?: unknown } {
    const state = this.pods.get(id);
    if (!state || state.deleted) {
      this.actionsReceived.push({ podId: id, action, status: 404 });
      throw new HttpProblem(404, 'Not Found', 'pod not found');
    }
    const allowed = ACTIONS_BY_STATUS[state.pod.status];
    if (!allowed.includes(action)) {
      this.actionsReceived.push({ podId: id, action, status: 409 });
      throw new HttpProblem(409, 'Conflict', `cannot ${action} a pod that is ${state.pod.status}; allowed: ${allowed.join(', ') || 'none'}`);
    }
    switch (action) {
      case 'terminate':
        this.terminate(state);
        this.actionsReceived.push({ podId: id, action, status: 204 });
        return { status: 204 };
      case 'stop':
        this.halt(state);
        this.setStatus(state, 'EXITED');
        for (const listener of state.listeners) listener('end');
        break;
      case 'start':
      case 'restart':
        this.setStatus(state, 'RUNNING');
        break;
    }
    this.actionsReceived.push({ podId: id, action, status: 200 });
    return ok(state.pod);
  }

  private updatePod(state: PodState, body: any): any {
    if (body.mounts?.network) {
      if (body.mounts.network.length === 0) throw new HttpProblem(400, 'Bad Request', 'clearing mounts is not supported');
      const current = state.pod.mounts.network?.[0];
      if (!current) throw new HttpProblem(400, 'Bad Request', 'mount kind is fixed at create');
      if (body.mounts.network[0].volumeId !== current.volumeId) throw new HttpProblem(400, 'Bad Request', 'the volumeId of a network mount is immutable');
    }
    if (body.mounts?.persistent && !state.pod.mounts.persistent) throw new HttpProblem(400, 'Bad Request', 'mount kind is fixed at create');
    for (const key of ['name', 'image', 'args', 'disk', 'ports', 'env', 'registry', 'locked']) if (body[key] !== undefined) state.pod[key] = body[key];
    if (body.mounts && Object.keys(body.mounts).length > 0) state.pod.mounts = body.mounts;
    if (body.globalNetworking !== undefined) state.pod.globalNetworking = { enabled: body.globalNetworking };
    return state.pod;
  }

  private streamLogs(
    state: PodState,
    query: Record<string, unknown>,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: RecordedRequest,
    route: RoutedOperation,
  ): void {
    const source = query.source as string | undefined;
    const wanted = (e: PodLogEvent): boolean => !source || e.source === source;
    const lastEventId = req.headers['last-event-id'] as string | undefined;
    let backlog: PodLogEvent[];
    if (lastEventId) {
      const index = state.events.findIndex((e) => e.id === lastEventId);
      backlog = index >= 0 ? state.events.slice(index + 1) : state.events.filter((e) => e.ts > lastEventId);
    } else if (query.since) {
      const since = Date.parse(query.since as string);
      backlog = state.events.filter((e) => Date.parse(e.ts) >= since);
    } else {
      const tail = (query.tail as number | undefined) ?? 100;
      backlog = tail === 0 ? [] : state.events.filter(wanted).slice(-tail);
    }
    backlog = backlog.filter(wanted);
    state.streamsOpened++;
    const dropAfter = state.streamsOpened === 1 ? state.script.dropStreamAfter : undefined;
    this.rateLimitHeaders(res);
    record.status = 200;
    if (this.strict) {
      const errors = this.spec.validateResponse(route, 200, 'text/event-stream', undefined);
      if (errors.length > 0) this.violation('response', record.method, record.path, route.operationId, errors);
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'Connection': 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    let sent = 0;
    let closed = false;
    let ping: NodeJS.Timeout | undefined;
    const close = (abrupt: boolean): void => {
      if (closed) return;
      closed = true;
      state.listeners.delete(listener);
      if (ping) clearInterval(ping);
      if (abrupt) res.socket?.destroy();
      else res.end();
    };
    const write = (e: PodLogEvent): void => {
      if (closed) return;
      const payload = `id: ${e.id}\ndata: ${JSON.stringify({ ts: e.ts, source: e.source, line: e.line })}\n\n`;
      sent++;
      if (dropAfter !== undefined && sent >= dropAfter) {
        // deliver this event, then cut the connection without ending the chunked body
        closed = true;
        state.listeners.delete(listener);
        if (ping) clearInterval(ping);
        res.write(payload, () => res.socket?.destroy());
        return;
      }
      res.write(payload);
    };
    const listener = (e: PodLogEvent | 'end'): void => {
      if (e === 'end') close(false);
      else if (wanted(e)) write(e);
    };
    for (const e of backlog) write(e);
    if (closed) return;
    if (['EXITED', 'ERROR', 'TERMINATED'].includes(state.pod.status)) return close(false);
    state.listeners.add(listener);
    ping = setInterval(() => !closed && res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => close(false));
    res.on('close', () => close(false));
  }

  // ---------------------------------------------------------------- serverless endpoints

  private createEndpoint(body: any): any {
    for (const v of body.networkVolumes ?? []) if (!this.volumes.has(v)) throw new HttpProblem(404, 'Not Found', `network volume ${v} not found`);
    if (body.registry && !this.registries.has(body.registry)) throw new HttpProblem(404, 'Not Found', `registry ${body.registry} not found`);
    if (body.templateId && !this.templates.has(body.templateId)) throw new HttpProblem(404, 'Not Found', `template ${body.templateId} not found`);
    if (Boolean(body.gpu) === Boolean(body.cpu)) throw new HttpProblem(400, 'Bad Request', 'exactly one of gpu or cpu must be set');
    const id = newId(14);
    const base = `https://api.runpod.ai/v2/${id}`;
    const template = body.templateId ? this.templates.get(body.templateId) : undefined;
    const endpoint: any = {
      id,
      name: body.name,
      type: body.type,
      image: body.image ?? template?.image ?? '',
      args: body.args ?? template?.args ?? '',
      disk: body.disk ?? template?.disk ?? 20,
      ports: body.ports ?? template?.ports ?? [],
      env: { ...(template?.env ?? {}), ...(body.env ?? {}) },
      registry: body.registry ?? template?.registry ?? null,
      requestUrls:
        body.type === 'LOAD_BALANCER'
          ? { base: `https://${id}.api.runpod.ai`, health: `https://${id}.api.runpod.ai/ping` }
          : { run: `${base}/run`, runSync: `${base}/runsync`, status: `${base}/status`, stream: `${base}/stream`, cancel: `${base}/cancel`, retry: `${base}/retry`, purgeQueue: `${base}/purge-queue`, health: `${base}/health` },
      gpu: body.gpu
        ? {
          pools: body.gpu.pools,
          excludedTypes: body.gpu.excludedTypes ?? [],
          count: body.gpu.count ?? 1,
          allowedCudaVersions: body.gpu.allowedCudaVersions ?? [],
          minCudaVersion: body.gpu.minCudaVersion ?? null,
        }
        : null,
      ...(body.cpu ? { cpu: body.cpu.map((c: any) => ({ ...c, memory: c.vcpuCount * 2 })) } : {}),
      workers: { min: body.workers?.min ?? 0, max: body.workers?.max ?? 3, idleTimeout: body.workers?.idleTimeout ?? 5 },
      scaling: body.scaling,
      dataCenterIds: body.dataCenterIds ?? DATA_CENTERS.map((d) => d.id),
      networkVolumes: body.networkVolumes ?? [],
      timeout: body.timeout ?? 600,
      flashboot: body.flashboot ?? 'FLASHBOOT',
      createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    this.endpoints.set(id, endpoint);
    return endpoint;
  }

  private updateEndpoint(endpoint: any, body: any): any {
    for (const v of body.networkVolumes ?? []) if (!this.volumes.has(v)) throw new HttpProblem(404, 'Not Found', `network volume ${v} not found`);
    const { gpu, workers, templateId, ...rest } = body;
    if (templateId && !this.templates.has(templateId)) throw new HttpProblem(404, 'Not Found', `template ${templateId} not found`);
    Object.assign(endpoint, rest);
    if (gpu) endpoint.gpu = { ...(endpoint.gpu ?? { pools: [], excludedTypes: [], count: 1, allowedCudaVersions: [], minCudaVersion: null }), ...gpu, ...(gpu.minCudaVersion === '' ? { minCudaVersion: null } : {}) };
    if (workers) endpoint.workers = { ...endpoint.workers, ...workers };
    return endpoint;
  }
}

function ramPerVcpu(cpuTypeId: string): number {
  return CPU_TYPES.find((c) => c.id === cpuTypeId)!.ramGbPerVcpu;
}

function ok(body: unknown): { status: number; body: unknown } {
  return { status: 200, body };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function defaultScript(): PodScript {
  return {
    logs: [
      JSON.stringify({ event: 'log', level: 'info', stage: 'init', message: 'nothing to do (default emulator script)' }),
      JSON.stringify({ event: 'result', mode: 'init', ok: true, manifestSha256: '0'.repeat(64), totalBytes: 0, downloadedBytes: 0, files: 0, seconds: 0, lockFile: '/runpod-volume/infinitetalk/avatar-models.lock.json' }),
    ],
    then: 'exit',
  };
}
