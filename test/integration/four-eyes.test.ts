// Four eyes on the real control plane, with impersonated people (kubectl --as):
// CI requests a version, its own approval does not count (the CLI refuses it,
// a direct write is ignored), `minApprovals: 2` needs two different people, and
// the Promoted history entry names both.
import type { Promotion } from '../../src/api/promotion.js';
import { API_VERSION } from '../../src/api/group.js';
import { Promotions } from '../../src/api/resources.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { grantUsers, impersonating } from '../kit/impersonation.js';
import { application, promotion } from '../kit/objects.js';
import { runOperator } from '../kit/operator.js';
import { depotCli, type OperatorProcess } from '../kit/operator-process.js';
import { environments } from '../kit/topologies.js';
import { userRoleRules } from '../kit/user-roles.js';

const k = cluster();
const CI = 'system:serviceaccount:ci:pipeline';
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const as = Object.fromEntries([CI, ALICE, BOB].map((u) => [u, impersonating(u)]));

let ns: string;
let operator: OperatorProcess;
const cli = (user: string, ...args: string[]) => depotCli(as[user]!.path, ns, ...args);
const toProd = () => k.read<Promotion>(Promotions, ns, 'to-prod');
const coreResult = (p: Promotion) => p.status?.results?.find((r) => r.application === 'core');

beforeAll(async () => {
  ns = await freshNamespace(k.kc, 'four-eyes');
  // Each person gets what the chart's editor role grants, in this namespace only.
  await grantUsers(k.kc, ns, 'editors', [CI, ALICE, BOB], userRoleRules('editor'));
  await k.apply(ns, [
    ...environments(['staging', 'prod']),
    application('core', { environmentSets: ['default'], versions: { staging: '1.1.0', prod: '1.1.0' } }),
    promotion('to-prod', {
      from: 'staging',
      to: 'prod',
      requireDeployed: false,
      approval: { required: true, minApprovals: 2 },
    }),
  ]);
  operator = await runOperator(ns);
  await k.appWhen(ns, 'core', 'core has a status', (a) => envStatus(a, 'prod')?.desired === '1.1.0');
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await k.close();
});

test("the requester's approval does not count; two other people are needed; the Promoted entry names both", async () => {
  // CI requests 1.2.0 in staging: CI is its requester.
  expect(cli(CI, 'set-version', 'core', 'staging', '1.2.0')).toMatchObject({ status: 0, stderr: '' });
  const requested = await k.appWhen(ns, 'core', 'the Requested entry', (a) =>
    a.status?.history?.some((h) => h.type === 'Requested' && h.to === '1.2.0'),
  );
  expect(requested.status!.history!.find((h) => h.type === 'Requested' && h.to === '1.2.0')!.actor).toBe(CI);
  await eventually('1.2.0 waits for approval', async () =>
    coreResult(await toProd())?.reason?.startsWith('ApprovalRequired: 1.2.0'),
  );

  // CI approving its own version: refused by the CLI, one line, nothing written.
  const before = (await toProd()).metadata!.resourceVersion;
  const self = cli(CI, 'approve', 'to-prod', 'core');
  expect(self.status).toBe(1);
  expect(self.stderr.trim().split('\n')).toEqual([
    expect.stringContaining(
      `${CI} first requested core 1.2.0, so their approval does not count in Promotion to-prod`,
    ),
  ]);
  expect((await toProd()).metadata!.resourceVersion).toBe(before);

  // Written directly (as kubectl apply would, naming itself as the policy demands), it is ignored.
  await k.client.patch(
    Promotions,
    ns,
    'to-prod',
    {
      apiVersion: API_VERSION,
      kind: 'Promotion',
      metadata: { name: 'to-prod' },
      spec: { approvals: [{ application: 'core', version: '1.2.0', approver: CI }] },
    },
    { type: 'apply', fieldManager: 'kubectl', force: true },
  );
  const ignored = await eventually('the self-approval is seen and ignored', async () => {
    const r = coreResult(await toProd());
    return r?.reason?.includes('does not count') && r;
  });
  expect(ignored).toMatchObject({ outcome: 'Waiting', version: '1.2.0', approvers: [], approvalsNeeded: 2 });
  expect(ignored.reason).not.toContain(CI);

  // Alice: one of two.
  const first = cli(ALICE, 'approve', 'to-prod', 'core');
  expect(first).toMatchObject({
    status: 0,
    stderr: '',
    stdout: `to-prod: ${ALICE} approved core 1.2.0; approved by ${ALICE}; 1 more approval needed\n`,
  });
  const one = await eventually('alice counted', async () => {
    const r = coreResult(await toProd());
    return r?.approvers?.includes(ALICE) && r;
  });
  expect(one).toMatchObject({
    outcome: 'Waiting',
    approvers: [ALICE],
    approvalsNeeded: 1,
    reason: expect.stringContaining(`waits for 1 more approval (1 of 2 distinct approvers: ${ALICE}`),
  });
  // The Promotion ran after Alice's approval and did not promote.
  expect((await k.app(ns, 'core')).spec.versions!.prod).toBe('1.1.0');
  expect(cli(ALICE, 'get', 'promotions').stdout).toContain(`core@1.2.0 needs 1 more (approved by ${ALICE})`);

  // Bob: two distinct people, neither the requester.
  const second = cli(BOB, 'approve', 'to-prod', 'core');
  expect(second).toMatchObject({
    status: 0,
    stdout: `to-prod: ${BOB} approved core 1.2.0; approved by ${ALICE}, ${BOB}; enough approvals to promote\n`,
  });
  const promoted = await k.appWhen(ns, 'core', 'promoted into prod', (a) =>
    a.status?.history?.some((h) => h.type === 'Promoted' && h.to === '1.2.0'),
  );
  expect(promoted.status!.history!.find((h) => h.type === 'Promoted')).toMatchObject({
    environment: 'prod',
    to: '1.2.0',
    actor: 'promotion to-prod',
    message: `prod requested 1.2.0 (was 1.1.0), approved by ${ALICE}, ${BOB}`,
  });
  // Approvals by different people never removed each other.
  expect((await toProd()).spec.approvals).toEqual([
    { application: 'core', version: '1.2.0', approver: CI },
    { application: 'core', version: '1.2.0', approver: ALICE },
    { application: 'core', version: '1.2.0', approver: BOB },
  ]);
}, 120_000);
