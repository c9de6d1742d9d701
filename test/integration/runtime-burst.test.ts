// 1,000 updates to one key in a burst: the work queue folds them into far
// fewer reconciles, and the last one leaves the correct state.

import { eventually } from '../kit/eventually.js';
import { ConfigMaps } from '../../src/kube/resource.js';
import { scrape, sum } from '../kit/metrics-text.js';
import { probeRun } from '../kit/probe-manager.js';
import { inputConfigMap, outputs, setInput } from '../kit/test-client.js';

const run = probeRun('burst');

test('1,000 updates of one ConfigMap in a burst cause far fewer reconciles and end in the correct state', async () => {
  await run.tc.client.create(ConfigMaps, inputConfigMap(run.ns, 'hot', 'start'));
  await eventually(
    'the first output',
    async () => (await outputs(run.tc.client, run.ns)).hot?.output === 'start',
  );
  const reconciles = async () => sum(await scrape(run.probe.url), 'probe_reconciles_total', { name: 'hot' });
  const patches = async (code: string) =>
    sum(await scrape(run.probe.url), 'depot_api_requests_total', {
      verb: 'patch',
      resource: 'configmaps',
      code,
    });
  const [r0, p0, c0] = [await reconciles(), await patches('200'), await patches('409')];

  const started = Date.now();
  const updates = 1000;
  for (let i = 1; i < updates; i += 25) {
    const wave = Array.from({ length: Math.min(25, updates - i) }, (_, j) =>
      setInput(run.tc.client, run.ns, 'hot', `u${i + j}`),
    );
    await Promise.all(wave);
  }
  await setInput(run.tc.client, run.ns, 'hot', 'final'); // update number 1,000, after all others
  const sentMs = Date.now() - started;

  await eventually(
    'the final output',
    async () => (await outputs(run.tc.client, run.ns)).hot?.output === 'final',
    60_000,
  );
  // Let stragglers (events of our own writes) settle before counting.
  let last = -1;
  await eventually(
    'reconciles to settle',
    async () => {
      const now = await reconciles();
      const settled = now === last;
      last = now;
      return settled;
    },
    30_000,
    1_000,
  );

  const reconciled = (await reconciles()) - r0;
  const written = (await patches('200')) - p0;
  const conflicts = (await patches('409')) - c0;
  process.stderr.write(
    `[measure] burst: ${updates} updates sent in ${sentMs} ms → ${reconciled} reconciles, ${written} writes, ${conflicts} conflicts retried\n`,
  );
  expect(reconciled).toBeGreaterThanOrEqual(1);
  expect(reconciled).toBeLessThan(updates / 4);
  expect(written).toBeLessThanOrEqual(reconciled);
  expect((await outputs(run.tc.client, run.ns)).hot).toEqual({ output: 'final', writer: 'in-process' });
}, 120_000);
