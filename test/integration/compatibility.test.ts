// Compatibility on the real control plane with the samples' core, dash and
// ide: a request that breaks a rule is blocked with its message and changes
// nothing; the request that completes the combination delivers both; the
// history records Blocked and Unblocked once; `depot check` and `depot
// compat` answer from the cluster.
import { join } from 'node:path';
import type { Application } from '../../src/api/application.js';
import { loadManifests } from '../../src/local/manifests.js';
import { projectRoot } from '../../src/local/project-root.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { cliIn } from '../kit/operator.js';
import { startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const getApp = k.app;
const samples = join(projectRoot(), 'config', 'samples');
// Applications and Environments only: delivery and promotions are not what this test is about.
const manifests = [
  ...loadManifests(join(samples, 'environments.yaml')),
  ...loadManifests(join(samples, 'applications.yaml')),
];

const history = (a: Application, env: string, type: string) =>
  (a.status?.history ?? []).filter((h) => h.environment === env && h.type === type);

let ns: string;
let operator: OperatorProcess;
const cli = (...args: string[]) => cliIn(ns)(...args);
const blockedIn = (app: string, env: string) =>
  k.appWhen(ns, app, `${app} blocked in ${env}`, (a) => envStatus(a, env)?.blocked);

beforeAll(async () => {
  ns = await freshNamespace(k.kc, 'compat');
  await k.apply(ns, manifests);
  operator = startOperator(kubeconfig, ns);
  await eventually('the samples are desired in prod', async () => {
    const [core, dash, ide] = await Promise.all(['core', 'dash', 'ide'].map((n) => getApp(ns, n)));
    return (
      envStatus(core!, 'prod')?.desired === '1.11.3' &&
      envStatus(dash!, 'prod')?.desired === '1.9.4' &&
      envStatus(ide!, 'prod')?.desired === 'v0.5.2'
    );
  });
}, 90_000);
afterAll(async () => operator?.stop());

test('dash 2.0.0 is blocked in prod while prod runs core 1.11.3, then delivered with core 1.12.0', async () => {
  expect(cli('set-version', 'dash', 'prod', '2.0.0').status).toBe(0);
  const blocked = await blockedIn('dash', 'prod');
  expect(envStatus(blocked, 'prod')).toMatchObject({
    requested: '2.0.0',
    desired: '1.9.4',
    blocked: {
      reason: 'RequirementNotMet',
      message: 'dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3',
    },
  });
  expect(blocked.status?.conditions?.find((c) => c.type === 'Compatible')).toMatchObject({
    status: 'False',
    reason: 'RequirementNotMet',
  });
  expect(
    blocked.status?.targets?.filter((t) => t.environment === 'prod').map((t) => t.desired),
  ).not.toContain('2.0.0');

  // The questions, from the cluster.
  const conflict = cli('check', 'core@1.11.0', 'dash@2.0.0');
  expect(conflict.status).toBe(1);
  expect(conflict.stdout).toContain('CONFLICT');
  expect(conflict.stdout).toContain(
    'dash 2.0.0 requires core >=1.12.0 <2.0.0; the given set runs core 1.11.0',
  );
  const success = cli('check', 'core@1.12.0', 'dash@2.0.0', '-o', 'json');
  expect(success.status).toBe(0);
  expect(JSON.parse(success.stdout)).toMatchObject({
    result: 'SUCCESS',
    packages: ['core@1.12.0', 'dash@2.0.0'],
  });
  const inProd = cli('check', 'core@1.12.0', '--env', 'prod');
  expect(inProd.status).toBe(1);
  expect(inProd.stdout).toContain('dash 1.9.4 requires core >=1.9.0 <1.12.0; prod runs core 1.12.0');
  // Seed 000's mapping: the known dash versions that work with core 1.11.0, one per line.
  const compat = cli('compat', 'dash', '--with', 'core@1.11.0');
  expect(compat.status).toBe(0);
  expect(compat.stdout).toBe('1.9.4\n');
  const compatJson = JSON.parse(cli('compat', 'dash', '--with', 'core@1.12.0', '-o', 'json').stdout);
  expect(compatJson.versions.map((v: { version: string }) => v.version)).toEqual(['2.0.1', '2.0.0']);
  expect(cli('compat', 'dash', '--with', 'kore@1.0.0').stderr).toBe(
    'error: no Application "kore" in this namespace\n',
  );

  expect(cli('set-version', 'core', 'prod', '1.12.0').status).toBe(0);
  const [core, dash] = await eventually('core 1.12.0 and dash 2.0.0 desired in prod', async () => {
    const [c, d] = await Promise.all([getApp(ns, 'core'), getApp(ns, 'dash')]);
    return envStatus(c, 'prod')?.desired === '1.12.0' && envStatus(d, 'prod')?.desired === '2.0.0' && [c, d];
  });
  expect(envStatus(dash, 'prod')?.blocked ?? null).toBeNull();
  expect(history(dash, 'prod', 'Blocked').map((h) => [h.from, h.to])).toEqual([['1.9.4', '2.0.0']]);
  expect(history(dash, 'prod', 'Unblocked').map((h) => [h.from, h.to])).toEqual([['1.9.4', '2.0.0']]);
  expect(history(core, 'prod', 'Blocked')).toEqual([]);
  expect(dash.status?.conditions?.find((c) => c.type === 'Compatible')?.status).toBe('True');
  // core became desired first (requirement order).
  expect(envStatus(core, 'prod')!.desiredSince! <= envStatus(dash, 'prod')!.desiredSince!).toBe(true);

  // Converged: more reconciles add no second entry.
  await new Promise((r) => setTimeout(r, 2000));
  const later = await getApp(ns, 'dash');
  expect(history(later, 'prod', 'Blocked')).toHaveLength(1);
  expect(history(later, 'prod', 'Unblocked')).toHaveLength(1);
  expect(later.status?.knownVersions?.map((k) => k.version)).toEqual(['2.0.1', '2.0.0', '1.9.4']);

  const wide = cli('get', 'applications', '-o', 'wide');
  expect(wide.status).toBe(0);
  expect(wide.stdout).toContain('rules hold');
  expect(wide.stdout).not.toContain('breaks:');
}, 120_000);

test('core alone cannot break the rule of dash: blocked, naming the rule of dash', async () => {
  expect(cli('set-version', 'core', 'staging', '2.0.0').status).toBe(0);
  const core = await blockedIn('core', 'staging');
  expect(envStatus(core, 'staging')).toMatchObject({
    desired: '1.12.0',
    blocked: {
      reason: 'RequirementNotMet',
      message: 'core 2.0.0 breaks a rule of dash in staging: dash 2.0.0 requires core >=1.12.0 <2.0.0',
    },
  });
}, 60_000);
