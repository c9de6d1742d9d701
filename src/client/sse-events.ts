// Reading a text/event-stream the way the page does (fetch, not EventSource):
// the dashboard's tests and benchmarks follow a stream with it.
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Splits complete events off `buffer`; returns them and what is left (an event not yet complete). */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  let rest = buffer;
  for (let end = rest.indexOf('\n\n'); end >= 0; end = rest.indexOf('\n\n')) {
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const e: SseEvent = { event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') e.id = value;
      else if (field === 'event') e.event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) continue;
    e.data = data.join('\n');
    events.push(e);
  }
  return { events, rest };
}

/** Follows a stream's events until `until` returns true or the stream ends; then cancels it. */
export async function followSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: SseEvent) => boolean | void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const parsed = parseSse(buffer + decoder.decode(value, { stream: true }));
      buffer = parsed.rest;
      for (const e of parsed.events) if (onEvent(e) === true) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
