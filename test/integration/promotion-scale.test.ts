// A Promotion over 1,000 applications on the real control plane: its status
// stays within the schema's limits (results of the applications that need
// attention first, counts of all in summary), so it is written and converges.
import type { Promotion } from '../../src/api/promotion.js';
import { Applications, Promotions } from '../../src/api/resources.js';
import { application, promotion } from '../kit/objects.js';
import { environments } from '../kit/topologies.js';
import { cluster } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const APPLICATIONS = 1000;
const CONCURRENCY = 16;

const name = (i: number) => `app-${String(i).padStart(4, '0')}`;

/** Runs `task` for 0..count-1, at most `concurrency` at a time. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** 990 promoted (then UpToDate), 7 downgrades (Blocked), 3 with nothing in dev (Waiting). */
function versions(i: number): Record<string, string> {
  if (i >= 997) return { staging: '1.0.0' };
  if (i >= 990) return { dev: '0.9.0', staging: '1.0.0' };
  return { dev: '1.1.0', staging: '1.0.0' };
}

describe('a Promotion over 1,000 applications', () => {
  let ns: string;
  let operator: OperatorProcess;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'scale');
    await k.apply(ns, [
      ...environments(['dev', 'staging']),
      promotion('dev-to-staging', { from: 'dev', to: 'staging', requireDeployed: false }),
    ]);
    await pool(APPLICATIONS, CONCURRENCY, (i) =>
      k.client.create(
        Applications,
        application(name(i), { environmentSets: ['default'], versions: versions(i) }, { namespace: ns }),
      ),
    );
    operator = await runOperator(ns, {
      args: ['--kube-api-qps', '50', '--kube-api-burst', '100'],
    });
  }, 300_000);
  afterAll(async () => operator?.stop());

  test('converges: status written, the applications needing attention listed first, summary correct', async () => {
    const expected = { promoted: 0, waiting: 3, blocked: 7, held: 0, upToDate: 990, total: 1000 };
    let last: Promotion['status'];
    const promotion = await eventually(
      'the summary of the converged promotion',
      async () => {
        const p = await k.read<Promotion>(Promotions, ns, 'dev-to-staging');
        last = p.status;
        const summary = p.status?.summary;
        return (
          summary && Object.entries(expected).every(([k, v]) => summary[k as keyof typeof summary] === v) && p
        );
      },
      480_000,
      2000,
    ).catch((err: Error) => {
      const { results, ...rest } = last ?? {};
      throw new Error(
        `${err.message}; last status ${JSON.stringify({ ...rest, results: results?.length })}; operator log: ${operator.output().slice(-4000)}`,
      );
    });
    expect(promotion.status!.summary).toEqual(expected);
    const results = promotion.status!.results!;
    expect(results).toHaveLength(256);
    expect(results.slice(0, 10).map((r) => `${r.application} ${r.outcome}`)).toEqual([
      ...Array.from({ length: 7 }, (_, i) => `${name(990 + i)} Blocked`),
      ...Array.from({ length: 3 }, (_, i) => `${name(997 + i)} Waiting`),
    ]);
    expect(results.slice(10).every((r) => r.outcome === 'UpToDate')).toBe(true);
    expect(promotion.status!.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Ready',
        status: 'True',
        message:
          '1000 applications: 0 promoted, 3 waiting, 7 blocked, 990 up to date (256 listed in results)',
      }),
    );
    // Every promotion was written, not only the 256 listed.
    const apps = (await k.client.list(Applications, { namespace: ns })) as {
      items: { metadata: { name: string }; spec: { versions?: Record<string, string> } }[];
    };
    const staging = apps.items.map((a) => a.spec.versions?.staging);
    expect(staging.filter((v) => v === '1.1.0')).toHaveLength(990);
  }, 600_000);
});
