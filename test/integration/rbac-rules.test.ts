// Every rule of the operator's RBAC is needed: with the full ClusterRole and
// Roles (Lease, API certificate) every probe of one scenario works (the HTTP API's approvals too);
// without any one rule, what it grants is refused (the API server's
// "forbidden" in the operator's log or the HTTP API's answer) while everything
// else still works. A rule without a probe fails.
import type { V1PolicyRule } from '@kubernetes/client-node';
import { eventually } from '../kit/eventually.js';
import { installOperatorRbac, operatorRbac } from '../kit/operator-rbac.js';
import { LocalReceiver, probes, ruleKey, startScenario, type Scenario } from '../kit/rbac-probes.js';

/** Which probes prove each (verbs, resource, group) of a rule: removing the rule must break each of them. */
const proofs: Record<string, string[]> = {
  'get,list,watch applications.depot.sh': ['read:applications'],
  'get,list,watch environments.depot.sh': ['read:environments'],
  'get,list,watch environmentsets.depot.sh': ['read:environmentsets'],
  'get,list,watch targets.depot.sh': ['read:targets'],
  'get,list,watch promotions.depot.sh': ['read:promotions'],
  'patch applications.depot.sh': ['promote'],
  'patch applications/status.depot.sh': ['status:applications'],
  'patch environments/status.depot.sh': ['status:environments'],
  'patch environmentsets/status.depot.sh': ['status:environmentsets'],
  'patch targets/status.depot.sh': ['status:targets'],
  'patch promotions/status.depot.sh': ['status:promotions'],
  'create,patch events.events.k8s.io': ['events'],
  'get,list,patch,watch applications.argoproj.io': ['argocd'],
  'get,list,patch,watch gitrepositories.source.toolkit.fluxcd.io': ['flux:gitrepositories'],
  'get,list,patch,watch ocirepositories.source.toolkit.fluxcd.io': ['flux:ocirepositories'],
  'get,list,patch,watch helmreleases.helm.toolkit.fluxcd.io': ['flux:helmreleases'],
  'get,list,patch,watch kustomizations.kustomize.toolkit.fluxcd.io': ['flux:kustomizations'],
  'get secrets': ['receiver'],
  'create tokenreviews.authentication.k8s.io': ['tokenreview'],
  'create subjectaccessreviews.authorization.k8s.io': ['subjectaccessreview'],
  'patch promotions.depot.sh': ['approve'],
  'attribute applications.depot.sh': ['attribute'],
  'attribute promotions.depot.sh': ['attribute'],
  // The leader-election Role.
  'create,get,list,update,watch leases.coordination.k8s.io': ['leader'],
  // The Role of the HTTP API's generated certificate: its Secret, and create.
  'get,update secrets': ['api-tls'],
  'create secrets': ['api-tls'],
};

/** Bounds of one probe: its outcome or its refusal shows within this (generous for 2 shared cores). */
const PROBE_DEADLINE_MS = 40_000;

const rbac = await operatorRbac();
interface Rule {
  role: 'ClusterRole' | 'Role' | 'ApiTlsRole';
  index: number;
  rule: V1PolicyRule;
  keys: string[];
}
const rulesOf = (role: Rule['role'], rules: V1PolicyRule[] = []): Rule[] =>
  rules.map((rule, index) => ({
    role,
    index,
    rule,
    keys: (rule.apiGroups ?? ['']).flatMap((g) =>
      (rule.resources ?? []).map((r) => ruleKey(g, r, rule.verbs)),
    ),
  }));
const rules = [
  ...rulesOf('ClusterRole', rbac.clusterRole.rules),
  ...rulesOf('Role', rbac.leaderElectionRole.rules),
  ...rulesOf('ApiTlsRole', rbac.apiTlsRole.rules),
];
const describeRule = (r: Rule) =>
  `${r.role} rule ${r.index} (${(r.rule.apiGroups ?? []).map((g) => g || 'core').join(',')}: ${(r.rule.resources ?? []).join(',')})`;

let receiver: LocalReceiver;
beforeAll(async () => {
  receiver = new LocalReceiver();
  await receiver.listen();
});
afterAll(() => receiver?.close());

test('every rule of the ClusterRole and the Roles (Lease, API certificate) has a probe, and every probe a rule', () => {
  const unproven = rules.flatMap((r) =>
    r.keys.filter((k) => !proofs[k]).map((k) => `${describeRule(r)}: ${k}`),
  );
  expect(unproven).toEqual([]);
  const keys = new Set(rules.flatMap((r) => r.keys));
  expect(Object.keys(proofs).filter((k) => !keys.has(k))).toEqual([]);
  expect([...new Set(Object.values(proofs).flat())].sort()).toEqual(Object.keys(probes).sort());
});

/** Whether `probe` relies on one of `removed` (then it is not expected to work). */
function dependsOn(probe: string, removed: Set<string>): boolean {
  return probes[probe]!.needs.some(
    (n) => removed.has(n) || (n === 'read:*' && [...removed].some((r) => r.startsWith('read:'))),
  );
}

/**
 * Runs the scenario as `identity` and checks every probe at once: the removed
 * ones are refused (evidence, and no outcome), the others work. Returns what failed.
 */
async function check(s: Scenario, removed: Set<string>): Promise<string[]> {
  const results = await Promise.all(
    Object.entries(probes).map(async ([key, probe]): Promise<string | undefined> => {
      try {
        if (removed.has(key)) {
          const evidence = await eventually(
            `the refusal of: ${probe.name}`,
            () => probe.denied(s),
            PROBE_DEADLINE_MS,
            500,
          );
          if (await probe.works(s).catch(() => false))
            return `${key}: refused (${evidence}) yet it worked: ${probe.name}`;
          return undefined;
        }
        if (dependsOn(key, removed)) return undefined;
        await eventually(probe.name, () => probe.works(s), PROBE_DEADLINE_MS, 500);
        return undefined;
      } catch (err) {
        return `${key}: ${(err as Error).message}`;
      }
    }),
  );
  return results.filter((r): r is string => r !== undefined);
}

async function run(removedRule: Rule | undefined): Promise<void> {
  const removed = new Set(removedRule?.keys.flatMap((k) => proofs[k] ?? []) ?? []);
  const without = (role: Rule['role']) => (rs: V1PolicyRule[]) =>
    removedRule?.role === role ? rs.filter((_, i) => i !== removedRule.index) : rs;
  const identity = await installOperatorRbac({
    clusterRoleRules: without('ClusterRole'),
    leaderElectionRules: without('Role'),
    apiTlsRules: without('ApiTlsRole'),
  });
  const s = await startScenario(identity, receiver);
  let failures: string[];
  try {
    failures = await check(s, removed);
    if (!removedRule) expect(s.operator.output()).not.toMatch(/forbidden/i);
  } finally {
    await s.operator.stop();
    await identity.remove();
  }
  if (failures.length > 0)
    throw new Error(`${failures.join('\n')}\noperator output:\n${s.operator.output().slice(-4000)}`);
}

test('with the full role, every probe works', async () => {
  await run(undefined);
}, 120_000);

test.each(rules.map((r) => [describeRule(r), r] as const))(
  'without %s, what it grants is refused and the rest works',
  async (_name, rule) => {
    await run(rule);
  },
  120_000,
);
