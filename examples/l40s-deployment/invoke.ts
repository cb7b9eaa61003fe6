/**
 * Send an image and an audio clip to the deployed endpoint and download the video.
 *
 *   RUNPOD_API_KEY=… npx ts-node invoke.ts --endpoint-id <id> --image face.png --audio speech.wav [--out result.mp4]
 *
 * Submits the job with /run (videos take minutes; /runsync would time out), polls /status with a
 * progress display, and writes the mp4 (downloaded from the presigned URL, or decoded when inline).
 * A video stored on the network volume through RunPod's S3 API (which serves no presigned URLs)
 * comes back as its location; the client prints the `aws s3 cp` command that fetches it.
 * `--image` / `--audio` take a local file (sent as base64) or an https URL (fetched by the worker).
 * `--api-url` overrides https://api.runpod.ai/v2/<endpoint id> (e.g. the RunPod SDK's local API server).
 */
import * as fs from 'fs';
import * as path from 'path';
import { jobInputProblem, JobLimits, MAX_SAMPLE_STEPS, RESOLUTIONS, SERVING_SETTINGS } from '../../src/runner/worker-contract';

/**
 * The widest limits any endpoint sets: the client checks its input against them before it queues a
 * job, so a malformed input fails here instead of after a wait; the endpoint's own preset may still
 * refuse what it does not allow (a resolution, more steps).
 */
const ANY_ENDPOINT: JobLimits = {
  resolutions: RESOLUTIONS,
  sampleSteps: MAX_SAMPLE_STEPS,
  maxStepsAllowed: MAX_SAMPLE_STEPS,
  textGuideScale: 5,
  audioGuideScale: 5,
  maxAudioSeconds: SERVING_SETTINGS.maxAudioSeconds.max,
};

/** Options of one invocation. */
export interface InvokeOptions {
  readonly apiUrl: string;
  readonly apiKey?: string;
  readonly image: string;
  readonly audio: string;
  readonly prompt?: string;
  readonly resolution?: number;
  readonly seed?: number;
  readonly out: string;
  readonly pollSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly log?: (line: string) => void;
}

/** What a finished job gave back. */
export interface InvokeResult {
  readonly jobId: string;
  /** The mp4 written, or undefined when the video stays in a bucket that serves no presigned URLs. */
  readonly outputFile?: string;
  readonly output: Record<string, any>;
}

/** A failure with a message meant for the person running the command. */
export class InvokeError extends Error {}

const TERMINAL_FAILURES = new Set(['FAILED', 'CANCELLED', 'TIMED_OUT']);

function mediaField(kind: 'image' | 'audio', value: string): Record<string, string> {
  if (/^https?:\/\//.test(value)) return { [`${kind}_url`]: value };
  if (!fs.existsSync(value)) {
    throw new InvokeError(`--${kind} ${value}: no such file (give a local file or an https URL)`);
  }
  return { [`${kind}_base64`]: fs.readFileSync(value).toString('base64') };
}

async function call(url: string, apiKey: string | undefined, init: { method: string; body?: unknown }): Promise<any> {
  const response = await fetch(url, {
    method: init.method,
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new InvokeError(`${init.method} ${url}: ${response.status}: the API key was refused; set RUNPOD_API_KEY to a key with access to this endpoint.`);
  }
  if (response.status === 404) {
    throw new InvokeError(`${init.method} ${url}: 404: no such endpoint or job; check the endpoint id (cdktf output endpoint_id).`);
  }
  if (!response.ok) {
    throw new InvokeError(`${init.method} ${url}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvokeError(`${init.method} ${url}: the answer is not JSON: ${text.slice(0, 200)}`);
  }
}

function describeProgress(status: any): string {
  const p = status.output && typeof status.output === 'object' && !Array.isArray(status.output) ? status.output : undefined;
  if (p && (p.stage || p.message)) return `${p.stage ?? ''}${p.message ? `: ${p.message}` : ''}`;
  return '';
}

function describeError(status: any): string {
  const raw = status.error ?? status.output?.error;
  if (raw === undefined) return 'no error detail';
  let error = raw;
  if (typeof raw === 'string') {
    try {
      error = JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return error.code ? `${error.code}: ${error.message}` : JSON.stringify(error);
}

/** Runs one job end to end and writes the video to `options.out`. */
export async function invoke(options: InvokeOptions): Promise<InvokeResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const input = {
    ...mediaField('image', options.image),
    ...mediaField('audio', options.audio),
    ...(options.prompt ? { prompt: options.prompt } : {}),
    ...(options.resolution ? { resolution: options.resolution } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  const problem = jobInputProblem(input, ANY_ENDPOINT);
  if (problem) throw new InvokeError(`the job input is invalid: ${problem}.`);
  const submitted = await call(`${options.apiUrl}/run`, options.apiKey, { method: 'POST', body: { input } });
  const jobId: string = submitted.id;
  if (!jobId) throw new InvokeError(`the endpoint accepted the job but returned no id: ${JSON.stringify(submitted)}`);
  log(`job ${jobId} queued`);

  // RunPod serves GET /status/{id}; the RunPod SDK's local test server (--rp_serve_api) only POST.
  let statusMethod = 'GET';
  const started = Date.now();
  const deadline = started + (options.timeoutSeconds ?? 3 * 3600) * 1000;
  let last = '';
  for (;;) {
    let status: any;
    try {
      status = await call(`${options.apiUrl}/status/${jobId}`, options.apiKey, { method: statusMethod });
    } catch (error) {
      if (statusMethod !== 'GET' || !(error instanceof InvokeError) || !/HTTP 405/.test(error.message)) throw error;
      statusMethod = 'POST';
      continue;
    }
    const elapsed = Math.round((Date.now() - started) / 1000);
    const line = `${status.status}${describeProgress(status) ? ` (${describeProgress(status)})` : ''}`;
    if (line !== last) log(`[${elapsed}s] ${line}`);
    last = line;
    if (status.status === 'COMPLETED') {
      const output = status.output ?? {};
      if (output.error) throw new InvokeError(`job ${jobId} failed: ${describeError(status)}`);
      const size = `${output.duration_seconds ?? '?'} s, ${output.resolution?.width ?? '?'}x${output.resolution?.height ?? '?'}`;
      if (output.video_s3) {
        const at = output.video_s3;
        log(`stored s3://${at.bucket}/${at.key} (${size}) in ${elapsed} s; fetch it with an S3 API key:`);
        log(`  aws s3 cp --region ${at.region} --endpoint-url ${at.endpoint_url} s3://${at.bucket}/${at.key} ${options.out}`);
        return { jobId, output };
      }
      await writeVideo(output, options.out);
      log(`wrote ${options.out} (${size}) in ${elapsed} s`);
      return { jobId, outputFile: options.out, output };
    }
    if (TERMINAL_FAILURES.has(status.status)) {
      throw new InvokeError(`job ${jobId} ended ${status.status}: ${describeError(status)}`);
    }
    if (Date.now() > deadline) {
      throw new InvokeError(`job ${jobId} still ${status.status} after ${elapsed} s; it keeps running: check ${options.apiUrl}/status/${jobId} later.`);
    }
    await new Promise((resolve) => setTimeout(resolve, (options.pollSeconds ?? 5) * 1000));
  }
}

async function writeVideo(output: Record<string, any>, out: string): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  if (typeof output.video_base64 === 'string') {
    fs.writeFileSync(out, Buffer.from(output.video_base64, 'base64'));
    return;
  }
  if (typeof output.video_url === 'string') {
    const response = await fetch(output.video_url);
    if (!response.ok) throw new InvokeError(`downloading the video from its presigned URL failed: HTTP ${response.status}`);
    fs.writeFileSync(out, Buffer.from(await response.arrayBuffer()));
    return;
  }
  throw new InvokeError(`the job completed without video_url or video_base64: ${JSON.stringify(output).slice(0, 300)}`);
}

function parseArgs(argv: string[]): InvokeOptions {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith('--') || i + 1 >= argv.length) throw new InvokeError(`unexpected argument ${key}; see the header of invoke.ts for usage.`);
    args[key.slice(2)] = argv[++i];
  }
  const endpointId = args['endpoint-id'] ?? process.env.RUNPOD_ENDPOINT_ID;
  const apiUrl = args['api-url'] ?? (endpointId ? `https://api.runpod.ai/v2/${endpointId}` : undefined);
  if (!apiUrl) throw new InvokeError('give --endpoint-id (or RUNPOD_ENDPOINT_ID; `cdktf output` shows it) or --api-url.');
  const apiKey = process.env.RUNPOD_API_KEY;
  if (!apiKey && !args['api-url']) throw new InvokeError('RUNPOD_API_KEY is not set: export your RunPod API key first.');
  if (!args.image || !args.audio) throw new InvokeError('give --image <file or URL> and --audio <file or URL>.');
  return {
    apiUrl: apiUrl.replace(/\/$/, ''),
    apiKey,
    image: args.image,
    audio: args.audio,
    prompt: args.prompt,
    resolution: args.resolution ? Number(args.resolution) : undefined,
    seed: args.seed ? Number(args.seed) : undefined,
    out: args.out ?? 'result.mp4',
    pollSeconds: args.poll ? Number(args.poll) : undefined,
  };
}

if (require.main === module) {
  void (async () => {
    try {
      await invoke(parseArgs(process.argv.slice(2)));
    } catch (error) {
      process.stderr.write(`invoke: ${error instanceof InvokeError ? error.message : String(error)}\n`);
      process.exit(1);
    }
  })();
}
