import { DrainTracker } from '../events-drain.js';

test('the drain ends when the Events counter last moved, once it has stood still long enough', () => {
  const t = new DrainTracker(1_000);
  t.observe(2_000, { created: 10, dropped: 0 });
  t.observe(3_000, { created: 20, dropped: 0 });
  expect(t.stillSince(3_500, 5_000)).toBe(false);
  t.observe(4_000, { dropped: 0, created: 20 }); // the same counts, in another order
  t.observe(9_000, { created: 20, dropped: 0 });
  expect(t.lastMovedAt()).toBe(3_000);
  expect(t.stillSince(9_000, 5_000)).toBe(true);
  // Nothing moved after `from`: drained at once.
  const idle = new DrainTracker(1_000);
  idle.observe(2_000, { created: 5 });
  expect(idle.lastMovedAt()).toBe(1_000);
});
