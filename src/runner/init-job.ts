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

/**
 * Runs the storage init job: creates the pod, follows its logs to the result line, and terminates
 * the pod. The core invariant: whatever happens after the create call (success, init failure,
 * timeout, SIGINT/SIGTERM, an unexpected error), the pod is terminated before this returns, so no
 * billable compute is left behind.
 */
export async function runStorageInit(config: RunnerConfig, io: RunnerIo, signals: SignalSource): Promise<number> {
  const started = io.now();
  const runId = randomUUID();
  const tuning = config.tuning;
  const client = new RunpodClient({ ...tuning, baseUrl: config.apiBaseUrl, apiKey: config.apiKey, log: (line) => io.err(line) });
  const abort = new AbortController();
  const output = new WorkerOutput();
  const progress = new ProgressReporter(io.progressSink, tuning.progressIntervalMs, io.now);
  let stopReason: 'timeout' | 'SIGINT' | 'SIGTERM' | undefined;
  let podId: string | undefined;
  let createAttempted = false;
  let terminating = false;
  let signalCount = 0;

  const stop = (reason: 'timeout' | 'SIGINT' | 'SIGTERM'): void => {
    if (stopReason === undefined) stopReason = reason;
    abort.abort();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    signalCount++;
    progress.clear();
    if (signalCount === 1) {
      io.err(`received ${signal}: stopping the storage init job and terminating ${podId ? `pod ${podId}` : 'its pod'} (press Ctrl-C twice more to quit without waiting)`);
      stop(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    } else if (signalCount === 2) {
      io.err(`still ${terminating ? 'terminating' : 'stopping'}${podId ? ` pod ${podId}` : ''}; one more signal quits without waiting.`);
    } else {
      io.err(`quitting without confirmation that ${podId ? `pod ${podId}` : 'the pod'} was terminated: check the RunPod console (Pods) and terminate it there.`);
      process.exit(signal === 'SIGTERM' ? EXIT_CODES.SIGTERM : EXIT_CODES.SIGINT);
    }
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  const deadline = setTimeout(() => stop('timeout'), config.timeoutSeconds * 1000);

  const getPod = async (id: string, signal?: AbortSignal): Promise<PodView> => {
    const response = await client.request<PodView>('GET', `/v2/pods/${encodeURIComponent(id)}`, { allow: [404], signal, purpose: `read the status of pod ${id}` });
    // a terminated pod is deleted: 404 means it is gone
    return response.status === 404 || !response.body ? { id, status: 'TERMINATED' } : response.body;
  };
  const findPodByRunId = async (): Promise<PodView | undefined> => {
    try {
      const response = await client.request<{ pods: PodView[] }>('GET', '/v2/pods', { purpose: 'look for a pod created by an attempt whose answer was lost' });
      return response.body?.pods?.find((p) => p.env?.[RUN_ID_ENV] === runId);
    } catch (error) {
      io.err(`could not list pods: ${message(error)}`);
      return undefined;
    }
  };

  let outcome: Outcome;
  let terminated = true;
  try {
    const body = createPodBody(config, runId);
    const compute = config.compute.gpu ? `${config.compute.gpu.count}x ${config.compute.gpu.id}` : `CPU ${config.compute.cpu!.id} x${config.compute.cpu!.vcpuCount} vCPU`;
    io.out(`storage init: creating pod "${config.podName}" (${compute}, ${config.dataCenter}) with volume ${config.volumeId} at /runpod-volume, image ${config.image}`);
    createAttempted = true;
    const created = await client.request<PodView>('POST', '/v2/pods', {
      body,
      expect: [201, 200],
      signal: abort.signal,
      purpose: `create the storage-init pod (${compute}) in ${config.dataCenter}`,
      beforeRetry: findPodByRunId,
    });
    if (!created.body?.id) throw new Error('RunPod accepted the pod but returned no id');
    podId = created.body.id;
    io.out(`storage init: pod ${podId} created (${created.body.status}); timeout ${formatDuration(config.timeoutSeconds)}`);

    let status = created.body.status;
    while (status !== 'RUNNING' && !STOPPED_STATUSES.has(status)) {
      await sleep(tuning.pollMs, abort.signal);
      const pod = await getPod(podId, abort.signal);
      if (pod.status !== status) io.out(`storage init: pod ${podId} is ${pod.status}`);
      status = pod.status;
    }
    outcome = await followLogs(podId, status);
  } catch (error) {
    if (abort.signal.aborted || error instanceof AbortedError) {
      outcome = stopReason === 'timeout' ? { kind: 'timeout' } : { kind: 'signal', signal: stopReason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT' };
    } else {
      outcome = { kind: 'error', error };
    }
  } finally {
    clearTimeout(deadline);
    progress.finish();
    terminating = true;
    terminated = await terminatePod();
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  }
  return report(outcome, terminated);

  /** Follows the container log until the result line, or until the pod stopped and its log drained. */
  async function followLogs(id: string, initialStatus: string): Promise<Outcome> {
    const seen = new Set<string>();
    let lastEventId: string | undefined;
    let status = initialStatus;
    let stoppedAt: number | undefined = STOPPED_STATUSES.has(status) ? io.now() : undefined;
    let lastDataAt = io.now();
    let failures = 0;
    let current: AbortController | undefined;
    let idleReconnect = false;
    const pollStop = new AbortController();
    const pollSignal = AbortSignal.any([abort.signal, pollStop.signal]);

    const poller = (async () => {
      while (!pollSignal.aborted) {
        try {
          await sleep(tuning.pollMs, pollSignal);
          const pod = await getPod(id, pollSignal);
          if (pod.status !== status) {
            progress.clear();
            io.out(`storage init: pod ${id} is ${pod.status}`);
            status = pod.status;
          }
          if (STOPPED_STATUSES.has(status) && stoppedAt === undefined) stoppedAt = io.now();
          // the container stopped and the stream has been quiet for the grace period: stop reading
          if (stoppedAt !== undefined && io.now() - Math.max(stoppedAt, lastDataAt) >= tuning.exitGraceMs) {
            current?.abort();
          } else if (stoppedAt === undefined && io.now() - lastDataAt >= tuning.streamIdleMs && current && !current.signal.aborted) {
            // a silent stream to a running pod may be a dead connection: reconnect where it left off
            idleReconnect = true;
            current.abort();
          }
        } catch (error) {
          if (pollSignal.aborted) return;
          io.err(`storage init: could not read pod ${id}: ${message(error)}`);
        }
      }
    })();

    try {
      for (;;) {
        if (output.result) return { kind: 'result' };
        current = new AbortController();
        let events = 0;
        let closedByPoller = false;
        try {
          const response = await client.stream(`/v2/pods/${encodeURIComponent(id)}/logs`, {
            query: lastEventId ? { source: 'container' } : { source: 'container', tail: 5000 },
            headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {},
            signal: AbortSignal.any([abort.signal, current.signal]),
            purpose: `follow the logs of pod ${id}`,
          });
          const parser = new SseParser();
          const decoder = new TextDecoder();
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
            lastDataAt = io.now();
            for (const event of parser.feed(decoder.decode(chunk, { stream: true }))) {
              const key = `${event.id ?? ''}\n${event.data}`;
              if (event.id !== undefined) {
                lastEventId = event.id;
                if (seen.has(key)) continue;
                seen.add(key);
              }
              events++;
              handleLogData(event.data);
              if (output.result) return { kind: 'result' };
            }
          }
        } catch (error) {
          if (abort.signal.aborted) throw new AbortedError();
          if (current.signal.aborted && idleReconnect) {
            idleReconnect = false;
            lastDataAt = io.now();
            io.err(`storage init: no log output from pod ${id} for ${Math.round(tuning.streamIdleMs / 1000)} s; reconnecting${lastEventId ? ` after event ${lastEventId}` : ''}`);
            continue;
          } else if (current.signal.aborted) {
            closedByPoller = true;
          } else if (error instanceof RunpodApiError && (error.status === 401 || error.status === 403)) {
            throw error;
          } else {
            failures++;
            progress.clear();
            io.err(`storage init: log stream of pod ${id} dropped (${message(error)}); ${lastEventId ? `resuming after event ${lastEventId}` : 'reconnecting'} (${failures}/${tuning.maxReconnects})`);
          }
        }
        if (output.result) return { kind: 'result' };
        if (closedByPoller) return { kind: 'stopped', status };
        if (events > 0) failures = 0;
        if (STOPPED_STATUSES.has(status) || (events === 0 && STOPPED_STATUSES.has((status = (await getPod(id, abort.signal)).status)))) {
          // the stream ended after the container stopped: everything it wrote has been read
          if (stoppedAt === undefined) stoppedAt = io.now();
          if (events === 0 || io.now() - stoppedAt >= tuning.exitGraceMs) return { kind: 'stopped', status };
        } else if (events === 0) {
          failures++;
        }
        if (failures > tuning.maxReconnects) {
          throw new Error(`lost the log stream of pod ${id} ${failures} times in a row; the pod may still be running the init job (it is terminated now; the next deploy resumes the download).`);
        }
        await sleep(Math.min(tuning.pollMs, retryDelayMs(undefined, Math.max(0, failures - 1), tuning)), abort.signal);
      }
    } finally {
      pollStop.abort();
      current?.abort();
      await poller;
    }
  }

  function handleLogData(data: string): void {
    let line = data;
    try {
      const payload = JSON.parse(data);
      if (payload && typeof payload === 'object' && typeof payload.line === 'string') line = payload.line;
    } catch {
      // not the documented {ts, source, line} payload: treat the data as the line itself
    }
    for (const part of line.split('\n')) {
      if (part.trim() === '') continue;
      const parsed = output.accept(part);
      if (parsed.kind === 'progress') {
        progress.update(parsed.event);
      } else if (parsed.kind === 'log') {
        progress.clear();
        io.out(`  ${formatLogEvent(parsed.event)}`);
      } else if (parsed.kind === 'other') {
        progress.clear();
        io.out(`  ${parsed.text}`);
      }
    }
  }

  /** Terminates the pod (or the one an interrupted create may have made); true when it is gone. */
  async function terminatePod(): Promise<boolean> {
    let id = podId;
    if (!id && createAttempted) id = (await findPodByRunId())?.id;
    if (!id) return true;
    const purpose = `terminate pod ${id}`;
    try {
      const response = await client.request('POST', `/v2/pods/${encodeURIComponent(id)}/action`, { body: { action: 'terminate' }, expect: [204], allow: [404, 409], purpose });
      if (response.status === 409) {
        const pod = await getPod(id);
        if (pod.status !== 'TERMINATED') {
          await client.request('DELETE', `/v2/pods/${encodeURIComponent(id)}`, { expect: [204], allow: [404], purpose });
        }
      }
      io.out(`storage init: pod ${id} terminated`);
      return true;
    } catch (error) {
      io.err(
        `storage init: COULD NOT TERMINATE pod ${id}; it may still be billing. Terminate it in the RunPod console (Pods -> ${config.podName}) ` +
          `or with: curl -X POST -H "Authorization: Bearer $RUNPOD_API_KEY" -H "Content-Type: application/json" -d '{"action":"terminate"}' ${client.url(`/v2/pods/${id}/action`)}\n  cause: ${message(error)}`,
      );
      return false;
    }
  }

  function printTail(): void {
    // Before a pod exists there is no output to speak of; the error itself says what failed.
    if (podId === undefined) return;
    const tail = output.logTail();
    if (tail.length === 0) {
      io.err('storage init: the pod wrote no output.');
      return;
    }
    io.err(`storage init: last ${tail.length} lines of the pod's output (up to ${LOG_TAIL_LINES}):`);
    for (const line of tail) io.err(`  | ${line}`);
  }

  function report(result: Outcome, podGone: boolean): number {
    const elapsed = formatDuration((io.now() - started) / 1000);
    const podNote = podGone ? (podId ? `pod ${podId} terminated` : 'no pod left running') : `POD ${podId ?? '?'} MAY STILL BE RUNNING (see above)`;
    let code: number;
    switch (result.kind) {
      case 'result': {
        const r = output.result!;
        if (r.ok) {
          const total = typeof r.totalBytes === 'number' ? formatBytes(r.totalBytes) : 'the model set';
          const downloaded = typeof r.downloadedBytes === 'number' ? `, ${formatBytes(r.downloadedBytes)} downloaded` : '';
          io.out(`storage init: OK: ${total} verified on volume ${config.volumeId}${downloaded} (manifest ${config.manifestSha256.slice(0, 12)}) in ${elapsed}; ${podNote}.`);
          return podGone ? EXIT_CODES.OK : EXIT_CODES.FAILED;
        }
        printTail();
        const code_ = r.error?.code ?? 'UNKNOWN';
        io.err(`storage init: FAILED (${code_}: ${r.error?.message ?? 'no message'}) after ${elapsed}; ${podNote}. Fix the cause and run \`cdktf deploy\` again: the download resumes where it stopped.`);
        return EXIT_CODES.FAILED;
      }
      case 'stopped':
        printTail();
        io.err(`storage init: FAILED: pod ${podId} stopped (${result.status}) without writing a result line after ${elapsed}; ${podNote}. The log tail above says why (a crash, an out-of-memory kill or a wrong image).`);
        return EXIT_CODES.FAILED;
      case 'timeout':
        printTail();
        io.err(`storage init: TIMED OUT after ${formatDuration(config.timeoutSeconds)} (timeoutMinutes on StorageInitJob); ${podNote}. Raise timeoutMinutes if the download was progressing, then deploy again: it resumes.`);
        return EXIT_CODES.TIMEOUT;
      case 'signal':
        code = result.signal === 'SIGTERM' ? EXIT_CODES.SIGTERM : EXIT_CODES.SIGINT;
        io.err(`storage init: INTERRUPTED by ${result.signal} after ${elapsed}; ${podNote}.`);
        return code;
      default:
        printTail();
        io.err(`storage init: FAILED: ${message(result.error)}\n  (after ${elapsed}; ${podNote})`);
        return EXIT_CODES.FAILED;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
