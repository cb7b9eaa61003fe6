/** One Server-Sent Event. */
export interface SseEvent {
  /** The `id:` field (the last one seen on the stream applies when the event has none). */
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/**
 * Incremental `text/event-stream` parser (WHATWG HTML, "Parsing an event stream"): feed it chunks as
 * they arrive, get complete events back. Handles CRLF/CR/LF, multi-line `data:`, comments and
 * events split across chunks.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private eventType = '';
  private id: string | undefined;
  private sawField = false;
  /** The last event id seen (what to send as `Last-Event-ID` on reconnect). */
  public lastEventId: string | undefined;

  /** Feeds a chunk; returns the events it completed. */
  public feed(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // a lone CR at the end of the buffer may be the first half of CRLF: wait for more
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (!this.sawField) return undefined;
      const lines = this.data;
      const event: SseEvent = { id: this.id, event: this.eventType || 'message', data: lines.join('\n') };
      if (this.id !== undefined) this.lastEventId = this.id;
      this.data = [];
      this.eventType = '';
      this.sawField = false;
      // per the spec an event without data is not dispatched (its id still counts)
      return lines.length === 0 ? undefined : event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.sawField = true;
        break;
      case 'event':
        this.eventType = value;
        this.sawField = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        this.sawField = true;
        break;
      default:
        break;
    }
    return undefined;
  }
}
