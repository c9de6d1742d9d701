import { DashboardDeltaSchema, DashboardNamespaceSchema, DashboardRowSchema } from '../../api/dashboard.js';
import type { Application } from '../../api/application.js';
import type { Promotion } from '../../api/promotion.js';
import type { Target } from '../../api/target.js';
import { app, env, promotion, set, target } from '../testing/builders.js';
import { environmentColumns } from './columns.js';
import { namespaceDeltas, rowDeltas, rowsByKey } from './delta.js';
import { dashboardNamespace } from './namespace.js';
import { dashboardRow } from './row.js';

const argocd = target('prod-argocd', 'prod', {
  argocd: {
    applicationNamespace: 'argocd',
    applicationName: '${application}-${environment}',
    set: { targetRevision: {} },
  },
} as Target['spec']['delivery']);
const flux = target('staging-flux', 'staging', {
  flux: {
    patch: {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      name: '${application}',
      namespace: 'flux-system',
      field: 'spec.chart.spec.version',
    },
  },
} as Target['spec']['delivery']);
const targets = new Map([argocd, flux].map((t) => [t.metadata.name, t]));

function core(
  extra: Partial<Application['status']> = {},
  spec: Partial<Application['spec']> = {},
): Application {
  return app(
    'core',
    { versions: { staging: '1.2.0', prod: '1.1.0' }, ...spec },
    {
      metadata: { name: 'core', namespace: 'ns', labels: { team: 'a' } },
      status: {
        environments: [
          { name: 'staging', requested: '1.2.0', desired: '1.2.0' },
          { name: 'prod', requested: '1.1.0', desired: '1.1.0' },
        ],
        targets: [
          {
            name: 'staging-flux',
            environment: 'staging',
            desired: '1.2.0',
            deployed: '1.2.0',
            delivery: { state: 'Delivered' },
          },
          {
            name: 'prod-argocd',
            environment: 'prod',
            desired: '1.1.0',
            deployed: '1.1.0',
            delivery: { state: 'Delivered' },
          },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Ready',
            message: 'ok',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
        ...extra,
      } as Application['status'],
    },
  );
}

const row = (a: Application, promotions: Promotion[] = []) =>
  DashboardRowSchema.parse(dashboardRow(a, { target: (n) => targets.get(n), promotions }));

describe('environmentColumns', () => {
  it('orders environments as their EnvironmentSets do, sets by name, then the unlisted ones', () => {
    expect(
      environmentColumns(
        [set('b', ['qa', 'prod']), set('a', ['dev', 'staging', 'prod'])],
        [env('zeta'), env('prod'), env('dev'), env('alpha')],
      ),
    ).toEqual(['dev', 'staging', 'prod', 'qa', 'alpha', 'zeta']);
  });
});

describe('dashboardRow', () => {
  it('shows requested, desired and each target with the object it writes and no drift when converged', () => {
    const r = row(core());
    expect(r.labels).toEqual({ team: 'a' });
    expect(r.ready).toEqual({ status: 'True', reason: 'Ready', message: 'ok' });
    expect(r.cells.prod).toEqual({
      requested: '1.1.0',
      desired: '1.1.0',
      deployed: [
        {
          target: 'prod-argocd',
          kind: 'argocd',
          object: 'argocd/core-prod',
          version: '1.1.0',
          state: 'Delivered',
          drift: false,
        },
      ],
    });
    expect(r.cells.staging!.deployed[0]).toMatchObject({
      kind: 'flux-helmrelease',
      object: 'flux-system/core',
    });
  });

  it('marks drift when a target runs another version than desired, and the delivery under way', () => {
    const a = core();
    a.status!.targets![1] = {
      name: 'prod-argocd',
      environment: 'prod',
      desired: '1.1.0',
      deployed: '1.0.0',
      delivery: { state: 'Delivered' },
    };
    const cell = row(a).cells.prod!;
    expect(cell.deployed[0]!.drift).toBe(true);
    expect(cell.chip?.kind).toBe('delivering');
  });

  it('says a failed delivery with its message', () => {
    const a = core();
    a.status!.targets![1] = {
      name: 'prod-argocd',
      environment: 'prod',
      desired: '1.1.0',
      deployed: '1.0.0',
      delivery: { state: 'Failed', message: 'argocd/core-prod: forbidden' },
    };
    expect(row(a).cells.prod!.chip).toEqual({
      kind: 'failed',
      text: 'prod-argocd: argocd/core-prod: forbidden',
    });
    expect(row(a).cells.prod!.deployed[0]!.message).toBe('argocd/core-prod: forbidden');
  });

  it('shows a freeze with when it ends, a rejection and other blocks of the requested version', () => {
    const frozen = core();
    frozen.status!.environments![1] = {
      name: 'prod',
      requested: '1.2.0',
      desired: '1.1.0',
      blocked: { reason: 'Frozen', message: 'prod is frozen until 2026-12-24T00:00:00Z; core 1.2.0 waits' },
    };
    expect(row(frozen).cells.prod!.chip).toEqual({
      kind: 'frozen',
      text: 'prod is frozen until 2026-12-24T00:00:00Z; core 1.2.0 waits',
      until: '2026-12-24T00:00:00Z',
    });
    frozen.status!.environments![1]!.blocked = { reason: 'Rejected', message: '1.2.0 is rejected by bob' };
    expect(row(frozen).cells.prod!.chip?.kind).toBe('rejected');
    frozen.status!.environments![1]!.blocked = { reason: 'RequirementNotMet', message: 'needs dash >=2' };
    expect(row(frozen).cells.prod!.chip).toEqual({ kind: 'blocked', text: 'needs dash >=2' });
  });

  it('shows what the Promotion into the environment waits for: approval, gate, soak, hold', () => {
    const result = (r: object) =>
      promotion('to-prod', { from: 'staging', to: 'prod' }, {
        status: { results: [{ application: 'core', version: '1.2.0', ...r }] },
      } as Partial<Promotion>);
    const chipOf = (r: object) => row(core(), [result(r)]).cells.prod!.chip;
    expect(
      chipOf({ outcome: 'Waiting', reason: 'ApprovalRequired: 1.2.0 waits for approval', approvalsNeeded: 1 })
        ?.kind,
    ).toBe('approval');
    expect(
      chipOf({
        outcome: 'Waiting',
        reason: 'gate smoke pending',
        gates: [{ name: 'smoke', result: 'Pending' }],
      }),
    ).toEqual({ kind: 'gate', text: 'to-prod: gate smoke pending for 1.2.0' });
    expect(
      chipOf({ outcome: 'Waiting', reason: 'soaking in staging for 1h, until 2026-12-07T18:00:00Z' }),
    ).toEqual({
      kind: 'soak',
      text: 'to-prod: soaking in staging for 1h, until 2026-12-07T18:00:00Z',
      until: '2026-12-07T18:00:00Z',
    });
    expect(chipOf({ outcome: 'Held', reason: 'held by alice' })?.kind).toBe('held');
    expect(chipOf({ outcome: 'UpToDate' })).toBeUndefined();
    // The Promotion into staging says nothing about prod.
    expect(row(core(), [result({ outcome: 'Held' })]).cells.staging!.chip).toBeUndefined();
  });

  it('calls a Promotion blocked on a rejected version rejected', () => {
    const a = core({}, { rejectedVersions: [{ version: '1.2.0', reason: 'bad' }] });
    const p = promotion('to-prod', { from: 'staging', to: 'prod' }, {
      status: {
        results: [{ application: 'core', version: '1.2.0', outcome: 'Blocked', reason: '1.2.0 is rejected' }],
      },
    } as Partial<Promotion>);
    expect(row(a, [p]).cells.prod!.chip?.kind).toBe('rejected');
  });

  it('keeps a cell under 1 KB even with long messages', () => {
    const a = core();
    a.status!.environments![1]!.blocked = { reason: 'RequirementNotMet', message: 'x'.repeat(4000) };
    a.status!.targets![1]!.delivery = { state: 'Failed', message: 'y'.repeat(4000) };
    expect(JSON.stringify(row(a).cells.prod).length).toBeLessThan(1024);
  });
});

describe('dashboardNamespace', () => {
  it('lists Promotions with their next run, counts and the versions waiting for approval', () => {
    const p = promotion('to-prod', { from: 'staging', to: 'prod' }, {
      status: {
        nextRunTime: '2026-12-08T06:00:00Z',
        summary: { promoted: 1, waiting: 2, blocked: 0, upToDate: 3, total: 6 },
        results: [
          {
            application: 'web',
            version: '2.0.0',
            outcome: 'Waiting',
            reason: 'ApprovalRequired: …',
            approvalsNeeded: 1,
          },
          { application: 'core', version: '1.2.0', outcome: 'Waiting', reason: 'soaking …' },
        ],
      },
    } as Partial<Promotion>);
    expect(
      DashboardNamespaceSchema.parse(
        dashboardNamespace('ns', [set('default', ['staging', 'prod'])], [], [p]),
      ),
    ).toEqual({
      namespace: 'ns',
      environments: ['staging', 'prod'],
      promotions: [
        {
          name: 'to-prod',
          from: 'staging',
          to: 'prod',
          nextRun: '2026-12-08T06:00:00Z',
          waiting: 2,
          promoted: 1,
          blocked: 0,
          approvals: [{ application: 'web', version: '2.0.0' }],
        },
      ],
    });
  });
});

describe('deltas', () => {
  it('sends one row delta under 1 KB for one changed cell, nothing for unchanged rows', () => {
    const before = rowsByKey([
      row(core()),
      row({ ...core(), metadata: { name: 'web', namespace: 'ns' } } as Application),
    ]);
    const changed = core();
    changed.status!.targets![1]!.deployed = '1.0.9';
    const after = new Map(before);
    after.set('ns/core', row(changed));
    const deltas = rowDeltas(before, after);
    expect(deltas).toHaveLength(1);
    expect(DashboardDeltaSchema.parse(deltas[0])).toMatchObject({ op: 'row', row: { name: 'core' } });
    expect(JSON.stringify(deltas).length).toBeLessThan(1024);
    expect(rowDeltas(before, new Map(before))).toEqual([]);
  });

  it('sends rowDeleted and namespaceDeleted for what is gone', () => {
    const before = rowsByKey([row(core())]);
    expect(rowDeltas(before, new Map())).toEqual([{ op: 'rowDeleted', namespace: 'ns', name: 'core' }]);
    const ns = dashboardNamespace('ns', [], [env('dev')], []);
    expect(namespaceDeltas(new Map(), new Map([['ns', ns]]))).toEqual([{ op: 'namespace', namespace: ns }]);
    expect(namespaceDeltas(new Map([['ns', ns]]), new Map())).toEqual([
      { op: 'namespaceDeleted', namespace: 'ns' },
    ]);
  });
});
