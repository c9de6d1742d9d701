import { createSseParser } from './sse.js';

describe('createSseParser', () => {
  it('parses named events with ids and multi-line data', () => {
    const p = createSseParser();
    const events = p.feed('id: 7\nevent: snapshot\ndata: {"a":\ndata: 1}\n\n');
    expect(events).toEqual([{ event: 'snapshot', data: '{"a":\n1}', id: '7' }]);
    expect(p.lastEventId).toBe('7');
  });

  it('assembles events split across chunks at any byte', () => {
    const text = 'event: delta\nid: 12\ndata: [1,2]\n\n: heartbeat\n\nid: 13\ndata: x\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = createSseParser();
      const events = [...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut))];
      expect(events).toEqual([
        { event: 'delta', data: '[1,2]', id: '12' },
        { event: 'message', data: 'x', id: '13' },
      ]);
    }
  });

  it('accepts CRLF and CR line ends, also when a CRLF is split between chunks', () => {
    const p = createSseParser();
    expect(p.feed('data: a\r')).toEqual([]);
    expect(p.feed('\n\r\ndata: b\r\r')).toEqual([
      { event: 'message', data: 'a', id: '' },
      { event: 'message', data: 'b', id: '' },
    ]);
  });

  it('ignores comments and blocks without data, but keeps their id', () => {
    const p = createSseParser('3');
    expect(p.feed(': keep-alive\n\nid: 4\n\n')).toEqual([]);
    expect(p.lastEventId).toBe('4');
    expect(p.feed('data\n\n')).toEqual([{ event: 'message', data: '', id: '4' }]);
  });

  it('reads retry only when it is a whole number, and strips one leading space only', () => {
    const p = createSseParser();
    p.feed('retry: soon\n');
    expect(p.retry).toBeUndefined();
    p.feed('retry: 2500\ndata:  two spaces\n\n');
    expect(p.retry).toBe(2500);
    expect(p.feed('data:x\n\n')).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });

  it('ignores an id that contains NUL', () => {
    const p = createSseParser('1');
    p.feed('id: a\0b\ndata: y\n\n');
    expect(p.lastEventId).toBe('1');
  });
});

describe('createSseParser on a large event', () => {
  it('reads a megabyte data line fed in small chunks', () => {
    const payload = 'x'.repeat(1_000_000);
    const text = `event: snapshot\r\nid: 1\r\ndata: ${payload}\r\n\r\n`;
    const p = createSseParser();
    const events = [];
    for (let i = 0; i < text.length; i += 16_384) events.push(...p.feed(text.slice(i, i + 16_384)));
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({ event: 'snapshot', id: '1', data: payload });
  });
});
