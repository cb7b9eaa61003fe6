/**
 * Parses what `python -m avatar_worker init` writes on stdout (docs/CONTRACTS.md section 4): one JSON
 * object per line with an `event` key (`log`, `progress`, `result`). Lines that are not such objects
 * (tracebacks, pip noise) are kept for the log tail but otherwise ignored.
 */

/** A `progress` event. */
export interface ProgressEvent {
  readonly event: 'progress';
  readonly stage?: string;
  readonly file?: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly rateBytesPerSecond?: number;
  readonly etaSeconds?: number | null;
}

/** The `result` event that ends a run. */
export interface ResultEvent {
  readonly event: 'result';
  readonly mode?: string;
  readonly ok: boolean;
  readonly error?: { readonly code?: string; readonly message?: string };
  readonly [field: string]: unknown;
}

/** A `log` event. */
export interface LogEvent {
  readonly event: 'log';
  readonly level?: string;
  readonly stage?: string;
  readonly message?: string;
  readonly [field: string]: unknown;
}

/** What one line turned out to be. */
export type ParsedLine =
  | { readonly kind: 'progress'; readonly event: ProgressEvent }
  | { readonly kind: 'result'; readonly event: ResultEvent }
  | { readonly kind: 'log'; readonly event: LogEvent }
  | { readonly kind: 'other'; readonly text: string };

/** How many lines of the pod's output are kept to show when the job fails. */
export const LOG_TAIL_LINES = 40;

/** Parses one line of worker output. */
export function parseWorkerLine(line: string): ParsedLine {
  const text = line.replace(/\r$/, '');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return { kind: 'other', text };
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const event = (value as Record<string, unknown>).event;
      if (event === 'progress' && isFiniteNumber((value as any).bytesDone) && isFiniteNumber((value as any).bytesTotal)) {
        return { kind: 'progress', event: value as ProgressEvent };
      }
      if (event === 'result' && typeof (value as any).ok === 'boolean') {
        return { kind: 'result', event: value as ResultEvent };
      }
      if (event === 'log') {
        return { kind: 'log', event: value as LogEvent };
      }
    }
  }
  return { kind: 'other', text };
}

/** A human line for a `log` event: `[stage] message`. */
export function formatLogEvent(event: LogEvent): string {
  const level = event.level && event.level !== 'info' ? `${event.level.toUpperCase()} ` : '';
  const stage = event.stage ? `[${event.stage}] ` : '';
  return `${level}${stage}${event.message ?? ''}`.trimEnd();
}

/** Accumulates the worker's output: the result, progress counts and the tail. */
export class WorkerOutput {
  /** The `result` event, once seen (the first one wins: exactly one ends a run). */
  public result: ResultEvent | undefined;
  /** Number of `progress` events seen. */
  public progressEvents = 0;
  /** Number of `log` events seen. */
  public logEvents = 0;
  /** Number of lines that were not worker events. */
  public ignoredLines = 0;
  private readonly tail: string[] = [];

  constructor(private readonly tailLines = LOG_TAIL_LINES) {}

  /** Takes one line; returns what it was. */
  public accept(line: string): ParsedLine {
    const parsed = parseWorkerLine(line);
    switch (parsed.kind) {
      case 'progress':
        this.progressEvents++;
        break;
      case 'result':
        if (!this.result) this.result = parsed.event;
        this.remember(line);
        break;
      case 'log':
        this.logEvents++;
        this.remember(formatLogEvent(parsed.event));
        break;
      default:
        this.ignoredLines++;
        if (parsed.text.trim() !== '') this.remember(parsed.text);
    }
    return parsed;
  }

  /** The last lines (log events formatted, other lines verbatim; progress lines left out). */
  public logTail(): string[] {
    return [...this.tail];
  }

  /** The summary `--parse-log` prints. */
  public summary(): ParseLogSummary {
    return {
      ok: this.result ? this.result.ok : false,
      result: this.result ?? null,
      progressEvents: this.progressEvents,
      logEvents: this.logEvents,
      ignoredLines: this.ignoredLines,
    };
  }

  private remember(line: string): void {
    this.tail.push(line);
    if (this.tail.length > this.tailLines) this.tail.shift();
  }
}

/** What `storage-init-runner.js --parse-log` prints (one JSON object). */
export interface ParseLogSummary {
  /** `result.ok`, or false when there was no result line. */
  readonly ok: boolean;
  /** The result event as the worker wrote it, or null. */
  readonly result: ResultEvent | null;
  readonly progressEvents: number;
  readonly logEvents: number;
  readonly ignoredLines: number;
}

/** Parses a whole worker output. */
export function parseWorkerLog(text: string): ParseLogSummary {
  const output = new WorkerOutput();
  for (const line of text.split('\n')) {
    if (line.trim() !== '') output.accept(line);
  }
  return output.summary();
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
