// An incremental parser of the text/event-stream format (WHATWG HTML, "server-
// sent events"), fed the decoded chunks that fetch's body delivers. The page
// streams with fetch instead of EventSource because EventSource cannot send an
// Authorization header (and a token in the URL would end up in logs).

export interface SseEvent {
  /** The event name; "message" when the stream names none. */
  event: string;
  data: string;
  /** The last event id seen on the stream so far (ids persist across events). */
  id: string;
}

export interface SseParser {
  /** Feed the next decoded chunk; returns the events it completes, in order. */
  feed(chunk: string): SseEvent[];
  /** The id to send as Last-Event-ID when reconnecting. */
  readonly lastEventId: string;
  /** The reconnection delay the server asked for with `retry:`, if any. */
  readonly retry: number | undefined;
}

const LINE_END = /[\r\n]/g;

export function createSseParser(initialLastEventId = ''): SseParser {
  let buffer = '';
  // A chunk that ended in \r: a \n at the start of the next one belongs to it.
  let skipLeadingNewline = false;
  let lastEventId = initialLastEventId;
  let retry: number | undefined;
  let eventName = '';
  let data: string[] = [];

  function line(text: string, out: SseEvent[]): void {
    if (text === '') {
      if (data.length > 0)
        out.push({ event: eventName || 'message', data: data.join('\n'), id: lastEventId });
      data = [];
      eventName = '';
      return;
    }
    if (text.startsWith(':')) return; // a comment: heartbeats
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventName = value;
        break;
      case 'data':
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) retry = Number(value);
        break;
      default: // unknown fields are ignored
    }
  }

  return {
    feed(chunk) {
      const out: SseEvent[] = [];
      if (skipLeadingNewline && chunk.startsWith('\n')) chunk = chunk.slice(1);
      skipLeadingNewline = false;
      // Scan only the new text, with a native search: a snapshot's one data line can be megabytes
      // in many chunks, and a JavaScript loop over every character cost hundreds of milliseconds.
      const from = buffer.length;
      buffer += chunk;
      let start = 0;
      LINE_END.lastIndex = from;
      for (let m = LINE_END.exec(buffer); m !== null; m = LINE_END.exec(buffer)) {
        const i = m.index;
        line(buffer.slice(start, i), out);
        let next = i + 1;
        if (buffer.charCodeAt(i) === 13) {
          if (next === buffer.length) skipLeadingNewline = true;
          else if (buffer.charCodeAt(next) === 10) next++;
        }
        start = next;
        LINE_END.lastIndex = next;
      }
      buffer = buffer.slice(start);
      return out;
    },
    get lastEventId() {
      return lastEventId;
    },
    get retry() {
      return retry;
    },
  };
}
