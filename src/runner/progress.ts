import { ProgressEvent } from './worker-output';

/** Where the reporter writes: a stream with an optional TTY flag (process.stderr fits). */
export interface ProgressSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/**
 * Shows download progress: a redrawn bar when the sink is a terminal, otherwise a plain line at
 * most every `intervalMs` (Terraform captures local-exec output line by line, so a bar redrawn with
 * carriage returns would print hundreds of lines there).
 */
export class ProgressReporter {
  private lastPlainAt = Number.NEGATIVE_INFINITY;
  private barVisible = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a progress event. */
  public update(event: ProgressEvent): void {
    if (this.sink.isTTY) {
      this.sink.write(`\r\x1b[2K${renderBar(event, Math.min(this.sink.columns ?? 80, 120))}`);
      this.barVisible = true;
      return;
    }
    const now = this.now();
    if (now - this.lastPlainAt < this.intervalMs) return;
    this.lastPlainAt = now;
    this.sink.write(`${renderPlain(event)}\n`);
  }

  /** Clears the bar so a log line can be printed; it is redrawn on the next update. */
  public clear(): void {
    if (this.barVisible) {
      this.sink.write('\r\x1b[2K');
      this.barVisible = false;
    }
  }

  /** Ends the bar with a newline; the final state is reported by the result line. */
  public finish(): void {
    if (this.barVisible) {
      this.sink.write('\n');
      this.barVisible = false;
    }
  }
}

/** `[#######.......]  12.3/32.0 GB  38%  145 MB/s  ETA 2m10s`. */
export function renderBar(event: ProgressEvent, columns: number): string {
  const stats = `${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)} ${percent(event)}  ${formatRate(event.rateBytesPerSecond)}  ETA ${formatDuration(event.etaSeconds)}`;
  const width = Math.max(10, Math.min(40, columns - stats.length - 4));
  const ratio = event.bytesTotal > 0 ? Math.min(1, event.bytesDone / event.bytesTotal) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}`;
}

/** `progress: 12.3/32.0 GB (38%) at 145 MB/s, ETA 2m10s (file)`. */
export function renderPlain(event: ProgressEvent): string {
  const file = event.file ? ` (${event.file})` : '';
  return `progress: ${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)} (${percent(event)}) at ${formatRate(event.rateBytesPerSecond)}, ETA ${formatDuration(event.etaSeconds)}${file}`;
}

function percent(event: ProgressEvent): string {
  if (event.bytesTotal <= 0) return '0%';
  return `${Math.floor(Math.min(1, event.bytesDone / event.bytesTotal) * 100)}%`;
}

/** Decimal units, as RunPod and the Hub count. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

function formatRate(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate) || rate <= 0) return '-- MB/s';
  return `${formatBytes(rate)}/s`;
}

/** `1h02m`, `2m10s`, `7s`; `--` when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}
