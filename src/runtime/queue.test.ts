import { WorkQueue, type QueueObserver } from './queue.js';
import { FakeClock, flushPromises } from '../kube/testing/fake-clock.js';

function makeQueue(observer?: QueueObserver) {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock, backoff: { baseMs: 100, maxMs: 1_000 }, observer });
  return { clock, queue };
}

/** Takes every key that is ready now, marking each done. */
async function drain(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.len() > 0) {
    const key = (await queue.get())!;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

describe('WorkQueue deduplication', () => {
  test('a key added many times while waiting is handed out once, in first-add order', async () => {
    const { queue } = makeQueue();
    for (const k of ['a', 'b', 'a', 'a', 'c', 'b']) queue.add(k);
    expect(queue.len()).toBe(3);
    expect(await drain(queue)).toEqual(['a', 'b', 'c']);
  });

  test('1,000 adds of one key cost one reconcile', async () => {
    const { queue } = makeQueue();
    for (let i = 0; i < 1000; i++) queue.add('hot');
    expect(await drain(queue)).toEqual(['hot']);
  });
});

describe('WorkQueue: one worker per key', () => {
  test('a key added while being processed is not handed to a second worker', async () => {
    const { queue } = makeQueue();
    queue.add('a');
    const first = await queue.get();
    expect(first).toBe('a');
    queue.add('a'); // changed while reconciling
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await flushPromises();
    expect(second).toBeUndefined(); // the other worker waits
    expect(queue.len()).toBe(0);
    queue.done('a');
    await flushPromises();
    expect(second).toBe('a'); // reconciled again afterwards
  });

  test('a key not added again while processing is not re-run', async () => {
    const { queue } = makeQueue();
    queue.add('a');
    queue.done((await queue.get())!);
    expect(queue.len()).toBe(0);
  });

  test('other keys proceed while one is being processed', async () => {
    const { queue } = makeQueue();
    queue.add('a');
    queue.add('b');
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.isProcessing('a') && queue.isProcessing('b')).toBe(true);
  });
});

describe('WorkQueue backoff', () => {
  test('retry delays double per failure up to the cap, and forget() resets them', async () => {
    const { queue } = makeQueue();
    const delays = Array.from({ length: 6 }, () => queue.addRateLimited('a'));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(queue.failuresOf('a')).toBe(6);
    queue.forget('a');
    expect(queue.failuresOf('a')).toBe(0);
    expect(queue.addRateLimited('a')).toBe(100);
  });

  test('backoff is per key', () => {
    const { queue } = makeQueue();
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    expect(queue.addRateLimited('b')).toBe(100);
  });

  test('a rate-limited key becomes ready only after its delay', async () => {
    const { clock, queue } = makeQueue();
    queue.addRateLimited('a');
    queue.addRateLimited('a'); // second failure: 200 ms, but the earlier 100 ms entry wins
    expect(queue.len()).toBe(0);
    await clock.advance(99);
    expect(queue.len()).toBe(0);
    await clock.advance(1);
    expect(await drain(queue)).toEqual(['a']);
  });
});

describe('WorkQueue requeueAfter', () => {
  test('the earliest pending time wins', async () => {
    const { clock, queue } = makeQueue();
    queue.addAfter('a', 1000);
    queue.addAfter('a', 500);
    queue.addAfter('a', 2000);
    expect(queue.dueAt('a')).toBe(clock.now() + 500);
    await clock.advance(499);
    expect(queue.len()).toBe(0);
    await clock.advance(1);
    expect(await drain(queue)).toEqual(['a']);
    await clock.advance(5000);
    expect(queue.len()).toBe(0); // the later times were folded into the earliest
  });

  test('keys become ready in due order', async () => {
    const { clock, queue } = makeQueue();
    queue.addAfter('late', 300);
    queue.addAfter('early', 100);
    queue.addAfter('middle', 200);
    await clock.advance(1000);
    expect(await drain(queue)).toEqual(['early', 'middle', 'late']);
  });

  test('an immediate add beats a pending time', async () => {
    const { clock, queue } = makeQueue();
    queue.addAfter('a', 1000);
    queue.add('a');
    expect(await drain(queue)).toEqual(['a']);
    await clock.advance(1000);
    expect(queue.len()).toBe(0);
  });

  test('a time set by the running reconcile survives; a time set before it started is dropped', async () => {
    const { clock, queue } = makeQueue();
    queue.addAfter('a', 5000);
    queue.add('a');
    const key = (await queue.get())!;
    queue.addAfter(key, 300); // the reconcile's own requeueAfter
    queue.done(key);
    await clock.advance(300);
    expect(await drain(queue)).toEqual(['a']);
    await clock.advance(10_000);
    expect(queue.len()).toBe(0);
  });

  test('zero or negative delays queue at once', () => {
    const { queue } = makeQueue();
    queue.addAfter('a', 0);
    queue.addAfter('b', -5);
    expect(queue.len()).toBe(2);
  });
});

describe('WorkQueue shutdown and metrics', () => {
  test('waiting workers get undefined; adds are ignored; idle() waits for in-flight keys', async () => {
    const { queue } = makeQueue();
    queue.add('a');
    const key = (await queue.get())!;
    const waiting = queue.get();
    queue.addAfter('b', 10);
    queue.shutDown();
    await expect(waiting).resolves.toBeUndefined();
    queue.add('c');
    expect(queue.len()).toBe(0);
    expect(queue.delayedLen()).toBe(0);
    let idle = false;
    void queue.idle().then(() => (idle = true));
    await flushPromises();
    expect(idle).toBe(false);
    queue.done(key);
    await flushPromises();
    expect(idle).toBe(true);
    await expect(queue.get()).resolves.toBeUndefined();
  });

  test('reports depth, adds, retries and how long keys waited', async () => {
    const depths: Array<[number, number]> = [];
    const waits: number[] = [];
    let adds = 0;
    let retries = 0;
    const { clock, queue } = makeQueue({
      depth: (r, d) => depths.push([r, d]),
      added: () => adds++,
      retried: () => retries++,
      waited: (ms) => waits.push(ms),
    });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.addRateLimited('c');
    expect(depths.at(-1)).toEqual([2, 1]);
    await clock.advance(250);
    await drain(queue);
    expect(adds).toBe(3); // a, b, and c when its delay ran out
    expect(retries).toBe(1);
    expect(waits.slice(0, 2)).toEqual([250, 250]);
    expect(depths.at(-1)).toEqual([0, 0]);
  });
});
