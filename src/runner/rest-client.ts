/**
 * A small RunPod REST v2 client on Node's global `fetch` (no dependencies: the runner ships as a
 * Terraform asset). Bearer auth, retries with exponential backoff and jitter for 429 and 5xx
 * (honouring `Retry-After` and the `RateLimit` header's reset), and errors that say what to fix.
 */

/** Production API base (the OpenAPI spec's `servers[0].url`); paths are `/v2/...`. */
export const DEFAULT_API_BASE_URL = 'https://api.runpod.io';

/** RFC 9457 problem details as RunPod sends them (`ErrorResponse`). */
export interface Problem {
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: string[];
}

/** Options of the client. */
export interface RunpodClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** First backoff step in ms (doubles per attempt, with jitter). */
  readonly backoffBaseMs: number;
  /** Longest single wait in ms for backoff (Retry-After may ask for more and is honoured up to maxRetryAfterMs). */
  readonly backoffMaxMs: number;
  /** Longest Retry-After / RateLimit reset honoured, in ms. */
  readonly maxRetryAfterMs: number;
  /** Retries after the first attempt for 429, 5xx and network errors. */
  readonly maxRetries: number;
  /** Per-request timeout in ms (not applied to the log stream's body). */
  readonly requestTimeoutMs: number;
  /** Where retry notices go. */
  readonly log?: (line: string) => void;
  /** For tests: randomness of the jitter. */
  readonly random?: () => number;
}

/** What a request is for, to phrase errors: e.g. "create the storage-init pod". */
export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly headers?: Record<string, string>;
  /** Statuses that count as success; others throw RunpodApiError. @default any 2xx */
  readonly expect?: number[];
  /** Statuses returned to the caller instead of thrown (e.g. 404 when reading a pod that may be gone). */
  readonly allow?: number[];
  /** Aborts the request and any wait between retries. */
  readonly signal?: AbortSignal;
  /** Human description used in error messages. */
  readonly purpose: string;
  /** Retry 5xx and network errors (429 is always retried: the request was not processed). @default true */
  readonly retryTransient?: boolean;
  /** Called before a retry that follows a 5xx or network error on a non-idempotent call. */
  readonly beforeRetry?: () => Promise<unknown | undefined>;
}

/** A response. */
export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T | undefined;
  readonly headers: Headers;
  /** Set when `beforeRetry` found the outcome of an earlier attempt. */
  readonly recovered?: unknown;
}

/** An error response from RunPod, with a message that says what to fix. */
export class RunpodApiError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly problem: Problem | undefined,
    public readonly method: string,
    public readonly path: string,
  ) {
    super(message);
    this.name = 'RunpodApiError';
  }
}

/** Thrown when a wait or a request was aborted (signal, timeout of the whole job). */
export class AbortedError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortedError';
  }
}

/** Retry-able statuses besides 429. */
function isTransient(status: number): boolean {
  return status >= 500 && status <= 599;
}

/**
 * Parses the `RateLimit` header (`"minute";r=0;t=12, "hour";r=2800;t=1812`) into windows.
 * Unknown shapes yield an empty list.
 */
export function parseRateLimit(header: string | null): Array<{ window: string; remaining: number; resetSeconds: number }> {
  if (!header) return [];
  const windows: Array<{ window: string; remaining: number; resetSeconds: number }> = [];
  for (const member of header.split(',')) {
    const parts = member.trim().split(';');
    const name = parts[0]?.trim().replace(/^"|"$/g, '');
    let remaining: number | undefined;
    let reset: number | undefined;
    for (const param of parts.slice(1)) {
      const [key, value] = param.split('=').map((x) => x.trim());
      if (key === 'r') remaining = Number(value);
      if (key === 't') reset = Number(value);
    }
    if (name && Number.isFinite(remaining) && Number.isFinite(reset)) windows.push({ window: name, remaining: remaining!, resetSeconds: reset! });
  }
  return windows;
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isFinite(date)) return Math.max(0, (date - now) / 1000);
  return undefined;
}

/**
 * How long to wait before retry number `attempt` (0-based). A server's instruction wins:
 * `Retry-After`, else the reset of an exhausted `RateLimit` window; otherwise exponential backoff
 * with full jitter in [base*2^n / 2, base*2^n], capped.
 */
export function retryDelayMs(headers: Headers | undefined, attempt: number, options: Pick<RunpodClientOptions, 'backoffBaseMs' | 'backoffMaxMs' | 'maxRetryAfterMs' | 'random'>): number {
  const random = options.random ?? Math.random;
  const retryAfter = parseRetryAfter(headers?.get('retry-after') ?? null);
  if (retryAfter !== undefined) {
    // a little jitter on top so that parallel deploys do not retry in lockstep
    return Math.min(options.maxRetryAfterMs, retryAfter * 1000) + Math.floor(random() * Math.min(250, options.backoffBaseMs));
  }
  const exhausted = parseRateLimit(headers?.get('ratelimit') ?? null).filter((w) => w.remaining <= 0);
  if (exhausted.length > 0) {
    const reset = Math.max(...exhausted.map((w) => w.resetSeconds));
    return Math.min(options.maxRetryAfterMs, reset * 1000) + Math.floor(random() * Math.min(250, options.backoffBaseMs));
  }
  const ceiling = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** attempt);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** Resolves after `ms`, or rejects with AbortedError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Normalises a base URL the way the provider's `base_url` / RUNPOD_API_BASE_URL is written: no `/v2`, no trailing slash. */
export function normaliseBaseUrl(url: string): string {
  let base = url.trim().replace(/\/+$/, '');
  if (base.endsWith('/v2')) base = base.slice(0, -3);
  return base;
}

/** What to do about an error status, phrased for the person running `cdktf deploy`. */
export function describeError(status: number, problem: Problem | undefined, method: string, path: string, purpose: string): string {
  const facts = [problem?.title, problem?.detail].filter((x) => x && String(x).trim() !== '').join(': ');
  const errors = problem?.errors && problem.errors.length > 0 ? ` [${problem.errors.join('; ')}]` : '';
  const what = `RunPod answered ${status}${facts ? ` (${facts})` : ''}${errors} to ${method} ${path} while trying to ${purpose}`;
  switch (status) {
    case 401:
      return `${what}. The API key was missing or rejected: set RUNPOD_API_KEY in the environment of \`cdktf deploy\` to a valid RunPod API key (console -> Settings -> API Keys).`;
    case 402:
      return `${what}. The account balance is insufficient: add funds in the RunPod console, then deploy again.`;
    case 403:
      return `${what}. The API key is valid but lacks permission for this call: give it read/write access to Pods (or use a key with full access) in the RunPod console.`;
    case 404:
      return `${what}. Something it refers to does not exist or is not visible to this key: check the network volume id, the registry auth id and the data centre, and that RUNPOD_API_KEY belongs to the account that owns them.`;
    case 409:
      return `${what}. The pod is in a state that does not allow this (RunPod rejects invalid state transitions with 409).`;
    case 422:
      return `${what}. The request does not match RunPod's API contract; the errors above say which field. If it names a value you set on StorageInitJob (compute, image, podName), fix that prop; otherwise this is a bug in cdktf-runpod-avatar.`;
    case 400:
      return `${what}. The request was refused: for pod creation this usually means no capacity for the chosen compute in the volume's data centre, or a cross-field rule. Try again later, or pick another compute type (the \`compute\` prop of StorageInitJob).`;
    case 429:
      return `${what}. Rate limited and out of retries: wait a minute and deploy again.`;
    default:
      return `${what}.${status >= 500 ? ' RunPod had a server error and retries did not help: try again later.' : ''}`;
  }
}

/** The REST v2 client. */
export class RunpodClient {
  private readonly baseUrl: string;

  constructor(private readonly options: RunpodClientOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
  }

  /** Full URL of an API path. */
  public url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** A JSON request with retries; returns the parsed body, throws RunpodApiError with advice otherwise. */
  public async request<T>(method: string, path: string, options: RequestOptions): Promise<ApiResponse<T>> {
    const { response, text, recovered } = await this.send(method, path, options, 'application/json', true);
    if (recovered !== undefined) return { status: response.status, body: recovered as T, headers: response.headers, recovered };
    const body = parseJson(text ?? '');
    const ok = options.expect ? options.expect.includes(response.status) : response.status >= 200 && response.status < 300;
    if (ok || options.allow?.includes(response.status)) {
      return { status: response.status, body: body as T, headers: response.headers };
    }
    throw this.error(response.status, body, method, path, options.purpose);
  }

  /** Opens a streaming GET (SSE); retries 429/5xx before the stream starts. The caller reads `body`. */
  public async stream(path: string, options: RequestOptions): Promise<Response> {
    const { response } = await this.send('GET', path, options, 'text/event-stream', false);
    if (response.status >= 200 && response.status < 300 && response.body) return response;
    const text = await response.text().catch(() => '');
    throw this.error(response.status, parseJson(text), 'GET', path, options.purpose);
  }

  private error(status: number, body: unknown, method: string, path: string, purpose: string): RunpodApiError {
    const problem = body !== null && typeof body === 'object' ? (body as Problem) : undefined;
    return new RunpodApiError(describeError(status, problem, method, path, purpose), status, problem, method, path);
  }

  /**
   * One call with retries. With `consume` the body is read inside the request timeout; without it
   * (streams) the timeout only covers the response headers.
   */
  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    accept: string,
    consume: boolean,
  ): Promise<{ response: Response; text?: string; recovered?: unknown }> {
    const retryTransient = options.retryTransient ?? true;
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) throw new AbortedError();
      let response: Response | undefined;
      let text: string | undefined;
      let failure: unknown;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${this.options.requestTimeoutMs} ms`)), this.options.requestTimeoutMs);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
      try {
        response = await fetch(this.url(path, options.query), {
          method,
          headers: {
            Authorization: `Bearer ${this.options.apiKey}`,
            Accept: `${accept}, application/problem+json`,
            ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...options.headers,
          },
          body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
          signal,
        });
        if (consume || response.status === 429 || isTransient(response.status)) text = await response.text();
      } catch (error) {
        failure = error;
        response = undefined;
      } finally {
        clearTimeout(timer);
      }
      if (options.signal?.aborted) throw new AbortedError();
      const status = response?.status;
      const retryable = status === 429 || (retryTransient && (failure !== undefined || (status !== undefined && isTransient(status))));
      if (!retryable || attempt >= this.options.maxRetries) {
        if (response) return { response, text };
        throw new Error(`could not reach RunPod at ${this.baseUrl} to ${options.purpose}: ${describeFailure(failure)}. Check the network and RUNPOD_API_BASE_URL.`);
      }
      const delay = retryDelayMs(response?.headers, attempt, this.options);
      const reason = response ? `${status}${status === 429 ? ' Too Many Requests' : ''}` : describeFailure(failure);
      this.options.log?.(`RunPod API: ${method} ${path} -> ${reason}; retrying in ${(delay / 1000).toFixed(1)} s (${attempt + 1}/${this.options.maxRetries})`);
      await sleep(delay, options.signal);
      if (status !== 429 && options.beforeRetry) {
        // a 5xx or a lost connection may hide a request that did succeed: ask before repeating it
        const recovered = await options.beforeRetry();
        if (recovered !== undefined) return { response: new Response(null, { status: 200 }), recovered };
      }
    }
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as any).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
