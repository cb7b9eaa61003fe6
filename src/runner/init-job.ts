import { randomUUID } from 'crypto';
import { RunnerConfig } from './config';
import { createPodBody, PodView, RUN_ID_ENV, STOPPED_STATUSES } from './pod';
import { formatBytes, formatDuration, ProgressReporter, ProgressSink } from './progress';
import { AbortedError, retryDelayMs, RunpodApiError, RunpodClient, sleep } from './rest-client';
import { SseParser } from './sse';
import { formatLogEvent, LOG_TAIL_LINES, WorkerOutput } from './worker-output';

/** Exit codes of the runner. */
export const EXIT_CODES = {
  /** The volume holds the verified model set. */
  OK: 0,
  /** Init failed, the pod stopped without a result, or the API refused a call. */
  FAILED: 1,
  /** Missing or invalid configuration (e.g. RUNPOD_API_KEY unset). */
  CONFIG: 2,
  /** The job did not finish within its timeout. */
  TIMEOUT: 124,
  /** Interrupted by SIGINT (Ctrl-C). */
  SIGINT: 130,
  /** Stopped by SIGTERM. */
  SIGTERM: 143,
} as const;

/** Where the runner writes. */
export interface RunnerIo {
  /** Where progress goes (stderr: a bar when it is a terminal). */
  readonly progressSink: ProgressSink;
  /** A line for the deploy log (stdout). */
  out(line: string): void;
  /** A line for diagnostics (stderr). */
  err(line: string): void;
  now(): number;
}

/** The part of `process` the runner uses for signals. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', handler: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', handler: (signal: NodeJS.Signals) => void): unknown;
}

type Outcome =
  | { kind: 'result' }
  | { kind: 'stopped'; status: string }
  | { kind: 'timeout' }
  | { kind: 'signal'; signal: 'SIGINT' | 'SIGTERM' }
  | { kind: 'error'; error: unknown };

type StopReason = 'timeout' | 'SIGINT' | 'SIGTERM';

/**
 * Runs the storage init job: creates the pod, follows its logs to the result line, and terminates
 * the pod. The core invariant: whatever happens after the create call (success, init failure,
 * timeout, SIGINT/SIGTERM, an unexpected error), the pod is terminated before this returns, so no
 * billable compute is left behind.
 */
export async function runStorageInit(config: RunnerConfig, io: RunnerIo, signals: SignalSource): Promise<number> {
  return new StorageInitRun(config, io).run(signals);
}

/** One run of the storage init job; each step of the run is a method, `run` strings them together. */
class StorageInitRun {
  private readonly started: number;
  private readonly runId = randomUUID();
  private readonly client: RunpodClient;
  private readonly abort = new AbortController();
  private readonly output = new WorkerOutput();
  private readonly progress: ProgressReporter;
  private stopReason: StopReason | undefined;
  private podId: string | undefined;
  private createAttempted = false;
  private terminating = false;
  private signalCount = 0;

  constructor(
    private readonly config: RunnerConfig,
    private readonly io: RunnerIo,
  ) {
    this.started = io.now();
    this.client = new RunpodClient({ ...config.tuning, baseUrl: config.apiBaseUrl, apiKey: config.apiKey, log: (line) => io.err(line) });
    this.progress = new ProgressReporter(io.progressSink, config.tuning.progressIntervalMs, io.now);
  }

  private get tuning(): RunnerConfig['tuning'] {
    return this.config.tuning;
  }

  /** Creates the pod, follows it to its outcome, always terminates it, and reports; resolves to the exit code. */
  public async run(signals: SignalSource): Promise<number> {
    const onSignal = (signal: NodeJS.Signals): void => this.onSignal(signal);
    signals.on('SIGINT', onSignal);
    signals.on('SIGTERM', onSignal);
    const deadline = setTimeout(() => this.stop('timeout'), this.config.timeoutSeconds * 1000);
    let outcome: Outcome;
    let terminated = true;
    try {
      const status = await this.createPod();
      outcome = await this.followLogs(this.podId!, await this.waitUntilRunning(status));
    } catch (error) {
      outcome = this.abort.signal.aborted || error instanceof AbortedError ? this.stoppedOutcome() : { kind: 'error', error };
    } finally {
      clearTimeout(deadline);
      this.progress.finish();
      this.terminating = true;
      terminated = await this.terminatePod();
      signals.off('SIGINT', onSignal);
      signals.off('SIGTERM', onSignal);
    }
    return this.report(outcome, terminated);
  }

  private stop(reason: StopReason): void {
    if (this.stopReason === undefined) this.stopReason = reason;
    this.abort.abort();
  }

  private stoppedOutcome(): Outcome {
    return this.stopReason === 'timeout' ? { kind: 'timeout' } : { kind: 'signal', signal: this.stopReason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT' };
  }

  /** First signal: stop and terminate; second: say so; third: quit without waiting. */
  private onSignal(signal: NodeJS.Signals): void {
    this.signalCount++;
    this.progress.clear();
    const pod = this.podId ? `pod ${this.podId}` : undefined;
    if (this.signalCount === 1) {
      this.io.err(`received ${signal}: stopping the storage init job and terminating ${pod ?? 'its pod'} (press Ctrl-C twice more to quit without waiting)`);
      this.stop(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    } else if (this.signalCount === 2) {
      this.io.err(`still ${this.terminating ? 'terminating' : 'stopping'}${pod ? ` ${pod}` : ''}; one more signal quits without waiting.`);
    } else {
      this.io.err(`quitting without confirmation that ${pod ?? 'the pod'} was terminated: check the RunPod console (Pods) and terminate it there.`);
      process.exit(signal === 'SIGTERM' ? EXIT_CODES.SIGTERM : EXIT_CODES.SIGINT);
    }
  }

  private describeCompute(): string {
    const { gpu, cpu } = this.config.compute;
    return gpu ? `${gpu.count}x ${gpu.id}` : `CPU ${cpu!.id} x${cpu!.vcpuCount} vCPU`;
  }

  /** `POST /v2/pods`; a lost answer is recovered by finding the pod by run id. Resolves to its first status. */
  private async createPod(): Promise<string> {
    const config = this.config;
    const compute = this.describeCompute();
    this.io.out(`storage init: creating pod "${config.podName}" (${compute}, ${config.dataCenter}) with volume ${config.volumeId} at /runpod-volume, image ${config.image}`);
    this.createAttempted = true;
    const created = await this.client.request<PodView>('POST', '/v2/pods', {
      body: createPodBody(config, this.runId),
      expect: [201, 200],
      signal: this.abort.signal,
      purpose: `create the storage-init pod (${compute}) in ${config.dataCenter}`,
      beforeRetry: () => this.findPodByRunId(),
    });
    if (!created.body?.id) throw new Error('RunPod accepted the pod but returned no id');
    this.podId = created.body.id;
    this.io.out(`storage init: pod ${this.podId} created (${created.body.status}); timeout ${formatDuration(config.timeoutSeconds)}`);
    return created.body.status;
  }

  /** Polls the pod until it runs or stopped; resolves to that status. */
  private async waitUntilRunning(initialStatus: string): Promise<string> {
    let status = initialStatus;
    while (status !== 'RUNNING' && !STOPPED_STATUSES.has(status)) {
      await sleep(this.tuning.pollMs, this.abort.signal);
      const pod = await this.getPod(this.podId!, this.abort.signal);
      if (pod.status !== status) this.io.out(`storage init: pod ${this.podId} is ${pod.status}`);
      status = pod.status;
    }
    return status;
  }

  private async getPod(id: string, signal?: AbortSignal): Promise<PodView> {
    const response = await this.client.request<PodView>('GET', `/v2/pods/${encodeURIComponent(id)}`, { allow: [404], signal, purpose: `read the status of pod ${id}` });
    // a terminated pod is deleted: 404 means it is gone
    return response.status === 404 || !response.body ? { id, status: 'TERMINATED' } : response.body;
  }

  private async findPodByRunId(): Promise<PodView | undefined> {
    try {
      const response = await this.client.request<{ pods: PodView[] }>('GET', '/v2/pods', { purpose: 'look for a pod created by an attempt whose answer was lost' });
      return response.body?.pods?.find((p) => p.env?.[RUN_ID_ENV] === this.runId);
    } catch (error) {
      this.io.err(`could not list pods: ${message(error)}`);
      return undefined;
    }
  }

  /** Follows the container log until the result line, or until the pod stopped and its log drained. */
  private async followLogs(id: string, initialStatus: string): Promise<Outcome> {
    const watch = new PodWatch(initialStatus, this.io.now());
    const pollStop = new AbortController();
    const poller = this.watchPod(id, watch, AbortSignal.any([this.abort.signal, pollStop.signal]));
    let lastEventId: string | undefined;
    const seen = new Set<string>();
    let failures = 0;
    try {
      for (;;) {
        if (this.output.result) return { kind: 'result' };
        const read = await this.readLogStream(id, watch, lastEventId, seen);
        lastEventId = read.lastEventId;
        if (read.reconnect) continue;
        if (read.failure !== undefined) {
          failures++;
          this.progress.clear();
          this.io.err(
            `storage init: log stream of pod ${id} dropped (${read.failure}); ${lastEventId ? `resuming after event ${lastEventId}` : 'reconnecting'} (${failures}/${this.tuning.maxReconnects})`,
          );
        }
        if (this.output.result) return { kind: 'result' };
        if (read.closedByWatch) return { kind: 'stopped', status: watch.status };
        if (read.events > 0) failures = 0;
        if (read.events === 0 && !STOPPED_STATUSES.has(watch.status)) watch.status = (await this.getPod(id, this.abort.signal)).status;
        if (STOPPED_STATUSES.has(watch.status)) {
          // the stream ended after the container stopped: everything it wrote has been read
          if (watch.stoppedAt === undefined) watch.stoppedAt = this.io.now();
          if (read.events === 0 || this.io.now() - watch.stoppedAt >= this.tuning.exitGraceMs) return { kind: 'stopped', status: watch.status };
        } else if (read.events === 0) {
          failures++;
        }
        if (failures > this.tuning.maxReconnects) {
          throw new Error(`lost the log stream of pod ${id} ${failures} times in a row; the pod may still be running the init job (it is terminated now; the next deploy resumes the download).`);
        }
        await sleep(Math.min(this.tuning.pollMs, retryDelayMs(undefined, Math.max(0, failures - 1), this.tuning)), this.abort.signal);
      }
    } finally {
      pollStop.abort();
      watch.stream?.abort();
      await poller;
    }
  }

  /**
   * Polls the pod while its log is read: prints status changes, ends the stream once the container
   * stopped and the stream has been quiet for the grace period, and reopens a stream that went
   * silent while the pod runs (it may be a dead connection).
   */
  private async watchPod(id: string, watch: PodWatch, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await sleep(this.tuning.pollMs, signal);
        const pod = await this.getPod(id, signal);
        if (pod.status !== watch.status) {
          this.progress.clear();
          this.io.out(`storage init: pod ${id} is ${pod.status}`);
          watch.status = pod.status;
        }
        const now = this.io.now();
        if (STOPPED_STATUSES.has(watch.status) && watch.stoppedAt === undefined) watch.stoppedAt = now;
        if (watch.stoppedAt !== undefined && now - Math.max(watch.stoppedAt, watch.lastDataAt) >= this.tuning.exitGraceMs) {
          watch.stream?.abort();
        } else if (watch.stoppedAt === undefined && now - watch.lastDataAt >= this.tuning.streamIdleMs && watch.stream?.signal.aborted === false) {
          watch.idleReconnect = true;
          watch.stream.abort();
        }
      } catch (error) {
        if (signal.aborted) return;
        this.io.err(`storage init: could not read pod ${id}: ${message(error)}`);
      }
    }
  }

  /** One connection to the log stream, resumed after `lastEventId`. */
  private async readLogStream(id: string, watch: PodWatch, lastEventId: string | undefined, seen: Set<string>): Promise<StreamRead> {
    const stream = new AbortController();
    watch.stream = stream;
    const read: { lastEventId: string | undefined; events: number; reconnect: boolean; failure?: string; closedByWatch: boolean } = {
      lastEventId,
      events: 0,
      reconnect: false,
      closedByWatch: false,
    };
    try {
      const response = await this.client.stream(`/v2/pods/${encodeURIComponent(id)}/logs`, {
        query: lastEventId ? { source: 'container' } : { source: 'container', tail: 5000 },
        headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {},
        signal: AbortSignal.any([this.abort.signal, stream.signal]),
        purpose: `follow the logs of pod ${id}`,
      });
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        watch.lastDataAt = this.io.now();
        for (const event of parser.feed(decoder.decode(chunk, { stream: true }))) {
          const key = `${event.id ?? ''}\n${event.data}`;
          if (event.id !== undefined) {
            read.lastEventId = event.id;
            if (seen.has(key)) continue;
            seen.add(key);
          }
          read.events++;
          this.handleLogData(event.data);
          if (this.output.result) return read;
        }
      }
    } catch (error) {
      if (this.abort.signal.aborted) throw new AbortedError();
      if (stream.signal.aborted && watch.idleReconnect) {
        watch.idleReconnect = false;
        watch.lastDataAt = this.io.now();
        this.io.err(`storage init: no log output from pod ${id} for ${Math.round(this.tuning.streamIdleMs / 1000)} s; reconnecting${read.lastEventId ? ` after event ${read.lastEventId}` : ''}`);
        read.reconnect = true;
      } else if (stream.signal.aborted) {
        read.closedByWatch = true;
      } else if (error instanceof RunpodApiError && (error.status === 401 || error.status === 403)) {
        throw error;
      } else {
        read.failure = message(error);
      }
    }
    return read;
  }

  /** Shows one log event's lines: progress as a bar, worker log lines and anything else as text. */
  private handleLogData(data: string): void {
    let line = data;
    try {
      const payload = JSON.parse(data);
      if (payload && typeof payload === 'object' && typeof payload.line === 'string') line = payload.line;
    } catch {
      // not the documented {ts, source, line} payload: treat the data as the line itself
    }
    for (const part of line.split('\n')) {
      if (part.trim() === '') continue;
      const parsed = this.output.accept(part);
      if (parsed.kind === 'progress') {
        this.progress.update(parsed.event);
      } else if (parsed.kind === 'log') {
        this.progress.clear();
        this.io.out(`  ${formatLogEvent(parsed.event)}`);
      } else if (parsed.kind === 'other') {
        this.progress.clear();
        this.io.out(`  ${parsed.text}`);
      }
    }
  }

  /** Terminates the pod (or the one an interrupted create may have made); true when it is gone. */
  private async terminatePod(): Promise<boolean> {
    let id = this.podId;
    if (!id && this.createAttempted) id = (await this.findPodByRunId())?.id;
    if (!id) return true;
    const purpose = `terminate pod ${id}`;
    try {
      const response = await this.client.request('POST', `/v2/pods/${encodeURIComponent(id)}/action`, { body: { action: 'terminate' }, expect: [204], allow: [404, 409], purpose });
      if (response.status === 409) {
        const pod = await this.getPod(id);
        if (pod.status !== 'TERMINATED') {
          await this.client.request('DELETE', `/v2/pods/${encodeURIComponent(id)}`, { expect: [204], allow: [404], purpose });
        }
      }
      this.io.out(`storage init: pod ${id} terminated`);
      return true;
    } catch (error) {
      this.io.err(
        `storage init: COULD NOT TERMINATE pod ${id}; it may still be billing. Terminate it in the RunPod console (Pods -> ${this.config.podName}) ` +
          `or with: curl -X POST -H "Authorization: Bearer $RUNPOD_API_KEY" -H "Content-Type: application/json" -d '{"action":"terminate"}' ${this.client.url(`/v2/pods/${id}/action`)}\n  cause: ${message(error)}`,
      );
      return false;
    }
  }

  private printTail(): void {
    // Before a pod exists there is no output to speak of; the error itself says what failed.
    if (this.podId === undefined) return;
    const tail = this.output.logTail();
    if (tail.length === 0) {
      this.io.err('storage init: the pod wrote no output.');
      return;
    }
    this.io.err(`storage init: last ${tail.length} lines of the pod's output (up to ${LOG_TAIL_LINES}):`);
    for (const line of tail) this.io.err(`  | ${line}`);
  }

  /** Prints the outcome and returns the exit code. */
  private report(result: Outcome, podGone: boolean): number {
    const { io, config, podId } = this;
    const elapsed = formatDuration((io.now() - this.started) / 1000);
    const podNote = podGone ? (podId ? `pod ${podId} terminated` : 'no pod left running') : `POD ${podId ?? '?'} MAY STILL BE RUNNING (see above)`;
    switch (result.kind) {
      case 'result': {
        const r = this.output.result!;
        if (r.ok) {
          const total = typeof r.totalBytes === 'number' ? formatBytes(r.totalBytes) : 'the model set';
          const downloaded = typeof r.downloadedBytes === 'number' ? `, ${formatBytes(r.downloadedBytes)} downloaded` : '';
          io.out(`storage init: OK: ${total} verified on volume ${config.volumeId}${downloaded} (manifest ${config.manifestSha256.slice(0, 12)}) in ${elapsed}; ${podNote}.`);
          return podGone ? EXIT_CODES.OK : EXIT_CODES.FAILED;
        }
        this.printTail();
        io.err(`storage init: FAILED (${r.error?.code ?? 'UNKNOWN'}: ${r.error?.message ?? 'no message'}) after ${elapsed}; ${podNote}. Fix the cause and run \`cdktf deploy\` again: the download resumes where it stopped.`);
        return EXIT_CODES.FAILED;
      }
      case 'stopped':
        this.printTail();
        io.err(`storage init: FAILED: pod ${podId} stopped (${result.status}) without writing a result line after ${elapsed}; ${podNote}. The log tail above says why (a crash, an out-of-memory kill or a wrong image).`);
        return EXIT_CODES.FAILED;
      case 'timeout':
        this.printTail();
        io.err(`storage init: TIMED OUT after ${formatDuration(config.timeoutSeconds)} (timeoutMinutes on StorageInitJob); ${podNote}. Raise timeoutMinutes if the download was progressing, then deploy again: it resumes.`);
        return EXIT_CODES.TIMEOUT;
      case 'signal':
        io.err(`storage init: INTERRUPTED by ${result.signal} after ${elapsed}; ${podNote}.`);
        return result.signal === 'SIGTERM' ? EXIT_CODES.SIGTERM : EXIT_CODES.SIGINT;
      default:
        this.printTail();
        io.err(`storage init: FAILED: ${message(result.error)}\n  (after ${elapsed}; ${podNote})`);
        return EXIT_CODES.FAILED;
    }
  }
}

/** What the log reader and the pod watcher share while a pod's log is followed. */
class PodWatch {
  /** The pod's last known status. */
  public status: string;
  /** When the container was first seen stopped. */
  public stoppedAt: number | undefined;
  /** When the log stream last delivered data. */
  public lastDataAt: number;
  /** The open stream's controller: aborting it ends the current connection. */
  public stream: AbortController | undefined;
  /** The watcher closed a silent stream: the reader reconnects instead of counting a failure. */
  public idleReconnect = false;

  constructor(status: string, now: number) {
    this.status = status;
    this.stoppedAt = STOPPED_STATUSES.has(status) ? now : undefined;
    this.lastDataAt = now;
  }
}

/** How one connection to the log stream ended. */
interface StreamRead {
  /** The last event id seen (to resume with Last-Event-ID). */
  readonly lastEventId: string | undefined;
  /** New events read. */
  readonly events: number;
  /** The watcher closed a silent stream: open another at once. */
  readonly reconnect: boolean;
  /** Why the connection failed, when it did. */
  readonly failure?: string;
  /** The watcher closed the stream because the pod stopped and its log drained. */
  readonly closedByWatch: boolean;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
