import {
  contestedMessage,
  contestedObjectChanged,
  reapplied,
  resetSeen,
  type Contest,
} from './delivery-contest.js';

const policy = { baseMs: 1_000, maxMs: 60_000, threshold: 4 };

/** Resets every `gapMs` after each re-apply; returns the delays and the final contest. */
function fight(resets: number, gapMs: number) {
  let contest: Contest | undefined;
  let now = 0;
  const delays: number[] = [];
  for (let i = 0; i < resets; i++) {
    const step = resetSeen(contest, now, policy);
    contest = step.contest;
    if (contest.contested) break;
    delays.push(step.delayMs);
    now += step.delayMs;
    contest = reapplied(contest, now);
    now += gapMs;
  }
  return { delays, contest: contest! };
}

test('the first reset is re-applied at once, the next ones after growing delays, the fourth in a row makes the target Contested', () => {
  const { delays, contest } = fight(10, 500);
  expect(delays).toEqual([0, 1_000, 2_000]);
  expect(contest).toMatchObject({ resets: 4, contested: true });
});

test('resets further apart than the longest delay are not in a row: never Contested', () => {
  const { delays, contest } = fight(10, 60_000);
  expect(delays).toEqual(Array(10).fill(0));
  expect(contest).toMatchObject({ resets: 1, contested: false });
});

test('delays are capped at the longest delay', () => {
  const step = resetSeen({ resets: 2, lastReapplyAt: 0, contested: false }, 10, {
    ...policy,
    baseMs: 50_000,
    threshold: 10,
  });
  expect(step.delayMs).toBe(60_000);
});

test('a Contested target is tried again only when the spec changed', () => {
  const contest: Contest = { resets: 4, contested: true, spec: 'a' };
  expect(contestedObjectChanged(contest, 'a')).toBe(false);
  expect(contestedObjectChanged(contest, undefined)).toBe(false);
  expect(contestedObjectChanged(contest, 'b')).toBe(true);
  expect(contestedObjectChanged({ ...contest, contested: false }, 'b')).toBe(false);
});

test('the message names the writer, the field, what Depot does and the remedy', () => {
  const m = contestedMessage({
    field: 'Argo CD Application argocd/web spec.source.targetRevision',
    version: '1.1.0',
    resets: 4,
    writers: ['argocd-applicationset-controller'],
    found: '1.0.0',
    maxMs: 300_000,
    remedy: "List the field in the ApplicationSet's spec.ignoreApplicationDifferences.",
  });
  expect(m).toBe(
    "Argo CD Application argocd/web spec.source.targetRevision was reset to 1.0.0 4 times in a row by argocd-applicationset-controller (the field's manager in metadata.managedFields): Depot stopped re-applying 1.1.0; it tries again when the object's spec changes, at the latest in 5m. List the field in the ApplicationSet's spec.ignoreApplicationDifferences.",
  );
  expect(
    contestedMessage({ field: 'f', version: '1', resets: 4, writers: [], maxMs: 2_000, remedy: '' }),
  ).toContain('by another writer (metadata.managedFields names none but Depot)');
});
