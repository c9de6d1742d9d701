// The chart's roles for Depot's users (templates/user-roles.yaml) and agents
// (templates/agent-roles.yaml): their rules, for tests that give an identity
// exactly what the chart grants.
import type { V1PolicyRule } from '@kubernetes/client-node';
import { renderChart } from './helm.js';

export type UserRole = 'viewer' | 'editor';

export function userRoleRules(role: UserRole): V1PolicyRule[] {
  const name = `depot-operator-${role}`;
  const found = renderChart().find((o) => o.kind === 'ClusterRole' && o.metadata?.name === name);
  if (!found) throw new Error(`the chart renders no ClusterRole ${name}`);
  return (found as { rules: V1PolicyRule[] }).rules;
}

/** The rules of the chart's Role for the agent of `target` (an rbac.agents entry). */
export function agentRoleRules(namespace: string, target: string): V1PolicyRule[] {
  const name = `depot-operator-agent-${target}`;
  const found = renderChart({
    rbac: { agents: [{ namespace, target, serviceAccount: 'depot-agent' }] },
  }).find((o) => o.kind === 'Role' && o.metadata?.name === name);
  if (!found) throw new Error(`the chart renders no Role ${name}`);
  return (found as { rules: V1PolicyRule[] }).rules;
}
